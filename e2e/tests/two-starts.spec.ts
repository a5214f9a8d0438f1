import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { stopProcess } from '@janix/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs a process to its end and returns its exit code and output. */
function runToEnd(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const child = spawn(tsx, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `npm start` (scripts/start.ts) with a writable stdin; resolves once it printed both lines. */
function startJanix(env: NodeJS.ProcessEnv) {
  const child = spawn(tsx, ['scripts/start.ts'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ child: ChildProcess; serverUrl: string; consoleUrl: URL }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${stderr}`)), 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^Server: (\S+)\r?\nConsole: (\S+)/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, serverUrl: match[1]!, consoleUrl: new URL(match[2]!) });
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
  });
}

async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a second npm start is refused and harms nothing; stopping only the server leaves the console running', async () => {
  test.setTimeout(240_000);
  const workDir = mkdtempSync(join(tmpdir(), 'janix-two-starts-'));
  // The embedded PostgreSQL runs as its own user when we are root; it must be able to enter this folder.
  chmodSync(workDir, 0o755);
  const env = {
    ...process.env,
    PORT: '0',
    JANIX_DATA_DIR: join(workDir, 'postgres'),
    JANIX_CONSOLE_DATA_DIR: join(workDir, 'console'),
  };
  let first: ChildProcess | undefined;
  try {
    const started = await startJanix(env);
    first = started.child;
    const { serverUrl, consoleUrl } = started;

    const second = await runToEnd(['scripts/start.ts'], env, 60_000);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain('already running');
    expect(second.stderr).toContain('npm run console -- --data-dir');

    // The first one is untouched: its server and its console still answer.
    const launch = { 'x-janix-launch': consoleUrl.hash.replace('#launch=', '') };
    const consoleStatus = async () => {
      const response = await fetch(`${consoleUrl.origin}/trpc/status`, { headers: launch });
      expect(response.status).toBe(200);
      return ((await response.json()) as { result: { data: { online: boolean | null } } }).result.data;
    };
    await consoleStatus();
    expect((await fetch(`${serverUrl}/health`)).status).toBe(200);
    expect(first.exitCode).toBeNull();

    // Stop only the server (s + Enter): the console keeps running, and knows it is offline.
    first.stdin!.write('s\n');
    await eventually(
      async () =>
        !(await fetch(`${serverUrl}/health`).then(
          () => true,
          () => false,
        )),
      30_000,
    );
    await eventually(async () => (await consoleStatus()).online !== true, 60_000);
    expect(first.exitCode).toBeNull();
  } finally {
    if (first) await stopProcess(first, 30_000);
    rmSync(workDir, { recursive: true, force: true });
  }
});
