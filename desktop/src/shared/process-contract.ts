// What main, the preload and the core host (an Electron utilityProcess) pass each other besides bridge
// requests. Kept apart from bridge.ts so that main does not bundle zod, and apart from every process so that
// none of them imports another's code.

/** IPC channel on which main hands the preload its end of a MessageChannel. The only IPC there is. */
export const BRIDGE_PORT_CHANNEL = 'janix:port';

/** Environment variables main sets (or passes through) when it forks the core host. */
export const CORE_HOST_ENV = {
  dataDir: 'JANIX_CORE_DATA_DIR',
  serverUrl: 'JANIX_SERVER_URL',
  /** `npm start`'s per-run dev mailbox secret, when main was started by it. */
  devMailboxSecret: 'JANIX_DEV_MAILBOX_SECRET',
} as const;

/**
 * `child.postMessage({ type, secretKey })`, first thing after fork: the key that seals the replica's tokens
 * (base64, 32 bytes), which main keeps with Electron `safeStorage`. Sent as a message rather than in the
 * environment, where it would be inherited and show in process listings of the same user.
 */
export const CORE_HOST_CONFIGURE_MESSAGE = 'janix:configure';

/** `child.postMessage(message, [port])`: a new renderer connection; the port carries bridge messages. */
export const CORE_HOST_CONNECT_MESSAGE = 'janix:connect';
/**
 * Asks the core host to close the replica and exit. Main sends it on quit because `UtilityProcess.kill()` is
 * only a catchable SIGTERM on POSIX; on Windows it would skip `core.close()`.
 */
export const CORE_HOST_SHUTDOWN_MESSAGE = 'janix:shutdown';

export type CoreHostMessage =
  | { type: typeof CORE_HOST_CONNECT_MESSAGE }
  | { type: typeof CORE_HOST_SHUTDOWN_MESSAGE }
  | { type: typeof CORE_HOST_CONFIGURE_MESSAGE; secretKey: string };
