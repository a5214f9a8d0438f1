// CLI: runs the local core and serves the console at http://127.0.0.1:PORT, no Electron needed.
//   tsx desktop/src/dev-host/index.ts --data-dir <dir> --server <url> [--port N]
// stdout carries exactly one line, `Console: <url>`, for scripts and tests to wait on; logs go to stderr.
// The URL carries this launch's secret (`#launch=…`): the console answers only the page opened from it.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DataDirLockedError, openLocalCore, ServerUrlError, type LocalCore } from '@janix/local-core';
import { parseDevHostOptions, USAGE, UsageError, type DevHostOptions } from './cli-options.ts';
import { createDevHost, type DevHost } from './serve.ts';

const log = (line: string) => process.stderr.write(`[dev-host] ${line}\n`);

let options: DevHostOptions;
try {
  options = parseDevHostOptions(process.argv.slice(2), process.env, {
    platform: process.platform,
    home: os.homedir(),
    cwd: process.cwd(),
  });
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
log(`data dir ${options.dataDir}, server ${options.serverUrl}`);

let core: LocalCore;
try {
  // Tokens in the replica are sealed with a key kept in a file beside the data folder (mode 0600).
  core = await openLocalCore({
    dataDir: options.dataDir,
    serverUrl: options.serverUrl,
    devMailboxSecret: options.devMailboxSecret,
    log: (line) => process.stderr.write(`[core] ${line}\n`),
  });
} catch (error) {
  if (!(error instanceof DataDirLockedError || error instanceof ServerUrlError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let host: DevHost;
try {
  host = await createDevHost({
    core,
    rendererDir,
    port: options.port,
    launchSecret: randomBytes(24).toString('base64url'),
    log,
  });
} catch (error) {
  log(`could not listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
  await core.close();
  process.exit(1);
}
process.stdout.write(`Console: ${host.consoleUrl}\n`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  try {
    await host.close();
  } catch (error) {
    log(`error while closing: ${(error as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
