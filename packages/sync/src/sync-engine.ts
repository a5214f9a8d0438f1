import { isLiveHeartbeat, PROTOCOL_VERSION, type LiveItem, type ReplicatedTableName } from '@janix/schemas';
import { SyncTransportError, type SyncFailureKind, type SyncStorage, type SyncTransport } from './ports.ts';

export interface SyncProgress {
  phase: 'snapshot' | 'feed';
  rowsReceived: number;
  bytesReceived: number;
  /** Best estimate of rows still to come. */
  rowsRemaining: number;
  etaMs: number | null;
  startedAt: number;
}

export interface SyncState {
  online: boolean | null;
  syncing: boolean;
  lastError: string | null;
  /** Why the last push failed while pulls went on (G9: receiving never waits on sending); null once one succeeds. */
  pushError: string | null;
  updateRequired: boolean;
  signInRequired: boolean;
  consecutiveFailures: number;
  lastSyncedAt: number | null;
  headVersion: number;
  /** Present while a catch-up larger than one page is running. */
  progress: SyncProgress | null;
  lastChecksumAt: number | null;
  checksumMismatches: number;
}

export interface SyncEngineOptions {
  storage: SyncStorage;
  transport: SyncTransport;
  schemaVersion: number;
  now?: () => number;
  random?: () => number;
  onRevoked?: () => Promise<void>;
  onProgress?: (progress: SyncProgress) => void;
  pushBatch?: number;
  pageSize?: number;
  /** How often a healthy device re-verifies its replica against the server's checksums. */
  checksumIntervalMs?: number;
  longPollMs?: number;
  /** How often a quiet live stream should carry a heartbeat; 2.5 times this without one, it is taken for dead. */
  heartbeatMs?: number;
  baseRetryMs?: number;
  maxRetryMs?: number;
}

const MAX_RESYNC_ROUNDS = 3;

/**
 * Push failures after which pulling is pointless too: the cycle ends with them. Offline is one (the pull
 * would wait out the same deadline); a server that answers with an error is not, it may still serve pulls.
 */
const endsSyncing = new Set<SyncFailureKind>([
  'offline',
  'device_revoked',
  'unknown_device',
  'update_required',
]);

/**
 * Bytes of commands per push. The server refuses a body over 1 MiB whole, so a queue of large commands
 * (each within its own limit) would otherwise be sent as one batch refused forever; half of it leaves room
 * for the request's own wrapping.
 */
const PUSH_BUDGET_BYTES = 512 * 1024;
const utf8 = new TextEncoder();

/** The longest prefix of `commands` within the budget, and always at least the first. */
function withinPushBudget<T>(commands: T[]): T[] {
  let bytes = 0;
  for (let i = 0; i < commands.length; i += 1) {
    bytes += utf8.encode(JSON.stringify(commands[i])).length;
    if (bytes > PUSH_BUDGET_BYTES && i > 0) return commands.slice(0, i);
  }
  return commands;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The shortest time between two live streams the server ended by itself. */
const MIN_LIVE_STREAM_MS = 1000;

/**
 * The client engine: push the outbox, pull the feed to its head (snapshot first on a new replica),
 * verify checksums and resync only a table that diverged, lay pending commands back on top; then follow
 * the server's live feed. Failures are classified: transient ones retry with exponential backoff and
 * jitter; a revoked device wipes itself; an old console stops and says "update required".
 */
export function createSyncEngine(options: SyncEngineOptions) {
  const { storage, transport } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const versions = { protocolVersion: PROTOCOL_VERSION, schemaVersion: options.schemaVersion };
  const state: SyncState = {
    online: null,
    syncing: false,
    lastError: null,
    pushError: null,
    updateRequired: false,
    signInRequired: false,
    consecutiveFailures: 0,
    lastSyncedAt: null,
    headVersion: 0,
    progress: null,
    lastChecksumAt: null,
    checksumMismatches: 0,
  };
  let running: Promise<void> | null = null;
  /**
   * Offline, when the next try is due. A command queued before then waits for it: trying at once fails the
   * same way, and each failed try records itself on every queued command (a till selling offline would
   * rewrite its whole queue after each sale).
   */
  let offlineUntil = 0;
  let stopped = true;
  let wake: AbortController | null = null;
  let loop: Promise<void> | null = null;

  /**
   * Sends the outbox in batches. A failure is recorded on the commands and returned, not thrown: the cycle
   * still pulls (a push that keeps failing must not stop the device from receiving, G9). Only failures that
   * end the cycle (offline, revoked, unknown device, update required) are thrown.
   */
  async function push(): Promise<unknown> {
    for (;;) {
      const batch = withinPushBudget(storage.pendingCommands(options.pushBatch ?? 100));
      if (batch.length === 0) return null;
      try {
        const result = await transport.push({ ...versions, commands: batch });
        const at = new Date(now()).toISOString();
        storage.recordPushResult(
          result.lastAppliedSeq,
          result.results.flatMap((outcome) =>
            outcome.status === 'rejected'
              ? [
                  {
                    seq: outcome.seq,
                    name: batch.find((entry) => entry.seq === outcome.seq)?.name ?? 'unknown',
                    code: outcome.code,
                    message: outcome.message,
                    rejectedAt: at,
                  },
                ]
              : [],
          ),
        );
        state.signInRequired = false;
        if (result.lastAppliedSeq < batch.at(-1)!.seq) return null;
      } catch (error) {
        if (error instanceof SyncTransportError && error.kind === 'session_invalid') {
          // Nobody is signed in to vouch for these commands; keep them and keep pulling.
          state.signInRequired = true;
          return null;
        }
        storage.recordPushFailure(
          batch.map((entry) => entry.seq),
          messageOf(error),
        );
        if (error instanceof SyncTransportError && endsSyncing.has(error.kind)) throw error;
        return error;
      }
    }
  }

  function trackProgress(
    startedAt: number,
    phase: 'snapshot' | 'feed',
    rows: number,
    bytes: number,
    remaining: number | null,
  ): void {
    const progress = state.progress ?? {
      phase,
      rowsReceived: 0,
      bytesReceived: 0,
      rowsRemaining: 0,
      etaMs: null,
      startedAt,
    };
    progress.phase = phase;
    progress.rowsReceived += rows;
    progress.bytesReceived += bytes;
    progress.rowsRemaining = remaining ?? Math.max(0, progress.rowsRemaining - rows);
    const elapsed = now() - progress.startedAt;
    const rate = elapsed > 0 ? progress.rowsReceived / elapsed : 0;
    progress.etaMs = rate > 0 ? Math.round(progress.rowsRemaining / rate) : null;
    state.progress = progress;
    options.onProgress?.({ ...progress });
  }

  const checksumDue = () =>
    state.lastChecksumAt === null || now() - state.lastChecksumAt >= (options.checksumIntervalMs ?? 60_000);

  async function pull(): Promise<void> {
    let resyncRounds = 0;
    const startedAt = now();
    const request = () => {
      const resync = storage.pendingResync();
      return {
        resyncRequested: resync.length > 0,
        response: transport.pull({
          ...versions,
          cursor: storage.cursor(),
          limit: options.pageSize ?? 10_000,
          knownSeq: storage.knownSeq(),
          checksums: checksumDue(),
          ...(resync.length ? { resync } : {}),
        }),
      };
    };
    let current = request();
    for (;;) {
      const { result, bytes } = await current.response;
      const rows = result.batches.reduce((sum, batch) => sum + batch.rows.length, 0);
      // Ask for the next page before applying this one, so the network and SQLite work overlap.
      const next =
        result.hasMore && !current.resyncRequested
          ? {
              resyncRequested: false,
              response: transport.pull({
                ...versions,
                cursor: result.cursor,
                limit: options.pageSize ?? 10_000,
                knownSeq: result.lastAppliedSeq,
                checksums: checksumDue(),
              }),
            }
          : null;
      // An unconsumed prefetch must not surface as an unhandled rejection.
      next?.response.catch(() => {});
      // The request only reaches the wire once the event loop turns (the tRPC link awaits its headers first);
      // let it go out before the synchronous apply blocks the loop, or the two never overlap.
      if (next) await new Promise((resolve) => setTimeout(resolve, 0));
      storage.applyPage(result, current.resyncRequested);
      state.headVersion = result.headVersion;
      if (result.hasMore || state.progress)
        trackProgress(startedAt, result.progress.phase, rows, bytes, result.progress.remainingRows);

      if (!result.hasMore) {
        state.progress = null;
        if (result.checksums) {
          state.lastChecksumAt = now();
          const local = new Map(
            storage.checksums(result.checksums.map((c) => c.table)).map((c) => [c.table, c] as const),
          );
          const diverged: ReplicatedTableName[] = result.checksums
            .filter((remote) => {
              const mine = local.get(remote.table);
              return !mine || mine.count !== remote.count || mine.versionSum !== remote.versionSum;
            })
            .map((remote) => remote.table);
          if (diverged.length && resyncRounds < MAX_RESYNC_ROUNDS) {
            resyncRounds += 1;
            state.checksumMismatches += 1;
            storage.beginResync(diverged);
            current = request();
            continue;
          }
        }
        return;
      }
      current = next ?? request();
    }
  }

  async function cycle(): Promise<void> {
    state.syncing = true;
    try {
      const pushFailure = await push();
      try {
        await pull();
      } catch (error) {
        if (error instanceof SyncTransportError && error.kind === 'must_refetch') {
          storage.resetReplica();
          state.progress = null;
          await pull();
        } else throw error;
      }
      storage.replayPending();
      state.online = true;
      state.updateRequired = false;
      if (pushFailure === null) {
        state.lastError = null;
        state.pushError = null;
        state.consecutiveFailures = 0;
        state.lastSyncedAt = now();
      } else {
        // Received, but not sent: back off and try the push again, and say why it failed.
        state.pushError = messageOf(pushFailure);
        state.lastError = state.pushError;
        state.consecutiveFailures += 1;
      }
    } catch (error) {
      const kind = error instanceof SyncTransportError ? error.kind : 'server';
      state.online = kind !== 'offline';
      state.lastError = messageOf(error);
      state.consecutiveFailures += 1;
      state.progress = null;
      if (kind === 'offline') offlineUntil = now() + retryDelay();
      if (kind === 'device_revoked' || kind === 'unknown_device') await options.onRevoked?.();
      if (kind === 'update_required') state.updateRequired = true;
    } finally {
      state.syncing = false;
    }
  }

  function run(): Promise<void> {
    if (!running) {
      // A long poll in flight must not land its page in the middle of this cycle's pulls.
      wake?.abort();
      running = cycle().finally(() => {
        running = null;
        // A cycle started outside the loop (Sync now, a queued command) that succeeded ends any backoff sleep.
        if (state.consecutiveFailures === 0) wake?.abort();
      });
    }
    return running;
  }

  /**
   * Follows the server's live feed at the head: each page arrives on one open stream as the organization
   * commits it and is applied at once. Returns true when a full cycle is due instead (the stream failed, went
   * silent or was cut short, more pages wait, a resync or a checksum is due); false when the server ended the
   * stream.
   *
   * The server writes a heartbeat every `heartbeatMs` on a quiet stream. When nothing at all arrives for 2.5
   * times that, the connection is taken for dead (a half-open socket, a server that froze) although it looks
   * open: the stream is abandoned and a full cycle, with its request deadlines, finds out what is wrong.
   */
  async function followLive(wake: AbortSignal): Promise<boolean> {
    const cursor = storage.cursor();
    if (cursor === null || storage.pendingResync().length > 0 || checksumDue()) return true;
    const heartbeatMs = options.heartbeatMs ?? 15_000;
    // Leaving early (a page says more wait) must close the stream too, not only a poke.
    const stream = new AbortController();
    const stop = () => stream.abort();
    wake.addEventListener('abort', stop);
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const rearmWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(stop, Math.round(heartbeatMs * 2.5));
    };
    // A transport that ignores the abort must not keep the engine waiting on it: every wait races the abort.
    const aborted = new Promise<null>((resolve) =>
      stream.signal.addEventListener('abort', () => resolve(null)),
    );
    let items: AsyncIterator<LiveItem> | null = null;
    try {
      rearmWatchdog();
      const opened = transport.live(
        {
          ...versions,
          cursor,
          limit: options.pageSize ?? 10_000,
          knownSeq: storage.knownSeq(),
          forMs: options.longPollMs ?? 55_000,
          heartbeatMs,
        },
        stream.signal,
      );
      items = opened[Symbol.asyncIterator]();
      for (;;) {
        const next = items.next();
        // Lost to the abort, it may still reject later; that is expected, not unhandled.
        next.catch(() => {});
        const step = await Promise.race([next, aborted]);
        // Poked, cut short by a cycle, or silent for too long.
        if (step === null) return true;
        if (step.done) return wake.aborted;
        rearmWatchdog();
        if (wake.aborted || running) return true;
        const page = step.value;
        if (isLiveHeartbeat(page)) continue;
        storage.applyPage(page, false);
        state.headVersion = page.headVersion;
        if (page.hasMore) return true;
        storage.replayPending();
        state.lastSyncedAt = now();
        if (checksumDue()) return true;
      }
    } catch {
      // Failed: a full cycle classifies the failure and backs off if needed.
      return true;
    } finally {
      clearTimeout(watchdog);
      wake.removeEventListener('abort', stop);
      stream.abort();
      // Let the transport release the stream; do not wait for it.
      items?.return?.().catch(() => {});
    }
  }

  function retryDelay(): number {
    const base = options.baseRetryMs ?? 1000;
    const ceiling = Math.min(
      options.maxRetryMs ?? 30_000,
      base * 2 ** Math.min(state.consecutiveFailures - 1, 10),
    );
    // Full jitter keeps a room of consoles from retrying in lockstep after an outage.
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }

  async function sleep(ms: number, signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // Set by poke(); a poke that lands while a cycle runs (after its push read the outbox) must start another.
  let poked = false;
  async function runLoop(): Promise<void> {
    while (!stopped) {
      poked = false;
      await run();
      if (stopped) return;
      if (poked && state.consecutiveFailures === 0) continue;
      if (state.consecutiveFailures > 0 || state.updateRequired) {
        wake = new AbortController();
        const delay = state.updateRequired
          ? (options.maxRetryMs ?? 30_000)
          : state.online === false
            ? Math.max(0, offlineUntil - now())
            : retryDelay();
        await sleep(delay, wake.signal);
        continue;
      }
      // Live: apply what the live feed brings, reopening it when the server ends it, until a full cycle is due.
      for (;;) {
        wake = new AbortController();
        const openedAt = now();
        const cycleDue = await followLive(wake.signal);
        if (stopped || poked || cycleDue) break;
        // A stream the server ended at once (a newer stream of this device took its place, a server on its
        // way down) is not reopened in a tight loop.
        const lasted = now() - openedAt;
        if (lasted < MIN_LIVE_STREAM_MS) await sleep(MIN_LIVE_STREAM_MS - lasted, wake.signal);
        if (stopped || poked) break;
      }
    }
  }

  return {
    state,
    run,
    /** Resolves when the cycle in flight (if any) has finished, without starting one. */
    idle: (): Promise<void> => running ?? Promise.resolve(),
    /** Something changed locally (a command was queued): sync now instead of waiting, unless known offline. */
    poke(): void {
      if (state.online === false && now() < offlineUntil) return;
      poked = true;
      if (stopped) void run();
      else wake?.abort();
    },
    start(): void {
      if (!stopped) return;
      stopped = false;
      loop = runLoop();
    },
    async stop(): Promise<void> {
      stopped = true;
      wake?.abort();
      await loop;
      await running;
    },
  };
}
export type SyncEngine = ReturnType<typeof createSyncEngine>;
