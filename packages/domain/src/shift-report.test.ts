import { describe, expect, it } from 'vitest';
import { expectedCashCents, shiftReport, type ShiftRows } from './shift-report.ts';
import {
  auditRow,
  boxOfficeIds as ids,
  movementRow,
  orderRow,
  shiftRow,
  ticketRow,
  ticketTypeRow,
} from './testing/box-office-rows.ts';

const orderId = (n: number) => `0a1b2c3d-4e5f-4a6b-8c7d-${String(n).padStart(12, '0')}`;
const otherShift = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';

/**
 * One evening at a till: float 100.00; two cash sales (one refunded later from this drawer), a voided cash
 * sale, a comp of two tickets, a terminal sale; a refund paid on the terminal for another shift's sale;
 * 50.00 paid in and 20.00 paid out. Rows of another shift and a pending order are mixed in and must not count.
 */
function evening(shift = shiftRow()): ShiftRows {
  const sale = (n: number, over: Parameters<typeof orderRow>[0]) => orderRow({ id: orderId(n), ...over });
  const orders = [
    sale(1, { totalCents: 2400 }),
    sale(2, { totalCents: 2400, status: 'refunded', refundedAt: '2026-12-05T19:04:00.000Z' }),
    sale(3, { totalCents: 1200, status: 'void' }),
    sale(4, { totalCents: 0, paymentMethod: 'comp', compReason: 'Press', listedTotalCents: 1800 }),
    sale(5, { totalCents: 3600, paymentMethod: 'terminal', paymentReference: 'T-881' }),
    sale(6, { totalCents: 600, shiftId: otherShift }),
    sale(7, { totalCents: 900, status: 'pending' }),
  ];
  const tickets = [
    ticketRow(0, { orderId: orderId(1) }),
    ticketRow(1, { orderId: orderId(1) }),
    ticketRow(0, { orderId: orderId(2), status: 'refunded' }),
    ticketRow(1, { orderId: orderId(2), status: 'refunded' }),
    ticketRow(0, { orderId: orderId(3), status: 'void' }),
    ticketRow(0, { orderId: orderId(4), priceCents: 0, taxCents: 0 }),
    ticketRow(1, { orderId: orderId(4), ticketTypeId: ids.child, priceCents: 0, taxCents: 0 }),
    ...[0, 1, 2].map((n) => ticketRow(n, { orderId: orderId(5) })),
    ticketRow(0, { orderId: orderId(6), ticketTypeId: ids.child, priceCents: 600 }),
  ];
  const audits = [
    auditRow({ id: orderId(20), orderId: orderId(2), action: 'refund', amountCents: 2400, method: 'cash' }),
    auditRow({ id: orderId(21), orderId: orderId(3), action: 'void', amountCents: 1200, method: 'cash' }),
    auditRow({
      id: orderId(22),
      orderId: orderId(99),
      action: 'refund',
      amountCents: 1200,
      method: 'terminal',
    }),
    auditRow({ id: orderId(23), shiftId: otherShift, amountCents: 700, method: 'cash' }),
  ];
  const cashMovements = [
    movementRow({
      id: orderId(31),
      kind: 'paid_out',
      amountCents: 2000,
      reason: 'Taxi for the band',
      createdAt: '2026-12-05T20:00:00.000Z',
    }),
    movementRow({ id: orderId(30), kind: 'paid_in', amountCents: 5000, reason: 'Coins from the bank' }),
    movementRow({ id: orderId(32), shiftId: otherShift, amountCents: 999 }),
  ];
  const ticketTypes = [ticketTypeRow(), ticketTypeRow({ id: ids.child, name: 'Child', priceCents: 600 })];
  return { shift, orders, tickets, audits, cashMovements, ticketTypes };
}

describe('shiftReport', () => {
  it('adds up an open shift: sales by method and ticket type, refunds, voids, comps and the drawer', () => {
    expect(shiftReport(evening())).toEqual({
      shiftId: ids.shift,
      deviceId: shiftRow().deviceId,
      cashier: 'Sam Cashier',
      status: 'open',
      openedAt: '2026-12-05T17:30:00.000Z',
      closedAt: null,
      floatCents: 10_000,
      // the refunded sale was made (its refund is its own line); the voided one was undone
      salesByMethod: [
        { method: 'cash', orders: 2, amountCents: 4800 },
        { method: 'terminal', orders: 1, amountCents: 3600 },
        { method: 'comp', orders: 1, amountCents: 0 },
      ],
      salesByTicketType: [
        { ticketTypeId: ids.adult, ticketTypeName: 'Adult', quantity: 8, amountCents: 8400 },
        { ticketTypeId: ids.child, ticketTypeName: 'Child', quantity: 1, amountCents: 0 },
      ],
      salesCents: 8400,
      refunds: { orders: 2, amountCents: 3600 },
      voids: { orders: 1, amountCents: 1200 },
      comps: { orders: 1, tickets: 2, listedCents: 1800 },
      cashMovements: [
        { kind: 'paid_in', amountCents: 5000, reason: 'Coins from the bank', at: '2026-12-05T18:00:00.000Z' },
        { kind: 'paid_out', amountCents: 2000, reason: 'Taxi for the band', at: '2026-12-05T20:00:00.000Z' },
      ],
      paidInCents: 5000,
      paidOutCents: 2000,
      cashSalesCents: 4800,
      // only the cash refund leaves the drawer; the terminal one went back on the card
      cashRefundsCents: 2400,
      expectedCashCents: 10_000 + 4800 - 2400 + 5000 - 2000,
      countedCents: null,
      overShortCents: null,
    });
  });

  it('says over or short once the shift is closed and counted', () => {
    const closed = { status: 'closed', closedAt: '2026-12-05T23:30:00.000Z', expectedCents: 15_400 };
    expect(shiftReport(evening(shiftRow({ ...closed, countedCents: 15_000 })))).toMatchObject({
      expectedCashCents: 15_400,
      countedCents: 15_000,
      overShortCents: -400,
    });
    expect(shiftReport(evening(shiftRow({ ...closed, countedCents: 15_450 }))).overShortCents).toBe(50);
    expect(shiftReport(evening(shiftRow({ ...closed, countedCents: 15_400 }))).overShortCents).toBe(0);
  });

  it('values a comp at its ticket types’ prices until the server has recorded its listed total', () => {
    const rows = evening();
    rows.orders = [...rows.orders].map((order) =>
      order.paymentMethod === 'comp' ? { ...order, listedTotalCents: null } : order,
    );
    expect(shiftReport(rows).comps).toEqual({ orders: 1, tickets: 2, listedCents: 1200 + 600 });
  });

  it('is an empty report for a shift that sold nothing: the drawer holds its float', () => {
    const empty = { ...evening(), orders: [], tickets: [], audits: [], cashMovements: [] };
    expect(shiftReport(empty)).toMatchObject({
      salesByMethod: [],
      salesByTicketType: [],
      refunds: { orders: 0, amountCents: 0 },
      comps: { orders: 0, tickets: 0, listedCents: 0 },
      expectedCashCents: 10_000,
    });
  });

  it('names a ticket type it cannot find instead of dropping its tickets', () => {
    const rows = { ...evening(), ticketTypes: [] };
    expect(shiftReport(rows).salesByTicketType.map((line) => line.ticketTypeName)).toEqual([
      'Unknown ticket type',
      'Unknown ticket type',
    ]);
  });

  it('expectedCashCents is the report’s drawer total, from the rows closing a shift loads', () => {
    const { shift, orders, audits, cashMovements } = evening();
    expect(expectedCashCents({ shift, orders, audits, cashMovements })).toBe(15_400);
  });
});
