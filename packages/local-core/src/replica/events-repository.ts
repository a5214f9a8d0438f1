import type { EventRow, TicketTypeRow } from '@janix/schemas';
import type { ReplicaDb } from './open-replica.ts';

interface EventRecord {
  id: string;
  name: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  status: EventRow['status'];
  version: number;
  pending?: number;
}

export interface EventListItem extends EventRow {
  pending: boolean;
  ticketTypeCount: number;
  capacity: number;
}

function toEventRow(record: EventRecord, orgId: string): EventRow {
  return {
    id: record.id,
    orgId,
    name: record.name,
    venue: record.venue,
    startsAt: record.starts_at,
    endsAt: record.ends_at,
    status: record.status,
    version: record.version,
  };
}

const eventColumns = 'id, name, venue, starts_at, ends_at, status, version';
const eventValues = '@id, @name, @venue, @startsAt, @endsAt, @status, @version';
const eventUpdates =
  'name = excluded.name, venue = excluded.venue, starts_at = excluded.starts_at, ' +
  'ends_at = excluded.ends_at, status = excluded.status, version = excluded.version';

/**
 * Reads see pending local writes over the server's rows (the `events_current` view). A replica holds one
 * organization, so rows carry no organization column; `orgId` names it.
 */
export function createEventsRepository(db: ReplicaDb, orgId: () => string) {
  const getCurrent = db.prepare<[string], EventRecord>('SELECT * FROM events_current WHERE id = ?');
  const listCurrent = db.prepare<[], EventRecord & { ticket_type_count: number; capacity: number }>(
    `SELECT e.*, count(t.id) AS ticket_type_count, coalesce(sum(t.capacity), 0) AS capacity
     FROM events_current e LEFT JOIN ticket_types t ON t.event_id = e.id
     GROUP BY e.id ORDER BY e.starts_at, e.name`,
  );
  const clearAllPending = db.prepare('DELETE FROM events_pending');
  const anyPending = db.prepare('SELECT 1 FROM events_pending LIMIT 1');
  const upsertPending = db.prepare(
    `INSERT INTO events_pending (${eventColumns}) VALUES (${eventValues}) ON CONFLICT(id) DO UPDATE SET ${eventUpdates}`,
  );
  const listTicketTypes = db.prepare<[string], Omit<TicketTypeRow, 'orgId'>>(
    `SELECT id, event_id AS eventId, name, price_cents AS priceCents, currency, capacity, version
     FROM ticket_types WHERE event_id = ? ORDER BY price_cents DESC`,
  );
  return {
    get(id: string): (EventRow & { pending: boolean }) | undefined {
      const record = getCurrent.get(id);
      return record ? { ...toEventRow(record, orgId()), pending: record.pending === 1 } : undefined;
    },
    list(): EventListItem[] {
      return listCurrent.all().map((record) => ({
        ...toEventRow(record, orgId()),
        pending: record.pending === 1,
        ticketTypeCount: record.ticket_type_count,
        capacity: record.capacity,
      }));
    },
    ticketTypes(eventId: string): TicketTypeRow[] {
      return listTicketTypes.all(eventId).map((row) => ({ ...row, orgId: orgId() }));
    },
    putPendingEvent(row: Omit<EventRow, 'orgId'>): void {
      upsertPending.run(row);
    },
    clearPending(): void {
      clearAllPending.run();
    },
    hasPending(): boolean {
      return anyPending.get() !== undefined;
    },
  };
}
export type EventsRepository = ReturnType<typeof createEventsRepository>;
