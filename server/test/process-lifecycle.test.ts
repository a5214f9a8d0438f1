import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, spawnUntilLine, stopProcess } from '@janix/testkit';
import { isAlive } from '../src/db/embedded-postgres.ts';

const dir = makeTempDir('server-process');
// As root the cluster runs as `postgres`, which must be able to enter this folder.
chmodSync(dir.path, 0o755);
const dataDir = join(dir.path, 'postgres');
/** What `npm start` would hand the server and its console. */
const mailboxSecret = `test-${randomBytes(16).toString('hex')}`;

afterAll(() => dir.remove());

async function startServer() {
  // Node itself (not the tsx wrapper) so that kill -9 hits the server process, as a crash would.
  const { child, match } = await spawnUntilLine(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts'],
    /^Server: (\S+)/m,
    {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        PORT: '0',
        JANIX_DATA_DIR: dataDir,
        JANIX_SEED_DEMO: '1',
        LOG_LEVEL: 'warn',
        JANIX_DEV_MAILBOX_SECRET: mailboxSecret,
      },
      timeoutMs: 120_000,
    },
  );
  return { child, url: match[1]! };
}

function postgresPid(): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('the server process', () => {
  it('answers /health, keeps its embedded data across restarts and leaves no PostgreSQL behind', async () => {
    const first = await startServer();
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const pid = postgresPid();
    expect(isAlive(pid)).toBe(true);
    await stopProcess(first.child, 30_000);
    expect(first.child.exitCode).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    // Second start: same cluster, demo data still there, no new migrations or seeding.
    const second = await startServer();
    const response = await fetch(`${second.url}/trpc/auth.requestCode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@janix.test' }),
    });
    expect(response.status).toBe(200);
    // The code is mailed by a job, a moment after the answer.
    let mailbox: Array<{ to: string }> = [];
    for (let i = 0; i < 100 && mailbox.length === 0; i += 1) {
      const listed = await fetch(`${second.url}/trpc/devMailbox.list?input=%7B%7D`, {
        headers: { 'x-janix-dev-mailbox': mailboxSecret },
      });
      mailbox = ((await listed.json()) as { result: { data: Array<{ to: string }> } }).result.data;
      if (mailbox.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(mailbox[0]?.to).toBe('demo@janix.test');
    const secondPid = postgresPid();
    await stopProcess(second.child, 30_000);
    expect(isAlive(secondPid)).toBe(false);
  }, 240_000);

  it('adopts the PostgreSQL a killed predecessor left running, and stops it on shutdown', async () => {
    const crashed = await startServer();
    const orphan = postgresPid();
    crashed.child.kill('SIGKILL');
    await new Promise((resolve) => crashed.child.once('exit', resolve));
    expect(isAlive(orphan)).toBe(true);

    const next = await startServer();
    expect((await fetch(`${next.url}/health`)).status).toBe(200);
    expect(postgresPid()).toBe(orphan);
    await stopProcess(next.child, 30_000);
    expect(isAlive(orphan)).toBe(false);
  }, 240_000);
});
