import type { SalesChannel } from '@janix/schemas';
import type { ReplicaDb } from './open-replica.ts';

export interface SetupQuota {
  id: string;
  name: string;
  capacity: number;
  sold: number;
  /** Seats box offices hold to sell offline and have not sold yet. */
  allocated: number;
  /** Seats nobody holds: what the server can still sell or lend. */
  free: number;
  ticketTypeCount: number;
  pending: boolean;
}

export interface SetupTicketType {
  id: string;
  quotaId: string;
  name: string;
  priceCents: number;
  currency: string;
  taxRateBp: number;
  salesStartAt: string | null;
  salesEndAt: string | null;
  channels: SalesChannel[];
  pending: boolean;
}

export interface EventSetup {
  quotas: SetupQuota[];
  ticketTypes: SetupTicketType[];
  /**
   * The currency a new ticket type of this event starts in: the event's own (its ticket types share one),
   * else the one the organization prices most tickets in; null when nothing is priced yet.
   */
  currency: string | null;
}

interface QuotaRecord {
  id: string;
  name: string;
  capacity: number;
  sold: number;
  allocated: number;
  pending: number;
}

interface TicketTypeRecord {
  id: string;
  quota_id: string;
  name: string;
  price_cents: number;
  currency: string;
  tax_rate_bp: number;
  sales_start_at: string | null;
  sales_end_at: string | null;
  channels: string | null;
  pending: number;
}

const CHANNELS: readonly SalesChannel[] = ['box_office', 'online'];

function channelsOf(column: string | null): SalesChannel[] {
  const listed = (column ?? '').split(',');
  return CHANNELS.filter((channel) => listed.includes(channel));
}

function prepare(db: ReplicaDb) {
  return {
    quotas: db.prepare<[string], QuotaRecord>(
      `SELECT id, name, capacity, sold, allocated, pending FROM quotas_current
       WHERE event_id = ? ORDER BY name, id`,
    ),
    ticketTypes: db.prepare<[string], TicketTypeRecord>(
      `SELECT id, quota_id, name, price_cents, currency, tax_rate_bp, sales_start_at, sales_end_at, channels,
         pending
       FROM ticket_types_current WHERE event_id = ? ORDER BY price_cents DESC, name, id`,
    ),
    orgCurrency: db.prepare<[], { currency: string }>(
      `SELECT currency FROM ticket_types_current WHERE currency IS NOT NULL
       GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1`,
    ),
  };
}

// The replica is replaced when a device is wiped: statements are prepared once per database.
const prepared = new WeakMap<ReplicaDb, ReturnType<typeof prepare>>();

/** An event's quotas and ticket types as the console sees them now (pending local writes included). */
export function readEventSetup(db: ReplicaDb, eventId: string): EventSetup {
  let statements = prepared.get(db);
  if (!statements) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  const ticketTypes = statements.ticketTypes.all(eventId).map((record): SetupTicketType => ({
    id: record.id,
    quotaId: record.quota_id,
    name: record.name,
    priceCents: record.price_cents,
    currency: record.currency,
    taxRateBp: record.tax_rate_bp ?? 0,
    salesStartAt: record.sales_start_at,
    salesEndAt: record.sales_end_at,
    channels: channelsOf(record.channels),
    pending: record.pending === 1,
  }));
  const quotas = statements.quotas.all(eventId).map((record): SetupQuota => ({
    id: record.id,
    name: record.name,
    capacity: record.capacity,
    sold: record.sold ?? 0,
    allocated: record.allocated ?? 0,
    free: Math.max(0, record.capacity - (record.sold ?? 0) - (record.allocated ?? 0)),
    ticketTypeCount: ticketTypes.filter((type) => type.quotaId === record.id).length,
    pending: record.pending === 1,
  }));
  const currency = ticketTypes[0]?.currency ?? statements.orgCurrency.get()?.currency ?? null;
  return { quotas, ticketTypes, currency };
}
