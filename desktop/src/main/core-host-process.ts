// Runs the core host (the local core and its SQLite replica) in an Electron utilityProcess: a crash or a
// slow query there cannot take down main or freeze the window.
import { utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import {
  CORE_HOST_CONFIGURE_MESSAGE,
  CORE_HOST_CONNECT_MESSAGE,
  CORE_HOST_ENV,
  CORE_HOST_SHUTDOWN_MESSAGE,
  type CoreHostMessage,
} from '../shared/process-contract';
import { createRestartBudget } from './restart-budget';

const SHUTDOWN_GRACE_MS = 5_000;

export interface CoreHostProcessOptions {
  /** Bundled entry, dist/core-host/index.cjs. */
  modulePath: string;
  dataDir: string;
  serverUrl: string;
  /** The replica key (32 bytes), read when the process is first forked (after app ready, for safeStorage). */
  secretKey: () => Buffer;
  /** Called after an automatic restart: renderer ports held by the dead process are useless now. */
  onRestart: () => void;
  log: (line: string) => void;
}

export interface CoreHostProcess {
  start(): void;
  /** Gives the core host one end of a renderer's channel; closes the port if no core host is running. */
  connect(port: MessagePortMain): void;
  /** Asks for a clean shutdown (replica closed), kills after a grace period, resolves once it has exited. */
  stop(): Promise<void>;
}

export function createCoreHostProcess(options: CoreHostProcessOptions): CoreHostProcess {
  const { modulePath, dataDir, serverUrl, onRestart, log } = options;
  let secretKey: Buffer | null = null;
  const restarts = createRestartBudget({ max: 3, windowMs: 60_000 });
  let child: UtilityProcess | null = null;
  let stopping = false;

  function post(target: UtilityProcess, message: CoreHostMessage, ports?: MessagePortMain[]): void {
    target.postMessage(message, ports);
  }

  function spawn(): void {
    const proc = utilityProcess.fork(modulePath, [], {
      serviceName: 'janix-core',
      stdio: 'pipe',
      env: { ...process.env, [CORE_HOST_ENV.dataDir]: dataDir, [CORE_HOST_ENV.serverUrl]: serverUrl },
    });
    child = proc;
    secretKey ??= options.secretKey();
    // First message, before any renderer port: the core host opens the replica only once it has the key.
    post(proc, { type: CORE_HOST_CONFIGURE_MESSAGE, secretKey: secretKey.toString('base64') });
    proc.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    proc.once('exit', (code) => {
      if (child === proc) child = null;
      if (stopping) return;
      if (!restarts.tryConsume()) {
        log(`core host exited with code ${code} and has been restarted 3 times this minute; giving up`);
        return;
      }
      log(`core host exited unexpectedly with code ${code}; restarting`);
      spawn();
      onRestart();
    });
  }

  return {
    start() {
      if (!child && !stopping) spawn();
    },
    connect(port) {
      if (child) post(child, { type: CORE_HOST_CONNECT_MESSAGE }, [port]);
      else port.close();
    },
    stop() {
      stopping = true;
      const proc = child;
      if (!proc) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const killTimer = setTimeout(() => proc.kill(), SHUTDOWN_GRACE_MS);
        proc.once('exit', () => {
          clearTimeout(killTimer);
          resolve();
        });
        post(proc, { type: CORE_HOST_SHUTDOWN_MESSAGE });
      });
    },
  };
}
