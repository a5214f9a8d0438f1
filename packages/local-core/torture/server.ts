import { randomBytes } from 'node:crypto';
import { freePort } from '@janix/testkit';
import {
  createTestDatabase,
  startTestServices,
  type TestDatabase,
  type TestServer,
} from '@janix/server/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/src/app.ts';
import { createAppPool, type Pool } from '../../../server/src/db/pools.ts';
import type { ChangeNotifier } from '../../../server/src/sync/change-notifier.ts';
import type { ServerDeps } from '../../../server/src/trpc/context.ts';

interface Incarnation {
  app: FastifyInstance;
  appPool: Pool;
  changes: ChangeNotifier;
  deps: ServerDeps;
  /** Stops the sign-in job worker and the change notifier. */
  stopServices: () => Promise<void>;
}

/**
 * The real server app on a real PostgreSQL database, restartable on the same port so devices keep their
 * server URL. Each incarnation has its own application pool and change notifier, as a new process would.
 */
export interface TortureServer {
  url: string;
  db: TestDatabase;
  /** The running incarnation as a `TestServer`, for helpers such as `latestSignInCode`. */
  current(): TestServer;
  /** Stops the app (see `shutdown`), stays down for `downtimeMs`, then listens again on the same port. */
  restart(downtimeMs: number, mode: 'graceful' | 'abrupt'): Promise<void>;
  close(): Promise<void>;
}

async function boot(db: TestDatabase, port: number, pepper: Buffer): Promise<Incarnation> {
  const appPool = createAppPool(db.appUrl);
  const services = await startTestServices({ appPool, appUrl: db.appUrl }, { pepper });
  const { deps } = services;
  const changes = deps.changes;
  const app = await buildApp(deps, {
    logLevel: process.env.TORTURE_SERVER_LOG ?? 'silent',
    signInPerMinute: 1000,
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    await app.close();
    await services.close();
    await appPool.end();
    throw error;
  }
  return { app, appPool, changes, deps, stopServices: services.close };
}

/**
 * Stops one incarnation. `graceful`: in-flight requests finish, then every connection closes (a keep-alive
 * socket that was busy when the close began would otherwise hold it for the 72 s keep-alive timeout).
 * `abrupt`: every connection is cut at once, as when the process dies; handlers already running still finish
 * their database work, so a command may commit while its response is lost.
 */
async function shutdown(incarnation: Incarnation, mode: 'graceful' | 'abrupt'): Promise<void> {
  const { app } = incarnation;
  let closed = false;
  const closing = app.close().finally(() => {
    closed = true;
  });
  // Long polls waiting on the notifier would hold the close for up to their timeout; wake them now.
  await incarnation.changes.close();
  if (mode === 'abrupt') app.server.closeAllConnections();
  for (let waited = 0; !closed; waited += 20) {
    if (waited >= 2000) app.server.closeAllConnections();
    else app.server.closeIdleConnections();
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
  await closing;
  await incarnation.stopServices();
  await incarnation.appPool.end();
}

/** How long stopping an incarnation may take before the run fails instead of hanging (closing takes < 3 s). */
const SHUTDOWN_DEADLINE_MS = 30_000;

/** `shutdown`, failing the run when it does not finish in time (a stuck handler, a pool that never drains). */
async function shutdownInTime(incarnation: Incarnation, mode: 'graceful' | 'abrupt'): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the server did not stop (${mode}) within ${SHUTDOWN_DEADLINE_MS} ms`)),
      SHUTDOWN_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([shutdown(incarnation, mode), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startTortureServer(clusterAdminUrl: string): Promise<TortureServer> {
  const db = await createTestDatabase(clusterAdminUrl);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // One server secret for every incarnation, as a restarted server keeps its AUTH_PEPPER.
  const pepper = randomBytes(32);
  let current: Incarnation | null = await boot(db, port, pepper);

  return {
    url,
    db,
    current() {
      if (!current) throw new Error('the server is down');
      const { app, deps } = current;
      return { url, app, db, deps, close: async () => {} };
    },
    async restart(downtimeMs, mode) {
      const stopping = current;
      current = null;
      if (stopping) await shutdownInTime(stopping, mode);
      await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      // The port was ours a moment ago; retry briefly in case the OS has not released it yet.
      for (let attempt = 0; ; attempt += 1) {
        try {
          current = await boot(db, port, pepper);
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async close() {
      const stopping = current;
      current = null;
      if (stopping) await shutdownInTime(stopping, 'abrupt');
      // A pool's end() resolves while its sockets are still closing; let them go before DROP … WITH (FORCE)
      // terminates them (which the pools would report as "idle connection closed").
      await Promise.allSettled([db.adminPool.end(), db.appPool.end()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await db.drop();
    },
  };
}
