import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webShopSuite } from './web-shop-fixture.ts';

/**
 * The public event page and its form: what a buyer sees (only what is on sale online now, prices, what is
 * left, sold out said so), what the form asks (the privacy policy's fields, optional ones marked, consent
 * choices unticked), and bad input answered on the form itself with nothing held.
 */
const suite = webShopSuite();

const heldSeats = async (quotaId: string) => (await suite.quota(quotaId)).allocated;

async function webPayments(eventId: string): Promise<number> {
  const found = await suite.server.db.adminPool.query('SELECT 1 FROM payments WHERE event_id = $1', [
    eventId,
  ]);
  return found.rowCount ?? 0;
}

describe.skipIf(!suite.available)('the public event page', () => {
  it('shows the event, its online ticket types in their window with prices and what is left, under a strict CSP', async () => {
    const event = await suite.newEvent(
      [
        { name: 'Standing', priceCents: 2500, capacity: 40 },
        { name: 'Box office only', channels: ['box_office'] },
        { name: 'Early bird', salesEndAt: '2020-01-01T00:00:00Z' },
        { name: 'Late release', salesStartAt: '2099-01-01T00:00:00Z' },
        { name: 'Balcony', priceCents: 4000, sharesQuotaOf: 0 },
      ],
      { name: 'Harbour Jazz <script>alert(1)</script>', venue: 'Pier "9" & Co' },
    );
    const { status, headers, html } = await suite.page(event.eventId);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("form-action 'self' https://checkout.stripe.com");
    expect(csp).not.toContain('unsafe');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    // Every value escaped; no script at all on the page.
    expect(html).not.toContain('<script');
    expect(html).toContain('Harbour Jazz &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Pier &quot;9&quot; &amp; Co');
    expect(html).toContain('Standing');
    expect(html).toContain('Balcony');
    expect(html).toMatch(/€25\.00/);
    expect(html).toMatch(/€40\.00/);
    // A shared quota leaves each of its types the same seats.
    expect(html.match(/40 left/g)).toHaveLength(2);
    for (const hidden of ['Box office only', 'Early bird', 'Late release'])
      expect(html).not.toContain(hidden);
  });

  it('asks only what the privacy policy lists, marks the optional fields, and leaves every consent unticked', async () => {
    const event = await suite.newEvent();
    const { html } = await suite.page(event.eventId);
    for (const field of ['firstName', 'lastName', 'email', 'phone', 'ageRange']) {
      expect(html).toContain(`name="${field}"`);
    }
    expect(html).toMatch(/<label for="phone">Phone number <span class="optional">\(optional\)<\/span>/);
    expect(html).toMatch(/<label for="ageRange">Age range <span class="optional">\(optional\)<\/span>/);
    expect(html).toMatch(/id="email"[^>]* required/);
    expect(html).not.toMatch(/id="phone"[^>]* required/);
    // No address, birth date or card fields: Stripe asks for what it needs on its own page.
    expect(html).not.toMatch(/name="(address|street|city|birth|card|cvc)/i);
    const boxes = [...html.matchAll(/<input type="checkbox" name="(\w+)" value="yes"([^>]*)>/g)];
    expect(boxes.map((box) => box[1])).toEqual(['marketing', 'ads', 'enrichment']);
    for (const box of boxes) expect(box[2]).not.toContain('checked');
    expect(suite.checkoutAttemptOf(html)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says a sold-out type is sold out, and a sold-out event so', async () => {
    const event = await suite.newEvent([
      { name: 'Front row', capacity: 1 },
      { name: 'Back row', capacity: 5 },
    ]);
    const sold = await suite.checkout(event, 1);
    expect(sold.status).toBe(303);
    const { html } = await suite.page(event.eventId);
    expect(html).toMatch(
      /Front row<\/th><td class="num">€25\.00<\/td><td class="num soldout" colspan="2">Sold out/,
    );
    expect(html).not.toContain(`name="qty.${event.types[0]!.ticketTypeId}"`);
    expect(html).toContain(`name="qty.${event.types[1]!.ticketTypeId}"`);

    const gone = await suite.newEvent([{ capacity: 1 }]);
    expect((await suite.checkout(gone, 1)).status).toBe(303);
    const soldOut = await suite.page(gone.eventId);
    expect(soldOut.html).toContain('This event is sold out online.');
    expect(soldOut.html).not.toContain('<form');
  });

  it('sells nothing for an event that is over, and says so', async () => {
    const hour = 3_600_000;
    const over = await suite.newEvent([{ capacity: 10 }], {
      startsAt: new Date(Date.now() - 6 * hour).toISOString(),
      endsAt: new Date(Date.now() - 2 * hour).toISOString(),
    });
    const { status, html } = await suite.page(over.eventId);
    expect(status).toBe(200);
    expect(html).toContain('This event is over: tickets are no longer sold.');
    expect(html).not.toContain('<form');
    // A form kept open from before (or posted by hand) is refused by the sale rule itself; nothing is held.
    const late = await suite.checkout(over, 1);
    expect(late.status).toBe(409);
    expect(await suite.quota(over.types[0]!.quotaId)).toMatchObject({ sold: 0, allocated: 0 });
  });

  it('answers an unknown, a draft or a malformed event with a 404 page', async () => {
    const draft = await suite.newEvent([{}], { status: 'draft' });
    for (const id of [randomUUID(), draft.eventId, 'not-an-id', "1' OR '1'='1"]) {
      const { status, html, headers } = await suite.page(encodeURIComponent(id));
      expect(status).toBe(404);
      expect(html).toContain('Event not found');
      expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    const post = await suite.checkout({ eventId: draft.eventId, types: draft.types }, 1);
    expect(post.status).toBe(404);
    expect(await webPayments(draft.eventId)).toBe(0);
  });
});

describe.skipIf(!suite.available)('the checkout form with bad input', () => {
  it('shows each wrong field with what was typed, and holds nothing', async () => {
    const event = await suite.newEvent();
    const answer = await suite.checkout(event, 2, {
      buyer: {
        firstName: '  ',
        lastName: 'Hopper',
        email: 'not-an-address',
        phone: 'call me',
        ageRange: 'ancient',
        consent: ['ads'],
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.html).toContain('Please check the form: 4 fields need your attention.');
    expect(answer.html).toContain('Enter your first name.');
    expect(answer.html).toContain('This does not look like an email address.');
    expect(answer.html).toContain('Enter a phone number');
    expect(answer.html).toContain('Choose an age range from the list');
    // What was typed comes back (escaped), the ticked choice stays ticked and the others unticked.
    expect(answer.html).toContain('value="not-an-address"');
    expect(answer.html).toContain('value="call me"');
    expect(answer.html).toMatch(/name="ads" value="yes" checked/);
    expect(answer.html).toMatch(/name="marketing" value="yes">/);
    expect(answer.html).toMatch(/id="email"[^>]*aria-invalid="true" aria-describedby="email-error"/);
    expect(await heldSeats(event.types[0]!.quotaId)).toBe(0);
    expect(await webPayments(event.eventId)).toBe(0);
  });

  it('refuses no tickets, too many, and quantities that are not whole numbers', async () => {
    const event = await suite.newEvent([{ capacity: 500 }]);
    const none = await suite.checkout(event, 0);
    expect(none.status).toBe(422);
    expect(none.html).toContain('Choose at least one ticket.');
    const many = await suite.checkout(event, 51);
    expect(many.status).toBe(422);
    expect(many.html).toContain('One order holds at most 50 tickets.');
    const { submitCheckout } = await import('../src/testing/web-shop.ts');
    const odd = await submitCheckout(suite.server.url, event.eventId, { lines: [], buyer: suite.buyer() }, [
      [`qty.${event.types[0]!.ticketTypeId}`, '1.5'],
      [`price.${event.types[0]!.ticketTypeId}`, '2500'],
    ]);
    expect(odd.status).toBe(422);
    expect(odd.html).toContain('Quantities are whole numbers.');
    expect(await heldSeats(event.types[0]!.quotaId)).toBe(0);
  });

  it('refuses a ticket type of another event, one not sold online, and a price that changed', async () => {
    const event = await suite.newEvent([
      { name: 'Standing' },
      { name: 'Desk only', channels: ['box_office'] },
    ]);
    const other = await suite.newEvent();
    const foreign = await suite.checkout({ eventId: event.eventId, types: other.types }, 1);
    expect(foreign.status).toBe(409);
    expect(foreign.html).toContain('A ticket you chose is no longer on sale online.');
    const deskOnly = await suite.checkout(event, 0, { lines: [{ type: 1, quantity: 1 }] });
    expect(deskOnly.status).toBe(409);
    const stale = await suite.checkout({ ...event, types: [{ ...event.types[0]!, priceCents: 1000 }] }, 1);
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('The price of Standing changed');
    expect(await heldSeats(event.types[0]!.quotaId)).toBe(0);
    expect(await webPayments(event.eventId)).toBe(0);
  });

  it('answers a body that is not a form, or too large, with a page and nothing held', async () => {
    const event = await suite.newEvent();
    const json = await fetch(`${suite.server.url}/shop/${event.eventId}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"attempt":"x"}',
    });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('The form could not be read.');
    const text = await fetch(`${suite.server.url}/shop/${event.eventId}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'attempt=x',
    });
    expect(text.status).toBe(415);
    const huge = await fetch(`${suite.server.url}/shop/${event.eventId}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `firstName=${'a'.repeat(20_000)}`,
    });
    expect(huge.status).toBe(413);
    expect(await webPayments(event.eventId)).toBe(0);
  });
});
