import type { ReplicatedTableName, RowOf } from '@janix/domain';
import type { ReplicaDb } from './open-replica.ts';
import type { PendingOverlay } from './pending-overlay.ts';

/**
 * What the box-office screens read: events on sale and their ticket types, shifts, orders and their audit.
 * Everything is read through the `<table>_current` views (or the overlay, which reads them), so a sale or a
 * refund made here shows at once, before the server has confirmed it.
 */

export interface SaleEvent {
  id: string;
  name: string;
  venue: string;
  startsAt: string;
}

export interface SaleTicketType {
  id: string;
  name: string;
  quotaId: string;
  quotaName: string;
  priceCents: number;
  currency: string;
  taxRateBp: number;
  salesStartAt: string | null;
  salesEndAt: string | null;
}

export interface OrderMatch {
  id: string;
  code: string;
  status: string;
  totalCents: number;
  currency: string;
  createdAt: string;
  eventName: string | null;
  buyerName: string | null;
  buyerEmail: string | null;
  ticketCount: number;
  pending: boolean;
}

/** An order with everything its screen, its receipt and its tickets need. */
export interface OrderBundle {
  order: RowOf<'orders'>;
  event: RowOf<'events'> | null;
  buyer: RowOf<'people'> | null;
  tickets: RowOf<'tickets'>[];
  ticketTypes: ReadonlyMap<string, RowOf<'ticket_types'>>;
  audit: RowOf<'order_audit'>[];
  /** The shift that sold it (its cashier is on the receipt), when this device has it. */
  shift: RowOf<'shifts'> | null;
  /** Ids of rows written here and not yet confirmed by the server, per table. */
  pending: { order: boolean; tickets: Set<string>; audit: Set<string> };
}

/** A shift's rows as `shiftReport` reads them, as arrays (each is read more than once). */
export interface LoadedShiftRows {
  shift: RowOf<'shifts'>;
  orders: RowOf<'orders'>[];
  audits: RowOf<'order_audit'>[];
  cashMovements: RowOf<'cash_movements'>[];
  tickets: RowOf<'tickets'>[];
  ticketTypes: RowOf<'ticket_types'>[];
}

/** The shortest search that finds an order: fewer characters match too many to be useful at the counter. */
export const MIN_ORDER_SEARCH = 3;
const SEARCH_LIMIT = 50;

/** `%` and `_` typed by the cashier are letters, not wildcards. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** Order codes are printed in upper case and read out loud: spaces and dashes a cashier types are noise. */
export function normalizedCodeQuery(text: string): string {
  return text.replace(/[\s-]+/g, '').toUpperCase();
}

export function createBoxOfficeQueries(db: () => ReplicaDb, overlay: () => PendingOverlay) {
  function pendingIds(table: ReplicatedTableName, ids: readonly string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const rows = db()
      .prepare(`SELECT id FROM ${table}_pending WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }

  return {
    /** Events a box office sells now, soonest first. */
    saleEvents(): SaleEvent[] {
      return db()
        .prepare(
          `SELECT id, name, venue, starts_at AS startsAt FROM events_current
           WHERE status = 'on_sale' ORDER BY starts_at, name`,
        )
        .all() as SaleEvent[];
    },

    /** The ticket types of an event sold at the box office, dearest first, with the quota each sells from. */
    saleTicketTypes(eventId: string): SaleTicketType[] {
      return db()
        .prepare(
          `SELECT t.id, t.name, t.quota_id AS quotaId, coalesce(q.name, '') AS quotaName,
             t.price_cents AS priceCents, t.currency, coalesce(t.tax_rate_bp, 0) AS taxRateBp,
             t.sales_start_at AS salesStartAt, t.sales_end_at AS salesEndAt
           FROM ticket_types_current t LEFT JOIN quotas_current q ON q.id = t.quota_id
           WHERE t.event_id = ? AND (',' || t.channels || ',') LIKE '%,box_office,%'
           ORDER BY t.price_cents DESC, t.name`,
        )
        .all(eventId) as SaleTicketType[];
    },

    /** The currency most ticket types are priced in: what amounts typed before any sale are counted in. */
    mainCurrency(): string | null {
      const row = db()
        .prepare('SELECT currency FROM ticket_types_current GROUP BY currency ORDER BY count(*) DESC LIMIT 1')
        .get() as { currency: string } | undefined;
      return row?.currency ?? null;
    },

    /** The quotas of an event, by name. */
    quotas(eventId: string): Array<{ id: string; name: string }> {
      return db()
        .prepare('SELECT id, name FROM quotas_current WHERE event_id = ? ORDER BY name')
        .all(eventId) as Array<{ id: string; name: string }>;
    },

    /** This device's open shift, if any. */
    openShift(deviceId: string): RowOf<'shifts'> | null {
      const row = db()
        .prepare(
          `SELECT id FROM shifts_current WHERE device_id = ? AND status = 'open' ORDER BY opened_at DESC LIMIT 1`,
        )
        .get(deviceId) as { id: string } | undefined;
      return row ? (overlay().current('shifts', row.id) ?? null) : null;
    },

    /** This device's latest closed shifts, newest first (to read or print their Z reports again). */
    closedShifts(deviceId: string, limit = 10): RowOf<'shifts'>[] {
      const rows = db()
        .prepare(
          `SELECT id FROM shifts_current WHERE device_id = ? AND status = 'closed'
           ORDER BY closed_at DESC LIMIT ?`,
        )
        .all(deviceId, limit) as Array<{ id: string }>;
      const loaded = overlay().load([{ table: 'shifts', ids: rows.map((row) => row.id) }]);
      return rows.map((row) => loaded.shifts.get(row.id)!).filter(Boolean);
    },

    /** Everything a shift's X or Z report counts; null for a shift this device does not have. */
    shiftRows(shiftId: string): LoadedShiftRows | null {
      const first = overlay().load([
        { table: 'shifts', ids: [shiftId] },
        { table: 'orders', column: 'shift_id', values: [shiftId] },
        { table: 'order_audit', column: 'shift_id', values: [shiftId] },
        { table: 'cash_movements', column: 'shift_id', values: [shiftId] },
      ]);
      const shift = first.shifts.get(shiftId);
      if (!shift) return null;
      const orders = [...first.orders.values()];
      const more = overlay().load([
        { table: 'tickets', column: 'order_id', values: orders.map((order) => order.id) },
        { table: 'ticket_types', column: 'event_id', values: [...new Set(orders.map((o) => o.eventId))] },
      ]);
      return {
        shift,
        orders,
        audits: [...first.order_audit.values()],
        cashMovements: [...first.cash_movements.values()],
        tickets: [...more.tickets.values()],
        ticketTypes: [...more.ticket_types.values()],
      };
    },

    /**
     * Orders whose code starts with the text (spaces and dashes ignored), or whose buyer's name or email
     * holds it; newest first. Shorter text finds nothing.
     */
    searchOrders(text: string): OrderMatch[] {
      const words = text.trim().toLowerCase();
      if (words.length < MIN_ORDER_SEARCH) return [];
      const code = normalizedCodeQuery(text);
      const rows = db()
        .prepare(
          `SELECT o.id, o.code, o.status, o.total_cents AS totalCents, o.currency, o.created_at AS createdAt,
             e.name AS eventName,
             nullif(trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')), '') AS buyerName,
             p.email AS buyerEmail, o.pending AS pending,
             (SELECT count(*) FROM tickets_current t WHERE t.order_id = o.id) AS ticketCount
           FROM orders_current o
           LEFT JOIN people_current p ON p.id = o.person_id
           LEFT JOIN events_current e ON e.id = o.event_id
           WHERE (@code <> '' AND length(@code) >= ${MIN_ORDER_SEARCH} AND o.code LIKE @codeLike ESCAPE '\\')
              OR lower(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) LIKE @words ESCAPE '\\'
              OR lower(coalesce(p.email, '')) LIKE @words ESCAPE '\\'
           ORDER BY o.created_at DESC LIMIT ${SEARCH_LIMIT}`,
        )
        .all({
          code,
          codeLike: `${likeEscaped(code)}%`,
          words: `%${likeEscaped(words)}%`,
        }) as Array<Omit<OrderMatch, 'pending'> & { pending: number }>;
      return rows.map((row) => ({ ...row, pending: row.pending === 1 }));
    },

    /** An order with its tickets, buyer, event, ticket types, audit and selling shift; null if unknown. */
    order(orderId: string): OrderBundle | null {
      const first = overlay().load([
        { table: 'orders', ids: [orderId] },
        { table: 'tickets', column: 'order_id', values: [orderId] },
        { table: 'order_audit', column: 'order_id', values: [orderId] },
      ]);
      const order = first.orders.get(orderId);
      if (!order) return null;
      const more = overlay().load([
        { table: 'events', ids: [order.eventId] },
        { table: 'ticket_types', column: 'event_id', values: [order.eventId] },
        { table: 'people', ids: order.personId ? [order.personId] : [] },
        { table: 'shifts', ids: order.shiftId ? [order.shiftId] : [] },
      ]);
      const tickets = [...first.tickets.values()].sort(
        (a, b) => a.ticketTypeId.localeCompare(b.ticketTypeId) || (a.slot ?? 0) - (b.slot ?? 0),
      );
      const audit = [...first.order_audit.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return {
        order,
        event: more.events.get(order.eventId) ?? null,
        buyer: order.personId ? (more.people.get(order.personId) ?? null) : null,
        tickets,
        ticketTypes: more.ticket_types,
        audit,
        shift: order.shiftId ? (more.shifts.get(order.shiftId) ?? null) : null,
        pending: {
          order: pendingIds('orders', [orderId]).size > 0,
          tickets: pendingIds(
            'tickets',
            tickets.map((ticket) => ticket.id),
          ),
          audit: pendingIds(
            'order_audit',
            audit.map((row) => row.id),
          ),
        },
      };
    },

    /** Whether an order, shift, cash movement or audit row with this id exists here already. */
    exists(table: 'orders' | 'shifts' | 'cash_movements' | 'order_audit', id: string): boolean {
      return overlay().current(table, id) !== undefined;
    },
  };
}
export type BoxOfficeQueries = ReturnType<typeof createBoxOfficeQueries>;
