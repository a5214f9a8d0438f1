import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicketSecretVerifier } from '@janix/domain/ticket-secrets';
import { loadTicketVerificationKeys } from '../src/tickets/signing-keys.ts';
import { postStripeEvent, signedStripeEvent } from '../src/testing/web-shop.ts';
import { webShopSuite } from './web-shop-fixture.ts';
import { deliveredRows, pullAll } from './support.ts';

/**
 * A web checkout from the form to the order: the seats are held as a card sale holds them (kind web_checkout,
 * no till, no shift), the buyer goes to Stripe Checkout, and Stripe's signed events complete the order with
 * signed tickets and the buyer (with their consent choices) in one transaction, or give the seats back.
 * Repeated and out-of-order events end the same; quotas hold with tills asking for seats at the same time.
 */
const suite = webShopSuite();

async function startCheckout(quantity = 2, over: Parameters<typeof suite.checkout>[2] = {}) {
  const event = await suite.newEvent([{ capacity: 10 }]);
  const answer = await suite.checkout(event, quantity, over);
  expect(answer.status).toBe(303);
  return { event, ...(await suite.paymentOfLocation(answer.location)), location: answer.location! };
}

async function consentRecord(paymentId: string) {
  const found = await suite.server.db.adminPool.query<Record<string, unknown>>(
    'SELECT * FROM web_checkouts WHERE payment_id = $1',
    [paymentId],
  );
  return found.rows[0] ?? null;
}

describe.skipIf(!suite.available)('web checkout', () => {
  it('holds the seats like a card sale and sends the buyer to a Checkout page made for the payment', async () => {
    const before = suite.calls.createCheckoutSession ?? 0;
    const { event, row, location, paymentId } = await startCheckout(2, {
      buyer: suite.buyer({ consent: ['marketing', 'enrichment'] }),
    });
    expect(location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    expect((suite.calls.createCheckoutSession ?? 0) - before).toBe(1);
    expect(row).toMatchObject({
      kind: 'web_checkout',
      status: 'waiting_for_card',
      event_id: event.eventId,
      device_id: null,
      shift_id: null,
      reader_id: null,
      amount_cents: 5000,
      currency: 'EUR',
      updated_by: 'Web shop',
      holds: { [event.types[0]!.quotaId]: 2 },
    });
    const holdMinutes = ((row.expires_at as Date).getTime() - (row.created_at as Date).getTime()) / 60_000;
    expect(holdMinutes).toBe(30);
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 2 });
    expect((await suite.orderOf(row.order_id as string)).order).toBeNull();
    expect(await consentRecord(paymentId)).toMatchObject({
      marketing_consent: true,
      ads_consent: false,
      enrichment_consent: true,
      policy_version: '2026-02-04',
      person_id: null,
      completed_at: null,
    });
  });

  it('is one payment and one Checkout page however often the form is sent', async () => {
    const event = await suite.newEvent([{ capacity: 10 }]);
    const attemptId = randomUUID();
    const buyer = suite.buyer();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => suite.checkout(event, 3, { attemptId, buyer })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([303, 303, 303, 303]);
    expect(new Set(answers.map((answer) => answer.location)).size).toBe(1);
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ allocated: 3 });
    const payments = await suite.server.db.adminPool.query('SELECT id FROM payments WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(payments.rows).toEqual([{ id: attemptId }]);

    // Sent again once paid: the page that says how the order stands, not a second sale.
    const { sessionId } = await suite.paymentOfLocation(answers[0]!.location);
    await suite.sessionEvent('checkout.session.completed', { sessionId, paymentId: attemptId });
    const again = await suite.checkout(event, 3, { attemptId, buyer });
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/shop/${event.eventId}/done?payment=${attemptId}`);
    const done = await fetch(`${suite.server.url}${again.location}`);
    expect(await done.text()).toMatch(/Your order [A-Z0-9-]+ is confirmed/);
  });

  it('says a sold-out type is sold out, and holds nothing for that buyer', async () => {
    const event = await suite.newEvent([{ name: 'Front row', capacity: 3 }]);
    expect((await suite.checkout(event, 2)).status).toBe(303);
    const tooMany = await suite.checkout(event, 2);
    expect(tooMany.status).toBe(409);
    expect(tooMany.html).toContain(
      'Sorry, not enough tickets are left for this order: Only 1 of Quota 1 is left.',
    );
    expect(tooMany.html).toContain('1 left');
    expect((await suite.checkout(event, 1)).status).toBe(303);
    const soldOut = await suite.checkout(event, 1);
    expect(soldOut.status).toBe(409);
    expect(soldOut.html).toContain('Quota 1 is sold out.');
    expect(soldOut.html).toContain('This event is sold out online.');
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 3 });
    const payments = await suite.server.db.adminPool.query('SELECT 1 FROM payments WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(payments.rowCount).toBe(2);
  });

  it('writes the paid order, its signed tickets and the buyer with their choices, once', async () => {
    const buyer = suite.buyer({ phone: '+49 40 1234567', ageRange: '25_34', consent: ['marketing'] });
    const { event, sessionId, paymentId, row } = await startCheckout(2, { buyer });
    const orderId = row.order_id as string;
    const completedId = `evt_${randomUUID().replaceAll('-', '')}`;
    const first = await suite.sessionEvent(
      'checkout.session.completed',
      { sessionId, paymentId },
      {},
      { id: completedId },
    );
    expect(first).toMatchObject({ status: 200, body: { received: true } });
    // Marked handled by the transaction that wrote the order, not by a statement after it.
    const stored = await suite.server.db.adminPool.query(
      'SELECT processed_at, outcome, claimed_until FROM stripe_events WHERE id = $1',
      [completedId],
    );
    expect(stored.rows[0]).toMatchObject({ outcome: 'completed', claimed_until: null });
    expect(stored.rows[0].processed_at).toBeInstanceOf(Date);

    const { order, tickets, person } = await suite.orderOf(orderId);
    expect(order).toMatchObject({
      status: 'paid',
      channel: 'online',
      payment_method: 'card',
      total_cents: 5000,
      shift_id: null,
      event_id: event.eventId,
    });
    expect(person).toMatchObject({
      first_name: 'Grace',
      last_name: 'Hopper',
      email: buyer.email,
      phone: '+49 40 1234567',
      age_range: '25_34',
      marketing_consent: true,
    });
    expect(tickets).toHaveLength(2);
    const verifier = createTicketSecretVerifier(
      await loadTicketVerificationKeys(suite.server.db.adminPool, suite.orgId),
    );
    for (const ticket of tickets) {
      expect(ticket).toMatchObject({ person_id: person!.id, status: 'valid' });
      expect(verifier.verify(ticket.secret as string)).toMatchObject({
        ok: true,
        payload: { ticketId: ticket.id, ticketTypeId: event.types[0]!.ticketTypeId },
      });
    }
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 2, allocated: 0 });
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'succeeded', cart: null, holds: {} });
    const consent = await consentRecord(paymentId);
    expect(consent).toMatchObject({ person_id: person!.id, marketing_consent: true, ads_consent: false });
    expect(consent!.completed_at).toBeInstanceOf(Date);
    // The order, its tickets and its buyer were one version of the organization: one transaction.
    const versions = await suite.server.db.adminPool.query<{ version: string }>(
      `SELECT DISTINCT version FROM (
         SELECT version FROM orders WHERE id = $1 UNION ALL SELECT version FROM tickets WHERE order_id = $1
         UNION ALL SELECT version FROM people WHERE id = $2 UNION ALL SELECT version FROM payments WHERE id = $3) v`,
      [orderId, person!.id, paymentId],
    );
    expect(versions.rowCount).toBe(1);

    // Stripe delivers again, and says the same thing in other events: nothing is doubled.
    const repeated = await suite.sessionEvent(
      'checkout.session.completed',
      { sessionId, paymentId },
      {},
      { id: completedId },
    );
    expect(repeated.body).toMatchObject({ duplicate: true });
    await suite.sessionEvent('checkout.session.async_payment_succeeded', { sessionId, paymentId });
    await suite.sessionEvent('checkout.session.completed', { sessionId, paymentId });
    // An expiry that arrives after the payment (out of order) changes nothing.
    await suite.sessionEvent('checkout.session.expired', { sessionId, paymentId }, { status: 'expired' });
    expect((await suite.orderOf(orderId)).tickets).toHaveLength(2);
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 2, allocated: 0 });
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'succeeded' });
    const orders = await suite.server.db.adminPool.query('SELECT 1 FROM orders WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(orders.rowCount).toBe(1);

    // A console sees the order, its tickets and the buyer in the feed.
    const rows = deliveredRows((await pullAll(suite.ownerDevice.api)).pages);
    expect(
      rows.find((delivered) => delivered.table === 'orders' && delivered.row.id === orderId)?.row,
    ).toMatchObject({
      channel: 'online',
      status: 'paid',
    });
    expect(
      rows.filter((delivered) => delivered.table === 'tickets' && delivered.row.order_id === orderId),
    ).toHaveLength(2);
    expect(
      rows.find((delivered) => delivered.table === 'people' && delivered.row.id === person!.id)?.row,
    ).toMatchObject({
      email: buyer.email,
      marketing_consent: true,
    });
  });

  it('completes many sessions paid at once together: each order once, one record per buyer, seats sold', async () => {
    const event = await suite.newEvent([{ capacity: 60 }]);
    const sharedEmail = `family-${randomUUID().slice(0, 8)}@buyers.janix.test`;
    const started = await Promise.all(
      Array.from({ length: 24 }, async (_, index) => {
        // Two of them are one buyer, who gives marketing consent on the second order only.
        const buyer =
          index < 2
            ? suite.buyer({ email: sharedEmail, consent: index === 1 ? ['marketing'] : [] })
            : suite.buyer();
        return suite.paymentOfLocation((await suite.checkout(event, 2, { buyer })).location);
      }),
    );
    // Every session reported at once, some twice (Stripe retries), and one naming a payment not its own.
    const stranger = started[23]!;
    const answers = await Promise.all([
      ...started.slice(0, 23).map((payment) => suite.sessionEvent('checkout.session.completed', payment)),
      ...started.slice(0, 5).map((payment) => suite.sessionEvent('checkout.session.completed', payment)),
      suite.sessionEvent('checkout.session.completed', {
        sessionId: stranger.sessionId,
        paymentId: started[0]!.paymentId,
      }),
    ]);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const orders = await suite.server.db.adminPool.query<{ person_id: string }>(
      'SELECT person_id FROM orders WHERE event_id = $1',
      [event.eventId],
    );
    expect(orders.rowCount).toBe(23);
    // Written together: fewer transactions (versions of the organization) than orders.
    const written = await suite.server.db.adminPool.query(
      'SELECT DISTINCT version FROM orders WHERE event_id = $1',
      [event.eventId],
    );
    expect(written.rowCount).toBeLessThan(23);
    const tickets = await suite.server.db.adminPool.query('SELECT 1 FROM tickets WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(tickets.rowCount).toBe(46);
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 46, allocated: 2 });
    expect(await suite.paymentRow(stranger.paymentId)).toMatchObject({ status: 'waiting_for_card' });
    const family = await suite.server.db.adminPool.query<{ id: string; marketing_consent: boolean }>(
      'SELECT id, marketing_consent FROM people WHERE email = $1',
      [sharedEmail],
    );
    expect(family.rows).toEqual([{ id: expect.any(String), marketing_consent: true }]);
    expect(orders.rows.filter((order) => order.person_id === family.rows[0]!.id)).toHaveLength(2);
  });

  it('keeps one record for a returning buyer: a ticked choice is given, an unticked one takes nothing back', async () => {
    const email = `returning-${randomUUID().slice(0, 8)}@buyers.janix.test`;
    const complete = async (consent: Array<'marketing' | 'ads' | 'enrichment'>) => {
      const started = await startCheckout(1, { buyer: suite.buyer({ email, consent }) });
      await suite.sessionEvent('checkout.session.completed', started);
      return suite.orderOf(started.row.order_id as string);
    };
    const first = await complete([]);
    expect(first.person).toMatchObject({ email, marketing_consent: false });
    const second = await complete(['marketing']);
    expect(second.person).toMatchObject({ id: first.person!.id, marketing_consent: true });
    const third = await complete([]);
    expect(third.person).toMatchObject({ id: first.person!.id, marketing_consent: true });
    const people = await suite.server.db.adminPool.query('SELECT 1 FROM people WHERE email = $1', [email]);
    expect(people.rowCount).toBe(1);
  });

  it('gives the seats back when the session expires or the payment fails later; paid after expiry is attached while seats are free', async () => {
    const expired = await startCheckout(2);
    const quotaId = expired.event.types[0]!.quotaId;
    await suite.sessionEvent('checkout.session.expired', expired, {
      status: 'expired',
      payment_status: 'unpaid',
    });
    expect(await suite.paymentRow(expired.paymentId)).toMatchObject({ status: 'expired', holds: {} });
    expect(await suite.quota(quotaId)).toMatchObject({ sold: 0, allocated: 0 });

    // The money comes after all (Stripe's events crossed): the seats are still free, so the sale is made.
    await suite.sessionEvent('checkout.session.completed', expired);
    expect(await suite.paymentRow(expired.paymentId)).toMatchObject({ status: 'succeeded' });
    expect((await suite.orderOf(expired.row.order_id as string)).tickets).toHaveLength(2);
    expect(await suite.quota(quotaId)).toMatchObject({ sold: 2, allocated: 0 });

    // A bank transfer-like payment: completed unpaid, then it fails.
    const slow = await startCheckout(1);
    await suite.sessionEvent('checkout.session.completed', slow, { payment_status: 'unpaid' });
    expect(await suite.paymentRow(slow.paymentId)).toMatchObject({ status: 'processing' });
    await suite.sessionEvent('checkout.session.async_payment_failed', slow, { payment_status: 'unpaid' });
    expect(await suite.paymentRow(slow.paymentId)).toMatchObject({ status: 'declined', holds: {} });
    expect(await suite.quota(slow.event.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    expect((await suite.orderOf(slow.row.order_id as string)).order).toBeNull();
  });

  it('gives the seats back at once when the buyer comes back from Stripe without paying', async () => {
    const left = await startCheckout(2);
    const quotaId = left.event.types[0]!.quotaId;
    const cancelPage = (eventId: string, paymentId: string) =>
      fetch(`${suite.server.url}/shop/${eventId}/done?payment=${paymentId}&cancelled=1`);

    // Stripe cannot be reached: the page says when the seats go back, and they stay held until then.
    suite.faults.add('expireCheckoutSession');
    try {
      const unreachable = await cancelPage(left.event.eventId, left.paymentId);
      expect(unreachable.status).toBe(200);
      expect(await unreachable.text()).toContain('go back on sale within 30 minutes');
      expect(await suite.quota(quotaId)).toMatchObject({ allocated: 2 });
    } finally {
      suite.faults.delete('expireCheckoutSession');
    }

    // Another event's page does not end this event's payment.
    const other = await suite.newEvent([{ capacity: 5 }]);
    expect((await cancelPage(other.eventId, left.paymentId)).status).toBe(404);
    expect(await suite.paymentRow(left.paymentId)).toMatchObject({ status: 'waiting_for_card' });

    const before = suite.calls.expireCheckoutSession ?? 0;
    const back = await cancelPage(left.event.eventId, left.paymentId);
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('the seats you chose are back on sale');
    expect((suite.calls.expireCheckoutSession ?? 0) - before).toBe(1);
    expect(await suite.paymentRow(left.paymentId)).toMatchObject({ status: 'cancelled', holds: {} });
    expect(await suite.quota(quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    // The link followed again changes nothing and asks Stripe nothing.
    expect((await cancelPage(left.event.eventId, left.paymentId)).status).toBe(200);
    expect((suite.calls.expireCheckoutSession ?? 0) - before).toBe(1);
  });

  it('refunds money that arrives after expiry when the seats went to someone else', async () => {
    const event = await suite.newEvent([{ capacity: 2 }]);
    const late = await suite.checkout(event, 2);
    const latePayment = await suite.paymentOfLocation(late.location);
    await suite.sessionEvent('checkout.session.expired', latePayment, { status: 'expired' });
    // Another buyer takes both seats, and pays.
    const other = await suite.paymentOfLocation((await suite.checkout(event, 2)).location);
    await suite.sessionEvent('checkout.session.completed', other);
    const refunds = suite.calls.refund ?? 0;
    await suite.sessionEvent('checkout.session.completed', latePayment);
    expect((suite.calls.refund ?? 0) - refunds).toBe(1);
    expect(await suite.paymentRow(latePayment.paymentId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 5000,
    });
    expect((await suite.orderOf(latePayment.row.order_id as string)).order).toBeNull();
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 2, allocated: 0, capacity: 2 });
    const page = await fetch(
      `${suite.server.url}/shop/${event.eventId}/done?payment=${latePayment.paymentId}`,
    );
    expect(await page.text()).toContain('the full amount went back to your card');
  });

  it('holds nothing when Stripe cannot open the page, and says so', async () => {
    const event = await suite.newEvent([{ capacity: 5 }]);
    suite.faults.add('createCheckoutSession');
    try {
      const answer = await suite.checkout(event, 2);
      expect(answer.status).toBe(503);
      expect(answer.html).toContain('Nothing was charged and no seats are held');
    } finally {
      suite.faults.delete('createCheckoutSession');
    }
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
    const payment = await suite.server.db.adminPool.query('SELECT status FROM payments WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(payment.rows).toEqual([{ status: 'failed' }]);
    expect((await suite.checkout(event, 2)).status).toBe(303);
  });

  it('acts on no event that is not signed by Stripe, or that names another organization', async () => {
    const { event, sessionId, paymentId, row } = await startCheckout(1);
    const forged = signedStripeEvent(
      'checkout.session.completed',
      { id: sessionId, object: 'checkout.session', payment_status: 'paid', metadata: {} },
      'whsec_not_ours',
    );
    expect((await postStripeEvent(suite.server.url, forged)).status).toBe(400);
    const old = signedStripeEvent(
      'checkout.session.completed',
      { id: sessionId, object: 'checkout.session', payment_status: 'paid', metadata: {} },
      'whsec_janixtestsecret',
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect((await postStripeEvent(suite.server.url, old)).status).toBe(400);
    const elsewhere = await suite.sessionEvent(
      'checkout.session.completed',
      { sessionId, paymentId },
      { metadata: { janix_org_id: randomUUID(), janix_payment_id: paymentId } },
    );
    expect(elsewhere.status).toBe(200);
    expect(await suite.paymentRow(paymentId)).toMatchObject({ status: 'waiting_for_card' });
    expect((await suite.orderOf(row.order_id as string)).order).toBeNull();
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 1 });
  });

  it('never sells past capacity with web buyers and box-office tills asking at once', async () => {
    const capacity = 30;
    const event = await suite.newEvent([{ capacity }]);
    const quotaId = event.types[0]!.quotaId;
    const tills = await Promise.all([suite.newTill('Till A'), suite.newTill('Till B')]);
    const webBuyers = Array.from({ length: 24 }, () => suite.checkout(event, 1));
    const tillAsks = tills.map(async (till) => {
      let granted = 0;
      for (let ask = 0; ask < 4; ask += 1) granted += await till.requestSeats(quotaId, 3);
      return granted;
    });
    const [answers, grants] = await Promise.all([Promise.all(webBuyers), Promise.all(tillAsks)]);
    const held = answers.filter((answer) => answer.status === 303).length;
    const refused = answers.filter((answer) => answer.status === 409);
    expect(held + refused.length).toBe(answers.length);
    for (const answer of refused) expect(answer.html).toMatch(/sold out|Only \d+ of/);
    const granted = grants.reduce((sum, seats) => sum + seats, 0);
    const row = await suite.quota(quotaId);
    expect(row.allocated).toBe(held + granted);
    expect(row.sold + row.allocated).toBeLessThanOrEqual(capacity);
    // Every seat was asked for more than once: all of them went to someone.
    expect(held + granted).toBe(capacity);

    // The web buyers pay: sold + what the tills hold still fits.
    const sessions = await suite.server.db.adminPool.query<{
      id: string;
      stripe_checkout_session_id: string;
    }>(
      `SELECT id, stripe_checkout_session_id FROM payments WHERE event_id = $1 AND status = 'waiting_for_card'`,
      [event.eventId],
    );
    await Promise.all(
      sessions.rows.map((payment) =>
        suite.sessionEvent('checkout.session.completed', {
          sessionId: payment.stripe_checkout_session_id,
          paymentId: payment.id,
        }),
      ),
    );
    const after = await suite.quota(quotaId);
    expect(after).toMatchObject({ sold: held, allocated: granted });
    const tickets = await suite.server.db.adminPool.query('SELECT 1 FROM tickets WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(tickets.rowCount).toBe(held);
  });
});
