import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { holdsCardNumber } from '@janix/schemas';
import { generateDemoOrg, makeTempDir } from '@janix/testkit';
import { seedDemoOrg, startTestServer, type TestServer } from '@janix/server/testing';
import { openLocalCore, type LocalCore } from '../src/index.ts';
import { CARD_NEEDS_NETWORK } from '../src/payments-router.ts';
import { signInAndEnroll, switchableNetwork } from './console-fixtures.ts';

/**
 * Card payments from a console: it fills the cart from its own price list and open shift, the server (here with
 * an in-process stand-in for Stripe; the server's own suites check the real adapter against stripe-mock) holds
 * the seats and asks Stripe, and the outcome reaches the console through the feed. Offline, it says what to do.
 */
const demo = generateDemoOrg({ seed: 41, attendees: 10 });
const WEBHOOK_SECRET = 'whsec_localcoretest';
let server: TestServer;
const cleanups: Array<() => unknown> = [];
let sequence = 0;
const nextId = (prefix: string) => `${prefix}_Local${(sequence += 1)}`;

/** Stripe as the server sees it, minus the network: ids that look like Stripe's. */
const gateway = {
  createTerminalPayment: async () => ({ paymentIntentId: nextId('pi') }),
  processOnReader: async () => {},
  cancelReaderAction: async () => {},
  cancelPaymentIntent: async () => 'cancelled' as const,
  createCheckoutSession: async () => {
    const sessionId = nextId('cs');
    return { sessionId, url: `https://checkout.stripe.test/c/pay/${sessionId}` };
  },
  expireCheckoutSession: async () => 'expired' as const,
  refund: async () => ({ stripeRefundId: nextId('re'), status: 'succeeded' }),
  cardOf: async () => ({ brand: null, last4: null }),
  createLocation: async () => ({ locationId: nextId('tml') }),
  registerReader: async () => ({
    stripeReaderId: nextId('tmr'),
    deviceType: 'simulated_wisepos_e',
    serialNumber: null,
  }),
  removeReader: async () => {},
  readerStatus: async () => 'online' as const,
};

/** Posts an event signed as Stripe signs one (HMAC-SHA256 of `<t>.<body>` with the endpoint secret). */
async function postEvent(type: string, object: Record<string, unknown>) {
  const body = JSON.stringify({
    id: nextId('evt'),
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex');
  const response = await fetch(`${server.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
    body,
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'), {
    stripe: {
      secretKey: 'sk_test_localcore',
      webhookSecret: WEBHOOK_SECRET,
      publicUrl: 'https://tickets.janix.test',
      gateway,
    },
  });
  await seedDemoOrg(server.db.adminPool, demo);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.close();
});

async function till(name: string, network = switchableNetwork()): Promise<LocalCore> {
  return (await tillWithData(name, network)).core;
}

/** A till signed in, enrolled and synced, and the folder its replica is kept in. */
async function tillWithData(name: string, network = switchableNetwork()) {
  const dir = makeTempDir('payments');
  cleanups.push(dir.remove);
  const dataDir = `${dir.path}/console`;
  const core = await openLocalCore({
    dataDir,
    serverUrl: server.url,
    autoSync: false,
    fetch: network.fetch,
  });
  cleanups.push(() => core.close());
  await signInAndEnroll(core, server, name);
  await core.syncNow();
  return { core, dataDir };
}

const event = demo.events.find((candidate) => candidate.status === 'on_sale')!;
const ticketType = demo.ticketTypes.find((type) => type.eventId === event.id)!;

/** A charge of one ticket, anonymous, with fresh ids. */
const oneTicket = (method: 'reader' | 'checkout_link') => ({
  paymentId: randomUUID(),
  orderId: randomUUID(),
  eventId: event.id,
  lines: [{ ticketTypeId: ticketType.id, quantity: 1 }],
  buyer: null,
  method,
});

describe('card payments from the console', () => {
  it('charges a sale by Checkout link on a till without a reader; the paid order arrives through the feed', async () => {
    const core = await till('Till 1');
    expect(await core.caller.payments.availability()).toEqual({
      available: true,
      reason: null,
      reader: null,
    });
    await expect(core.caller.payments.start(oneTicket('checkout_link'))).rejects.toThrow(
      'No shift is open on this device. Open a shift first.',
    );

    // The shift is opened here and not synced yet: charging sends it up first.
    await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 0 });
    const paymentId = randomUUID();
    const orderId = randomUUID();
    const charge = {
      paymentId,
      orderId,
      eventId: event.id,
      lines: [{ ticketTypeId: ticketType.id, quantity: 2 }],
      buyer: {
        firstName: 'Ida',
        lastName: 'Link',
        email: 'ida.link@example.com',
        phone: null,
        ageRange: null,
      },
      method: 'checkout_link' as const,
    };
    const state = await core.caller.payments.start(charge);
    expect(state).toMatchObject({
      status: 'waiting_for_card',
      kind: 'checkout_link',
      amountCents: 2 * ticketType.priceCents,
      checkoutUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.test\//),
    });
    // A double click answers with the same payment.
    expect(await core.caller.payments.start(charge)).toMatchObject({ paymentId, status: 'waiting_for_card' });

    const row = await server.db.adminPool.query<{ stripe_checkout_session_id: string }>(
      'SELECT stripe_checkout_session_id FROM payments WHERE id = $1',
      [paymentId],
    );
    await postEvent('checkout.session.completed', {
      id: row.rows[0]!.stripe_checkout_session_id,
      object: 'checkout.session',
      payment_intent: 'pi_LocalPaid',
      payment_status: 'paid',
      metadata: { janix_org_id: demo.org.id, janix_payment_id: paymentId },
    });
    expect(await core.caller.payments.get({ paymentId })).toMatchObject({ status: 'succeeded' });

    await core.syncNow();
    expect(await core.caller.payments.forOrder({ orderId })).toMatchObject({
      status: 'succeeded',
      amountCents: 2 * ticketType.priceCents,
    });
    const order = await core.caller.boxOffice.orders.get({ orderId });
    expect(order).toMatchObject({ order: { status: 'paid', paymentMethod: 'card' } });

    // Refunded to the card from the console: the order is refunded as a cash refund is.
    expect(
      await core.caller.payments.refund({ orderId, refundId: randomUUID(), reason: 'Could not come' }),
    ).toMatchObject({
      status: 'refunded',
    });
    await core.syncNow();
    expect(await core.caller.payments.forOrder({ orderId })).toMatchObject({ status: 'refunded' });
  });

  it('registers a reader for this till, which then charges on it', async () => {
    const core = await till('Till 2');
    await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 0 });
    const readerId = randomUUID();
    await core.caller.payments.readers.register({
      readerId,
      registrationCode: 'simulated-wpe',
      label: 'Till 2 reader',
      location: {
        displayName: 'Harbour Hall',
        line1: 'Pier 9',
        city: 'Hamburg',
        postalCode: '20457',
        country: 'DE',
      },
    });
    expect(await core.caller.payments.availability()).toMatchObject({
      reader: { id: readerId, label: 'Till 2 reader' },
    });
    await core.syncNow();
    expect(await core.caller.payments.readers.list()).toEqual([
      expect.objectContaining({ id: readerId, label: 'Till 2 reader', thisConsole: true }),
    ]);
    const state = await core.caller.payments.start(oneTicket('reader'));
    expect(state).toMatchObject({ kind: 'terminal', status: 'waiting_for_card' });
    expect(await core.caller.payments.cancel({ paymentId: state.paymentId })).toMatchObject({
      status: 'cancelled',
    });
  });

  it('keeps no card number in its replica file, only the brand and last four digits', async () => {
    const { core, dataDir } = await tillWithData('Till 5');
    await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 0 });
    const charge = {
      ...oneTicket('checkout_link'),
      buyer: {
        firstName: 'Cara',
        lastName: 'Card',
        email: 'cara.card@example.com',
        phone: null,
        ageRange: null,
      },
    };
    await core.caller.payments.start(charge);
    const session = await server.db.adminPool.query<{ stripe_checkout_session_id: string }>(
      'SELECT stripe_checkout_session_id FROM payments WHERE id = $1',
      [charge.paymentId],
    );
    const metadata = { janix_org_id: demo.org.id, janix_payment_id: charge.paymentId };
    // Stripe's objects may carry anything in fields Janix does not read: test card numbers here.
    await postEvent('charge.succeeded', {
      id: nextId('ch'),
      object: 'charge',
      payment_intent: 'pi_LocalCardData',
      description: 'Paid with 4242424242424242',
      billing_details: { name: '4000 0000 0000 0002', phone: '5555555555554444' },
      metadata: { ...metadata, note: '4242424242424242' },
      payment_method_details: { card: { brand: 'visa', last4: '4242', number: '4242424242424242' } },
    });
    await postEvent('checkout.session.completed', {
      id: session.rows[0]!.stripe_checkout_session_id,
      object: 'checkout.session',
      payment_intent: 'pi_LocalCardData',
      payment_status: 'paid',
      metadata,
    });
    // A refund reason with a card number is refused before anything is kept.
    await expect(
      core.caller.payments.refund({
        orderId: charge.orderId,
        refundId: randomUUID(),
        reason: 'Card 4242424242424242 was charged twice',
      }),
    ).rejects.toThrow();
    await core.syncNow();
    expect(await core.caller.payments.forOrder({ orderId: charge.orderId })).toMatchObject({
      status: 'succeeded',
      cardBrand: 'visa',
      cardLast4: '4242',
    });

    // Every byte of the replica (the database and its write-ahead log) as text.
    const files = readdirSync(dataDir).filter((name) => /\.(db|sqlite)(-wal)?$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    const text = files.map((name) => readFileSync(`${dataDir}/${name}`).toString('latin1')).join('\n');
    // The sale's buyer is in it, so the file is read as it is stored...
    expect(text).toContain('cara.card@example.com');
    // ...and nothing in it looks like a card number.
    const runs = [...text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)].map((match) => match[0]);
    expect(runs.filter(holdsCardNumber)).toEqual([]);
  });

  it('says card payments need the network when it is gone', async () => {
    const network = switchableNetwork();
    const core = await till('Till 3', network);
    await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 0 });
    await core.syncNow();
    network.set(false);
    expect(await core.caller.payments.availability()).toEqual({
      available: false,
      reason: CARD_NEEDS_NETWORK,
      reader: null,
    });
    await expect(core.caller.payments.start(oneTicket('checkout_link'))).rejects.toThrow(CARD_NEEDS_NETWORK);
    await expect(
      core.caller.payments.refund({ orderId: randomUUID(), refundId: randomUUID(), reason: 'x' }),
    ).rejects.toThrow(CARD_NEEDS_NETWORK);
  });
});
