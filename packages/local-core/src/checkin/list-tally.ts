import { lastAutoCheckout } from '@janix/domain';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { CheckInListView } from './gate-lookup.ts';

const BUCKET_MS = 15 * 60_000;
/** The chart's buckets are filled in (empty quarters as zero) up to this many; a longer span stays sparse. */
const MAX_FILLED_BUCKETS = 400;

export interface ListCounts {
  /** Tickets admitted through this list at least once. */
  checkedIn: number;
  /** Tickets whose holder is inside now (admitted entry not followed by an exit or the auto checkout). */
  inside: number;
  /** Valid tickets the list admits; null on a device that holds no tickets (it cannot know). */
  total: number | null;
  timeline: Array<{ at: string; entries: number; exits: number }>;
}

/** An admitted scan as the tally counts it. */
export interface TalliedScan {
  ticketId: string | null;
  direction: string;
  outcome: string;
  scannedAt: string;
}

interface Tally {
  /** The `check_ins` revision this tally is exact for. */
  revision: number | undefined;
  /** Each ticket's latest admitted scan on the list. */
  latest: Map<string, { direction: string; at: number }>;
  buckets: Map<number, { entries: number; exits: number }>;
}

function add(tally: Tally, scan: TalliedScan): void {
  if (scan.outcome !== 'admitted' || scan.ticketId === null) return;
  const at = Date.parse(scan.scannedAt);
  if (Number.isNaN(at)) return;
  const last = tally.latest.get(scan.ticketId);
  if (!last || at >= last.at) tally.latest.set(scan.ticketId, { direction: scan.direction, at });
  const bucket = Math.floor(at / BUCKET_MS) * BUCKET_MS;
  const counts = tally.buckets.get(bucket) ?? { entries: 0, exits: 0 };
  if (scan.direction === 'exit') counts.exits += 1;
  else counts.entries += 1;
  tally.buckets.set(bucket, counts);
}

/**
 * The live counts of each list. The door's screen reads them after every scan, and on a big list reading every
 * scan again took longer than the scan itself (80 ms at 20,000 scans), holding up the next one: so each list's
 * tally is kept, recounted from the replica only when scans arrive some other way (a pull, a replay), and the
 * scans this console records are added to it as they are made.
 */
export function createListTallies(
  db: ReplicaDb,
  revisionOf: (table: string) => number | undefined,
  /** Whether this replica holds tickets at all (a 'no_attendee_data' device does not). */
  holdsTickets: () => boolean,
) {
  const admittedScans = db.prepare<
    [string],
    { ticket_id: string | null; direction: string; scanned_at: string }
  >(
    `SELECT ticket_id, direction, scanned_at FROM check_ins_current WHERE list_id = ? AND outcome = 'admitted'`,
  );
  const validTickets = db.prepare<[string, number, string], { n: number }>(
    `SELECT count(*) AS n FROM tickets_current WHERE event_id = ? AND status = 'valid'
     AND (? = 0 OR ticket_type_id IN (SELECT value FROM json_each(?)))`,
  );
  const tallies = new Map<string, Tally>();
  const totals = new Map<string, { key: string; n: number }>();

  function tallyOf(listId: string): Tally {
    const revision = revisionOf('check_ins');
    let tally = tallies.get(listId);
    if (!tally || tally.revision !== revision) {
      tally = { revision, latest: new Map(), buckets: new Map() };
      for (const row of admittedScans.all(listId)) {
        add(tally, {
          ticketId: row.ticket_id,
          direction: row.direction,
          outcome: 'admitted',
          scannedAt: row.scanned_at,
        });
      }
      tallies.set(listId, tally);
    }
    return tally;
  }

  /** Valid tickets of the list's types, counted again only when tickets or the list change. */
  function totalOf(list: CheckInListView): number | null {
    if (!holdsTickets()) return null;
    const key = `${revisionOf('tickets')}|${revisionOf('checkin_lists')}`;
    const known = totals.get(list.id);
    if (known?.key === key) return known.n;
    const types = list.ticketTypeIds;
    const n = validTickets.get(list.eventId, types.length, JSON.stringify(types))?.n ?? 0;
    totals.set(list.id, { key, n });
    return n;
  }

  return {
    /**
     * A scan this console has just recorded, with the `check_ins` revision from before it: a tally exact up to
     * then takes it in and stays exact, so the screen's next read counts nothing again.
     */
    recorded(listId: string, scan: TalliedScan, revisionBefore: number | undefined): void {
      const tally = tallies.get(listId);
      if (!tally || tally.revision !== revisionBefore) return;
      add(tally, scan);
      tally.revision = revisionOf('check_ins');
    },

    counts(list: CheckInListView, now: Date): ListCounts {
      const tally = tallyOf(list.id);
      const checkout = lastAutoCheckout(list, now);
      let inside = 0;
      for (const last of tally.latest.values()) {
        if (last.direction === 'entry' && (checkout === null || last.at >= checkout)) inside += 1;
      }
      return {
        // An exit is admitted only after an admitted entry: every ticket here entered at least once.
        checkedIn: tally.latest.size,
        inside,
        total: totalOf(list),
        timeline: filledTimeline(tally.buckets),
      };
    },
  };
}
export type ListTallies = ReturnType<typeof createListTallies>;

/** The 15-minute buckets from the first scan to the last, empty ones included, so a chart's gaps show. */
function filledTimeline(buckets: ReadonlyMap<number, { entries: number; exits: number }>) {
  const starts = [...buckets.keys()].sort((a, b) => a - b);
  const first = starts[0];
  const last = starts.at(-1);
  const all =
    first !== undefined && last !== undefined && (last - first) / BUCKET_MS < MAX_FILLED_BUCKETS
      ? Array.from({ length: (last - first) / BUCKET_MS + 1 }, (_, i) => first + i * BUCKET_MS)
      : starts;
  return all.map((bucket) => ({
    at: new Date(bucket).toISOString(),
    entries: buckets.get(bucket)?.entries ?? 0,
    exits: buckets.get(bucket)?.exits ?? 0,
  }));
}
