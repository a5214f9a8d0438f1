import type { EnrolledDevice } from '@janix/schemas';
import type { LocalCore } from '@janix/local-core';
import { openEnrolledConsole, type Session } from './lib/accounts.ts';
import { clockMs, reserveStdoutForResults } from './lib/output.ts';
import { serveRpc } from './lib/rpc.ts';

/**
 * Hosts some of the propagation benchmark's live devices: local cores with autoSync (the engine's live-feed
 * loop), each with its own replica. Reports when a watched event name becomes visible on each device.
 */
reserveStdoutForResults();
const cores: LocalCore[] = [];
let watch: { eventId: string; name: string; seen: Map<number, number>; heads: number[] } | null = null;
let poller: NodeJS.Timeout | null = null;
let done: (() => void) | null = null;

function check(full: boolean): void {
  if (!watch) return;
  for (const [index, core] of cores.entries()) {
    if (watch.seen.has(index)) continue;
    // A pulled page updates the engine's head version in the same tick as it lands in SQLite, so reading
    // the row only when the head moved costs nothing between changes and misses nothing.
    const head = core.sync().state.headVersion;
    if (!full && head === watch.heads[index]) continue;
    watch.heads[index] = head;
    if (core.replica().events.get(watch.eventId)?.name === watch.name) watch.seen.set(index, clockMs());
  }
  if (watch.seen.size === cores.length) done?.();
}

serveRpc({
  async open(payload: {
    serverUrl: string;
    devices: Array<{ dataDir: string; session: Session; device: EnrolledDevice }>;
  }) {
    for (const entry of payload.devices) {
      cores.push(
        await openEnrolledConsole(
          { dataDir: entry.dataDir, serverUrl: payload.serverUrl, autoSync: true },
          entry.session,
          entry.device,
        ),
      );
    }
    // Wait for every initial sync to finish cleanly.
    const deadline = Date.now() + 120_000;
    while (cores.some((core) => core.sync().state.lastSyncedAt === null || core.sync().state.syncing)) {
      if (Date.now() > deadline) throw new Error('initial syncs did not finish in 2 minutes');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const failed = cores.filter((core) => core.sync().state.lastError);
    if (failed.length) throw new Error(`initial sync failed: ${failed[0]!.sync().state.lastError}`);
    return { devices: cores.length };
  },

  /** Starts watching for `name` on every hosted device (returns at once). */
  arm(payload: { eventId: string; name: string }) {
    watch = {
      ...payload,
      seen: new Map(),
      heads: cores.map((core) => core.sync().state.headVersion),
    };
    let ticks = 0;
    if (poller) clearInterval(poller);
    poller = setInterval(() => check(++ticks % 25 === 0), 2);
    return null;
  },

  /** Issues the command on one device; returns when it was issued (clockMs). */
  async update(payload: { index: number; eventId: string; name: string }) {
    const issuedAt = clockMs();
    await cores[payload.index]!.caller.events.update({ id: payload.eventId, patch: { name: payload.name } });
    return issuedAt;
  },

  /** Waits until every hosted device shows the watched name (or the timeout); visibility times by index. */
  async collect(payload: { timeoutMs: number }) {
    check(true);
    if (watch && watch.seen.size < cores.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, payload.timeoutMs);
        done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    done = null;
    if (poller) clearInterval(poller);
    const seen = Object.fromEntries(watch?.seen ?? []);
    watch = null;
    return seen as Record<string, number>;
  },

  state() {
    return cores.map((core) => {
      const { online, lastError, consecutiveFailures, syncing } = core.sync().state;
      return { online, lastError, consecutiveFailures, syncing };
    });
  },

  async close() {
    for (const core of cores) await core.close();
  },
});
