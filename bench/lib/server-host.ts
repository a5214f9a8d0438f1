import pg from 'pg';
import { startTestCluster } from '@janix/server/testing';
import { log } from './output.ts';
import { forkChild, type RpcChild } from './rpc.ts';
import type { StripeMock } from '../server-child.ts';

export interface ServerHost {
  url: string;
  /** Owner connection string of this server's database (seeding, checks, the raw-Postgres floors). */
  dbUrl: string;
  adminPool: pg.Pool;
  /** The database's name (to find its PostgreSQL backends). */
  database: string;
  process: RpcChild;
  signInCode(email: string): Promise<string>;
  close(): Promise<void>;
}

let cluster: Promise<{ adminUrl: string; stop: () => Promise<void> }> | null = null;

/** One embedded PostgreSQL for the whole run; every server gets its own database in it. */
export function sharedCluster(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  cluster ??= startTestCluster().then((started) => {
    log(`embedded PostgreSQL up (${started.adminUrl.replace(/:[^:@/]*@/, ':***@')})`);
    return started;
  });
  return cluster;
}

export async function stopSharedCluster(): Promise<void> {
  if (!cluster) return;
  const started = await cluster;
  cluster = null;
  await started.stop();
}

export async function startServerHost(options: { stripe?: StripeMock } = {}): Promise<ServerHost> {
  const { adminUrl } = await sharedCluster();
  const child = forkChild('server-child.ts');
  try {
    const { url, dbUrl } = await child.call<{ url: string; dbUrl: string }>('start', {
      adminUrl,
      stripe: options.stripe,
    });
    const adminPool = new pg.Pool({ connectionString: dbUrl, max: 4 });
    adminPool.on('error', () => {});
    log(`server up at ${url} (pid ${child.pid})`);
    return {
      url,
      dbUrl,
      adminPool,
      database: new URL(dbUrl).pathname.slice(1),
      process: child,
      signInCode: (email) => child.call<string>('code', { email }),
      async close() {
        await adminPool.end();
        await child.close();
      },
    };
  } catch (error) {
    await child.close();
    throw error;
  }
}
