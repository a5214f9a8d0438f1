// The global setup module `postgresVitestConfig` names: vitest loads it by path, so it needs a file of its own.
export { postgresGlobalSetup as default } from '../testing.ts';
