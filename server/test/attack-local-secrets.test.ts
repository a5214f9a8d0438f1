import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, makeTempDir } from '@janix/testkit';
import { resolvePepper } from '../src/auth/sign-in-codes.ts';
import {
  canConnect,
  SUPERUSER_PASSWORD_FILE,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../src/db/embedded-postgres.ts';
import { createAdminPool } from '../src/db/pools.ts';

/**
 * Another local user (or process) against the embedded PostgreSQL: the superuser can read every organization
 * and run programs (COPY … TO PROGRAM), so its password must be this cluster's own, readable by us only.
 */

const dirs: Array<{ remove: () => void }> = [];
const running: EmbeddedDatabase[] = [];
afterAll(async () => {
  await Promise.allSettled(running.map((cluster) => cluster.stop()));
  for (const dir of dirs) dir.remove();
});

async function cluster(dataDir?: string): Promise<{ dataDir: string; db: EmbeddedDatabase }> {
  let path = dataDir;
  if (!path) {
    const dir = makeTempDir('pg-secret');
    dirs.push(dir);
    path = dir.path;
  }
  const db = await startEmbeddedPostgres({ dataDir: path, port: await freePort() });
  running.push(db);
  return { dataDir: path, db };
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the embedded cluster superuser', () => {
  it('has a random password per cluster, kept in a 0600 file; the old shared password is refused', async () => {
    const [first, second] = [await cluster(), await cluster()];
    const passwords = [first, second].map(({ dataDir }) => {
      const file = join(dataDir, SUPERUSER_PASSWORD_FILE);
      expect(mode(file)).toBe(0o600);
      return readFileSync(file, 'utf8').trim();
    });
    expect(passwords[0]).not.toBe(passwords[1]);
    expect(passwords[0]!.length).toBeGreaterThanOrEqual(32);
    for (const { db } of [first, second]) {
      expect(await canConnect(db.adminUrl())).toBe(true);
      expect(await canConnect(withPassword(db.adminUrl(), 'janix-local'))).toBe(false);
    }
  }, 120_000);

  it('a cluster made with the old shared password gets its own at the next start, and keeps its data', async () => {
    const { dataDir, db } = await cluster();
    const admin = createAdminPool(db.adminUrl(), 1);
    await admin.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    // What a cluster from before looked like: the shared password and no password file.
    await admin.query("ALTER ROLE postgres PASSWORD 'janix-local'");
    await admin.end();
    rmSync(join(dataDir, SUPERUSER_PASSWORD_FILE));
    await db.stop();

    const restarted = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    running.push(restarted);
    const file = join(dataDir, SUPERUSER_PASSWORD_FILE);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).not.toBe('janix-local');
    expect(await canConnect(withPassword(restarted.adminUrl(), 'janix-local'))).toBe(false);
    const pool = createAdminPool(restarted.adminUrl(), 1);
    try {
      expect((await pool.query<{ v: number }>('SELECT v FROM kept')).rows).toEqual([{ v: 42 }]);
    } finally {
      await pool.end();
    }
  }, 120_000);
});

describe('the development pepper', () => {
  it('lives in a 0600 file beside the cluster folder, the same across restarts, its own per folder', () => {
    const dir = makeTempDir('pepper');
    dirs.push(dir);
    const log: string[] = [];
    const options = (folder: string) => ({
      configured: undefined,
      embeddedDataDir: join(dir.path, folder, 'postgres'),
      log: (line: string) => log.push(line),
    });
    const first = resolvePepper(options('a'));
    expect(resolvePepper(options('a')).equals(first)).toBe(true);
    expect(mode(join(dir.path, 'a', 'janix-auth-pepper'))).toBe(0o600);
    expect(resolvePepper(options('b')).equals(first)).toBe(false);
    expect(resolvePepper({ ...options('a'), configured: 'c'.repeat(32) }).toString()).toBe('c'.repeat(32));
    // An external database and no AUTH_PEPPER: a pepper of this process, said once in the log.
    const ephemeral = resolvePepper({
      configured: undefined,
      embeddedDataDir: null,
      log: (line) => log.push(line),
    });
    expect(ephemeral.length).toBe(32);
    expect(log).toEqual([expect.stringContaining('AUTH_PEPPER is not set')]);
  });
});
