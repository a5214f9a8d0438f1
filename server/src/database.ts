import { freePort } from '@janix/testkit';
import type { ServerEnv } from './env.ts';
import { defaultDataDir, startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { randomBytes } from 'node:crypto';
import { appRoleUrl, ensureAppRole } from './db/app-role.ts';
import { createAdminPool, createAppPool, type Pool } from './db/pools.ts';
import { installJobQueue } from './jobs/job-queue.ts';

export interface Database {
  appPool: Pool;
  /** Connection string of the application role (for the change notifier's LISTEN connection). */
  appUrl: string;
  adminPool: Pool;
  /** The embedded cluster's folder; null with DATABASE_URL. */
  embeddedDataDir: string | null;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL, then brings the schema (the job queue's too)
 * up to date.
 */
export async function openDatabase(env: ServerEnv, log: (line: string) => void): Promise<Database> {
  let url = env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let embeddedDataDir: string | null = null;
  if (!url) {
    const dataDir = env.JANIX_DATA_DIR ?? defaultDataDir();
    embeddedDataDir = dataDir;
    log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${dataDir}`);
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    url = embedded.adminUrl();
    stopEmbedded = () => embedded.stop();
  }
  const adminPool = createAdminPool(url);
  let appPool: Pool;
  let appUrl: string | undefined;
  try {
    appUrl = env.DATABASE_APP_URL;
    if (!appUrl) {
      // Single-node convenience: a fresh password for the application role at every start. Servers that
      // share one database set DATABASE_APP_URL instead.
      const password = randomBytes(24).toString('base64url');
      await ensureAppRole(adminPool, password);
      appUrl = appRoleUrl(url, password);
    }
    const applied = await migrate(adminPool);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    await installJobQueue(adminPool);
    appPool = createAppPool(appUrl);
  } catch (error) {
    await adminPool.end().catch(() => {});
    await stopEmbedded?.();
    throw error;
  }
  return {
    appPool,
    appUrl: appUrl!,
    adminPool,
    embeddedDataDir,
    async close() {
      await Promise.allSettled([appPool.end(), adminPool.end()]);
      await stopEmbedded?.();
    },
  };
}
