import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateReplica } from './migrations.ts';
import type { ReplicaDb } from './open-replica.ts';
import { readSalesReport } from './sales-report-queries.ts';

let db: ReplicaDb;

const ALPHA = '00000000-0000-4000-8000-00000000000a';
const BETA = '00000000-0000-4000-8000-00000000000b';
// Ticket type ids sort T1 < T2: the cent a split leaves goes to T1.
const T1 = '10000000-0000-4000-8000-000000000001';
const T2 = '20000000-0000-4000-8000-000000000002';
const T3 = '30000000-0000-4000-8000-000000000003';

function insert(table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(
    `INSERT INTO ${table} (version, ${columns.join(', ')}) VALUES (1, ${columns.map((c) => `@${c}`).join(', ')})`,
  ).run(row);
}

let ticketCount = 0;
function order(
  id: string,
  fields: { event: string; status: string; channel: string; currency: string; total: number; at: string },
  tickets: Array<{ type: string; price: number }>,
  table: 'orders' | 'orders_pending' = 'orders',
): void {
  insert(table, {
    id,
    event_id: fields.event,
    status: fields.status,
    channel: fields.channel,
    currency: fields.currency,
    total_cents: fields.total,
    tax_cents: Math.round(fields.total / 6),
    created_at: fields.at,
  });
  for (const ticket of tickets) {
    ticketCount += 1;
    insert(table === 'orders' ? 'tickets' : 'tickets_pending', {
      id: `ticket-${ticketCount}`,
      order_id: id,
      event_id: fields.event,
      ticket_type_id: ticket.type,
      status: fields.status === 'paid' || fields.status === 'pending' ? 'valid' : fields.status,
      price_cents: ticket.price,
    });
  }
}

beforeEach(async () => {
  db = new Database(':memory:');
  await migrateReplica(db);
  insert('events', { id: ALPHA, name: 'Alpha' });
  insert('events', { id: BETA, name: 'Beta' });
  insert('ticket_types', { id: T1, event_id: ALPHA, name: 'Adult' });
  insert('ticket_types', { id: T2, event_id: ALPHA, name: 'Child' });
  insert('ticket_types', { id: T3, event_id: BETA, name: 'Seat' });
  const eur = { event: ALPHA, currency: 'EUR' };
  order(
    'o1',
    { ...eur, status: 'paid', channel: 'box_office', total: 2500, at: '2026-10-01T10:05:00.000Z' },
    [
      { type: T1, price: 1250 },
      { type: T1, price: 1250 },
    ],
  );
  // Sold before tickets carried prices: 1000 split over three tickets.
  order('o2', { ...eur, status: 'paid', channel: 'online', total: 1000, at: '2026-10-01T10:20:00.000Z' }, [
    { type: T1, price: 0 },
    { type: T2, price: 0 },
    { type: T2, price: 0 },
  ]);
  order(
    'o3',
    { ...eur, status: 'refunded', channel: 'box_office', total: 1250, at: '2026-10-01T11:00:00Z' },
    [{ type: T1, price: 1250 }],
  );
  order('o4', { ...eur, status: 'void', channel: 'box_office', total: 900, at: '2026-10-01T11:01:00Z' }, [
    { type: T2, price: 900 },
  ]);
  order('o5', { ...eur, status: 'pending', channel: 'online', total: 500, at: '2026-10-01T11:02:00Z' }, [
    { type: T2, price: 500 },
  ]);
  // A comp: tickets given, no money.
  order('o6', { ...eur, status: 'paid', channel: 'box_office', total: 0, at: '2026-10-01T10:10:00Z' }, [
    { type: T2, price: 0 },
  ]);
  // Sold on this console, not yet synced, written with the till's own offset.
  order(
    'o7',
    {
      event: BETA,
      currency: 'CHF',
      status: 'paid',
      channel: 'online',
      total: 3000,
      at: '2026-10-02T23:50:00.000+02:00',
    },
    [{ type: T3, price: 3000 }],
    'orders_pending',
  );
});

afterEach(() => db.close());

describe('sales report', () => {
  it('totals paid orders per currency, splits price-less orders over their tickets, and lists refunds apart', () => {
    const report = readSalesReport(db, null);
    expect(report.currencies).toEqual(['EUR', 'CHF']);
    expect(report.byEvent).toEqual([
      {
        eventId: ALPHA,
        eventName: 'Alpha',
        currency: 'EUR',
        orders: 3,
        tickets: 6,
        grossCents: 3500,
        taxCents: 417 + 167,
      },
      {
        eventId: BETA,
        eventName: 'Beta',
        currency: 'CHF',
        orders: 1,
        tickets: 1,
        grossCents: 3000,
        taxCents: 500,
      },
    ]);
    expect(report.byTicketType).toEqual([
      {
        eventId: ALPHA,
        eventName: 'Alpha',
        ticketTypeId: T1,
        ticketTypeName: 'Adult',
        currency: 'EUR',
        tickets: 3,
        grossCents: 2500 + 334,
      },
      {
        eventId: ALPHA,
        eventName: 'Alpha',
        ticketTypeId: T2,
        ticketTypeName: 'Child',
        currency: 'EUR',
        tickets: 3,
        grossCents: 666,
      },
      {
        eventId: BETA,
        eventName: 'Beta',
        ticketTypeId: T3,
        ticketTypeName: 'Seat',
        currency: 'CHF',
        tickets: 1,
        grossCents: 3000,
      },
    ]);
    expect(report.byChannel).toEqual([
      { channel: 'online', currency: 'CHF', orders: 1, tickets: 1, grossCents: 3000 },
      { channel: 'box_office', currency: 'EUR', orders: 2, tickets: 3, grossCents: 2500 },
      { channel: 'online', currency: 'EUR', orders: 1, tickets: 3, grossCents: 1000 },
    ]);
    expect(report.refunds).toEqual([
      { eventId: ALPHA, eventName: 'Alpha', currency: 'EUR', orders: 1, amountCents: 1250 },
    ]);
    expect(report.voidedOrders).toBe(1);
    const at = (iso: string) => Date.parse(iso) / 1000;
    expect(report.slots).toEqual([
      {
        at: at('2026-10-01T10:00:00Z'),
        channel: 'box_office',
        currency: 'EUR',
        orders: 2,
        tickets: 3,
        grossCents: 2500,
      },
      {
        at: at('2026-10-01T10:15:00Z'),
        channel: 'online',
        currency: 'EUR',
        orders: 1,
        tickets: 3,
        grossCents: 1000,
      },
      {
        at: at('2026-10-02T21:45:00Z'),
        channel: 'online',
        currency: 'CHF',
        orders: 1,
        tickets: 1,
        grossCents: 3000,
      },
    ]);
  });

  it('reads one event alone', () => {
    const report = readSalesReport(db, BETA);
    expect(report.currencies).toEqual(['CHF']);
    expect(report.byEvent.map((row) => row.eventName)).toEqual(['Beta']);
    expect(report.byTicketType.map((row) => row.ticketTypeId)).toEqual([T3]);
    expect(report.refunds).toEqual([]);
    expect(report.voidedOrders).toBe(0);
  });

  it('scopes one event through the event indexes, pending overlay and all', () => {
    const plan = (sql: string) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all({ event: ALPHA })
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
    expect(plan("SELECT * FROM orders_current o WHERE o.status = 'paid' AND o.event_id = $event")).toMatch(
      /USING INDEX orders_event \(event_id=\?\)/,
    );
    expect(plan("SELECT * FROM tickets_current t WHERE t.status = 'valid' AND t.event_id = $event")).toMatch(
      /USING INDEX tickets_event \(event_id=\?\)/,
    );
  });
});
