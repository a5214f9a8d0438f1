import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The torture test's own config: `vitest run --config torture/vitest.config.ts` from packages/local-core. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    globalSetup: ['./torture/global-setup.ts'],
    include: ['torture/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
