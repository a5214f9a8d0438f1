import type { EventRow, TicketTypeRow } from '@janix/schemas';

export interface EventRecord {
  id: string;
  org_id: string;
  name: string;
  venue: string;
  starts_at: Date;
  ends_at: Date;
  status: EventRow['status'];
  version: number;
}

export function eventFromRecord(row: EventRecord): EventRow {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    venue: row.venue,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    status: row.status,
    version: row.version,
  };
}

export interface TicketTypeRecord {
  id: string;
  org_id: string;
  event_id: string;
  name: string;
  price_cents: number;
  currency: string;
  capacity: number;
  version: number;
}

export function ticketTypeFromRecord(row: TicketTypeRecord): TicketTypeRow {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    name: row.name,
    priceCents: row.price_cents,
    currency: row.currency,
    capacity: row.capacity,
    version: row.version,
  };
}
