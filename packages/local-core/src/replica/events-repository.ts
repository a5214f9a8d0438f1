import type { EventRow, TicketTypeRow } from '@janix/schemas';
import type { ReplicaDb } from './open-replica.ts';

interface EventRecord {
  id: string;
  org_id: string;
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

function toEventRow(record: EventRecord): EventRow {
  return {
    id: record.id,
    orgId: record.org_id,
    name: record.name,
    venue: record.venue,
    startsAt: record.starts_at,
    endsAt: record.ends_at,
    status: record.status,
    version: record.version,
  };
}

const eventColumns = 'id, org_id, name, venue, starts_at, ends_at, status, version';
const eventValues = '@id, @orgId, @name, @venue, @startsAt, @endsAt, @status, @version';
const eventUpdates =
  'org_id = excluded.org_id, name = excluded.name, venue = excluded.venue, starts_at = excluded.starts_at, ' +
  'ends_at = excluded.ends_at, status = excluded.status, version = excluded.version';

/** Reads see pending local writes over the server's rows (the `events_current` view). */
export function createEventsRepository(db: ReplicaDb) {
  const getCurrent = db.prepare<[string], EventRecord>('SELECT * FROM events_current WHERE id = ?');
  const listCurrent = db.prepare<[], EventRecord & { ticket_type_count: number; capacity: number }>(
    `SELECT e.*, count(t.id) AS ticket_type_count, coalesce(sum(t.capacity), 0) AS capacity
     FROM events_current e LEFT JOIN ticket_types t ON t.event_id = e.id
     GROUP BY e.id ORDER BY e.starts_at, e.name`,
  );
  const upsertServer = db.prepare(
    `INSERT INTO events (${eventColumns}) VALUES (${eventValues}) ON CONFLICT(id) DO UPDATE SET ${eventUpdates}`,
  );
  const upsertPending = db.prepare(
    `INSERT INTO events_pending (${eventColumns}) VALUES (${eventValues}) ON CONFLICT(id) DO UPDATE SET ${eventUpdates}`,
  );
  const upsertTicketType = db.prepare(
    `INSERT INTO ticket_types (id, org_id, event_id, name, price_cents, currency, capacity, version)
     VALUES (@id, @orgId, @eventId, @name, @priceCents, @currency, @capacity, @version)
     ON CONFLICT(id) DO UPDATE SET event_id = excluded.event_id, name = excluded.name,
       price_cents = excluded.price_cents, currency = excluded.currency, capacity = excluded.capacity,
       version = excluded.version`,
  );
  const listTicketTypes = db.prepare<[string], TicketTypeRow>(
    `SELECT id, org_id AS orgId, event_id AS eventId, name, price_cents AS priceCents, currency, capacity, version
     FROM ticket_types WHERE event_id = ? ORDER BY price_cents DESC`,
  );
  return {
    get(id: string): (EventRow & { pending: boolean }) | undefined {
      const record = getCurrent.get(id);
      return record ? { ...toEventRow(record), pending: record.pending === 1 } : undefined;
    },
    list(): EventListItem[] {
      return listCurrent.all().map((record) => ({
        ...toEventRow(record),
        pending: record.pending === 1,
        ticketTypeCount: record.ticket_type_count,
        capacity: record.capacity,
      }));
    },
    ticketTypes(eventId: string): TicketTypeRow[] {
      return listTicketTypes.all(eventId);
    },
    putServerEvent(row: EventRow): void {
      upsertServer.run(row);
    },
    putServerTicketType(row: TicketTypeRow): void {
      upsertTicketType.run(row);
    },
    putPendingEvent(row: EventRow): void {
      upsertPending.run(row);
    },
    clearPending(): void {
      db.prepare('DELETE FROM events_pending').run();
    },
  };
}
export type EventsRepository = ReturnType<typeof createEventsRepository>;
