import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { GatewayError, type CardGateway } from '../src/payments/card-gateway.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  checkoutAttemptOf,
  checkoutSessionObject,
  postStripeEvent,
  signedStripeEvent,
  stripeMockGateway,
  submitCheckout,
  type ShopBuyer,
} from '../src/testing/web-shop.ts';
import { command, enrolledDevice, ownerOf, signIn, versions, type ApiClient } from './support.ts';

/**
 * The web shop suites' server: Stripe calls go to stripe-mock (the global setup, stripe-mock-setup.ts), which
 * checks each call's shape, with a Checkout Session of its own per payment; Stripe's reports come as webhook
 * events signed with the SDK's test-header helper. One organization whose owner's device builds a fresh event
 * per test with the ticket types the test asks for; buyers post the public form over HTTP.
 */

export const STRIPE_KEY = 'sk_test_janix';
export const WEBHOOK_SECRET = 'whsec_janixtestsecret';

export type CallCounts = Partial<Record<keyof CardGateway, number>>;

export interface ShopTypeSpec {
  name?: string;
  priceCents?: number;
  channels?: Array<'box_office' | 'online'>;
  salesStartAt?: string | null;
  salesEndAt?: string | null;
  /** A quota of its own of this size, or the index of an earlier type whose quota it shares. */
  capacity?: number;
  sharesQuotaOf?: number;
}

export interface ShopEventFixture {
  eventId: string;
  types: Array<{ ticketTypeId: string; quotaId: string; priceCents: number; name: string }>;
}

export function webShopSuite(options: { checkoutsPerMinute?: number } = {}) {
  const stripeMockUrl = inject('stripeMockUrl');
  const demo = generateDemoOrg({ seed: 61, attendees: 10 });
  const orgId = demo.org.id;
  const calls: CallCounts = {};
  const faults = new Set<keyof CardGateway>();
  let server: TestServer | undefined;
  let owner: { api: ApiClient; seq: number };
  let ownerSession = '';

  /** Counts each call to Stripe, and fails those named in `faults` as an unreachable Stripe would. */
  function counting(gateway: CardGateway): CardGateway {
    const wrapped: Record<string, unknown> = {};
    for (const [name, call] of Object.entries(gateway)) {
      wrapped[name] = async (...args: unknown[]) => {
        const key = name as keyof CardGateway;
        calls[key] = (calls[key] ?? 0) + 1;
        if (faults.has(key))
          throw new GatewayError('unavailable', null, 'Stripe could not be reached (test)');
        return (call as (...a: unknown[]) => unknown)(...args);
      };
    }
    return wrapped as unknown as CardGateway;
  }

  async function push(commands: Array<[string, unknown]>, from: { api: ApiClient; seq: number } = owner) {
    const result = await from.api.sync.push.mutate({
      ...versions,
      commands: commands.map(([name, args]) => command((from.seq += 1), name, args)),
    });
    for (const outcome of result.results) {
      if (outcome.status === 'rejected') throw new Error(`${outcome.code}: ${outcome.message}`);
    }
  }

  beforeAll(async () => {
    if (!stripeMockUrl) return;
    server = await startTestServer(inject('pgAdminUrl'), {
      stripe: {
        secretKey: STRIPE_KEY,
        webhookSecret: WEBHOOK_SECRET,
        apiBase: stripeMockUrl,
        publicUrl: 'https://tickets.janix.test',
        gateway: counting(stripeMockGateway(stripeMockUrl, STRIPE_KEY)),
      },
      app: { webShop: { checkoutsPerMinute: options.checkoutsPerMinute ?? 100_000 } },
    });
    await seedDemoOrg(server.db.adminPool, demo);
    ownerSession = (await signIn(server, ownerOf(demo))).session;
    const device = await enrolledDevice(server, ownerSession, orgId, 'Organizer laptop');
    owner = { api: device.api, seq: 0 };
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A new event (on sale unless told) with the ticket types asked for. */
  async function newEvent(
    specs: ShopTypeSpec[] = [{}],
    event: {
      name?: string;
      venue?: string;
      status?: 'on_sale' | 'draft';
      startsAt?: string;
      endsAt?: string;
    } = {},
  ): Promise<ShopEventFixture> {
    const eventId = randomUUID();
    const commands: Array<[string, unknown]> = [
      [
        'createEvent',
        {
          eventId,
          draft: {
            name: event.name ?? `Web night ${eventId.slice(0, 4)}`,
            venue: event.venue ?? 'Harbour Hall',
            startsAt: event.startsAt ?? '2027-03-10T19:00:00Z',
            endsAt: event.endsAt ?? '2027-03-10T23:00:00Z',
            status: event.status ?? 'on_sale',
          },
        },
      ],
    ];
    const types: ShopEventFixture['types'] = [];
    specs.forEach((spec, index) => {
      const quotaId = spec.sharesQuotaOf !== undefined ? types[spec.sharesQuotaOf]!.quotaId : randomUUID();
      if (spec.sharesQuotaOf === undefined) {
        commands.push([
          'createQuota',
          { quotaId, eventId, draft: { name: `Quota ${index + 1}`, capacity: spec.capacity ?? 100 } },
        ]);
      }
      const ticketTypeId = randomUUID();
      const name = spec.name ?? `Type ${index + 1}`;
      const priceCents = spec.priceCents ?? 2500;
      commands.push([
        'createTicketType',
        {
          ticketTypeId,
          eventId,
          draft: {
            quotaId,
            name,
            priceCents,
            currency: 'EUR',
            taxRateBp: 1900,
            salesStartAt: spec.salesStartAt ?? null,
            salesEndAt: spec.salesEndAt ?? null,
            channels: spec.channels ?? ['box_office', 'online'],
          },
        },
      ]);
      types.push({ ticketTypeId, quotaId, priceCents, name });
    });
    await push(commands);
    return { eventId, types };
  }

  /** A box-office till of the owner's with an open shift: it asks the server for seats as tills do. */
  async function newTill(name: string) {
    const device = await enrolledDevice(server!, ownerSession, orgId, name);
    const till = { api: device.api, seq: 0, shiftId: randomUUID() };
    await push(
      [['openShift', { shiftId: till.shiftId, floatCents: 0, openedAt: new Date().toISOString() }]],
      till,
    );
    return {
      ...till,
      /** Asks for `seats` of a quota; resolves with how many the server granted. */
      async requestSeats(quotaId: string, seats: number): Promise<number> {
        const allocationId = randomUUID();
        await push(
          [
            [
              'requestAllocation',
              { allocationId, quotaId, shiftId: till.shiftId, seats, at: new Date().toISOString() },
            ],
          ],
          till,
        );
        const granted = await server!.db.adminPool.query<{ granted: number }>(
          'SELECT granted FROM allocations WHERE id = $1',
          [allocationId],
        );
        return granted.rows[0]!.granted;
      },
    };
  }

  async function page(eventId: string) {
    const response = await fetch(`${server!.url}/shop/${eventId}`);
    return { status: response.status, headers: response.headers, html: await response.text() };
  }

  const buyer = (over: Partial<ShopBuyer> = {}): ShopBuyer => ({
    firstName: 'Grace',
    lastName: 'Hopper',
    email: `grace-${randomUUID().slice(0, 8)}@buyers.janix.test`,
    ...over,
  });

  /** Posts the form for `quantity` of the event's first type (or the lines given). */
  async function checkout(
    event: ShopEventFixture,
    quantity: number,
    over: { attemptId?: string; buyer?: ShopBuyer; lines?: Array<{ type: number; quantity: number }> } = {},
  ) {
    const lines = (over.lines ?? [{ type: 0, quantity }]).map((line) => ({
      ticketTypeId: event.types[line.type]!.ticketTypeId,
      quantity: line.quantity,
      unitPriceCents: event.types[line.type]!.priceCents,
    }));
    return submitCheckout(server!.url, event.eventId, {
      attemptId: over.attemptId ?? randomUUID(),
      lines,
      buyer: over.buyer ?? buyer(),
    });
  }

  async function paymentRow(paymentId: string) {
    const result = await server!.db.adminPool.query<Record<string, unknown>>(
      'SELECT * FROM payments WHERE id = $1',
      [paymentId],
    );
    return result.rows[0] ?? null;
  }

  /** The payment a checkout's redirect is for (its session id carries the payment id). */
  async function paymentOfLocation(location: string | null) {
    const sessionId = /\/(cs_test_[0-9a-f]{32})$/.exec(location ?? '')?.[1];
    if (!sessionId) throw new Error(`not a Checkout page: ${location}`);
    const found = await server!.db.adminPool.query<{ id: string }>(
      'SELECT id FROM payments WHERE stripe_checkout_session_id = $1',
      [sessionId],
    );
    const paymentId = found.rows[0]!.id;
    return { sessionId, paymentId, row: (await paymentRow(paymentId))! };
  }

  async function quota(quotaId: string) {
    const result = await server!.db.adminPool.query<{ sold: number; allocated: number; capacity: number }>(
      'SELECT sold, allocated, capacity FROM quotas WHERE id = $1',
      [quotaId],
    );
    return result.rows[0]!;
  }

  /** Posts a checkout.session.* event about a payment's session, signed as Stripe signs it. */
  async function sessionEvent(
    type: string,
    session: { sessionId: string; paymentId: string },
    over: Record<string, unknown> = {},
    eventOptions: { id?: string } = {},
  ) {
    const object = checkoutSessionObject(
      { id: session.sessionId, orgId, paymentId: session.paymentId },
      over,
    );
    return postStripeEvent(server!.url, signedStripeEvent(type, object, WEBHOOK_SECRET, eventOptions));
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
    const person = order.rows[0]?.person_id
      ? await server!.db.adminPool.query<Record<string, unknown>>('SELECT * FROM people WHERE id = $1', [
          order.rows[0].person_id,
        ])
      : null;
    return { order: order.rows[0] ?? null, tickets: tickets.rows, person: person?.rows[0] ?? null };
  }

  return {
    available: !!stripeMockUrl,
    orgId,
    demo,
    calls,
    faults,
    newEvent,
    newTill,
    push,
    page,
    buyer,
    checkout,
    checkoutAttemptOf,
    paymentRow,
    paymentOfLocation,
    quota,
    sessionEvent,
    orderOf,
    get server(): TestServer {
      return server!;
    },
    get ownerSession(): string {
      return ownerSession;
    },
    /** The owner's enrolled device: its pulls are what a console receives. */
    get ownerDevice(): { api: ApiClient } {
      return owner;
    },
  };
}
