// Plain JavaScript on purpose: a vitest config is bundled with its bare imports left to Node, and Node 20
// cannot load TypeScript, so the configs of other packages can import this file but not `../testing.ts`.
// Its types are in postgres-vitest-config.d.ts.
import { URL, fileURLToPath } from 'node:url';

export function postgresVitestConfig(overrides = {}) {
  return {
    test: {
      globalSetup: [fileURLToPath(new URL('./postgres-global-setup.ts', import.meta.url))],
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      ...overrides,
    },
  };
}
