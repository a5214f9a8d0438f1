import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdsCardNumber } from '@janix/schemas';
import { intentObject, paymentsSuite } from './stripe-fixture.ts';
import { pullAll, serverError } from './support.ts';

/**
 * "We do not store your credit card details" (privacy policy): after card sales on a reader and by Checkout
 * link, a decline, a refund, and Stripe events that carry whatever Stripe puts in them (test card numbers
 * included, in fields Janix never reads), nothing in the server's database nor in what a console replicates
 * looks like a card number. Only Stripe's ids, the brand and the last four digits are kept.
 */
const suite = paymentsSuite();

/** Every run of 13 to 19 digits (a card number's length) that passes Luhn's check. */
function cardNumbersIn(text: string): string[] {
  return [...text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)].map((match) => match[0]).filter(holdsCardNumber);
}

const TEST_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';

async function databaseText(): Promise<Array<{ table: string; text: string }>> {
  const tables = await suite.server.db.adminPool.query<{ table_schema: string; table_name: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema IN ('public', 'pgboss')
       -- Migration names are timestamps, not data.
       AND table_name <> 'pgmigrations'`,
  );
  const texts = [];
  for (const { table_schema: schema, table_name: name } of tables.rows) {
    const rows = await suite.server.db.adminPool.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" t`,
    );
    for (const { row } of rows.rows) texts.push({ table: `${schema}.${name}`, text: row });
  }
  return texts;
}

describe.skipIf(!suite.available)('no card data anywhere', () => {
  it('finds the numbers it looks for', () => {
    expect(cardNumbersIn(`paid with ${TEST_CARD}, ref 1234567890123`)).toEqual([TEST_CARD]);
    expect(cardNumbersIn('2026-12-07T05:52:10.564Z 7a4dff92-af06-4bc0-8263-43ad0e984e3b')).toEqual([]);
  });

  it('keeps no card number in the database or the replicas after card sales, declines and refunds', async () => {
    const buyer = {
      personId: randomUUID(),
      firstName: 'Ada',
      lastName: 'Card',
      email: 'ada.card@example.com',
      phone: null,
      ageRange: null,
    };
    // A sale on the reader, paid, with a charge event carrying everything Stripe may put in one.
    const sale = await suite.newEvent(50);
    const paymentId = randomUUID();
    await suite.till.api.payments.start.mutate({
      paymentId,
      orderId: randomUUID(),
      method: 'reader',
      cart: suite.cartOf(sale, 2, suite.till, buyer),
    });
    const paid = (await suite.paymentRow(paymentId))!;
    const ref = { orgId: suite.orgId, paymentId };
    const intentId = paid.stripe_payment_intent_id as string;
    await suite.postEvent('charge.succeeded', {
      id: 'ch_carddata',
      object: 'charge',
      payment_intent: intentId,
      description: `Card ${TEST_CARD}`,
      billing_details: { name: `Ada ${TEST_CARD}`, email: 'ada.card@example.com' },
      metadata: { note: TEST_CARD },
      payment_method_details: {
        type: 'card_present',
        card_present: {
          brand: 'visa',
          last4: '4242',
          exp_month: 12,
          exp_year: 2030,
          fingerprint: 'Xt5EWLLDS7FJjR1c',
        },
      },
    });
    await suite.postEvent(
      'payment_intent.succeeded',
      intentObject(intentId, ref, { description: TEST_CARD }),
    );
    // A cashier who types the card number into the reason is stopped before anything is kept.
    const refund = {
      orderId: paid.order_id as string,
      refundId: randomUUID(),
      amountCents: 1000,
      reason: `Refund to card ${TEST_CARD}`,
      shiftId: suite.till.shiftId,
    };
    expect((await serverError(suite.till.api.payments.refund.mutate(refund))).message).toBe(
      'reason: must not hold a card number (Janix never keeps them)',
    );
    await suite.till.api.payments.refund.mutate({ ...refund, reason: 'Refund to card' });

    // A decline whose Stripe message quotes a card number: the payment keeps our words, not Stripe's.
    const declined = await suite.startPayment(1);
    await suite.postEvent(
      'payment_intent.payment_failed',
      intentObject(declined.intentId, declined.ref, {
        last_payment_error: { code: 'card_declined', message: `Card ${DECLINED_CARD} was declined` },
      }),
    );
    expect(await suite.paymentRow(declined.paymentId)).toMatchObject({
      failure_reason: 'The card was declined.',
    });

    // A Checkout link paid on the buyer's phone.
    const bare = await suite.newTill('Till without reader (card data)');
    const link = await suite.startPayment(1, { from: bare, method: 'checkout_link' });
    await suite.postEvent('checkout.session.completed', {
      id: link.sessionId,
      object: 'checkout.session',
      payment_intent: 'pi_CardDataLink',
      payment_status: 'paid',
      customer_details: { email: 'phone.buyer@example.com', name: TEST_CARD },
      metadata: { janix_org_id: suite.orgId, janix_payment_id: link.paymentId },
    });
    expect(await suite.paymentRow(link.paymentId)).toMatchObject({ status: 'succeeded' });
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      card_brand: 'visa',
      card_last4: '4242',
      status: 'partially_refunded',
    });

    const found = (await databaseText()).flatMap(({ table, text }) =>
      cardNumbersIn(text).map((number) => `${table}: ${number}`),
    );
    expect(found).toEqual([]);
    const { pages } = await pullAll(suite.till.api);
    expect(cardNumbersIn(JSON.stringify(pages))).toEqual([]);
  });
});
