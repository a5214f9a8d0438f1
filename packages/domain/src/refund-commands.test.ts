import { describe, expect, it } from 'vitest';
import { planCommand, type CommandWrite } from './commands.ts';
import { commandContext } from './testing/command-context.ts';
import {
  actingDevice,
  auditRow,
  boxOfficeIds as ids,
  orderRow,
  quotaRow,
  shiftRow,
  ticketRow,
  ticketTypeRow,
} from './testing/box-office-rows.ts';
import { runCommand, writesOf, type TestDatabase } from './testing/run-command.ts';

const newAudit = 'ac2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const laterShift = 'ad3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';
const at = '2026-12-05T21:15:00Z';
// Two adults from the floor, one child from the balcony; one adult was already refunded on its own.
const db: TestDatabase = {
  orders: [orderRow({ totalCents: 3000 })],
  tickets: [
    ticketRow(0),
    ticketRow(1, { status: 'refunded' }),
    ticketRow(2, { ticketTypeId: ids.child, priceCents: 600 }),
    ticketRow(0, { orderId: ids.audit }),
  ],
  ticket_types: [ticketTypeRow(), ticketTypeRow({ id: ids.child, name: 'Child', quotaId: ids.otherQuota })],
  quotas: [
    quotaRow(),
    quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 0, allocated: 0 }),
  ],
  shifts: [shiftRow(), shiftRow({ id: laterShift, openedAt: '2026-12-05T21:00:00.000Z' })],
};
const args = {
  orderId: ids.order,
  auditId: newAudit,
  action: 'refund',
  reason: 'Could not come',
  shiftId: ids.shift,
  at,
};
const refund = (over: object = {}, rows = db, ctx = commandContext()) =>
  runCommand('refundOrder', { ...args, ...over }, rows, ctx);
const withOrder = (over: Parameters<typeof orderRow>[0]) => ({
  ...db,
  orders: [orderRow({ totalCents: 3000, ...over })],
});
const written = (writes: CommandWrite[], table: CommandWrite['table']) =>
  writes.filter((write) => write.table === table).map((write) => write.row);

describe('refundOrder', () => {
  it('refunds the order, invalidates its valid tickets, returns their seats and records who did it', () => {
    const writes = writesOf(refund());
    expect(written(writes, 'orders')).toEqual([
      expect.objectContaining({
        id: ids.order,
        status: 'refunded',
        refundedAt: at,
        refundReason: 'Could not come',
      }),
    ]);
    expect(written(writes, 'tickets')).toEqual([
      expect.objectContaining({ id: ticketRow(0).id, status: 'refunded' }),
      expect.objectContaining({ id: ticketRow(2).id, status: 'refunded' }),
    ]);
    // one seat back to each quota; the ticket refunded before is not counted twice
    expect(written(writes, 'quotas')).toEqual([
      expect.objectContaining({ id: ids.quota, sold: 47, allocated: 4 }),
      expect.objectContaining({ id: ids.otherQuota, sold: 0 }),
    ]);
    // A scanner that holds no tickets learns of the refund from these.
    expect(written(writes, 'ticket_revocations')).toEqual([
      { id: ticketRow(0).id, eventId: ids.event, reason: 'refunded', revokedAt: at },
      { id: ticketRow(2).id, eventId: ids.event, reason: 'refunded', revokedAt: at },
    ]);
    expect(written(writes, 'order_audit')).toEqual([
      {
        id: newAudit,
        orderId: ids.order,
        shiftId: ids.shift,
        action: 'refund',
        reason: 'Could not come',
        amountCents: 3000,
        method: 'cash',
        userId: actingDevice.userId,
        userName: 'Sam Cashier',
        deviceId: actingDevice.deviceId,
        createdAt: at,
      },
    ]);
  });

  it('voids: tickets become void, and a void of a comp gives back no money', () => {
    const comp = withOrder({ paymentMethod: 'comp', totalCents: 0, compReason: 'Press', shiftId: null });
    const writes = writesOf(refund({ action: 'void', shiftId: null }, comp));
    expect(written(writes, 'orders')[0]).toMatchObject({ status: 'void', refundedAt: at });
    expect(written(writes, 'tickets').map((row) => (row as { status: string }).status)).toEqual([
      'void',
      'void',
    ]);
    expect(written(writes, 'ticket_revocations').map((row) => (row as { reason: string }).reason)).toEqual([
      'void',
      'void',
    ]);
    expect(written(writes, 'order_audit')[0]).toMatchObject({
      action: 'void',
      amountCents: 0,
      method: 'comp',
    });
  });

  it('refunds a terminal sale without a shift, at any till', () => {
    const terminal = withOrder({ paymentMethod: 'terminal', paymentReference: 'T-881', shiftId: null });
    const writes = writesOf(refund({ shiftId: null }, terminal));
    expect(written(writes, 'order_audit')[0]).toMatchObject({
      shiftId: null,
      method: 'terminal',
      amountCents: 3000,
    });
  });

  it('refuses an order it cannot find (another organization’s is never loaded)', () => {
    expect(refund({ orderId: newAudit })).toEqual({
      ok: false,
      code: 'order_not_found',
      message: 'This order was not found.',
    });
  });

  it('refuses an order already refunded or voided, saying when', () => {
    expect(refund({}, withOrder({ status: 'refunded', refundedAt: '2026-12-05T19:04:00.000Z' }))).toEqual({
      ok: false,
      code: 'already_refunded',
      message: 'This order was already refunded at 19:04 UTC on 5 Dec 2026.',
    });
    expect(
      refund({ action: 'void' }, withOrder({ status: 'void', refundedAt: '2026-12-05T18:11:00.000Z' })),
    ).toEqual({
      ok: false,
      code: 'already_voided',
      message: 'This order was already voided at 18:11 UTC on 5 Dec 2026.',
    });
    expect(refund({}, withOrder({ status: 'pending' }))).toMatchObject({ ok: false, code: 'order_not_paid' });
  });

  it('refuses card payments, and online orders from before payment methods were recorded', () => {
    for (const order of [{ paymentMethod: 'card' }, { paymentMethod: null, channel: 'online' }]) {
      for (const action of ['refund', 'void']) {
        expect(refund({ action }, withOrder(order))).toEqual({
          ok: false,
          code: 'card_refund_unavailable',
          message:
            'A card payment is refunded to the card, through the payment provider: use the refund to card (it needs the network).',
        });
      }
    }
  });

  it('pays a cash refund from an open shift of this device, never from none', () => {
    expect(refund({ shiftId: null })).toMatchObject({ ok: false, code: 'shift_required' });
    expect(refund({ shiftId: newAudit })).toMatchObject({ ok: false, code: 'shift_not_found' });
    const other = commandContext({ actor: { ...actingDevice, deviceId: ids.otherDevice } });
    expect(refund({}, db, other)).toMatchObject({ ok: false, code: 'shift_other_device' });
    const closed = { ...db, shifts: [shiftRow({ status: 'closed', closedAt: '2026-12-05T20:00:00.000Z' })] };
    expect(refund({}, closed)).toMatchObject({ ok: false, code: 'shift_closed' });
    // a later shift of this device may pay it back
    expect(writesOf(refund({ shiftId: laterShift })).length).toBeGreaterThan(0);
  });

  it('voids a cash sale only in the shift that took it', () => {
    expect(refund({ action: 'void', shiftId: laterShift })).toMatchObject({
      ok: false,
      code: 'void_other_shift',
    });
    expect(refund({ action: 'void', shiftId: null })).toMatchObject({ ok: false, code: 'void_other_shift' });
    expect(refund({ action: 'void' }).ok).toBe(true);
  });

  it('never takes a quota’s sold count below zero, and leaves a quota it cannot find alone', () => {
    const drained = { ...db, quotas: [quotaRow({ sold: 0 })] };
    expect(written(writesOf(refund({}, drained)), 'quotas')).toEqual([expect.objectContaining({ sold: 0 })]);
    const gone = { ...db, quotas: [] };
    expect(written(writesOf(refund({}, gone)), 'quotas')).toEqual([]);
    expect(written(writesOf(refund({}, gone)), 'tickets')).toHaveLength(2);
  });

  it('refuses an audit id that exists', () => {
    expect(refund({ auditId: ids.audit }, { ...db, order_audit: [auditRow()] })).toMatchObject({
      ok: false,
      code: 'already_exists',
    });
  });

  it('needs sales.refund', () => {
    const seller = commandContext({ allows: (action) => action === 'sales.sell' });
    expect(planCommand('refundOrder', args, seller)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('reads the event’s ticket types and quotas in a second round, once the order names its event', () => {
    const planned = planCommand('refundOrder', args, commandContext());
    if (!planned.ok) throw new Error(planned.message);
    expect(planned.value.reads.map((read) => read.table).sort()).toEqual([
      'order_audit',
      'orders',
      'shifts',
      'tickets',
    ]);
  });

  it('keeps a revocation the ticket already has, and still refunds it', () => {
    const revoked = {
      ...db,
      ticket_revocations: [
        {
          id: ticketRow(0).id,
          eventId: ids.event,
          reason: 'returned',
          revokedAt: '2026-12-05T20:00:00.000Z',
          version: 3,
          updatedAt: '2026-12-05T20:00:00.000Z',
          updatedBy: null,
        },
      ],
    };
    const writes = writesOf(refund({}, revoked));
    expect(written(writes, 'tickets')).toHaveLength(2);
    expect(written(writes, 'ticket_revocations')).toEqual([expect.objectContaining({ id: ticketRow(2).id })]);
  });
});
