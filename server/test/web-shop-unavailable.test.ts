import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import { submitCheckout } from '../src/testing/web-shop.ts';

/**
 * A server without Stripe keys still shows its events' pages, saying where the tickets are sold instead of
 * offering a form, and a checkout posted anyway holds nothing.
 */
// Dated from today, so it has events to come (the shop sells nothing for one that is over).
const demo = generateDemoOrg({ seed: 67, attendees: 5, now: new Date() });
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
});

afterAll(async () => {
  await server?.close();
});

describe('the web shop without Stripe', () => {
  it('shows the event with why it is not sold online, and holds nothing for a checkout', async () => {
    const found = await server.db.adminPool.query<{ id: string; event_id: string; price_cents: number }>(
      `SELECT t.id, t.event_id, t.price_cents FROM ticket_types t JOIN events e ON e.id = t.event_id
       WHERE e.status = 'on_sale' AND e.ends_at > now() AND t.channels LIKE '%online%' AND t.price_cents > 0
         AND t.sales_start_at IS NULL AND t.sales_end_at IS NULL LIMIT 1`,
    );
    const type = found.rows[0]!;
    const page = await fetch(`${server.url}/shop/${type.event_id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(
      'Tickets are not sold online on this site right now (card payments are not set up).',
    );
    expect(html).not.toContain('<form');
    const posted = await submitCheckout(server.url, type.event_id, {
      attemptId: randomUUID(),
      lines: [{ ticketTypeId: type.id, quantity: 1, unitPriceCents: type.price_cents }],
      buyer: { firstName: 'Alan', lastName: 'Turing', email: 'alan@buyers.janix.test' },
    });
    expect(posted.status).toBe(503);
    expect(posted.html).toContain('card payments are not set up');
    expect(posted.html).not.toContain('<form');
    const payments = await server.db.adminPool.query('SELECT 1 FROM payments WHERE event_id = $1', [
      type.event_id,
    ]);
    expect(payments.rowCount).toBe(0);
  });
});
