import {
  CORE_HOST_CONFIGURE_MESSAGE,
  CORE_HOST_CONNECT_MESSAGE,
  CORE_HOST_SHUTDOWN_MESSAGE,
} from '../shared/process-contract';
import { handleBridgeMessage, type BridgeTarget } from './handle-bridge-message';

// Structural stand-ins for Electron's ParentPort and MessagePortMain: the core host must not import electron,
// and tests drive these with plain event emitters.
export interface BridgePort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: readonly BridgePort[] }) => void): unknown;
}

export interface ClosableCore extends BridgeTarget {
  close(): Promise<void>;
}

/** What main sends before anything else (CORE_HOST_CONFIGURE_MESSAGE). */
export interface CoreHostSecrets {
  secretKey: Uint8Array;
}

export interface CoreHostDeps {
  parentPort: ParentPortLike;
  /** Called once main has sent the replica key. */
  openCore: (secrets: CoreHostSecrets) => Promise<ClosableCore>;
  log: (line: string) => void;
  exit: (code: number) => void;
}

export interface CoreHost {
  /** Closes every renderer port and the core, then exits. Safe to call more than once. */
  shutdown(reason: string): Promise<void>;
}

function messageType(data: unknown): unknown {
  return typeof data === 'object' && data !== null && 'type' in data ? data.type : undefined;
}

function secretsFrom(data: unknown): CoreHostSecrets | null {
  const encoded = typeof data === 'object' && data !== null && 'secretKey' in data ? data.secretKey : null;
  if (typeof encoded !== 'string') return null;
  const secretKey = Buffer.from(encoded, 'base64');
  return secretKey.length === 32 ? { secretKey } : null;
}

/**
 * Opens the core once and serves every port main hands over. Each renderer load gets its own port, so a
 * reload closes one port and the core, with its open replica, stays up for the next.
 */
export function runCoreHost({ parentPort, openCore, log, exit }: CoreHostDeps): CoreHost {
  const ports = new Set<BridgePort>();
  let shuttingDown: Promise<void> | null = null;

  // The core opens once main has sent the replica key; renderer ports handed over before wait for it.
  let configure: ((secrets: CoreHostSecrets) => void) | null = null;
  const corePromise = new Promise<CoreHostSecrets>((resolve) => (configure = resolve)).then(openCore);
  corePromise.then(
    () => log('local core open'),
    (error: unknown) => {
      log(
        `local core failed to open: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      // A non-zero exit lets main's restart policy decide whether to try again.
      exit(1);
    },
  );

  function serve(port: BridgePort): void {
    ports.add(port);
    port.on('message', (event) => {
      void corePromise
        .then((core) => handleBridgeMessage(core, event.data))
        .then(
          (response) => {
            if (ports.has(port)) port.postMessage(response);
          },
          // Only reachable when the core failed to open; the process is exiting already.
          () => undefined,
        );
    });
    port.on('close', () => ports.delete(port));
    port.start();
  }

  async function closeEverything(reason: string): Promise<void> {
    log(`shutting down (${reason})`);
    for (const port of ports) port.close();
    ports.clear();
    // Never configured: no core was opened, nothing to close.
    if (configure) return exit(0);
    try {
      const core = await corePromise;
      await core.close();
      exit(0);
    } catch (error) {
      log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      exit(1);
    }
  }

  const host: CoreHost = {
    shutdown(reason) {
      shuttingDown ??= closeEverything(reason);
      return shuttingDown;
    },
  };

  parentPort.on('message', (event) => {
    const type = messageType(event.data);
    if (type === CORE_HOST_SHUTDOWN_MESSAGE) {
      void host.shutdown('asked by main');
      return;
    }
    if (type === CORE_HOST_CONFIGURE_MESSAGE) {
      const secrets = secretsFrom(event.data);
      if (!secrets) {
        log('main sent a replica key that is not 32 bytes of base64');
        exit(1);
        return;
      }
      const open = configure;
      configure = null;
      if (open) open(secrets);
      else log('ignored a second replica key');
      return;
    }
    const port = event.ports[0];
    if (type !== CORE_HOST_CONNECT_MESSAGE || !port || shuttingDown) {
      log(`ignored a message from main of type ${JSON.stringify(type)}`);
      port?.close();
      return;
    }
    serve(port);
  });

  return host;
}
