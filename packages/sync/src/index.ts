export * from './ports.ts';
export * from './sync-engine.ts';
