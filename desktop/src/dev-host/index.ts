// CLI: runs the local core and serves the console at http://127.0.0.1:PORT, no Electron needed.
//   tsx desktop/src/dev-host/index.ts --data-dir <dir> --server <url> [--port N]
// stdout carries exactly one line, `Console: <url>`, for scripts and tests to wait on; logs go to stderr.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { openLocalCore } from '@janix/local-core';
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

const core = await openLocalCore({
  dataDir: options.dataDir,
  serverUrl: options.serverUrl,
  log: (line) => process.stderr.write(`[core] ${line}\n`),
});

let host: DevHost;
try {
  host = await createDevHost({ core, rendererDir, port: options.port, log });
} catch (error) {
  log(`could not listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
  await core.close();
  process.exit(1);
}
process.stdout.write(`Console: ${host.url}\n`);

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
