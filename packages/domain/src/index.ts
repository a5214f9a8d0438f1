export * from './decision.ts';
export * from './permissions.ts';
export * from './login-codes.ts';
export * from './events.ts';
export * from './commands.ts';
export * from './pricing.ts';
export * from './shift-report.ts';
export * from './replicated-tables.ts';
