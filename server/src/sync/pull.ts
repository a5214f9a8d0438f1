import type { PullResult } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { eventFromRecord, ticketTypeFromRecord, type EventRecord, type TicketTypeRecord } from './rows.ts';

/**
 * One page of the organization's change feed after `cursor`. Versions are commit-ordered (see
 * nextOrgVersion), and a page ends on a version boundary, so a cursor never skips a change.
 */
export async function pullChanges(
  pool: Pool,
  device: { id: string; orgId: string },
  cursor: string | null,
  limit: number,
  knownSeq: number,
): Promise<PullResult> {
  const after = cursor === null ? 0 : Number(cursor);
  return inTransaction(
    pool,
    { orgId: device.orgId },
    async (client) => {
      const head = await client.query<{ version: number }>(
        'SELECT version FROM org_versions WHERE org_id = $1',
        [device.orgId],
      );
      const headVersion = head.rows[0]?.version ?? 0;
      if (after > headVersion) {
        throw new ReasonedError({
          code: 'PRECONDITION_FAILED',
          reason: 'must_refetch',
          message: 'The sync position is not valid for this server; the replica must be fetched again.',
        });
      }
      // One connection runs one query at a time; these run in sequence inside the same snapshot.
      const events = await client.query<EventRecord>(
        'SELECT * FROM events WHERE version > $1 ORDER BY version LIMIT $2',
        [after, limit + 1],
      );
      const ticketTypes = await client.query<TicketTypeRecord>(
        'SELECT * FROM ticket_types WHERE version > $1 ORDER BY version LIMIT $2',
        [after, limit + 1],
      );
      const deviceRow = await client.query<{ last_seq: number }>(
        'SELECT last_seq FROM devices WHERE id = $1',
        [device.id],
      );
      // Rejections travel with the feed too, so one whose push response was lost still reaches the console.
      const rejections = await client.query<{
        seq: number;
        name: string;
        code: string;
        message: string;
        created_at: Date;
      }>(
        `SELECT seq, name, code, message, created_at FROM command_results
         WHERE device_id = $1 AND status = 'rejected' AND seq > $2 ORDER BY seq LIMIT 1000`,
        [device.id, knownSeq],
      );
      const toChanges = (eventRows: EventRecord[], typeRows: TicketTypeRecord[]) =>
        [
          ...eventRows.map((row) => ({
            version: row.version,
            change: { table: 'events' as const, row: eventFromRecord(row) },
          })),
          ...typeRows.map((row) => ({
            version: row.version,
            change: { table: 'ticket_types' as const, row: ticketTypeFromRecord(row) },
          })),
        ].sort((a, b) => a.version - b.version);
      const merged = toChanges(events.rows, ticketTypes.rows);
      // Every version below `complete` has all its rows in hand: each table stopped at or beyond it.
      let complete = Number.POSITIVE_INFINITY;
      for (const rows of [events.rows, ticketTypes.rows]) {
        if (rows.length > limit) complete = Math.min(complete, rows[limit]!.version);
      }
      if (merged.length > limit) complete = Math.min(complete, merged[limit]!.version);
      const hasMore = Number.isFinite(complete);
      let page = hasMore ? merged.filter((entry) => entry.version < complete) : merged;
      let nextCursor = hasMore ? complete - 1 : headVersion;
      if (hasMore && page.length === 0) {
        // A single version larger than a page is sent whole rather than split across cursors.
        const wholeEvents = await client.query<EventRecord>('SELECT * FROM events WHERE version = $1', [
          complete,
        ]);
        const wholeTypes = await client.query<TicketTypeRecord>(
          'SELECT * FROM ticket_types WHERE version = $1',
          [complete],
        );
        page = toChanges(wholeEvents.rows, wholeTypes.rows);
        nextCursor = complete;
      }
      return {
        changes: page.map((entry) => entry.change),
        cursor: String(nextCursor),
        hasMore,
        lastAppliedSeq: deviceRow.rows[0]?.last_seq ?? 0,
        rejections: rejections.rows.map((row) => ({
          seq: row.seq,
          name: row.name,
          code: row.code,
          message: row.message,
          rejectedAt: row.created_at.toISOString(),
        })),
      };
    },
    'REPEATABLE READ',
  );
}
