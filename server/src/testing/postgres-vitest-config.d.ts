import type { ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * Vitest config for a suite that runs against the real embedded PostgreSQL: one cluster for the whole run
 * (`postgresGlobalSetup`, which provides `inject('pgAdminUrl')`), `src` and `test` tests, and timeouts long
 * enough for a cluster to start. `overrides` replace those test options one by one.
 */
export function postgresVitestConfig(overrides?: TestOptions): ViteUserConfig;
