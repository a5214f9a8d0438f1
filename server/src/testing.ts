import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { freePort, makeTempDir } from '@janix/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from './app.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { appRoleUrl, derivedAppRolePassword, ensureAppRole } from './db/app-role.ts';
import { createAdminPool, createAppPool, type Pool } from './db/pools.ts';
import { installJobQueue } from './jobs/job-queue.ts';
import { newRandomSecret } from './auth/secrets.ts';
import { createDevMailbox, type Mailer } from './mail/mailer.ts';
import { startServices, type ServicesOptions } from './services.ts';
import type { ServerDeps } from './trpc/context.ts';

export * from './testing/resend-capture.ts';
export * from './testing/web-shop.ts';

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

export interface TestServices {
  deps: ServerDeps;
  /** This server's dev-mailbox secret, as `npm start` would give its console (header x-janix-dev-mailbox). */
  devMailboxSecret: string;
  close(): Promise<void>;
}

/**
 * The server's dependencies as tests and the torture harness run them: the dev mailbox (or `mailer`) behind a
 * fresh per-run secret, the sign-in job worker polling fast, a random pepper, the change notifier. A server
 * restarted on the same database passes the pepper it had (`pepper`), as a real one keeps AUTH_PEPPER: the
 * ticket signing keys are sealed under it.
 */
export async function startTestServices(
  db: { appPool: Pool; appUrl: string },
  options: {
    now?: () => Date;
    mailer?: Mailer;
    pepper?: Buffer;
    /** Send order emails (off by default: their rows then wait, queued; see ServicesOptions). */
    orderEmails?: ServicesOptions['orderEmails'];
    /** Card payments through Stripe (stripe-mock in tests); absent: unavailable. */
    stripe?: ServicesOptions['stripe'];
  } = {},
): Promise<TestServices> {
  const now = options.now ?? (() => new Date());
  const devMailboxSecret = newRandomSecret();
  const services = await startServices({
    pool: db.appPool,
    appUrl: db.appUrl,
    mailer: options.mailer ?? createDevMailbox(db.appPool, { now, secret: devMailboxSecret }),
    pepper: options.pepper ?? randomBytes(32),
    now,
    log: () => {},
    pollingIntervalSeconds: 0.5,
    orderEmails: options.orderEmails,
    stripe: options.stripe,
  });
  return { deps: services.deps, devMailboxSecret, close: () => services.close() };
}

export async function startTestServer(
  clusterAdminUrl: string,
  options: {
    now?: () => Date;
    signInPerMinute?: number;
    mailer?: Mailer;
    app?: BuildAppOptions;
    orderEmails?: ServicesOptions['orderEmails'];
    stripe?: ServicesOptions['stripe'];
  } = {},
): Promise<TestServer & { devMailboxSecret: string }> {
  const db = await createTestDatabase(clusterAdminUrl);
  const services = await startTestServices(db, options);
  const app = await buildApp(services.deps, {
    logLevel: 'silent',
    signInPerMinute: options.signInPerMinute ?? 1000,
    ...options.app,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    deps: services.deps,
    devMailboxSecret: services.devMailboxSecret,
    async close() {
      await app.close();
      await services.close();
      await db.drop();
    },
  };
}

/**
 * Waits until the sign-in job has handled every request for `email` (the request only queues it), then reads
 * the newest code the dev mailbox holds for the address, straight from the server's mailbox object.
 */
export async function latestSignInCode(server: TestServer, email: string): Promise<string> {
  await signInJobsDone(server, email);
  const messages = await server.deps.devMailbox!.list(email);
  const match = messages[0]?.text.match(/code is (\d{6})/);
  if (!match?.[1]) throw new Error(`no sign-in code was mailed to ${email}`);
  return match[1];
}
/** Resolves once no sign-in request for `email` waits for its job. */
export async function signInJobsDone(
  server: Pick<TestServer, 'db'>,
  email: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await server.db.adminPool.query(
      'SELECT 1 FROM sign_in_requests WHERE email = $1 LIMIT 1',
      [email.trim().toLowerCase()],
    );
    if (!pending.rowCount) return;
    if (Date.now() > deadline)
      throw new Error(`the sign-in job for ${email} did not run within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
