import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intentObject, paymentsSuite, WEBHOOK_SECRET } from './stripe-fixture.ts';
import { serverError } from './support.ts';

/**
 * Stripe's webhooks as Stripe (and an attacker) may send them: verified on the raw body, stored before acting,
 * deduplicated by event id, safe out of order and repeated; anything not ours is acknowledged and left alone.
 * And the Checkout link a till without a reader shows as a QR.
 */
const suite = paymentsSuite();

async function storedEvent(id: string) {
  const result = await suite.server.db.adminPool.query<{ processed_at: Date | null; outcome: string | null }>(
    'SELECT processed_at, outcome FROM stripe_events WHERE id = $1',
    [id],
  );
  return result.rows[0] ?? null;
}

describe.skipIf(!suite.available)('the webhook endpoint', () => {
  it('refuses what Stripe did not sign, signed too long ago, or signed with another secret, storing nothing', async () => {
    const { ref, intentId, paymentId } = await suite.startPayment(1);
    const object = intentObject(intentId, ref);
    const id = `evt_forged${randomUUID().slice(0, 8)}`;
    const attempts = {
      garbage: await suite.postEvent('payment_intent.succeeded', object, {
        id,
        signature: 'not a signature',
      }),
      wrongSecret: await suite.postEvent('payment_intent.succeeded', object, { id, secret: 'whsec_another' }),
      tooOld: await suite.postEvent('payment_intent.succeeded', object, {
        id,
        timestamp: Math.floor(Date.now() / 1000) - 600,
      }),
      tampered: await suite.postEvent('payment_intent.succeeded', object, {
        id,
        // Stripe's header for another body: the bytes signed are not the bytes sent.
        signature: new (await import('stripe')).default('sk_test_x').webhooks.generateTestHeaderString({
          payload: '{"id":"evt_other"}',
          secret: WEBHOOK_SECRET,
        }),
      }),
    };
    for (const [name, answer] of Object.entries(attempts)) expect(answer.status, name).toBe(400);
    const unsigned = await fetch(`${suite.server.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    expect(unsigned.status).toBe(400);
    expect(await storedEvent(id)).toBeNull();
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'waiting_for_card' });
  });

  it('acts once on an event delivered again, or several times at once', async () => {
    const { ref, intentId, orderId, paymentId } = await suite.startPayment(2);
    const id = `evt_twice${randomUUID().slice(0, 8)}`;
    const deliveries = await Promise.all(
      [1, 2, 3].map(() => suite.postEvent('payment_intent.succeeded', intentObject(intentId, ref), { id })),
    );
    // One delivery handles it; one meeting it in hand is asked to come back (Stripe retries later).
    const statuses = deliveries.map((delivery) => delivery.status);
    expect(statuses).toContain(200);
    for (const status of statuses) expect([200, 409]).toContain(status);
    const later = await suite.postEvent('payment_intent.succeeded', intentObject(intentId, ref), { id });
    expect(later.body).toEqual({ received: true, duplicate: true });
    expect((await suite.orderOf(orderId)).tickets).toHaveLength(2);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'succeeded' });
    expect(await storedEvent(id)).toMatchObject({ outcome: 'completed' });
  });

  it('never moves a payment backwards when events come out of order', async () => {
    const { ref, intentId, paymentId, orderId } = await suite.startPayment(1);
    await suite.postEvent('payment_intent.succeeded', intentObject(intentId, ref));
    await suite.postEvent('payment_intent.processing', intentObject(intentId, ref, { status: 'processing' }));
    await suite.postEvent('terminal.reader.action_succeeded', {
      id: 'tmr_FrontDesk',
      object: 'terminal.reader',
      action: { status: 'succeeded', process_payment_intent: { payment_intent: intentId } },
    });
    await suite.postEvent('payment_intent.canceled', intentObject(intentId, ref, { status: 'canceled' }));
    // The charge (with the card's brand and last four) may come last: it is still recorded.
    await suite.postEvent('charge.succeeded', {
      id: 'ch_late',
      object: 'charge',
      payment_intent: intentId,
      payment_method_details: { card_present: { brand: 'mastercard', last4: '4444' } },
    });
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'succeeded',
      card_brand: 'mastercard',
      card_last4: '4444',
    });
    expect((await suite.orderOf(orderId)).order).toMatchObject({ status: 'paid' });
  });

  it('acknowledges an object of no payment of ours, and another organization’s, without acting', async () => {
    const unknown = await suite.postEvent(
      'payment_intent.succeeded',
      intentObject('pi_SomebodyElse', { orgId: randomUUID(), paymentId: randomUUID() }),
    );
    expect(unknown.status).toBe(200);
    const bare = await suite.postEvent('payment_intent.succeeded', {
      id: 'pi_NoMetadata',
      object: 'payment_intent',
    });
    expect(bare.status).toBe(200);

    // A PaymentIntent of this organization's payment whose metadata claims the other organization.
    const { intentId, paymentId, orderId } = await suite.startPayment(1);
    const otherOrg = { orgId: suite.demoB.org.id, paymentId: randomUUID() };
    const foreign = await suite.postEvent('payment_intent.succeeded', intentObject(intentId, otherOrg), {
      id: 'evt_foreign1',
    });
    expect(foreign.status).toBe(200);
    expect(await storedEvent('evt_foreign1')).toMatchObject({
      outcome: "ignored: the object's metadata names another payment",
    });
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'waiting_for_card' });
    expect((await suite.orderOf(orderId)).order).toBeNull();
    // Metadata naming a payment of ours that already has its own PaymentIntent: not this one's.
    const hijack = await suite.postEvent(
      'payment_intent.succeeded',
      intentObject('pi_Hijack', { orgId: suite.orgId, paymentId }),
    );
    expect(hijack.status).toBe(200);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'waiting_for_card' });

    const other = await suite.postEvent('customer.created', {
      id: 'cus_1',
      object: 'customer',
      email: 'x@y.z',
    });
    expect(other.status).toBe(200);
  });

  it('stores an event before acting: one that fails is answered 500, kept, and handled when sent again', async () => {
    const sale = await suite.newEvent(1);
    const first = await suite.startPayment(1, { event: sale });
    await suite.till.api.payments.cancel.mutate({ paymentId: first.paymentId });
    await suite.startPayment(1, { event: sale });
    // Paid after its cancel, its seat gone: the money must go back, but Stripe cannot be reached now.
    suite.faults.set('refund', null);
    const id = `evt_retry${randomUUID().slice(0, 8)}`;
    try {
      const failed = await suite.postEvent(
        'payment_intent.succeeded',
        intentObject(first.intentId, first.ref),
        {
          id,
        },
      );
      expect(failed.status).toBe(500);
    } finally {
      suite.faults.delete('refund');
    }
    expect(await storedEvent(id)).toMatchObject({ processed_at: null });
    const again = await suite.postEvent('payment_intent.succeeded', intentObject(first.intentId, first.ref), {
      id,
    });
    expect(again.status).toBe(200);
    expect(await storedEvent(id)).toMatchObject({ outcome: 'refunded: paid too late' });
    expect(await suite.paymentRow(first.paymentId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 2500,
    });
  });
});

describe.skipIf(!suite.available)('a Checkout link for a till without a reader', () => {
  it('refuses the reader where there is none, and opens a link for the buyer’s phone', async () => {
    const bare = await suite.newTill('Till without reader');
    const sale = await suite.newEvent(10);
    const refused = await serverError(
      bare.api.payments.start.mutate({
        paymentId: randomUUID(),
        orderId: randomUUID(),
        method: 'reader',
        cart: suite.cartOf(sale, 1, bare),
      }),
    );
    expect(refused.message).toMatch(/no card reader/);
    expect(await bare.api.payments.availability.query()).toEqual({
      available: true,
      reason: null,
      reader: null,
    });

    const { state, sessionId, paymentId, orderId, ref } = await suite.startPayment(2, {
      event: sale,
      from: bare,
      method: 'checkout_link',
    });
    expect(state).toMatchObject({ kind: 'checkout_link', status: 'waiting_for_card' });
    expect(state.checkoutUrl).toMatch(/^https:\/\//);
    expect(sessionId).toMatch(/^cs_/);
    expect(await suite.quota(sale.quotaId)).toMatchObject({ allocated: 2 });

    // A declined card on the page: the buyer tries another; the payment stays open.
    await suite.postEvent(
      'payment_intent.payment_failed',
      intentObject('pi_FromCheckout', ref, { last_payment_error: { code: 'card_declined' } }),
    );
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'waiting_for_card' });

    const paid = await suite.postEvent('checkout.session.completed', {
      id: sessionId,
      object: 'checkout.session',
      payment_intent: 'pi_FromCheckout',
      payment_status: 'paid',
      status: 'complete',
      metadata: { janix_org_id: suite.orgId, janix_payment_id: paymentId },
    });
    expect(paid.status).toBe(200);
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'succeeded',
      stripe_payment_intent_id: 'pi_FromCheckout',
    });
    expect((await suite.orderOf(orderId)).tickets).toHaveLength(2);
    expect(await suite.quota(sale.quotaId)).toMatchObject({ sold: 2, allocated: 0 });
    // The PaymentIntent's own success, told after: nothing more happens.
    await suite.postEvent('payment_intent.succeeded', intentObject('pi_FromCheckout', ref));
    expect((await suite.orderOf(orderId)).tickets).toHaveLength(2);
  });

  it('gives the seats back when the link expires unpaid', async () => {
    const bare = await suite.newTill('Till by the door');
    const { sale, sessionId, paymentId, ref } = await suite.startPayment(1, {
      from: bare,
      method: 'checkout_link',
    });
    await suite.postEvent('checkout.session.expired', {
      id: sessionId,
      object: 'checkout.session',
      payment_intent: null,
      payment_status: 'unpaid',
      metadata: { janix_org_id: ref.orgId, janix_payment_id: paymentId },
    });
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'expired',
      failure_reason: 'The payment link expired: the seats went back.',
    });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ allocated: 0 });
  });
});
