export * from './roles.ts';
export * from './ids.ts';
export * from './auth.ts';
export * from './events.ts';
export * from './box-office.ts';
export * from './checkin.ts';
export * from './commands.ts';
export * from './sync.ts';
