import { fileURLToPath } from 'node:url';
import { postgresVitestConfig } from '@janix/server/testing/vitest-config';

/** The torture test's own config: `vitest run --config torture/vitest.config.ts` from packages/local-core. */
export default postgresVitestConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  include: ['torture/**/*.test.ts'],
  testTimeout: 180_000,
});
