import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intentObject, paymentsSuite } from './stripe-fixture.ts';
import { apiClient, command, enroll, memberWithRole, serverError, signIn, versions } from './support.ts';

/**
 * Card refunds: money back through Stripe (idempotent by the console's refund id), then the order refunded by
 * the same rule as a cash refund (tickets revoked, seats back, audited); part of a payment audited as a
 * partial refund; never more than is left; refunds made in Stripe's dashboard reconciled from its events.
 */
const suite = paymentsSuite();

async function paidSale(quantity: number) {
  const started = await suite.startPayment(quantity);
  await suite.postEvent('payment_intent.succeeded', intentObject(started.intentId, started.ref));
  expect(await suite.paymentRow(started.paymentId)).toMatchObject({ status: 'succeeded' });
  return started;
}

async function audits(orderId: string) {
  const result = await suite.server.db.adminPool.query<Record<string, unknown>>(
    'SELECT action, method, amount_cents, user_name, reason FROM order_audit WHERE order_id = $1 ORDER BY created_at',
    [orderId],
  );
  return result.rows;
}

const refund = (orderId: string, over: object = {}) =>
  suite.till.api.payments.refund.mutate({
    orderId,
    refundId: randomUUID(),
    reason: 'Could not come',
    shiftId: suite.till.shiftId,
    ...over,
  });

describe.skipIf(!suite.available)('card refunds', () => {
  it('gives the money back through Stripe and refunds the order as a cash refund is, once', async () => {
    const { orderId, paymentId, sale, intentId } = await paidSale(2);
    const calls = suite.calls.refund ?? 0;
    const refundId = randomUUID();
    const state = await refund(orderId, { refundId });
    expect(state).toMatchObject({ status: 'refunded', refundedCents: 5000 });
    expect((suite.calls.refund ?? 0) - calls).toBe(1);

    const { order, tickets } = await suite.orderOf(orderId);
    expect(order).toMatchObject({ status: 'refunded', refund_reason: 'Could not come' });
    expect(tickets.map((ticket) => ticket.status)).toEqual(['refunded', 'refunded']);
    const revoked = await suite.server.db.adminPool.query(
      'SELECT 1 FROM ticket_revocations WHERE id = ANY($1)',
      [tickets.map((ticket) => ticket.id)],
    );
    expect(revoked.rowCount).toBe(2);
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    expect(await audits(orderId)).toEqual([
      {
        action: 'refund',
        method: 'card',
        amount_cents: 5000,
        user_name: 'Dana Demo',
        reason: 'Could not come',
      },
    ]);

    // The same refund asked again (a double click, a lost answer): the same answer, no second refund.
    expect(await refund(orderId, { refundId })).toMatchObject({ status: 'refunded' });
    expect((suite.calls.refund ?? 0) - calls).toBe(1);
    // Stripe's own report of it changes nothing more.
    const reported = await suite.postEvent('charge.refunded', {
      id: `ch_${paymentId.slice(0, 8)}`,
      object: 'charge',
      payment_intent: intentId,
      amount_refunded: 5000,
    });
    expect(reported.status).toBe(200);
    expect(await audits(orderId)).toHaveLength(1);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'refunded', refunded_cents: 5000 });
  });

  it('refuses a refund larger than what is left of the payment, asking Stripe nothing', async () => {
    const { orderId } = await paidSale(2);
    const calls = suite.calls.refund ?? 0;
    const refused = await serverError(refund(orderId, { amountCents: 5001 }));
    expect(refused).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'A refund of 50.01 EUR is more than the 50.00 EUR left to refund on this card payment.',
    });
    expect(suite.calls.refund ?? 0).toBe(calls);
    expect((await suite.orderOf(orderId)).order).toMatchObject({ status: 'paid' });
  });

  it('audits part of a payment going back, then refunds the order with the rest', async () => {
    const { orderId, paymentId } = await paidSale(2);
    expect(await refund(orderId, { amountCents: 1000, reason: 'Late start' })).toMatchObject({
      status: 'partially_refunded',
      refundedCents: 1000,
    });
    expect((await suite.orderOf(orderId)).tickets.map((ticket) => ticket.status)).toEqual(['valid', 'valid']);
    expect(await refund(orderId, { amountCents: 4001 }).catch((error: Error) => error.message)).toMatch(
      /40.00 EUR left/,
    );
    expect(await refund(orderId)).toMatchObject({ status: 'refunded', refundedCents: 5000 });
    expect((await audits(orderId)).map((audit) => [audit.action, audit.amount_cents])).toEqual([
      ['partial_refund', 1000],
      ['refund', 4000],
    ]);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ refunded_cents: 5000 });
  });

  it('records a refund made in Stripe’s dashboard by the same rule, as Stripe’s', async () => {
    const { orderId, intentId } = await paidSale(1);
    await suite.postEvent('charge.refunded', {
      id: 'ch_dashboard',
      object: 'charge',
      payment_intent: intentId,
      amount_refunded: 2500,
    });
    expect((await suite.orderOf(orderId)).order).toMatchObject({ status: 'refunded' });
    expect(await audits(orderId)).toEqual([
      expect.objectContaining({ action: 'refund', user_name: 'Stripe', amount_cents: 2500, method: 'card' }),
    ]);
  });

  it('keeps a refund Stripe could not be reached for, and finishes it when asked again', async () => {
    const { orderId } = await paidSale(1);
    const refundId = randomUUID();
    suite.faults.set('refund', null);
    try {
      expect(await serverError(refund(orderId, { refundId }))).toMatchObject({
        code: 'PRECONDITION_FAILED',
        message: 'Stripe could not be reached. Try the refund again.',
      });
    } finally {
      suite.faults.delete('refund');
    }
    expect((await suite.orderOf(orderId)).order).toMatchObject({ status: 'paid' });
    // Meanwhile another refund cannot take the same money.
    expect((await serverError(refund(orderId))).message).toMatch(/more than|All of this/);
    expect(await refund(orderId, { refundId })).toMatchObject({ status: 'refunded' });
  });

  it('finishes a refund Stripe took when its answer was lost, from Stripe’s refund event', async () => {
    const { orderId, paymentId, intentId } = await paidSale(1);
    const refundId = randomUUID();
    suite.faults.set('refund', null);
    try {
      await serverError(refund(orderId, { refundId }));
    } finally {
      suite.faults.delete('refund');
    }
    // Stripe did take it (the answer never came back): its event settles the order without the cashier.
    await suite.postEvent('refund.updated', {
      id: 're_LostAnswer',
      object: 'refund',
      payment_intent: intentId,
      status: 'succeeded',
      amount: 2500,
      metadata: { janix_org_id: suite.orgId, janix_payment_id: paymentId, janix_refund_id: refundId },
    });
    expect((await suite.orderOf(orderId)).order).toMatchObject({ status: 'refunded' });
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'refunded', refunded_cents: 2500 });
    expect(await audits(orderId)).toEqual([
      expect.objectContaining({ action: 'refund', user_name: 'Dana Demo' }),
    ]);
    // Asked again by the cashier: done already.
    expect(await refund(orderId, { refundId })).toMatchObject({ status: 'refunded' });
  });

  it('records a refund Stripe reports as failed on the payment, in plain words', async () => {
    const { orderId, paymentId, intentId } = await paidSale(1);
    const refundId = randomUUID();
    await refund(orderId, { refundId });
    await suite.postEvent('refund.failed', {
      id: 're_Failed',
      object: 'refund',
      payment_intent: intentId,
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
      metadata: { janix_org_id: suite.orgId, janix_payment_id: paymentId, janix_refund_id: refundId },
    });
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      failure_reason:
        'A refund failed at Stripe (expired or canceled card): the money did not go back to the card.',
    });
  });

  it('refuses what is not a paid card payment, and who may not refund', async () => {
    const started = await suite.startPayment(1);
    await suite.till.api.payments.cancel.mutate({ paymentId: started.paymentId });
    expect(await serverError(refund(started.orderId))).toMatchObject({
      message: 'This card payment did not go through: there is nothing to refund.',
    });
    expect((await serverError(refund(randomUUID()))).code).toBe('NOT_FOUND');

    // A console's own refund of a card order (pushed as a command) is refused: it goes through Stripe.
    const { orderId } = await paidSale(1);
    const pushed = await suite.till.api.sync.push.mutate({
      ...versions,
      commands: [
        command((suite.till.seq += 1), 'refundOrder', {
          orderId,
          auditId: randomUUID(),
          action: 'refund',
          reason: 'At the till',
          shiftId: suite.till.shiftId,
          at: new Date().toISOString(),
        }),
      ],
    });
    expect(pushed.results[0]).toMatchObject({ status: 'rejected', code: 'card_refund_unavailable' });

    const scanner = await signIn(suite.server, memberWithRole(suite.demo, 'check_in'));
    const door = await enroll(suite.server, scanner.session, suite.orgId, 'Door');
    const api = apiClient(suite.server, { session: scanner.session, device: door.deviceToken });
    const forbidden = await serverError(
      api.payments.refund.mutate({ orderId, refundId: randomUUID(), reason: 'x', shiftId: null }),
    );
    expect(forbidden.code).toBe('FORBIDDEN');
    expect((await serverError(api.payments.availability.query())).code).toBe('FORBIDDEN');
  });
});
