import { postgresVitestConfig } from '@janix/server/testing/vitest-config';

export default postgresVitestConfig();
