import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, inject } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import type { CardCart } from '@janix/schemas';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { GatewayError, type CardGateway } from '../src/payments/card-gateway.ts';
import { createStripeGateway, stripeApiBaseOf, stripeClient } from '../src/payments/stripe-gateway.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  asSecondOrg,
  command,
  enrolledDevice,
  ownerOf,
  signIn,
  versions,
  type ApiClient,
} from './support.ts';

/**
 * The payment suites' server: Stripe calls go to stripe-mock (started by the global setup, stripe-mock-setup.ts),
 * which checks each call's shape; what Stripe would then report comes as webhook events these helpers sign with
 * the SDK's own test-header helper, exactly as Stripe signs them. Two organizations, a till with an open shift
 * and a registered reader, and a fresh event per test whose capacity the test chooses.
 */

export const STRIPE_KEY = 'sk_test_janix';
export const WEBHOOK_SECRET = 'whsec_janixtestsecret';

const signer = new Stripe(STRIPE_KEY);

/** Stripe calls by name, counted around the real adapter (each still goes to stripe-mock). */
export type CallCounts = Partial<Record<keyof CardGateway, number>>;

/**
 * Counts each call, and fails the ones named in `faults`: as an unreachable Stripe would, or as Stripe refusing
 * with the given error code (a reader that is offline).
 */
function counting(
  gateway: CardGateway,
  counts: CallCounts,
  faults: Map<keyof CardGateway, string | null>,
): CardGateway {
  return Object.fromEntries(
    Object.entries(gateway).map(([name, call]) => [
      name,
      async (...args: unknown[]) => {
        counts[name as keyof CardGateway] = (counts[name as keyof CardGateway] ?? 0) + 1;
        if (faults.has(name as keyof CardGateway)) {
          const code = faults.get(name as keyof CardGateway) ?? null;
          throw new GatewayError(code ? 'refused' : 'unavailable', code, 'Stripe failed (test)');
        }
        return (call as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as CardGateway;
}

export interface Till {
  id: string;
  api: ApiClient;
  shiftId: string;
  seq: number;
}

export function paymentsSuite() {
  const stripeMockUrl = inject('stripeMockUrl');
  const demo = generateDemoOrg({ seed: 31, attendees: 10 });
  const demoB = asSecondOrg(generateDemoOrg({ seed: 32, attendees: 5 }), 'Other');
  const orgId = demo.org.id;
  const clock = { offsetMs: 0 };
  const calls: CallCounts = {};
  const faults = new Map<keyof CardGateway, string | null>();
  let server: TestServer | undefined;
  let ownerSession = '';
  let till: Till;
  let readerId = '';

  async function push(from: Till, commands: Array<[string, unknown]>) {
    const result = await from.api.sync.push.mutate({
      ...versions,
      commands: commands.map(([name, args]) => command((from.seq += 1), name, args)),
    });
    for (const outcome of result.results) {
      if (outcome.status === 'rejected') throw new Error(`${outcome.code}: ${outcome.message}`);
    }
  }

  /** An enrolled till of the owner's, with an open shift. */
  async function newTill(name: string): Promise<Till> {
    const device = await enrolledDevice(server!, ownerSession, orgId, name);
    const opened: Till = { id: device.id, api: device.api, shiftId: randomUUID(), seq: 0 };
    await push(opened, [
      ['openShift', { shiftId: opened.shiftId, floatCents: 0, openedAt: new Date().toISOString() }],
    ]);
    return opened;
  }

  beforeAll(async () => {
    if (!stripeMockUrl) return;
    const gateway = counting(
      createStripeGateway(stripeClient(STRIPE_KEY, stripeApiBaseOf(stripeMockUrl))),
      calls,
      faults,
    );
    server = await startTestServer(inject('pgAdminUrl'), {
      now: () => new Date(Date.now() + clock.offsetMs),
      stripe: {
        secretKey: STRIPE_KEY,
        webhookSecret: WEBHOOK_SECRET,
        apiBase: stripeMockUrl,
        publicUrl: 'https://tickets.janix.test',
        gateway,
      },
    });
    await seedDemoOrg(server.db.adminPool, demo);
    await seedDemoOrg(server.db.adminPool, demoB);
    ownerSession = (await signIn(server, ownerOf(demo))).session;
    till = await newTill('Till 1');
    readerId = randomUUID();
    await till.api.payments.readers.register.mutate({
      readerId,
      registrationCode: 'simulated-wpe',
      label: 'Front desk reader',
      deviceId: till.id,
      location: {
        displayName: 'Harbour Hall',
        line1: 'Pier 9',
        city: 'Hamburg',
        postalCode: '20457',
        country: 'DE',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A new on-sale event with one quota of `capacity` seats and one ticket type at `priceCents`. */
  async function newEvent(capacity: number, priceCents = 2500) {
    const eventId = randomUUID();
    const quotaId = randomUUID();
    const ticketTypeId = randomUUID();
    await push(till, [
      [
        'createEvent',
        {
          eventId,
          draft: {
            name: `Card night ${eventId.slice(0, 4)}`,
            venue: 'Harbour Hall',
            startsAt: '2027-01-10T19:00:00Z',
            endsAt: '2027-01-10T23:00:00Z',
            status: 'on_sale',
          },
        },
      ],
      ['createQuota', { quotaId, eventId, draft: { name: 'Floor', capacity } }],
      [
        'createTicketType',
        {
          ticketTypeId,
          eventId,
          draft: {
            quotaId,
            name: 'Standing',
            priceCents,
            currency: 'EUR',
            taxRateBp: 1900,
            salesStartAt: null,
            salesEndAt: null,
            channels: ['box_office', 'online'],
          },
        },
      ],
    ]);
    return { eventId, quotaId, ticketTypeId, priceCents };
  }

  function cartOf(
    event: Awaited<ReturnType<typeof newEvent>>,
    quantity: number,
    from: Till = till,
    buyer: CardCart['buyer'] = null,
  ): CardCart {
    return {
      eventId: event.eventId,
      shiftId: from.shiftId,
      currency: 'EUR',
      lines: [{ ticketTypeId: event.ticketTypeId, quantity, unitPriceCents: event.priceCents }],
      buyer,
    };
  }

  /** Starts a card payment of `quantity` seats (of a new event of 100 unless given) on a till. */
  async function startPayment(
    quantity: number,
    options: {
      event?: Awaited<ReturnType<typeof newEvent>>;
      from?: Till;
      method?: 'reader' | 'checkout_link';
    } = {},
  ) {
    const sale = options.event ?? (await newEvent(100));
    const from = options.from ?? till;
    const paymentId = randomUUID();
    const orderId = randomUUID();
    const state = await from.api.payments.start.mutate({
      paymentId,
      orderId,
      method: options.method ?? 'reader',
      cart: cartOf(sale, quantity, from),
    });
    const row = await paymentRow(paymentId);
    return {
      sale,
      paymentId,
      orderId,
      state,
      ref: { orgId, paymentId },
      intentId: row!.stripe_payment_intent_id as string,
      sessionId: row!.stripe_checkout_session_id as string,
    };
  }

  /** Posts a Stripe event, signed as Stripe signs it (or not quite, as the options say). */
  async function postEvent(
    type: string,
    object: Record<string, unknown>,
    options: { id?: string; timestamp?: number; secret?: string; signature?: string; created?: number } = {},
  ) {
    const payload = JSON.stringify({
      id: options.id ?? `evt_${randomUUID().replaceAll('-', '')}`,
      object: 'event',
      type,
      created: options.created ?? Math.floor(Date.now() / 1000),
      livemode: false,
      api_version: '2026-08-26.dahlia',
      data: { object },
    });
    const signature =
      options.signature ??
      signer.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? WEBHOOK_SECRET,
        ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      });
    const response = await fetch(`${server!.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function paymentRow(paymentId: string) {
    const result = await server!.db.adminPool.query<Record<string, unknown>>(
      'SELECT * FROM payments WHERE id = $1',
      [paymentId],
    );
    return result.rows[0] ?? null;
  }

  async function quota(quotaId: string) {
    const result = await server!.db.adminPool.query<{ sold: number; allocated: number; capacity: number }>(
      'SELECT sold, allocated, capacity FROM quotas WHERE id = $1',
      [quotaId],
    );
    return result.rows[0]!;
  }

  async function orderOf(orderId: string) {
    const order = await server!.db.adminPool.query<Record<string, unknown>>(
      'SELECT * FROM orders WHERE id = $1',
      [orderId],
    );
    const tickets = await server!.db.adminPool.query<Record<string, unknown>>(
      'SELECT * FROM tickets WHERE order_id = $1 ORDER BY id',
      [orderId],
    );
    return { order: order.rows[0] ?? null, tickets: tickets.rows };
  }

  return {
    available: !!stripeMockUrl,
    demo,
    demoB,
    orgId,
    clock,
    calls,
    faults,
    newTill,
    newEvent,
    cartOf,
    startPayment,
    postEvent,
    paymentRow,
    quota,
    orderOf,
    push,
    get server(): TestServer {
      return server!;
    },
    get till(): Till {
      return till;
    },
    get readerId(): string {
      return readerId;
    },
    get ownerSession(): string {
      return ownerSession;
    },
    apiOf: (credentials: Parameters<typeof apiClient>[1]) => apiClient(server!, credentials),
  };
}

/** A PaymentIntent as Stripe's events carry it, naming our payment in its metadata. */
export function intentObject(id: string, ref: { orgId: string; paymentId: string }, over: object = {}) {
  return {
    id,
    object: 'payment_intent',
    amount: 2500,
    currency: 'eur',
    status: 'succeeded',
    metadata: { janix_org_id: ref.orgId, janix_payment_id: ref.paymentId },
    ...over,
  };
}
