import type { LiveInput, LiveItem } from '@janix/schemas';
import type { Pool } from '../db/pools.ts';
import { authenticateDevice, type AuthenticatedDevice } from '../auth/device-auth.ts';
import type { ChangeNotifier } from './change-notifier.ts';
import { inTransaction } from '../db/org-transaction.ts';
import { decodeCursor } from './cursor.ts';
import { pullChanges, type PullPageSources } from './pull.ts';

/** How stale the device's standing (revoked? its high-water mark) may be when a live page goes out. */
export const LIVE_RECHECK_MS = 1000;

/**
 * Open live streams one device may hold in this process. A console needs one; a reconnect may overlap the
 * stream it replaces for a moment. Beyond that every stream is a connection, a notifier waiter and, on each
 * commit, a page read held for nobody, so the newest stream wins and the oldest ends.
 */
export const MAX_LIVE_STREAMS_PER_DEVICE = 1;

/** The live streams open in this process, by device, oldest first (one process, one notifier: per process). */
const openStreams = new Map<string, AbortController[]>();

/** How many live streams a device holds open in this process now. */
export function openLiveStreams(deviceId: string): number {
  return openStreams.get(deviceId)?.length ?? 0;
}

/** Registers a new stream of the device, ending its oldest beyond the cap; returns how to unregister it. */
function admitStream(deviceId: string): { signal: AbortSignal; release: () => void } {
  const own = new AbortController();
  const streams = openStreams.get(deviceId) ?? [];
  streams.push(own);
  openStreams.set(deviceId, streams);
  while (streams.length > MAX_LIVE_STREAMS_PER_DEVICE) streams.shift()!.abort();
  return {
    signal: own.signal,
    release() {
      const index = streams.indexOf(own);
      if (index >= 0) streams.splice(index, 1);
      if (streams.length === 0 && openStreams.get(deviceId) === streams) openStreams.delete(deviceId);
    },
  };
}

/**
 * The live feed of one device: waits at its cursor for the organization's next commit and yields the page,
 * again and again, over one streaming response. A commit then costs each live device one written line
 * instead of an answered request and a new one. The device is looked up again before a page when the last
 * look is over a second old, so a revocation ends the stream within a second of the next change (looking it
 * up for every page would queue one query per live device on every commit in front of the page itself).
 *
 * When the console asks for heartbeats, a quiet stream writes one every `heartbeatMs`: the console can then
 * tell a quiet organization from a dead connection, and a write to a client that is gone fails, closes the
 * response and aborts `signal`, which ends this generator (as does the socket closing, or a newer stream of
 * the same device).
 */
export async function* liveFeed(
  deps: { pool: Pool; changes: ChangeNotifier; now: () => Date },
  pages: PullPageSources,
  deviceToken: string | null,
  device: AuthenticatedDevice,
  input: Required<Omit<LiveInput, 'protocolVersion' | 'schemaVersion' | 'heartbeatMs'>> &
    Pick<LiveInput, 'heartbeatMs'>,
  signal: AbortSignal | undefined,
): AsyncGenerator<LiveItem> {
  const admitted = admitStream(device.id);
  const ended = signal ? AbortSignal.any([signal, admitted.signal]) : admitted.signal;
  try {
    const endsAt = deps.now().getTime() + input.forMs;
    let cursor = input.cursor;
    let knownSeq = input.knownSeq;
    let current = device;
    let checkedAt = deps.now().getTime();
    let wroteAt = deps.now().getTime();
    for (;;) {
      const at = deps.now().getTime();
      const waitMs = endsAt - at;
      if (waitMs <= 0 || ended.aborted) return;
      if (input.heartbeatMs !== undefined && at - wroteAt >= input.heartbeatMs) {
        yield { heartbeat: true };
        wroteAt = deps.now().getTime();
        continue;
      }
      const untilHeartbeat =
        input.heartbeatMs === undefined ? waitMs : Math.min(waitMs, wroteAt + input.heartbeatMs - at);
      const news = await waitForFeed(deps.pool, deps.changes, device.orgId, cursor, untilHeartbeat, ended);
      if (ended.aborted) return;
      // The wait ran out without a commit: no page to read, perhaps a heartbeat to write.
      if (!news) continue;
      if (deps.now().getTime() - checkedAt > LIVE_RECHECK_MS) {
        current = await authenticateDevice(deps.pool, deviceToken);
        checkedAt = deps.now().getTime();
      }
      const request = { cursor, limit: input.limit, knownSeq, checksums: false };
      const page = await pullChanges(deps.pool, pages, current, request);
      // Woken without news for this device (a commit it had already, a notifier reconnect): nothing to say.
      if (page.cursor === cursor && page.rejections.length === 0 && current.lastSeq <= knownSeq) continue;
      yield page;
      wroteAt = deps.now().getTime();
      cursor = page.cursor;
      knownSeq = Math.max(knownSeq, page.lastAppliedSeq);
    }
  } finally {
    admitted.release();
  }
}

/**
 * Waits until the organization commits past a feed cursor (at once if it already has), or the wait ends.
 * False when the wait simply ran out; true when there may be news to read.
 */
async function waitForFeed(
  pool: Pool,
  changes: ChangeNotifier,
  orgId: string,
  encodedCursor: string,
  waitMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const cursor = decodeCursor(encodedCursor);
  // Only a device at a valid feed position waits; a snapshot position, or one the pull will refuse, is
  // answered at once.
  if (!cursor || cursor.snap || cursor.o !== orgId) return true;
  let known = changes.latest(orgId);
  if (known === undefined) {
    // This process has heard of no commit of the organization since it started: ask the database once.
    const head = await inTransaction(pool, { orgId }, (client) =>
      client.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [orgId]),
    );
    known = head.rows[0]?.version ?? 0;
    changes.publish(orgId, known);
  }
  if (known > cursor.v) return true;
  const startedAt = Date.now();
  const woken = await changes.waitForChange(orgId, cursor.v, waitMs, signal);
  // Woken early without a version (the notifier lost its connection and woke everyone): look, to be sure.
  return woken !== null || Date.now() - startedAt < waitMs - 5;
}
