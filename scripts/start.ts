// `npm start`: the Janix server (embedded PostgreSQL unless DATABASE_URL is set) plus the console — in
// Electron where its binary is installed, otherwise in the browser through the dev host. Prints exactly
// two lines on stdout, `Server: <url>` and `Console: <url or "Electron window">`; everything else goes to stderr.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../desktop/src/main/electron-binary.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];

function note(line: string): void {
  process.stderr.write(`[start] ${line}\n`);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

/** Starts a child and resolves with the first stdout line matching `pattern`; other output goes to stderr. */
function startChild(label: string, command: string, args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
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
      if (!found) reject(new Error(`${label} exited with code ${code} before it was ready`));
      else if (!stopping) {
        note(`${label} stopped (code ${code}); shutting down`);
        void stopAll(1);
      }
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
async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all(
    children.map(
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
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const port = process.env.PORT ?? ((await portIsFree(4000)) ? '4000' : '0');
  const serverUrl = await startChild(
    'server',
    tsx,
    ['server/src/main.ts'],
    { PORT: port, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    /^Server: (\S+)/,
  );
  console.log(`Server: ${serverUrl}`);
  ensureConsoleBuilt();
  const electron = findElectronBinary();
  if ('path' in electron) {
    const child = spawn(electron.path, [join(root, 'desktop')], {
      cwd: root,
      env: { ...process.env, JANIX_SERVER_URL: serverUrl },
      stdio: ['ignore', 2, 2],
    });
    children.push(child);
    child.once('exit', () => void stopAll(0));
    console.log('Console: Electron window');
  } else {
    note(`Electron is not available (${electron.missing}); opening the console in the browser instead.`);
    const consoleUrl = await startChild(
      'console',
      tsx,
      ['desktop/src/dev-host/index.ts', '--server', serverUrl],
      {},
      /^Console: (\S+)/,
    );
    console.log(`Console: ${consoleUrl}`);
  }
} catch (error) {
  note((error as Error).message);
  await stopAll(1);
}
