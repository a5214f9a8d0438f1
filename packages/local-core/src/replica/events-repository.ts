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

/**
 * Reads see pending local writes over the server's rows (the `events_current` view). A replica holds one
 * organization, so rows carry no organization column; `orgId` names it.
 */
export function createEventsRepository(db: ReplicaDb, orgId: () => string) {
  const getCurrent = db.prepare<[string], EventRecord>('SELECT * FROM events_current WHERE id = ?');
  const listCurrent = db.prepare<[], EventRecord & { ticket_type_count: number; capacity: number }>(
    `SELECT e.*,
       (SELECT count(*) FROM ticket_types_current t WHERE t.event_id = e.id) AS ticket_type_count,
       (SELECT coalesce(sum(q.capacity), 0) FROM quotas_current q WHERE q.event_id = e.id) AS capacity
     FROM events_current e ORDER BY e.starts_at, e.name`,
  );
  const listTicketTypes = db.prepare<[string], Omit<TicketTypeRow, 'orgId'>>(
    `SELECT id, event_id AS eventId, name, price_cents AS priceCents, currency, capacity, version
     FROM ticket_types_current WHERE event_id = ? ORDER BY price_cents DESC`,
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
  };
}
export type EventsRepository = ReturnType<typeof createEventsRepository>;
