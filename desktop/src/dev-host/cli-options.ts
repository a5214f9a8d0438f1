// Command line and environment of the dev host, parsed without touching the process so it can be tested.
import path from 'node:path';
import { checkServerUrl, ServerUrlError } from '@janix/local-core/server-url';

export interface DevHostOptions {
  dataDir: string;
  serverUrl: string;
  port: number;
  /** `npm start`'s per-run dev mailbox secret, passed on to the server; null elsewhere. */
  devMailboxSecret: string | null;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';

export const USAGE =
  'usage: tsx desktop/src/dev-host/index.ts [--data-dir <dir>] [--server <url>] [--port <n>]\n' +
  '  env fallbacks: JANIX_CONSOLE_DATA_DIR, JANIX_SERVER_URL, JANIX_CONSOLE_PORT\n' +
  `  defaults: per-user data folder, ${DEFAULT_SERVER_URL}, port 0 (any free port)\n` +
  '  the server URL must be https://, or http:// on this machine (127.0.0.1, ::1, localhost)\n' +
  '  a second console on the same machine needs its own --data-dir (it is a separate device)';

export class UsageError extends Error {}

/** Where the console keeps its replica when no folder is given, following each OS's convention. */
export function defaultDataDir(
  platform: NodeJS.Platform,
  home: string,
  env: Record<string, string | undefined>,
) {
  if (platform === 'win32') {
    return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'Janix', 'console');
  }
  if (platform === 'darwin')
    return path.posix.join(home, 'Library', 'Application Support', 'Janix', 'console');
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : null;
  return path.posix.join(dataHome ?? path.posix.join(home, '.local', 'share'), 'janix', 'console');
}

const FLAGS = { '--data-dir': 'dataDir', '--server': 'serverUrl', '--port': 'port' } as const;
type Flag = keyof typeof FLAGS;

function readFlags(argv: readonly string[]): Partial<Record<(typeof FLAGS)[Flag], string>> {
  const values: Partial<Record<(typeof FLAGS)[Flag], string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!(name in FLAGS)) throw new UsageError(`unknown argument: ${arg}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    values[FLAGS[name as Flag]] = value;
  }
  return values;
}

export function parseDevHostOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  system: { platform: NodeJS.Platform; home: string; cwd: string },
): DevHostOptions {
  const flags = readFlags(argv);

  const rawDataDir = flags.dataDir ?? (env.JANIX_CONSOLE_DATA_DIR || undefined);
  const dataDir = rawDataDir
    ? path.resolve(system.cwd, rawDataDir)
    : defaultDataDir(system.platform, system.home, env);

  const serverUrl = flags.serverUrl ?? (env.JANIX_SERVER_URL || DEFAULT_SERVER_URL);
  try {
    checkServerUrl(serverUrl);
  } catch (error) {
    if (error instanceof ServerUrlError) throw new UsageError(error.message);
    throw error;
  }

  const rawPort = flags.port ?? (env.JANIX_CONSOLE_PORT || '0');
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) throw new UsageError(`not a port number: ${rawPort}`);

  return { dataDir, serverUrl, port, devMailboxSecret: env.JANIX_DEV_MAILBOX_SECRET || null };
}
