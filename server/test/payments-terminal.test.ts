import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicketSecretVerifier } from '@janix/domain/ticket-secrets';
import { loadTicketVerificationKeys } from '../src/tickets/signing-keys.ts';
import { intentObject, paymentsSuite } from './stripe-fixture.ts';
import { deliveredRows, pullAll, serverError } from './support.ts';

/**
 * A card sale at the door on the till's reader (Stripe Terminal, server-driven): the server holds the seats,
 * makes the PaymentIntent and hands it to the reader; Stripe's events move the payment on; the order exists
 * only once the money is there, and a payment that ends otherwise gives its seats back.
 */
const suite = paymentsSuite();

const startOnReader = (quantity: number, event?: Awaited<ReturnType<typeof suite.newEvent>>) =>
  suite.startPayment(quantity, { event });

describe.skipIf(!suite.available)('card at the door, on the reader', () => {
  it('holds the seats and waits for the card; the order exists once Stripe says the money is there', async () => {
    const { sale, paymentId, orderId, state, intentId } = await startOnReader(2);
    expect(state).toMatchObject({
      status: 'waiting_for_card',
      kind: 'terminal',
      amountCents: 5000,
      currency: 'EUR',
    });
    expect(intentId).toMatch(/^pi_/);
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 2 });
    expect((await suite.orderOf(orderId)).order).toBeNull();

    const ref = { orgId: suite.orgId, paymentId };
    expect((await suite.postEvent('payment_intent.processing', intentObject(intentId, ref))).status).toBe(
      200,
    );
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'processing' });
    await suite.postEvent('charge.succeeded', {
      id: `ch_${paymentId.slice(0, 8)}`,
      object: 'charge',
      payment_intent: intentId,
      amount_refunded: 0,
      payment_method_details: { type: 'card_present', card_present: { brand: 'visa', last4: '4242' } },
    });
    expect((await suite.postEvent('payment_intent.succeeded', intentObject(intentId, ref))).status).toBe(200);

    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'succeeded',
      card_brand: 'visa',
      card_last4: '4242',
      cart: null,
      holds: {},
    });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 2, allocated: 0 });
    const { order, tickets } = await suite.orderOf(orderId);
    expect(order).toMatchObject({
      status: 'paid',
      payment_method: 'card',
      channel: 'box_office',
      total_cents: 5000,
      shift_id: suite.till.shiftId,
    });
    expect(tickets).toHaveLength(2);
    // Each ticket carries a secret signed with the organization's key, as a till's tickets do.
    const verifier = createTicketSecretVerifier(
      await loadTicketVerificationKeys(suite.server.db.adminPool, suite.orgId),
    );
    for (const ticket of tickets) {
      expect(verifier.verify(ticket.secret)).toMatchObject({
        ok: true,
        payload: { ticketId: ticket.id, ticketTypeId: sale.ticketTypeId },
      });
    }

    // Every console sees the payment and its order in the feed.
    const { pages } = await pullAll(suite.till.api);
    const rows = deliveredRows(pages);
    expect(rows.find((row) => row.table === 'payments' && row.row.id === paymentId)?.row).toMatchObject({
      status: 'succeeded',
      card_last4: '4242',
      order_id: orderId,
    });
    expect(rows.some((row) => row.table === 'orders' && row.row.id === orderId)).toBe(true);
  });

  it('gives the seats back when the card is declined on the reader, and ignores the decline told again', async () => {
    const { sale, paymentId, orderId, intentId } = await startOnReader(3);
    const declined = await suite.postEvent('terminal.reader.action_failed', {
      id: 'tmr_FrontDesk',
      object: 'terminal.reader',
      action: {
        type: 'process_payment_intent',
        status: 'failed',
        failure_code: 'card_declined',
        failure_message: 'Your card was declined.',
        process_payment_intent: { payment_intent: intentId },
      },
    });
    expect(declined.status).toBe(200);
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'declined',
      failure_reason: 'The card was declined.',
      holds: {},
    });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    const again = await suite.postEvent(
      'payment_intent.payment_failed',
      intentObject(
        intentId,
        { orgId: suite.orgId, paymentId },
        { last_payment_error: { code: 'card_declined' } },
      ),
    );
    expect(again.status).toBe(200);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'declined' });
    expect((await suite.orderOf(orderId)).order).toBeNull();
  });

  it('lets the cashier cancel: the reader stops, the seats go back', async () => {
    const { sale, paymentId } = await startOnReader(1);
    const cancelled = await suite.till.api.payments.cancel.mutate({ paymentId });
    expect(cancelled).toMatchObject({ status: 'cancelled', failureReason: 'Cancelled at the till.' });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    // Cancelling again answers the same.
    expect(await suite.till.api.payments.cancel.mutate({ paymentId })).toMatchObject({ status: 'cancelled' });
  });

  it('charges once however often the cashier clicks', async () => {
    const sale = await suite.newEvent(100);
    const paymentId = randomUUID();
    const input = {
      paymentId,
      orderId: randomUUID(),
      method: 'reader' as const,
      cart: suite.cartOf(sale, 2),
    };
    const created = suite.calls.createTerminalPayment ?? 0;
    const processed = suite.calls.processOnReader ?? 0;
    const answers = await Promise.all([
      suite.till.api.payments.start.mutate(input),
      suite.till.api.payments.start.mutate(input),
      suite.till.api.payments.start.mutate(input),
    ]);
    expect(new Set(answers.map((answer) => answer.paymentId))).toEqual(new Set([paymentId]));
    expect(await suite.quota(sale.quotaId)).toMatchObject({ allocated: 2 });
    expect((suite.calls.createTerminalPayment ?? 0) - created).toBe(1);
    expect((suite.calls.processOnReader ?? 0) - processed).toBe(1);
    const count = await suite.server.db.adminPool.query('SELECT 1 FROM payments WHERE order_id = $1', [
      input.orderId,
    ]);
    expect(count.rowCount).toBe(1);
  });

  it('refuses a sale whose seats are not there, holding nothing and asking Stripe nothing', async () => {
    const sale = await suite.newEvent(3);
    await startOnReader(2, sale);
    const created = suite.calls.createTerminalPayment ?? 0;
    const refused = await serverError(
      suite.till.api.payments.start.mutate({
        paymentId: randomUUID(),
        orderId: randomUUID(),
        method: 'reader',
        cart: suite.cartOf(sale, 2),
      }),
    );
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'Only 1 of Floor is left.' });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 2, capacity: 3 });
    expect(suite.calls.createTerminalPayment ?? 0).toBe(created);
  });

  it('gives the seats back when nobody pays in time', async () => {
    const { sale, paymentId } = await startOnReader(2);
    // The expiry job's run, eleven minutes on (a reader payment holds its seats for ten).
    suite.clock.offsetMs = 11 * 60_000;
    try {
      const { expired } = await suite.server.deps.payments.cards.expireDue();
      expect(expired).toBeGreaterThanOrEqual(1);
    } finally {
      suite.clock.offsetMs = 0;
    }
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'expired',
      failure_reason: 'Nobody paid in time: the seats went back.',
    });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ allocated: 0 });

    // A week on, the buyer details it kept in case money still came are gone; its row stays (a ledger).
    expect((await suite.paymentRow(paymentId))!.cart).not.toBeNull();
    suite.clock.offsetMs = 8 * 24 * 60 * 60_000;
    try {
      expect((await suite.server.deps.payments.cards.expireDue()).cartsCleared).toBeGreaterThanOrEqual(1);
    } finally {
      suite.clock.offsetMs = 0;
    }
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'expired', cart: null });
  });

  it('takes money that arrives after a cancel into the sale while its seats are free', async () => {
    const { sale, paymentId, orderId, intentId } = await startOnReader(2);
    await suite.till.api.payments.cancel.mutate({ paymentId });
    await suite.postEvent(
      'payment_intent.succeeded',
      intentObject(intentId, { orgId: suite.orgId, paymentId }),
    );
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'succeeded' });
    expect((await suite.orderOf(orderId)).tickets).toHaveLength(2);
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 2, allocated: 0 });
  });

  it('refunds money that arrives after a cancel once the seats went to others', async () => {
    const sale = await suite.newEvent(2);
    const first = await startOnReader(2, sale);
    await suite.till.api.payments.cancel.mutate({ paymentId: first.paymentId });
    // Another buyer takes the two seats meanwhile.
    await startOnReader(2, sale);
    const refunds = suite.calls.refund ?? 0;
    const late = await suite.postEvent(
      'payment_intent.succeeded',
      intentObject(first.intentId, { orgId: suite.orgId, paymentId: first.paymentId }),
    );
    expect(late.status).toBe(200);
    expect(await suite.paymentRow(first.paymentId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 5000,
    });
    expect((suite.calls.refund ?? 0) - refunds).toBe(1);
    expect((await suite.orderOf(first.orderId)).order).toBeNull();
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 2 });
  });
});
