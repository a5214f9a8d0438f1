// `npm start`: the Janix server (embedded PostgreSQL unless DATABASE_URL is set) plus the console — in
// Electron where its binary is installed, otherwise in the browser through the dev host. Prints exactly
// two lines on stdout, `Server: <url>` and `Console: <url or "Electron window">`; everything else goes to stderr.
//
// One `npm start` per database: a second one is refused before it starts anything (a lock file with the pid
// beside the data folder), so it can never take over or stop the first one's database or console. Stopping
// the server leaves the console running offline; Ctrl-C stops everything.
//
// `npm run console -- --data-dir <folder>` (this script with --console) opens one more console, a separate
// device with its own data folder, against the server the running `npm start` serves.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultDataDir as defaultConsoleDataDir } from '../desktop/src/dev-host/cli-options.ts';
import { findElectronBinary } from '../desktop/src/main/electron-binary.ts';
import { acquirePidLock, PidLockError, readLiveLock } from '../packages/local-core/src/pid-lock.ts';
import { defaultDataDir as defaultPostgresDataDir } from '../server/src/db/embedded-postgres.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const children = new Set<ChildProcess>();

function note(line: string): void {
  process.stderr.write(`[start] ${line}\n`);
}

/** What a running `npm start` tells a second console (and a refused second start) through its lock file. */
interface RunningStart {
  pid: number;
  serverUrl?: string;
  devMailboxSecret?: string;
}

/**
 * The lock of one `npm start`: beside the embedded PostgreSQL data folder it would run, or beside the
 * console's data folder when the database is the user's own (DATABASE_URL).
 */
function startLockPath(): string {
  if (process.env.DATABASE_URL) {
    const consoleDir =
      process.env.JANIX_CONSOLE_DATA_DIR ||
      defaultConsoleDataDir(process.platform, os.homedir(), process.env);
    return `${resolve(consoleDir)}.npm-start.lock`;
  }
  return `${resolve(process.env.JANIX_DATA_DIR || defaultPostgresDataDir())}.npm-start.lock`;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

/**
 * Starts a child and resolves with the first stdout line matching `pattern`; other output goes to stderr.
 * `onExit` runs when a child that was ready exits while nothing is stopping.
 */
function startChild(
  label: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
  onExit: (code: number | null) => void,
) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    let found = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const match = !found ? line.match(pattern) : null;
        if (match?.[1]) {
          found = true;
          resolve(match[1]);
        } else {
          process.stderr.write(`[${label}] ${line}\n`);
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (!found) reject(new Error(`${label} exited with code ${code} before it was ready`));
      else if (!stopping) onExit(code);
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureConsoleBuilt(): void {
  const built = join(root, 'desktop', 'dist', 'renderer', 'index.html');
  const sources = [join(root, 'desktop', 'src'), join(root, 'packages')];
  const stale = !existsSync(built) || sources.some((dir) => newestMtime(dir) > statSync(built).mtimeMs);
  if (!stale) return;
  note('building the console…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@janix/desktop'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) throw new Error('building the console failed');
}

let stopping = false;
let releaseLock: () => void = () => {};
async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  releaseLock();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** The console, in Electron where it is installed, else the dev host; resolves with what `Console:` says. */
async function startConsole(
  serverUrl: string,
  env: NodeJS.ProcessEnv,
  dataDirArgs: string[],
): Promise<string> {
  ensureConsoleBuilt();
  const electron = findElectronBinary();
  if ('path' in electron) {
    const child = spawn(electron.path, [join(root, 'desktop')], {
      cwd: root,
      env: { ...process.env, ...env, JANIX_SERVER_URL: serverUrl },
      stdio: ['ignore', 2, 2],
    });
    children.add(child);
    child.once('exit', () => void stopAll(0));
    return 'Electron window';
  }
  note(`Electron is not available (${electron.missing}); opening the console in the browser instead.`);
  return startChild(
    'console',
    tsx,
    ['desktop/src/dev-host/index.ts', '--server', serverUrl, ...dataDirArgs],
    env,
    /^Console: (\S+)/,
    (code) => {
      note(`the console stopped (code ${code}); shutting down`);
      void stopAll(code ?? 1);
    },
  );
}

/** `npm start`: refuses when one is running, else starts the server and the console. */
async function startEverything(): Promise<void> {
  const lockPath = startLockPath();
  mkdirSync(dirname(lockPath), { recursive: true });
  const devMailboxSecret = randomBytes(24).toString('base64url');
  try {
    releaseLock = acquirePidLock(lockPath, {}, (holder: RunningStart) =>
      [
        `Janix is already running from \`npm start\` (process ${holder.pid}${holder.serverUrl ? `, server ${holder.serverUrl}` : ''}).`,
        'A second `npm start` would share its database and its console, so it stops here; the running one is untouched.',
        '  A second console, as a separate device with its own data:  npm run console -- --data-dir /tmp/janix-second',
        '  To stop the running one: Ctrl-C in its terminal.',
      ].join('\n'),
    );
  } catch (error) {
    if (!(error instanceof PidLockError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const remember = (running: Omit<RunningStart, 'pid'>) =>
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, ...running }), { mode: 0o600 });

  const serverEnv = {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    JANIX_DEV_MAILBOX_SECRET: devMailboxSecret,
  };
  let serverUrl = '';
  let serverRunning = false;
  const startServer = async (port: string): Promise<string> => {
    const url = await startChild(
      'server',
      tsx,
      ['server/src/main.ts'],
      { ...serverEnv, PORT: port },
      /^Server: (\S+)/,
      (code) => {
        serverRunning = false;
        note(
          `the server stopped (code ${code}); the console keeps working offline. ` +
            'Type s and Enter to start the server again, Ctrl-C to stop everything.',
        );
      },
    );
    serverRunning = true;
    return url;
  };

  const port = process.env.PORT ?? ((await portIsFree(4000)) ? '4000' : '0');
  serverUrl = await startServer(port);
  console.log(`Server: ${serverUrl}`);
  remember({ serverUrl, devMailboxSecret });

  const consoleUrl = await startConsole(serverUrl, { JANIX_DEV_MAILBOX_SECRET: devMailboxSecret }, []);
  console.log(`Console: ${consoleUrl}`);
  const server = [...children].find((child) => child.spawnargs.includes('server/src/main.ts'));
  note(
    `to try offline, stop only the server: type s and Enter (or kill ${server?.pid ?? '<server pid>'}); ` +
      's and Enter again starts it. A second console: npm run console -- --data-dir /tmp/janix-second',
  );

  // "s" toggles the server, on the same port, so the consoles reconnect to it.
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 's' || stopping) return;
    const running = [...children].find((child) => child.spawnargs.includes('server/src/main.ts'));
    if (serverRunning && running) {
      note('stopping the server; the consoles keep working offline');
      running.kill('SIGTERM');
    } else if (!serverRunning) {
      note('starting the server again…');
      startServer(new URL(serverUrl).port).then(
        (url) => note(`the server is back at ${url}`),
        (error: unknown) => note(`the server did not start: ${(error as Error).message}`),
      );
    }
  });
}

/** `--name value` or `--name=value`, or undefined. */
function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
  }
  return undefined;
}

/** `npm run console -- --data-dir <folder> [--server <url>]`: one more console, a separate device. */
async function startSecondConsole(args: string[]): Promise<void> {
  const dataDir = flag(args, '--data-dir');
  if (!dataDir) {
    process.stderr.write(
      'npm run console -- --data-dir <folder>: each console is a separate device and needs its own folder ' +
        '(e.g. /tmp/janix-second).\n',
    );
    process.exit(2);
  }
  const running = readLiveLock(startLockPath()) as RunningStart | null;
  const serverUrl = flag(args, '--server') ?? running?.serverUrl;
  if (!serverUrl) {
    process.stderr.write('No `npm start` is running here: start one first, or pass --server <url>.\n');
    process.exit(1);
  }
  // Electron keeps its data under userData: a second window needs its own (and its own single-instance lock).
  const env: NodeJS.ProcessEnv = { JANIX_CONSOLE_DATA_DIR: resolve(dataDir) };
  if (running?.devMailboxSecret) env.JANIX_DEV_MAILBOX_SECRET = running.devMailboxSecret;
  console.log(`Console: ${await startConsole(serverUrl, env, ['--data-dir', resolve(dataDir)])}`);
}

try {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--console') await startSecondConsole(rest);
  else await startEverything();
} catch (error) {
  note((error as Error).message);
  await stopAll(1);
}
