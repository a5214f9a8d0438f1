import { describe, expect, it } from 'vitest';
import type { CardCart } from '@janix/schemas';
import {
  cardRefundAmount,
  decideCardCompletion,
  decideCardHold,
  decideCardRefund,
  decideRelease,
  failureInWords,
  nextPaymentStep,
  type CardSale,
  type PaymentSignal,
} from './card-payments.ts';
import type { CommandWrite } from './commands.ts';
import type { RowOf } from './replicated-tables.ts';
import { commandContext, loadedRows } from './testing/command-context.ts';
import {
  boxOfficeIds as ids,
  eventRow,
  orderRow,
  quotaRow,
  shiftRow,
  ticketRow,
  ticketTypeRow,
} from './testing/box-office-rows.ts';

const paymentId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const orderId = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const at = '2026-12-05T18:00:00.000Z';
const ctx = commandContext({ where: 'server' });

const cart: CardCart = {
  eventId: ids.event,
  shiftId: ids.shift,
  currency: 'EUR',
  lines: [
    { ticketTypeId: ids.adult, quantity: 2, unitPriceCents: 1200 },
    { ticketTypeId: ids.child, quantity: 1, unitPriceCents: 600 },
  ],
  buyer: null,
};
const sale: CardSale = { paymentId, orderId, kind: 'terminal', cart, readerId: null, at };
// Floor: 100 seats, 48 sold, 4 held by tills; Balcony: 40 seats, 39 taken.
const catalog = {
  events: [eventRow()],
  ticket_types: [
    ticketTypeRow(),
    ticketTypeRow({ id: ids.child, name: 'Child', priceCents: 600, quotaId: ids.otherQuota }),
  ],
  quotas: [
    quotaRow(),
    quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 30, allocated: 9 }),
  ],
  shifts: [shiftRow()],
};
const rows = (over: Parameters<typeof loadedRows>[0] = {}) => loadedRows({ ...catalog, ...over });
const expiresAt = '2026-12-05T18:10:00.000Z';

const written = (writes: CommandWrite[], table: CommandWrite['table']) =>
  writes.filter((write) => write.table === table).map((write) => write.row as Record<string, unknown>);

function paymentRow(over: Partial<RowOf<'payments'>> = {}): RowOf<'payments'> {
  return {
    id: paymentId,
    kind: 'terminal',
    status: 'processing',
    eventId: ids.event,
    orderId,
    shiftId: ids.shift,
    deviceId: ctx.actor.deviceId,
    readerId: null,
    amountCents: 3000,
    currency: 'EUR',
    refundedCents: 0,
    stripePaymentIntentId: 'pi_123',
    stripeCheckoutSessionId: null,
    checkoutUrl: null,
    cardBrand: null,
    cardLast4: null,
    failureReason: null,
    createdAt: at,
    expiresAt,
    completedAt: null,
    version: 7,
    updatedAt: at,
    updatedBy: 'Box office 1',
    ...over,
  };
}

describe('decideCardHold', () => {
  it('holds the seats from their quotas and records the payment as pending, with the total to charge', () => {
    const hold = decideCardHold(rows(), sale, ctx, expiresAt);
    if (!hold.ok) throw new Error(hold.message);
    expect(hold.value.amountCents).toBe(3000);
    expect(hold.value.holds).toEqual({ [ids.quota]: 2, [ids.otherQuota]: 1 });
    expect(written(hold.value.writes, 'quotas')).toEqual([
      expect.objectContaining({ id: ids.quota, sold: 48, allocated: 6 }),
      expect.objectContaining({ id: ids.otherQuota, sold: 30, allocated: 10 }),
    ]);
    expect(written(hold.value.writes, 'payments')).toEqual([
      expect.objectContaining({
        id: paymentId,
        status: 'pending',
        kind: 'terminal',
        orderId,
        amountCents: 3000,
        currency: 'EUR',
        deviceId: ctx.actor.deviceId,
        expiresAt,
      }),
    ]);
  });

  it('refuses a sale its quotas lack the seats for, holding nothing', () => {
    const full = rows({
      quotas: [
        quotaRow(),
        quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 30, allocated: 10 }),
      ],
    });
    expect(decideCardHold(full, sale, ctx, expiresAt)).toEqual({
      ok: false,
      code: 'sold_out',
      message: 'Balcony is sold out.',
    });
    const twoLeft = rows({ quotas: [quotaRow({ sold: 95, allocated: 4 }), catalog.quotas[1]!] });
    expect(decideCardHold(twoLeft, sale, ctx, expiresAt)).toMatchObject({
      code: 'sold_out',
      message: 'Only 1 of Floor is left.',
    });
  });

  it('checks the cart as a sale now: price, window, channel, shift, ids', () => {
    const stale = {
      ...sale,
      cart: { ...cart, lines: [{ ticketTypeId: ids.adult, quantity: 1, unitPriceCents: 1000 }] },
    };
    expect(decideCardHold(rows(), stale, ctx, expiresAt)).toMatchObject({ code: 'price_changed' });
    const closed = rows({
      ticket_types: [ticketTypeRow({ salesEndAt: '2026-12-05T17:00:00.000Z' }), catalog.ticket_types[1]!],
    });
    expect(decideCardHold(closed, sale, ctx, expiresAt)).toMatchObject({ code: 'sales_closed' });
    const webOnly = rows({ ticket_types: [ticketTypeRow({ channels: 'online' }), catalog.ticket_types[1]!] });
    expect(decideCardHold(webOnly, sale, ctx, expiresAt)).toMatchObject({
      code: 'not_sold_here',
      message: 'Adult is not sold at the box office.',
    });
    expect(decideCardHold(rows({ shifts: [] }), sale, ctx, expiresAt)).toMatchObject({
      code: 'shift_not_found',
    });
    expect(
      decideCardHold(rows(), { ...sale, cart: { ...cart, shiftId: null } }, ctx, expiresAt),
    ).toMatchObject({
      code: 'shift_required',
    });
    expect(decideCardHold(rows({ payments: [paymentRow()] }), sale, ctx, expiresAt)).toMatchObject({
      code: 'already_exists',
    });
    expect(decideCardHold(rows({ orders: [orderRow({ id: orderId })] }), sale, ctx, expiresAt)).toMatchObject(
      {
        code: 'already_exists',
      },
    );
    const free = rows({ ticket_types: [ticketTypeRow({ priceCents: 0 })] });
    const comp = {
      ...sale,
      cart: { ...cart, lines: [{ ticketTypeId: ids.adult, quantity: 1, unitPriceCents: 0 }] },
    };
    expect(decideCardHold(free, comp, ctx, expiresAt)).toMatchObject({ code: 'nothing_to_charge' });
  });

  it('sells online types for the web shop, without a shift', () => {
    const web = rows({ ticket_types: [ticketTypeRow({ channels: 'online' })], shifts: [] });
    const webSale: CardSale = {
      ...sale,
      kind: 'web_checkout',
      cart: {
        ...cart,
        shiftId: null,
        lines: [{ ticketTypeId: ids.adult, quantity: 1, unitPriceCents: 1200 }],
      },
    };
    const hold = decideCardHold(web, webSale, ctx, expiresAt);
    expect(hold.ok && written(hold.value.writes, 'payments')[0]).toMatchObject({
      kind: 'web_checkout',
      deviceId: null,
    });
    // Once the event has ended (23:00) nobody buys it online; a card at the door still sells late-comers.
    const late = { ...ctx, now: new Date('2026-12-05T23:30:00Z') };
    expect(decideCardHold(web, webSale, late, expiresAt)).toMatchObject({
      ok: false,
      code: 'event_over',
      message: expect.stringContaining('is over: it ended at 23:00 UTC on 5 Dec 2026'),
    });
    expect(decideCardHold(rows(), sale, late, expiresAt)).toMatchObject({ ok: true });
  });
});

describe('decideCardCompletion', () => {
  let minted = 0;
  const mint = ({ ticketTypeId }: { ticketTypeId: string }) => {
    minted += 1;
    return {
      ticketId: `0000000${minted}-0000-4000-8000-000000000000`,
      secret: `signed:${ticketTypeId}:${minted}`,
    };
  };
  const completion = (over: object = {}) => ({
    payment: paymentRow(),
    cart,
    holds: { [ids.quota]: 2, [ids.otherQuota]: 1 },
    at: '2026-12-05T18:02:00.000Z',
    mint,
    card: { brand: 'visa', last4: '4242' },
    ...over,
  });
  // As the hold left them.
  const held = rows({
    quotas: [
      quotaRow({ allocated: 6 }),
      quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 30, allocated: 10 }),
    ],
    payments: [paymentRow()],
  });

  it('writes the paid order with signed tickets, sells the held seats and marks the payment succeeded', () => {
    minted = 0;
    const decided = decideCardCompletion(held, completion(), ctx);
    if (!decided.ok) throw new Error(decided.message);
    const writes = decided.value;
    expect(written(writes, 'orders')).toEqual([
      expect.objectContaining({
        id: orderId,
        status: 'paid',
        paymentMethod: 'card',
        channel: 'box_office',
        totalCents: 3000,
        shiftId: ids.shift,
        tenderedCents: null,
      }),
    ]);
    expect(
      written(writes, 'tickets').map((ticket) => [ticket.ticketTypeId, ticket.secret, ticket.allocationId]),
    ).toEqual([
      [ids.adult, `signed:${ids.adult}:1`, null],
      [ids.adult, `signed:${ids.adult}:2`, null],
      [ids.child, `signed:${ids.child}:3`, null],
    ]);
    expect(written(writes, 'quotas')).toEqual([
      expect.objectContaining({ id: ids.quota, sold: 50, allocated: 4 }),
      expect.objectContaining({ id: ids.otherQuota, sold: 31, allocated: 9 }),
    ]);
    expect(written(writes, 'payments')).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        completedAt: '2026-12-05T18:02:00.000Z',
        cardBrand: 'visa',
        cardLast4: '4242',
      }),
    ]);
  });

  it('takes seats again for money that came after the hold was released, if they are still free', () => {
    const released = rows({ payments: [paymentRow({ status: 'cancelled' })] });
    const late = decideCardCompletion(
      released,
      completion({ holds: {}, payment: paymentRow({ status: 'cancelled' }) }),
      ctx,
    );
    if (!late.ok) throw new Error(late.message);
    expect(written(late.value, 'quotas')).toEqual([
      expect.objectContaining({ id: ids.quota, sold: 50, allocated: 4 }),
      expect.objectContaining({ id: ids.otherQuota, sold: 31, allocated: 9 }),
    ]);
    const gone = rows({
      quotas: [
        quotaRow(),
        quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 40, allocated: 0 }),
      ],
    });
    expect(decideCardCompletion(gone, completion({ holds: {} }), ctx)).toMatchObject({
      ok: false,
      code: 'sold_out',
    });
  });

  it('never writes the order twice', () => {
    expect(
      decideCardCompletion(rows({ orders: [orderRow({ id: orderId })] }), completion(), ctx),
    ).toMatchObject({
      code: 'already_exists',
    });
  });
});

describe('decideRelease', () => {
  it('gives the held seats back and says why', () => {
    const writes = decideRelease(
      rows(),
      paymentRow(),
      { [ids.quota]: 2 },
      { status: 'declined', reason: 'The card was declined.' },
    );
    expect(written(writes, 'quotas')).toEqual([expect.objectContaining({ id: ids.quota, allocated: 2 })]);
    expect(written(writes, 'payments')).toEqual([
      expect.objectContaining({ status: 'declined', failureReason: 'The card was declined.' }),
    ]);
  });
});

describe('nextPaymentStep', () => {
  const signals: Record<string, PaymentSignal> = {
    waiting: { kind: 'waiting_for_card' },
    processing: { kind: 'processing' },
    succeeded: { kind: 'succeeded' },
    declined: { kind: 'declined', reason: 'no' },
    cancelled: { kind: 'cancelled', reason: 'stop' },
    expired: { kind: 'expired', reason: 'late' },
  };
  const step = (status: string, signal: string) => nextPaymentStep(status, signals[signal]!).step;

  it('moves an open payment forward only', () => {
    expect(step('pending', 'waiting')).toBe('advance');
    expect(step('pending', 'processing')).toBe('advance');
    expect(step('waiting_for_card', 'processing')).toBe('advance');
    expect(step('processing', 'waiting')).toBe('ignore');
    expect(step('processing', 'processing')).toBe('ignore');
  });

  it('ends an open payment once: paid, or released', () => {
    for (const status of ['pending', 'waiting_for_card', 'processing']) {
      expect(step(status, 'succeeded')).toBe('complete');
      for (const end of ['declined', 'cancelled', 'expired']) expect(step(status, end)).toBe('release');
    }
    for (const status of [
      'succeeded',
      'declined',
      'cancelled',
      'expired',
      'failed',
      'refunded',
      'partially_refunded',
    ]) {
      for (const signal of ['waiting', 'processing', 'declined', 'cancelled', 'expired']) {
        expect(step(status, signal), `${status} ← ${signal}`).toBe('ignore');
      }
    }
  });

  it('never loses money that arrives after the payment ended unpaid, and never takes it twice', () => {
    for (const status of ['declined', 'cancelled', 'expired', 'failed'])
      expect(step(status, 'succeeded')).toBe('late_success');
    for (const status of ['succeeded', 'refunded', 'partially_refunded'])
      expect(step(status, 'succeeded')).toBe('ignore');
  });
});

describe('failureInWords', () => {
  it('words known codes and never repeats free text', () => {
    expect(failureInWords('insufficient_funds')).toBe('The card was declined: not enough funds.');
    expect(failureInWords('something_new')).toBe('The card payment did not go through (something new).');
    expect(failureInWords('Card 4242 4242 4242 4242 refused')).toBe('The card payment did not go through.');
    expect(failureInWords(null)).toBe('The card payment did not go through.');
  });
});

describe('card refunds', () => {
  const paid = paymentRow({ status: 'succeeded', completedAt: at });
  const refundArgs = {
    orderId,
    auditId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    action: 'refund' as const,
    reason: 'Could not come',
    shiftId: null,
    at: '2026-12-05T20:00:00.000Z',
  };
  const order = orderRow({
    id: orderId,
    paymentMethod: 'card',
    totalCents: 3000,
    tenderedCents: null,
    changeCents: null,
  });
  const soldRows = rows({
    orders: [order],
    tickets: [ticketRow(0, { orderId }), ticketRow(1, { orderId })],
    payments: [paid],
  });

  it('refuses more than what is left of the payment, and a payment that never went through', () => {
    expect(cardRefundAmount(paid, 0, 3001)).toEqual({
      ok: false,
      code: 'refund_exceeds_payment',
      message: 'A refund of 30.01 EUR is more than the 30.00 EUR left to refund on this card payment.',
    });
    expect(
      cardRefundAmount(paymentRow({ status: 'succeeded', refundedCents: 1000 }), 500, 1600),
    ).toMatchObject({
      code: 'refund_exceeds_payment',
    });
    expect(cardRefundAmount(paymentRow({ status: 'cancelled' }), 0, undefined)).toMatchObject({
      code: 'not_refundable',
    });
    expect(
      cardRefundAmount(paymentRow({ status: 'refunded', refundedCents: 3000 }), 0, undefined),
    ).toMatchObject({
      code: 'already_refunded',
    });
    expect(cardRefundAmount(paid, 0, undefined)).toEqual({
      ok: true,
      value: { amountCents: 3000, full: true },
    });
    expect(cardRefundAmount(paid, 0, 1200)).toEqual({ ok: true, value: { amountCents: 1200, full: false } });
  });

  it('refunds the order by the refund rule when all of the payment went back', () => {
    const decided = decideCardRefund(
      soldRows,
      { payment: paid, amountCents: 3000, full: true, args: refundArgs },
      ctx,
    );
    if (!decided.ok) throw new Error(decided.message);
    expect(written(decided.value, 'orders')).toEqual([
      expect.objectContaining({ status: 'refunded', refundReason: 'Could not come' }),
    ]);
    expect(written(decided.value, 'tickets').map((ticket) => ticket.status)).toEqual([
      'refunded',
      'refunded',
    ]);
    expect(written(decided.value, 'ticket_revocations')).toHaveLength(2);
    expect(written(decided.value, 'order_audit')).toEqual([
      expect.objectContaining({
        action: 'refund',
        method: 'card',
        amountCents: 3000,
        userName: 'Sam Cashier',
      }),
    ]);
    expect(written(decided.value, 'payments')).toEqual([
      expect.objectContaining({ status: 'refunded', refundedCents: 3000 }),
    ]);
  });

  it('audits part of the payment going back as a partial refund, the tickets staying valid', () => {
    const decided = decideCardRefund(
      soldRows,
      { payment: paid, amountCents: 1200, full: false, args: refundArgs },
      ctx,
    );
    if (!decided.ok) throw new Error(decided.message);
    expect(written(decided.value, 'orders')).toEqual([]);
    expect(written(decided.value, 'tickets')).toEqual([]);
    expect(written(decided.value, 'order_audit')).toEqual([
      expect.objectContaining({ action: 'partial_refund', amountCents: 1200, method: 'card' }),
    ]);
    expect(written(decided.value, 'payments')).toEqual([
      expect.objectContaining({ status: 'partially_refunded', refundedCents: 1200 }),
    ]);
  });

  it('moves only the payment when its order was refunded already', () => {
    const refunded = rows({ orders: [{ ...order, status: 'refunded' }], payments: [paid] });
    const decided = decideCardRefund(
      refunded,
      { payment: paid, amountCents: 3000, full: true, args: refundArgs },
      ctx,
    );
    expect(decided.ok && decided.value.map((write) => write.table)).toEqual(['payments']);
  });
});
