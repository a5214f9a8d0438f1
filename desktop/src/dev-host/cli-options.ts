// Command line and environment of the dev host, parsed without touching the process so it can be tested.
import path from 'node:path';

export interface DevHostOptions {
  dataDir: string;
  serverUrl: string;
  port: number;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';

export const USAGE =
  'usage: tsx desktop/src/dev-host/index.ts [--data-dir <dir>] [--server <url>] [--port <n>]\n' +
  '  env fallbacks: JANIX_CONSOLE_DATA_DIR, JANIX_SERVER_URL, JANIX_CONSOLE_PORT\n' +
  `  defaults: per-user data folder, ${DEFAULT_SERVER_URL}, port 0 (any free port)`;

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
  let parsed: URL;
  try {
    parsed = new URL(serverUrl);
  } catch {
    throw new UsageError(`not a URL: ${serverUrl}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`the server URL must be http or https: ${serverUrl}`);
  }

  const rawPort = flags.port ?? (env.JANIX_CONSOLE_PORT || '0');
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) throw new UsageError(`not a port number: ${rawPort}`);

  return { dataDir, serverUrl, port };
}
