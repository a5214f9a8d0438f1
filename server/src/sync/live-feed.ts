import type { LiveInput, PullResult } from '@janix/schemas';
import type { Pool } from '../db/pools.ts';
import { authenticateDevice, type AuthenticatedDevice } from '../auth/device-auth.ts';
import type { ChangeNotifier } from './change-notifier.ts';
import { inTransaction } from '../db/org-transaction.ts';
import { decodeCursor } from './cursor.ts';
import { pullChanges, type PullPageSources } from './pull.ts';

/** How stale the device's standing (revoked? its high-water mark) may be when a live page goes out. */
export const LIVE_RECHECK_MS = 1000;

/**
 * The live feed of one device: waits at its cursor for the organization's next commit and yields the page,
 * again and again, over one streaming response. A commit then costs each live device one written line
 * instead of an answered request and a new one. The device is looked up again before a page when the last
 * look is over a second old, so a revocation ends the stream within a second of the next change (looking it
 * up for every page would queue one query per live device on every commit in front of the page itself).
 */
export async function* liveFeed(
  deps: { pool: Pool; changes: ChangeNotifier; now: () => Date },
  pages: PullPageSources,
  deviceToken: string | null,
  device: AuthenticatedDevice,
  input: Required<Omit<LiveInput, 'protocolVersion' | 'schemaVersion'>>,
  signal: AbortSignal | undefined,
): AsyncGenerator<PullResult> {
  const endsAt = deps.now().getTime() + input.forMs;
  let cursor = input.cursor;
  let knownSeq = input.knownSeq;
  let current = device;
  let checkedAt = deps.now().getTime();
  for (;;) {
    const waitMs = endsAt - deps.now().getTime();
    if (waitMs <= 0 || signal?.aborted) return;
    const request = { cursor, limit: input.limit, knownSeq, checksums: false };
    await waitForFeed(deps.pool, deps.changes, device.orgId, cursor, waitMs, signal);
    if (signal?.aborted) return;
    if (deps.now().getTime() - checkedAt > LIVE_RECHECK_MS) {
      current = await authenticateDevice(deps.pool, deviceToken);
      checkedAt = deps.now().getTime();
    }
    const page = await pullChanges(deps.pool, pages, current, request);
    // Woken without news (the wait ran out): nothing to say.
    if (page.cursor === cursor && page.rejections.length === 0 && current.lastSeq <= knownSeq) continue;
    yield page;
    cursor = page.cursor;
    knownSeq = Math.max(knownSeq, page.lastAppliedSeq);
  }
}

/** Waits until the organization commits past a feed cursor (at once if it already has), or the wait ends. */
async function waitForFeed(
  pool: Pool,
  changes: ChangeNotifier,
  orgId: string,
  encodedCursor: string,
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const cursor = decodeCursor(encodedCursor);
  // Only a device at a valid feed position waits; a snapshot position, or one the pull will refuse, is
  // answered at once.
  if (!cursor || cursor.snap || cursor.o !== orgId) return;
  let known = changes.latest(orgId);
  if (known === undefined) {
    // This process has heard of no commit of the organization since it started: ask the database once.
    const head = await inTransaction(pool, { orgId }, (client) =>
      client.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [orgId]),
    );
    known = head.rows[0]?.version ?? 0;
    changes.publish(orgId, known);
  }
  if (known > cursor.v) return;
  await changes.waitForChange(orgId, cursor.v, waitMs, signal);
}
