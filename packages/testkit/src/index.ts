export * from './demo-org.ts';
export * from './clock.ts';
export * from './temp-dirs.ts';
export * from './processes.ts';
export * from './external-systems.ts';
