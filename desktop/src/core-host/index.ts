// Entry of the Electron utilityProcess that owns the local core (and its better-sqlite3 replica), so that
// database work never blocks main or a renderer. Main forks it with the environment read below.
import { openLocalCore } from '@janix/local-core';
import { readCoreHostConfig } from './core-host-config';
import { runCoreHost, type ParentPortLike } from './core-host';

function log(line: string): void {
  console.log(`[core-host] ${line}`);
}

// `process.parentPort` only exists inside a utilityProcess; it is typed here instead of importing electron.
const { parentPort } = process as unknown as { parentPort?: ParentPortLike | null };
if (!parentPort) {
  console.error('[core-host] must be started by Electron main through utilityProcess.fork');
  process.exit(1);
}

let config: ReturnType<typeof readCoreHostConfig>;
try {
  config = readCoreHostConfig(process.env);
} catch (error) {
  console.error(`[core-host] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const host = runCoreHost({
  parentPort,
  openCore: ({ secretKey }) =>
    openLocalCore({
      dataDir: config.dataDir,
      serverUrl: config.serverUrl,
      secretKey,
      devMailboxSecret: config.devMailboxSecret,
      log,
    }),
  log,
  exit: (code) => process.exit(code),
});

process.once('SIGTERM', () => void host.shutdown('SIGTERM'));
process.once('SIGINT', () => void host.shutdown('SIGINT'));
