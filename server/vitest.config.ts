import { postgresVitestConfig } from './src/testing/postgres-vitest-config.js';

export default postgresVitestConfig();
