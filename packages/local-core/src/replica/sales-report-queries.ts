import type { ReplicaDb } from './open-replica.ts';

/** Who sold it and in which money: every total is per event (or channel, or slot) and currency. */
interface EventCurrency {
  eventId: string;
  eventName: string;
  currency: string;
}

/** What a group of paid orders holds. */
interface Takings {
  orders: number;
  tickets: number;
  grossCents: number;
}

/**
 * What an organization (or one event) has sold, from the replica's orders and tickets. Sales are paid
 * orders: void and refunded orders are left out (refunds are listed apart), pending ones were never paid.
 * Amounts are never added across currencies: every total is per currency.
 */
export interface SalesReport {
  /** Every currency the report holds, the one with most sales first. */
  currencies: string[];
  byEvent: Array<EventCurrency & Takings & { taxCents: number }>;
  byTicketType: Array<
    EventCurrency & Omit<Takings, 'orders'> & { ticketTypeId: string; ticketTypeName: string }
  >;
  byChannel: Array<Takings & { channel: string; currency: string }>;
  refunds: Array<EventCurrency & { orders: number; amountCents: number }>;
  /** Orders undone at the till moments after the sale: never money taken, only counted. */
  voidedOrders: number;
  /**
   * Sales per quarter hour (UTC, `at` in seconds since the epoch): fine enough for the screen to gather into
   * its own time zone's hours or days, whatever that zone's offset (some are at :30 or :45).
   */
  slots: Array<Takings & { at: number; channel: string; currency: string }>;
}

export const SLOT_SECONDS = 900;

/** One row of the report statement: its `section` says which part of the report it belongs to. */
interface SectionRow {
  section: 'event' | 'channel' | 'slot' | 'type' | 'refund' | 'void';
  /** event id (event, type, refund), channel (channel) or slot start (slot). */
  a: string | number | null;
  /** ticket type id (type) or channel (slot). */
  b: string | null;
  currency: string | null;
  orders: number;
  tickets: number;
  cents: number;
  tax: number;
}

/**
 * The whole report in one statement, so the orders and tickets views are read once each (on a large replica
 * each read of a view costs more than all the grouping after it). Scoped to one event (bound as `$event`), it
 * reads through the orders_event and tickets_event indexes.
 */
function reportSql(oneEvent: boolean): string {
  const orderScope = oneEvent ? 'AND o.event_id = $event' : '';
  const ticketScope = oneEvent ? 'AND t.event_id = $event' : '';
  return `
    WITH orders_in AS MATERIALIZED (
      SELECT o.id, o.event_id, o.channel, o.currency, o.status, o.total_cents,
        coalesce(o.tax_cents, 0) AS tax_cents, unixepoch(o.created_at) / ${SLOT_SECONDS} * ${SLOT_SECONDS} AS at
      FROM orders_current o WHERE o.status IN ('paid', 'refunded', 'void') ${orderScope}
    ),
    lines AS MATERIALIZED (
      SELECT t.order_id, t.ticket_type_id, count(*) AS tickets, coalesce(sum(t.price_cents), 0) AS prices
      FROM tickets_current t WHERE t.status = 'valid' ${ticketScope}
      GROUP BY t.order_id, t.ticket_type_id
    ),
    sold AS MATERIALIZED (
      SELECT o.*, coalesce(sum(l.tickets), 0) AS tickets, coalesce(sum(l.prices), 0) AS prices
      FROM orders_in o LEFT JOIN lines l ON l.order_id = o.id
      WHERE o.status = 'paid' GROUP BY o.id
    ),
    -- A ticket's price is what it was sold for. Orders from before tickets carried a price (online orders,
    -- imports) have tickets priced 0 and only an order total: that total is split over their tickets by count,
    -- the cents the division leaves going to the order's first ticket type, so an event's ticket types always
    -- add up to its total.
    shares AS (
      SELECT l.ticket_type_id, l.tickets, s.id AS order_id, s.event_id, s.currency,
        CASE WHEN s.prices = s.total_cents THEN l.prices ELSE s.total_cents * l.tickets / s.tickets END AS share,
        s.prices <> s.total_cents AND
          row_number() OVER (PARTITION BY s.id ORDER BY l.ticket_type_id) = 1 AS takes_rest,
        s.total_cents
      FROM sold s JOIN lines l ON l.order_id = s.id
    ),
    attributed AS (
      SELECT *, share + CASE WHEN takes_rest
        THEN total_cents - sum(share) OVER (PARTITION BY order_id) ELSE 0 END AS gross
      FROM shares
    )
    SELECT 'event' AS section, event_id AS a, NULL AS b, currency, count(*) AS orders, sum(tickets) AS tickets,
      sum(total_cents) AS cents, sum(tax_cents) AS tax
    FROM sold GROUP BY event_id, currency
    UNION ALL
    SELECT 'channel', channel, NULL, currency, count(*), sum(tickets), sum(total_cents), 0
    FROM sold GROUP BY channel, currency
    UNION ALL
    SELECT 'slot', at, channel, currency, count(*), sum(tickets), sum(total_cents), 0
    FROM sold WHERE at IS NOT NULL GROUP BY at, channel, currency
    UNION ALL
    SELECT 'type', event_id, ticket_type_id, currency, 0, sum(tickets), sum(gross), 0
    FROM attributed GROUP BY event_id, ticket_type_id, currency
    UNION ALL
    SELECT 'refund', event_id, NULL, currency, count(*), 0, sum(total_cents), 0
    FROM orders_in WHERE status = 'refunded' GROUP BY event_id, currency
    UNION ALL
    SELECT 'void', NULL, NULL, NULL, count(*), 0, 0, 0 FROM orders_in WHERE status = 'void'`;
}

function prepare(db: ReplicaDb) {
  return {
    all: db.prepare<[], SectionRow>(reportSql(false)),
    oneEvent: db.prepare<[{ event: string }], SectionRow>(reportSql(true)),
    eventNames: db.prepare<[], { id: string; name: string }>('SELECT id, name FROM events_current'),
    ticketTypeNames: db.prepare<[], { id: string; name: string }>(
      'SELECT id, name FROM ticket_types_current',
    ),
  };
}

// The replica is replaced when a device is wiped: statements are prepared once per database.
const prepared = new WeakMap<ReplicaDb, ReturnType<typeof prepare>>();

const byName = <T extends { eventName: string; eventId: string; currency: string }>(a: T, b: T) =>
  a.eventName.localeCompare(b.eventName) ||
  a.eventId.localeCompare(b.eventId) ||
  a.currency.localeCompare(b.currency);

/** The sales of every event (`eventId` null) or of one, read in one transaction so the parts agree. */
export function readSalesReport(db: ReplicaDb, eventId: string | null): SalesReport {
  let statements = prepared.get(db);
  if (!statements) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  const { all, oneEvent, eventNames, ticketTypeNames } = statements;
  return db.transaction((): SalesReport => {
    const rows = eventId === null ? all.all() : oneEvent.all({ event: eventId });
    const events = new Map(eventNames.all().map((row) => [row.id, row.name]));
    const types = new Map(ticketTypeNames.all().map((row) => [row.id, row.name]));
    const report: SalesReport = {
      currencies: [],
      byEvent: [],
      byTicketType: [],
      byChannel: [],
      refunds: [],
      voidedOrders: 0,
      slots: [],
    };
    for (const row of rows) {
      const currency = row.currency ?? '';
      const eventOf = () => ({ eventId: String(row.a), eventName: events.get(String(row.a)) ?? '' });
      switch (row.section) {
        case 'event':
          report.byEvent.push({
            ...eventOf(),
            currency,
            orders: row.orders,
            tickets: row.tickets,
            grossCents: row.cents,
            taxCents: row.tax,
          });
          break;
        case 'channel':
          report.byChannel.push({
            channel: String(row.a),
            currency,
            orders: row.orders,
            tickets: row.tickets,
            grossCents: row.cents,
          });
          break;
        case 'slot':
          report.slots.push({
            at: Number(row.a),
            channel: row.b ?? '',
            currency,
            orders: row.orders,
            tickets: row.tickets,
            grossCents: row.cents,
          });
          break;
        case 'type':
          report.byTicketType.push({
            ...eventOf(),
            ticketTypeId: row.b ?? '',
            ticketTypeName: types.get(row.b ?? '') ?? '',
            currency,
            tickets: row.tickets,
            grossCents: row.cents,
          });
          break;
        case 'refund':
          report.refunds.push({ ...eventOf(), currency, orders: row.orders, amountCents: row.cents });
          break;
        case 'void':
          report.voidedOrders = row.orders;
          break;
      }
    }
    report.byEvent.sort(byName);
    report.refunds.sort(byName);
    report.byTicketType.sort(
      (a, b) =>
        byName(a, b) || b.grossCents - a.grossCents || a.ticketTypeName.localeCompare(b.ticketTypeName),
    );
    report.byChannel.sort(
      (a, b) => a.currency.localeCompare(b.currency) || a.channel.localeCompare(b.channel),
    );
    report.slots.sort(
      (a, b) => a.at - b.at || a.channel.localeCompare(b.channel) || a.currency.localeCompare(b.currency),
    );
    const totals = new Map<string, number>();
    for (const row of [...report.byEvent, ...report.refunds]) {
      totals.set(row.currency, (totals.get(row.currency) ?? 0) + ('grossCents' in row ? row.grossCents : 0));
    }
    report.currencies = [...totals]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([currency]) => currency);
    return report;
  })();
}
