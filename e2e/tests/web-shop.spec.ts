import { expect, test } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';
import { postStripeEvent, startStripeMock, stripeServerEnv } from '../fixtures/stripe.ts';

const DEMO_OWNER = 'demo@janix.test';

/**
 * A buyer buys online while an organizer's console is open: the public event page on the server, the form
 * with the buyer's details, the hand-over to Stripe Checkout (stripe-mock makes the session; its page, which
 * needs the internet, is answered by the test), then Stripe's signed `checkout.session.completed` — and the
 * paid order, with its buyer, is on the console within a second, found by the buyer's name. The buyer's
 * return page then names the order; a buyer who leaves Stripe's page gets the seats put back on sale.
 */
test('a web checkout: the order is on a console within a second of Stripe saying it is paid', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const stripeMock = await startStripeMock();
  test.skip(!stripeMock, 'stripe-mock is not installed');
  const janix = await janixProcesses(['office'], stripeServerEnv(stripeMock!.url));
  try {
    const office = new ConsolePage(await (await browser.newContext()).newPage());
    await office.open(janix.consoleUrls[0]!);
    await office.signIn(DEMO_OWNER);
    await office.enroll('Office');
    await expect(office.page.getByText('Online', { exact: true })).toBeVisible({ timeout: 30_000 });

    // An event of the demo organization to come, on sale online, with a priced type and seats left.
    const [onSale] = await janix.query<{ event_id: string; type_id: string; type_name: string }>(
      `SELECT t.event_id, t.id AS type_id, t.name AS type_name FROM ticket_types t
       JOIN events e ON e.org_id = t.org_id AND e.id = t.event_id
       JOIN quotas q ON q.org_id = t.org_id AND q.id = t.quota_id
       WHERE e.status = 'on_sale' AND e.ends_at > now() AND t.channels LIKE '%online%' AND t.price_cents > 0
         AND q.capacity - q.sold - q.allocated >= 4
         AND (t.sales_start_at IS NULL OR t.sales_start_at < now())
         AND (t.sales_end_at IS NULL OR t.sales_end_at > now())
       ORDER BY t.id LIMIT 1`,
    );
    expect(onSale).toBeTruthy();

    // The organizer looks the buyer up before anything is paid: no order yet.
    await office.page.getByRole('link', { name: 'Orders', exact: true }).click();
    await office.page.getByTestId('order-search').fill('Webshopper');
    await expect(office.page.getByTestId('no-orders-found')).toBeVisible();

    const buyer = await (await browser.newContext()).newPage();
    // Stripe's hosted page is on the internet: stand in for it, so the hand-over itself is seen.
    await buyer.route('https://checkout.stripe.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Stripe Checkout (test)</h1>' }),
    );
    const buy = async (lastName: string) => {
      await buyer.goto(`${janix.serverUrl}/shop/${onSale!.event_id}`);
      await buyer.getByLabel(onSale!.type_name, { exact: true }).fill('2');
      await buyer.getByLabel('First name').fill('Wanda');
      await buyer.getByLabel('Last name').fill(lastName);
      await buyer
        .getByRole('textbox', { name: 'Email address' })
        .fill(`wanda.${lastName.toLowerCase()}@example.com`);
      await buyer.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(buyer.getByRole('heading', { name: 'Stripe Checkout (test)' })).toBeVisible();
      expect(buyer.url()).toMatch(/^https:\/\/checkout\.stripe\.com\//);
      // stripe-mock answers every session with the same fixture: the payment is the newest web checkout.
      const [payment] = await janix.query<{
        id: string;
        org_id: string;
        order_id: string;
        status: string;
        stripe_checkout_session_id: string;
      }>(
        `SELECT id, org_id, order_id, status, stripe_checkout_session_id FROM payments
         WHERE kind = 'web_checkout' ORDER BY created_at DESC LIMIT 1`,
      );
      expect(payment).toMatchObject({ status: 'waiting_for_card' });
      const sessionId = payment!.stripe_checkout_session_id;
      return { sessionId: sessionId!, payment: payment! };
    };

    const { sessionId, payment } = await buy('Webshopper');
    const status = await postStripeEvent(janix.serverUrl, 'checkout.session.completed', {
      id: sessionId,
      object: 'checkout.session',
      payment_intent: 'pi_e2eWebShop',
      payment_status: 'paid',
      status: 'complete',
      metadata: { janix_org_id: payment.org_id, janix_payment_id: payment.id },
    });
    expect(status).toBe(200);
    const [order] = await janix.query<{ code: string }>('SELECT code FROM orders WHERE id = $1', [
      payment.order_id,
    ]);
    // Live: the feed brings the order, its tickets and its buyer to the open screen.
    const row = office.page.getByTestId('order-results').getByRole('row', { name: new RegExp(order!.code) });
    await expect(row).toBeVisible({ timeout: 1_000 });
    await expect(row).toContainText('Wanda Webshopper');
    await expect(row).toContainText('Paid');

    // Stripe sends the buyer back: the page names the order.
    await buyer.goto(`${janix.serverUrl}/shop/${onSale!.event_id}/done?payment=${payment.id}`);
    await expect(buyer.getByRole('heading', { name: 'Thank you!' })).toBeVisible();
    await expect(buyer.getByText(order!.code)).toBeVisible();

    // A second buyer leaves Stripe's page: the checkout ends and its seats are back on sale at once.
    const left = await buy('Leaver');
    const [held] = await janix.query<{ allocated: number }>(
      `SELECT q.allocated FROM quotas q JOIN ticket_types t ON t.org_id = q.org_id AND t.quota_id = q.id
       WHERE t.id = $1`,
      [onSale!.type_id],
    );
    expect(held!.allocated).toBeGreaterThanOrEqual(2);
    await buyer.goto(
      `${janix.serverUrl}/shop/${onSale!.event_id}/done?payment=${left.payment.id}&cancelled=1`,
    );
    await expect(buyer.getByText('the seats you chose are back on sale')).toBeVisible();
    const [released] = await janix.query<{ allocated: number }>(
      `SELECT q.allocated FROM quotas q JOIN ticket_types t ON t.org_id = q.org_id AND t.quota_id = q.id
       WHERE t.id = $1`,
      [onSale!.type_id],
    );
    expect(released!.allocated).toBe(held!.allocated - 2);
  } finally {
    await janix.close();
    await stripeMock?.stop();
  }
});
