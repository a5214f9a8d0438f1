export { openLocalCore, type LocalCore, type LocalCoreOptions } from './local-core.ts';
export type { LocalRouter } from './local-router.ts';
export type { RecordNotice } from './replica/record-notices.ts';
export { REPLICA_SCHEMA_VERSION } from './replica/migrations.ts';
export { DataDirLockedError } from './replica/open-replica.ts';
export { checkServerUrl, ServerUrlError } from './server-url.ts';
