export * from './replicated-tables.ts';
export * from './ports.ts';
export * from './sync-engine.ts';
