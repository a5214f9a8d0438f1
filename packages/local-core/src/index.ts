export { openLocalCore, type LocalCore, type LocalCoreOptions } from './local-core.ts';
export type { LocalRouter } from './local-router.ts';
export { REPLICA_SCHEMA_VERSION } from './replica/migrations.ts';
