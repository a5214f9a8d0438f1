import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@janix/schemas';
import { REPLICA_SCHEMA_VERSION } from '@janix/local-core';
import { generateDemoOrg } from '@janix/testkit';
import {
  checkoutSessionObject,
  postStripeEvent,
  signedStripeEvent,
  submitCheckout,
  type SignedStripeEvent,
} from '@janix/server/testing';
import { serverApi } from '../lib/accounts.ts';
import { describeCpu, startCpuAccount } from '../lib/cpu.ts';
import { seededServer, type SeededOrg } from '../lib/demo.ts';
import { options, percentile } from '../lib/options.ts';
import { emit, log, round } from '../lib/output.ts';
import { profiled } from '../lib/profile.ts';
import { startStripeMock } from '../lib/stripe-mock.ts';

const SECRET_KEY = 'sk_test_janixbench';
const WEBHOOK_SECRET = 'whsec_janixbenchsecret';
/** Paid checkouts processed before the measured ones: the server's JIT, statement caches and pools warm up. */
const WARM_UP_EVENTS = 100;
const TICKETS_PER_ORDER = 2;
const PRICE_CENTS = 3900;
/** How many web checkouts are started at once while the paid ones are prepared (not measured). */
const SETUP_CONCURRENCY = 16;
const RACE_BUYERS = 500;
const RACE_SEATS = 100;

interface OnSale {
  eventId: string;
  quotaId: string;
  ticketTypeId: string;
}

/** An event on sale online with one ticket type and one quota of `capacity`, made by an owner's device. */
async function eventOnSale(org: SeededOrg, capacity: number, name: string): Promise<OnSale> {
  const device = await org.enroll(`Bench organizer ${name}`);
  const api = serverApi(org.host.url, { session: org.owner.token, device: device.deviceToken });
  const sale = { eventId: randomUUID(), quotaId: randomUUID(), ticketTypeId: randomUUID() };
  const commands: Array<[string, unknown]> = [
    [
      'createEvent',
      {
        eventId: sale.eventId,
        draft: {
          name,
          venue: 'Bench Hall',
          startsAt: '2027-06-01T19:00:00Z',
          endsAt: '2027-06-01T23:00:00Z',
          status: 'on_sale',
        },
      },
    ],
    ['createQuota', { quotaId: sale.quotaId, eventId: sale.eventId, draft: { name: 'Floor', capacity } }],
    [
      'createTicketType',
      {
        ticketTypeId: sale.ticketTypeId,
        eventId: sale.eventId,
        draft: {
          quotaId: sale.quotaId,
          name: 'Standing',
          priceCents: PRICE_CENTS,
          currency: 'EUR',
          taxRateBp: 1900,
          salesStartAt: null,
          salesEndAt: null,
          channels: ['online'],
        },
      },
    ],
  ];
  const result = await api.sync.push.mutate({
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: REPLICA_SCHEMA_VERSION,
    commands: commands.map(([name, args], index) => ({
      seq: index + 1,
      name,
      args,
      clientTime: new Date().toISOString(),
    })),
  });
  const refused = result.results.find((outcome) => outcome.status !== 'applied');
  if (refused) throw new Error(`setting up ${name}: ${JSON.stringify(refused)}`);
  return sale;
}

/** A buyer posts the public checkout form; resolves with the payment id when the seats are held. */
async function startCheckout(org: SeededOrg, sale: OnSale, quantity: number, buyer: number) {
  const attemptId = randomUUID();
  const answer = await submitCheckout(org.host.url, sale.eventId, {
    attemptId,
    lines: [{ ticketTypeId: sale.ticketTypeId, quantity, unitPriceCents: PRICE_CENTS }],
    buyer: {
      firstName: 'Bench',
      lastName: `Buyer ${buyer}`,
      email: `buyer-${buyer}-${attemptId.slice(0, 8)}@bench.janix.test`,
      consent: buyer % 3 === 0 ? ['marketing'] : [],
    },
  });
  if (answer.status === 303 && answer.location?.startsWith('https://checkout.stripe.com/')) {
    return { held: true as const, paymentId: attemptId, sessionId: answer.location.split('/').at(-1)! };
  }
  if (answer.status === 409 && /sold out|Only \d+ of/.test(answer.html)) return { held: false as const };
  throw new Error(`checkout answered ${answer.status}: ${answer.html.slice(0, 300)}`);
}

/** Runs `work` for 0..count-1 with at most `concurrency` at once. */
async function pooled<T>(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

/** Held checkouts of `quantity` seats each, as buyers make them (setup, not measured). */
async function heldCheckouts(org: SeededOrg, sale: OnSale, count: number, firstBuyer: number) {
  const started = await pooled(count, SETUP_CONCURRENCY, (index) =>
    startCheckout(org, sale, TICKETS_PER_ORDER, firstBuyer + index),
  );
  return started.map((checkout) => {
    if (!checkout.held) throw new Error('a setup checkout found no seats');
    return checkout;
  });
}

/** Stripe's checkout.session.completed for each payment, signed as Stripe signs it. */
function completedEvents(orgId: string, checkouts: Array<{ paymentId: string; sessionId: string }>) {
  return checkouts.map((checkout) =>
    signedStripeEvent(
      'checkout.session.completed',
      checkoutSessionObject({ id: checkout.sessionId, orgId, paymentId: checkout.paymentId }),
      WEBHOOK_SECRET,
    ),
  );
}

/** Posts the events with `senders` at once; each one's milliseconds from request to Stripe's 200. */
async function deliver(url: string, events: SignedStripeEvent[], senders: number): Promise<number[]> {
  return pooled(events.length, senders, async (index) => {
    const started = performance.now();
    const answer = await postStripeEvent(url, events[index]!);
    const ms = performance.now() - started;
    if (answer.status !== 200 || answer.body.duplicate) {
      throw new Error(`webhook answered ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return ms;
  });
}

/** Seats sold or held past capacity, and valid tickets past it, over the quotas of these events. */
async function oversold(org: SeededOrg, eventIds: string[]): Promise<number> {
  const { rows } = await org.host.adminPool.query<{ over_held: number; over_tickets: number }>(
    `SELECT GREATEST(0, q.sold + q.allocated - q.capacity)::int AS over_held,
       GREATEST(0, (SELECT count(*) FROM tickets t
                    JOIN ticket_types tt ON tt.org_id = t.org_id AND tt.id = t.ticket_type_id
                    WHERE tt.org_id = q.org_id AND tt.quota_id = q.id AND t.status = 'valid')
                   + q.allocated - q.capacity)::int AS over_tickets
     FROM quotas q WHERE q.event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  return rows.reduce((sum, row) => sum + Math.max(row.over_held, row.over_tickets), 0);
}

async function countOf(org: SeededOrg, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await org.host.adminPool.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}

/**
 * Paid web checkouts: Stripe's signed checkout.session.completed events posted over HTTP to the real server,
 * each processed into the paid order with its signed tickets and its buyer; then 500 buyers racing through the
 * public checkout for the last 100 seats. `oversold` is measured in the database.
 */
export async function checkoutWebhook(): Promise<void> {
  const count = options.checkoutEvents;
  const senders = options.webhookSenders;
  const stripeMock = await startStripeMock();
  let org: SeededOrg | null = null;
  try {
    org = await seededServer(generateDemoOrg({ seed: 71, attendees: 200 }), {
      stripe: { url: stripeMock.url, secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET },
    });
    const web = await eventOnSale(org, (WARM_UP_EVENTS + count) * TICKETS_PER_ORDER, 'Bench web sale');
    const setupStarted = performance.now();
    const held = await heldCheckouts(org, web, WARM_UP_EVENTS + count, 0);
    log(
      `${held.length} web checkouts holding ${held.length * TICKETS_PER_ORDER} seats in ` +
        `${((performance.now() - setupStarted) / 1000).toFixed(1)} s (public form → hold → Checkout Session)`,
    );
    const events = completedEvents(org.orgId, held);
    await deliver(org.host.url, events.slice(0, WARM_UP_EVENTS), senders);

    const cpu = await startCpuAccount({ server: [org.host.process] }, org.host.database);
    const started = performance.now();
    const times = await profiled('checkout.webhook', () =>
      deliver(org!.host.url, events.slice(WARM_UP_EVENTS), senders),
    );
    const wallMs = performance.now() - started;
    log(`CPU during the webhooks: ${describeCpu(await cpu.read(), wallMs / 1000)}`);

    const orders = await countOf(
      org,
      `SELECT count(*) AS n FROM orders WHERE event_id = $1 AND status = 'paid' AND channel = 'online'`,
      [web.eventId],
    );
    const tickets = await countOf(org, 'SELECT count(*) AS n FROM tickets WHERE event_id = $1', [
      web.eventId,
    ]);
    if (orders !== held.length || tickets !== held.length * TICKETS_PER_ORDER) {
      throw new Error(
        `after the webhooks: ${orders} orders and ${tickets} tickets for ${held.length} payments`,
      );
    }

    // The race: 500 buyers at once for the last 100 seats, through the public checkout.
    const race = await eventOnSale(org, RACE_SEATS, 'Bench last seats');
    const raceStarted = performance.now();
    const answers = await Promise.all(
      Array.from({ length: RACE_BUYERS }, (_, index) => startCheckout(org!, race, 1, 100_000 + index)),
    );
    const winners = answers.flatMap((answer) => (answer.held ? [answer] : []));
    log(
      `race: ${RACE_BUYERS} buyers for ${RACE_SEATS} seats in ${((performance.now() - raceStarted) / 1000).toFixed(1)} s: ` +
        `${winners.length} held, ${RACE_BUYERS - winners.length} told sold out`,
    );
    await deliver(org.host.url, completedEvents(org.orgId, winners), senders);
    const raceOrders = await countOf(
      org,
      `SELECT count(*) AS n FROM orders WHERE event_id = $1 AND status = 'paid'`,
      [race.eventId],
    );
    const over = await oversold(org, [web.eventId, race.eventId]);
    if (winners.length !== RACE_SEATS || raceOrders !== RACE_SEATS) {
      throw new Error(`race: ${winners.length} holds and ${raceOrders} orders for ${RACE_SEATS} seats`);
    }

    times.sort((a, b) => a - b);
    const perS = count / (wallMs / 1000);
    log(
      `webhooks: ${count} in ${(wallMs / 1000).toFixed(2)} s with ${senders} senders = ${perS.toFixed(0)}/s; ` +
        `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
    );
    emit({
      bench: 'checkout.webhook',
      events: count,
      per_s: round(perS, 0),
      p50_ms: round(percentile(times, 50), 1),
      p99_ms: round(percentile(times, 99), 1),
      oversold: over,
      race_buyers: RACE_BUYERS,
      race_orders: raceOrders,
    });
  } finally {
    await org?.close();
    await stripeMock.stop();
  }
}
