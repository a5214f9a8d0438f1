import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { freePort, makeTempDir } from '@janix/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { appRoleUrl, derivedAppRolePassword, ensureAppRole } from './db/app-role.ts';
import { createAdminPool, createAppPool, type Pool } from './db/pools.ts';
import { installJobQueue } from './jobs/job-queue.ts';
import { createDevMailbox } from './mail/mailer.ts';
import type { ServerDeps } from './trpc/context.ts';
import { startChangeNotifier } from './sync/change-notifier.ts';

/**
 * Test support shared by the server's, the local core's and the end-to-end suites: one real embedded
 * PostgreSQL per test run, one fresh database per suite, and the real app listening on a free port.
 */
export async function startTestCluster(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  const dir = makeTempDir('pg');
  const cluster = await startEmbeddedPostgres({ dataDir: dir.path, port: await freePort() });
  const bootstrap = createAdminPool(cluster.adminUrl(), 1);
  await ensureAppRole(bootstrap, derivedAppRolePassword(cluster.adminUrl()));
  await bootstrap.end();
  return {
    adminUrl: cluster.adminUrl(),
    async stop() {
      await cluster.stop();
      dir.remove();
    },
  };
}

export interface TestDatabase {
  /** Owner connection string. */
  url: string;
  /** Connection string of the non-owner application role. */
  appUrl: string;
  adminPool: Pool;
  appPool: Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(clusterAdminUrl: string): Promise<TestDatabase> {
  const name = `janix_test_${randomBytes(6).toString('hex')}`;
  const admin = createAdminPool(clusterAdminUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = clusterAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  const appUrl = appRoleUrl(url, derivedAppRolePassword(clusterAdminUrl));
  const adminPool = createAdminPool(url);
  const appPool = createAppPool(appUrl);
  try {
    await migrate(adminPool);
    await installJobQueue(adminPool);
  } catch (error) {
    await Promise.allSettled([adminPool.end(), appPool.end()]);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end());
    throw error;
  }
  return {
    url,
    appUrl,
    adminPool,
    appPool,
    async drop() {
      await Promise.allSettled([adminPool.end(), appPool.end()]);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  db: TestDatabase;
  deps: ServerDeps;
  close(): Promise<void>;
}

export async function startTestServer(
  clusterAdminUrl: string,
  options: { now?: () => Date; signInPerMinute?: number } = {},
): Promise<TestServer> {
  const db = await createTestDatabase(clusterAdminUrl);
  const devMailbox = createDevMailbox(db.appPool);
  const changes = await startChangeNotifier(db.appUrl, () => {});
  const deps: ServerDeps = {
    pool: db.appPool,
    mailer: devMailbox,
    devMailbox,
    now: options.now ?? (() => new Date()),
    changes,
  };
  const app = await buildApp(deps, { logLevel: 'silent', signInPerMinute: options.signInPerMinute ?? 1000 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    deps,
    async close() {
      await app.close();
      await changes.close();
      await db.drop();
    },
  };
}

/** Reads the newest sign-in code the development mailbox holds for an address. */
export async function latestSignInCode(server: TestServer, email: string): Promise<string> {
  const messages = await server.deps.devMailbox!.list(email);
  const match = messages[0]?.text.match(/code is (\d{6})/);
  if (!match?.[1]) throw new Error(`no sign-in code was mailed to ${email}`);
  return match[1];
}
export { seedDemoOrg } from './demo-seed.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** Vitest global setup: one real embedded PostgreSQL for the whole run; suites create databases in it. */
export async function postgresGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startTestCluster();
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
