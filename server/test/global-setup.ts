export { postgresGlobalSetup as default } from '../src/testing.ts';
