import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg, makeTempDir } from '@janix/testkit';
import {
  checkoutSessionObject,
  postStripeEvent,
  seedDemoOrg,
  signedStripeEvent,
  startTestServer,
  submitCheckout,
  type TestServer,
} from '@janix/server/testing';
import { openLocalCore, type LocalCore } from '../src/index.ts';
import { signInAndEnroll } from './console-fixtures.ts';

/**
 * A web order reaches the consoles by the feed alone: a buyer pays on the public shop, Stripe's signed
 * webhook completes the order, and a console that follows the live feed holds the order, its tickets and the
 * buyer (with the marketing choice they ticked) moments later, without being asked to sync. Stripe's page is
 * a stand-in here (the console's side is under test; the server's payment suites check the Stripe calls
 * against stripe-mock).
 */

const SECRET = 'whsec_consolewebshop';
// Dated from today, so it has events to come (the shop sells nothing for one that is over).
const demo = generateDemoOrg({ seed: 83, attendees: 10, now: new Date() });
const dir = makeTempDir('web-checkout-console');
let server: TestServer;
let core: LocalCore;

/** Only what the web shop asks of Stripe: a Checkout page per payment. */
const checkoutPages = {
  async createCheckoutSession(input: { paymentId: string }) {
    const id = `cs_test_${input.paymentId.replaceAll('-', '')}`;
    return { sessionId: id, url: `https://checkout.stripe.com/c/pay/${id}` };
  },
};

type StripeOptions = NonNullable<NonNullable<Parameters<typeof startTestServer>[1]>['stripe']>;

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'), {
    stripe: {
      secretKey: 'sk_test_console',
      webhookSecret: SECRET,
      publicUrl: 'https://tickets.janix.test',
      gateway: checkoutPages as unknown as StripeOptions['gateway'],
    },
  });
  await seedDemoOrg(server.db.adminPool, demo);
  core = await openLocalCore({ dataDir: `${dir.path}/console`, serverUrl: server.url });
  await signInAndEnroll(core, server, 'Office console');
  await core.syncNow();
}, 60_000);

afterAll(async () => {
  await core?.close();
  await server?.close();
  dir.remove();
});

/** A ticket type of the demo on sale online now, with seats left. */
async function onSaleOnline() {
  const found = await server.db.adminPool.query<{ id: string; event_id: string; price_cents: number }>(
    `SELECT t.id, t.event_id, t.price_cents FROM ticket_types t
     JOIN quotas q ON q.org_id = t.org_id AND q.id = t.quota_id
     JOIN events e ON e.org_id = t.org_id AND e.id = t.event_id
     WHERE e.status = 'on_sale' AND e.ends_at > now() AND t.channels LIKE '%online%' AND t.price_cents > 0
       AND (t.sales_start_at IS NULL OR t.sales_start_at <= now())
       AND (t.sales_end_at IS NULL OR t.sales_end_at >= now())
       AND q.capacity - q.sold - q.allocated >= 2
     ORDER BY t.id LIMIT 1`,
  );
  if (!found.rows[0]) throw new Error('the demo has nothing on sale online');
  return found.rows[0];
}

describe('a web order on the console', () => {
  it('arrives through the live feed with its tickets and buyer after Stripe says it is paid', async () => {
    const type = await onSaleOnline();
    const attemptId = randomUUID();
    const email = `web-${attemptId.slice(0, 8)}@buyers.janix.test`;
    const answer = await submitCheckout(server.url, type.event_id, {
      attemptId,
      lines: [{ ticketTypeId: type.id, quantity: 2, unitPriceCents: type.price_cents }],
      buyer: { firstName: 'Ada', lastName: 'Lovelace', email, consent: ['marketing'] },
    });
    expect(answer.status).toBe(303);
    const sessionId = answer.location!.split('/').at(-1)!;
    const { db } = core.replica();
    const payment = db.prepare('SELECT kind, status, order_id FROM payments WHERE id = ?');
    // The held payment reaches the console too (waiting for the buyer on Stripe's page).
    for (let waited = 0; !payment.get(attemptId); waited += 20) {
      if (waited > 10_000) throw new Error('the held payment never reached the console');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const paid = await postStripeEvent(
      server.url,
      signedStripeEvent(
        'checkout.session.completed',
        checkoutSessionObject({ id: sessionId, orgId: demo.org.id, paymentId: attemptId }),
        SECRET,
      ),
    );
    expect(paid.status).toBe(200);
    const started = performance.now();
    const orderId = (payment.get(attemptId) as { order_id: string }).order_id;
    const order = db.prepare('SELECT * FROM orders WHERE id = ?');
    while (!order.get(orderId)) {
      if (performance.now() - started > 10_000) throw new Error('the web order never reached the console');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const arrivedMs = performance.now() - started;

    expect(order.get(orderId)).toMatchObject({ channel: 'online', status: 'paid', payment_method: 'card' });
    const tickets = db.prepare('SELECT * FROM tickets WHERE order_id = ?').all(orderId) as Array<{
      secret: string;
      person_id: string;
    }>;
    expect(tickets).toHaveLength(2);
    for (const ticket of tickets) expect(ticket.secret.length).toBeGreaterThan(40);
    expect(db.prepare('SELECT * FROM people WHERE id = ?').get(tickets[0]!.person_id)).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email,
      marketing_consent: 1,
    });
    expect(payment.get(attemptId)).toMatchObject({ kind: 'web_checkout', status: 'succeeded' });
    // Within a second of Stripe's answer on an idle machine; bounded loosely here (the machine is shared).
    expect(arrivedMs).toBeLessThan(5_000);
    console.info(`web order on the console ${arrivedMs.toFixed(0)} ms after the webhook answered`);
  });
});
