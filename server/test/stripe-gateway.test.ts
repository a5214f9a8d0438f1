import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '@janix/testkit';
import { GatewayError, type CardGateway } from '../src/payments/card-gateway.ts';
import { createStripeGateway, stripeApiBaseOf, stripeClient } from '../src/payments/stripe-gateway.ts';

/**
 * The Stripe adapter against stripe-mock, which validates every request against Stripe's API description:
 * a wrong, missing or unknown parameter answers 400 and fails the call here. Each call that creates or
 * changes money carries the idempotency key derived from our own ids.
 */
const stripeMockUrl = inject('stripeMockUrl');

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | null;
  body: string;
}

/** The adapter over an SDK whose requests are recorded on their way to stripe-mock. */
function recordedGateway(): { gateway: CardGateway; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    sent.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      idempotencyKey: headers.get('idempotency-key'),
      body: typeof init?.body === 'string' ? init.body : '',
    });
    return fetch(input, init);
  };
  const stripe = new Stripe('sk_test_janix', {
    ...stripeApiBaseOf(stripeMockUrl!),
    httpClient: Stripe.createFetchHttpClient(recording),
    maxNetworkRetries: 0,
  });
  return { gateway: createStripeGateway(stripe), sent };
}

const ref = { orgId: randomUUID(), paymentId: randomUUID() };

describe.skipIf(!stripeMockUrl)('the Stripe adapter (against stripe-mock)', () => {
  it('creates a card-present PaymentIntent keyed by our payment id, and hands it to a reader', async () => {
    const { gateway, sent } = recordedGateway();
    const { paymentIntentId } = await gateway.createTerminalPayment({
      ...ref,
      amountCents: 2500,
      currency: 'EUR',
      description: 'Janix order K7QX2M9P',
    });
    expect(paymentIntentId).toMatch(/^pi_/);
    await gateway.processOnReader({ ...ref, stripeReaderId: 'tmr_FrontDesk', paymentIntentId });
    expect(sent.map(({ method, path, idempotencyKey }) => [method, path, idempotencyKey])).toEqual([
      ['POST', '/v1/payment_intents', `janix:payment:${ref.paymentId}:create`],
      [
        'POST',
        '/v1/terminal/readers/tmr_FrontDesk/process_payment_intent',
        `janix:payment:${ref.paymentId}:process`,
      ],
    ]);
    const body = new URLSearchParams(sent[0]!.body);
    expect(Object.fromEntries(body)).toMatchObject({
      amount: '2500',
      currency: 'eur',
      'payment_method_types[0]': 'card_present',
      capture_method: 'automatic',
      'metadata[janix_org_id]': ref.orgId,
      'metadata[janix_payment_id]': ref.paymentId,
    });
  });

  it('cancels the reader action and the PaymentIntent', async () => {
    const { gateway, sent } = recordedGateway();
    await gateway.cancelReaderAction('tmr_FrontDesk');
    // stripe-mock answers a cancel with its fixture (requires_payment_method); Stripe itself says canceled.
    expect(await gateway.cancelPaymentIntent({ ...ref, paymentIntentId: 'pi_Till1' })).toBe('cancelled');
    expect(sent.map(({ path, idempotencyKey }) => [path, idempotencyKey])).toEqual([
      // Stopping a reader is safe to repeat: the SDK's own retry key is enough.
      ['/v1/terminal/readers/tmr_FrontDesk/cancel_action', expect.stringMatching(/^stripe-node-retry-/)],
      ['/v1/payment_intents/pi_Till1/cancel', `janix:payment:${ref.paymentId}:cancel`],
    ]);
  });

  it('opens a Checkout Session for the buyer’s phone and expires it', async () => {
    const { gateway, sent } = recordedGateway();
    const session = await gateway.createCheckoutSession({
      ...ref,
      currency: 'EUR',
      lines: [{ name: 'Card night: Standing', unitAmountCents: 2500, quantity: 2 }],
      expiresAt: new Date(Date.now() + 30 * 60_000),
      successUrl: 'https://tickets.janix.test/checkout/done',
      cancelUrl: 'https://tickets.janix.test/checkout/done?cancelled=1',
    });
    expect(session.sessionId).toMatch(/^cs_/);
    expect(session.url).toMatch(/^https:\/\//);
    expect(await gateway.expireCheckoutSession({ ...ref, sessionId: session.sessionId })).toBe('expired');
    expect(sent.map(({ path, idempotencyKey }) => [path, idempotencyKey])).toEqual([
      ['/v1/checkout/sessions', `janix:payment:${ref.paymentId}:checkout`],
      [`/v1/checkout/sessions/${session.sessionId}/expire`, `janix:payment:${ref.paymentId}:expire`],
    ]);
    expect(Object.fromEntries(new URLSearchParams(sent[0]!.body))).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '2',
      'line_items[0][price_data][unit_amount]': '2500',
      'line_items[0][price_data][currency]': 'eur',
      'payment_intent_data[metadata][janix_payment_id]': ref.paymentId,
      client_reference_id: ref.paymentId,
    });
  });

  it('refunds with the idempotency key of our refund id', async () => {
    const { gateway, sent } = recordedGateway();
    const refundId = randomUUID();
    const refund = await gateway.refund({ ...ref, refundId, paymentIntentId: 'pi_Till1', amountCents: 1200 });
    expect(refund.stripeRefundId).toMatch(/^re_/);
    expect(sent[0]).toMatchObject({ path: '/v1/refunds', idempotencyKey: `janix:refund:${refundId}:create` });
    expect(Object.fromEntries(new URLSearchParams(sent[0]!.body))).toMatchObject({
      payment_intent: 'pi_Till1',
      amount: '1200',
      'metadata[janix_refund_id]': refundId,
    });
  });

  it('reads the card of a payment as brand and last four digits only', async () => {
    const { gateway } = recordedGateway();
    const card = await gateway.cardOf('pi_Till1');
    expect(Object.keys(card).sort()).toEqual(['brand', 'last4']);
    if (card.last4 !== null) expect(card.last4).toMatch(/^\d{4}$/);
  });

  it('registers a reader at a location and removes it', async () => {
    const { gateway, sent } = recordedGateway();
    const readerId = randomUUID();
    const { locationId } = await gateway.createLocation({
      orgId: ref.orgId,
      readerId,
      displayName: 'Harbour Hall',
      address: { line1: 'Pier 9', city: 'Hamburg', postalCode: '20457', country: 'DE' },
    });
    expect(locationId).toMatch(/^tml_/);
    const reader = await gateway.registerReader({
      orgId: ref.orgId,
      readerId,
      registrationCode: 'simulated-wpe',
      label: 'Front desk',
      locationId,
    });
    expect(reader.stripeReaderId).toMatch(/^tmr_/);
    // stripe-mock's fixture reader has a status of its own; what matters is that it reads as one of three.
    expect(['online', 'offline', null]).toContain(await gateway.readerStatus(reader.stripeReaderId));
    await gateway.removeReader(reader.stripeReaderId);
    expect(sent.map(({ method, path, idempotencyKey }) => [method, path, idempotencyKey])).toEqual([
      ['POST', '/v1/terminal/locations', `janix:reader:${readerId}:location`],
      ['POST', '/v1/terminal/readers', `janix:reader:${readerId}:register`],
      ['GET', `/v1/terminal/readers/${reader.stripeReaderId}`, null],
      ['DELETE', `/v1/terminal/readers/${reader.stripeReaderId}`, null],
    ]);
  });

  it('says Stripe refused a request it found wrong, and could not be reached when it is down', async () => {
    const { gateway } = recordedGateway();
    const refused = await gateway
      .createTerminalPayment({ ...ref, amountCents: 12.5, currency: 'EUR', description: 'x' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ kind: 'refused' });
    // The message names the kind of failure, never what was sent.
    expect((refused as Error).message).not.toContain('12.5');

    const down = createStripeGateway(
      stripeClient('sk_test_janix', { host: '127.0.0.1', port: await freePort(), protocol: 'http' }),
    );
    await expect(
      down.createTerminalPayment({ ...ref, amountCents: 100, currency: 'EUR', description: 'x' }),
    ).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
