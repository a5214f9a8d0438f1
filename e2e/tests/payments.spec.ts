import { expect, test, type Page } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';
import {
  intentObject,
  postStripeEvent,
  startStripeMock,
  stripeServerEnv,
  type RecordedPayment,
} from '../fixtures/stripe.ts';

const DEMO_OWNER = 'demo@janix.test';

async function navigate(page: Page, name: 'Sell' | 'Shift' | 'Orders' | 'Settings'): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
}

/**
 * Card payments at the door through the UI, against the real server talking to stripe-mock: an owner registers
 * the till's reader in Settings, the cashier charges (a double click is one payment) and watches the reader's
 * state while the test plays Stripe, posting the events a real reader would cause, signed as Stripe signs them:
 * processing then paid (the sale completes with its order and the card's brand and last four), a declined card
 * with its reason, a payment the cashier cancels; then the order is refunded by card, part and then the rest;
 * a till without a reader shows the Checkout link as a QR for the buyer's phone, paid there; and once the
 * server is gone, the card method says it needs the network.
 */
test('card at the door: the reader flow, a declined card, a cancel, refunds by card, a QR for the phone, and no card offline', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const stripeMock = await startStripeMock();
  test.skip(!stripeMock, 'stripe-mock is not installed');
  const janix = await janixProcesses(['till'], stripeServerEnv(stripeMock!.url));
  const stripe = (type: string, object: Record<string, unknown>) =>
    postStripeEvent(janix.serverUrl, type, object).then((status) => expect(status).toBe(200));
  const payments = () =>
    janix.query<RecordedPayment>(
      `SELECT id, org_id, status, stripe_payment_intent_id FROM payments
       WHERE kind = 'terminal' ORDER BY created_at`,
    );
  try {
    const till = new ConsolePage(await (await browser.newContext()).newPage());
    const page = till.page;
    await till.open(janix.consoleUrls[0]!);
    await till.signIn(DEMO_OWNER);
    await till.enroll('Till 1');
    await expect(page.getByText('Online', { exact: true })).toBeVisible({ timeout: 30_000 });

    // Without a reader the till would show a QR; register one and assign it to this till.
    await navigate(page, 'Settings');
    const readers = page.getByTestId('card-readers');
    await readers.getByLabel('Registration code').fill('simulated-wpe');
    await readers.getByLabel('Reader name').fill('Front desk');
    await readers.getByLabel('Till', { exact: true }).selectOption({ label: 'Till 1 (this console)' });
    await readers.getByLabel('Place name').fill('Harbour Hall');
    await readers.getByLabel('Street address').fill('Pier 9');
    await readers.getByLabel('City').fill('Hamburg');
    await readers.getByLabel('Postal code').fill('20457');
    await readers.getByLabel('Country code').fill('DE');
    await readers.getByTestId('register-reader').click();
    await expect(readers.getByTestId('reader-registered')).toContainText('Front desk');
    // The reader arrives through the feed, assigned to this till.
    await expect(readers.getByLabel('Till of Front desk').locator('option:checked')).toHaveText(
      'Till 1 (this console)',
    );

    await navigate(page, 'Shift');
    await page.getByTestId('shift-float-input').fill('100.00');
    await page.getByTestId('open-shift').click();
    await expect(page.getByRole('heading', { name: 'Sell tickets' })).toBeVisible();
    // A card sale holds its seats on the server while it runs: no seats on this device are needed.
    const typeName = (await page.getByTestId('held-seats').first().getAttribute('data-quota'))!;
    const quantity = page.getByLabel(`Quantity of ${typeName}`, { exact: true });
    const card = page.getByTestId('payment-card');
    const state = page.getByTestId('card-state');

    // Paid: charged twice by a double click, it is one payment on the reader.
    await quantity.fill('2');
    await expect(card).toBeEnabled({ timeout: 30_000 });
    await expect(page.getByTestId('card-method-note')).toContainText('Front desk');
    await card.check();
    await page.getByTestId('confirm-sale').dblclick();
    await expect(state).toContainText('Waiting for the card');
    await expect(state).toContainText('Front desk');
    // Leaving the screen while the reader waits does not lose the payment (nor start another).
    await navigate(page, 'Orders');
    await navigate(page, 'Sell');
    await expect(state).toContainText('Waiting for the card');
    const [paid, ...others] = await payments();
    expect(others).toHaveLength(0);
    expect(paid!.stripe_payment_intent_id).toMatch(/^pi_/);
    await stripe('payment_intent.processing', intentObject(paid!, { status: 'processing' }));
    await expect(state).toContainText('Processing');
    await stripe('charge.succeeded', {
      id: 'ch_e2e_paid',
      object: 'charge',
      payment_intent: paid!.stripe_payment_intent_id,
      amount_refunded: 0,
      payment_method_details: { type: 'card_present', card_present: { brand: 'visa', last4: '4242' } },
    });
    await stripe('payment_intent.succeeded', intentObject(paid!));
    // Paid: once its order is on this console the sale completes as a cash sale does, with the card on it.
    const done = page.getByTestId('sale-done');
    await expect(done).toBeVisible();
    await expect(done).toContainText('Visa •••• 4242');
    const code = (await done.getByRole('heading').innerText()).match(/Order (\w{8})/)?.[1];
    expect(code).toBeTruthy();

    // Declined on the reader: the reason shows, nothing is sold, the sale can be paid another way.
    await page.getByTestId('next-sale').click();
    await quantity.fill('1');
    await card.check();
    await page.getByTestId('confirm-sale').click();
    await expect(state).toContainText('Waiting for the card');
    const declined = (await payments()).at(-1)!;
    expect(declined.id).not.toBe(paid!.id);
    await stripe('terminal.reader.action_failed', {
      id: 'tmr_e2e',
      object: 'terminal.reader',
      action: {
        type: 'process_payment_intent',
        status: 'failed',
        failure_code: 'insufficient_funds',
        failure_message: 'Your card has insufficient funds.',
        process_payment_intent: { payment_intent: declined.stripe_payment_intent_id },
      },
    });
    await expect(state).toContainText('Declined');
    await expect(state).toContainText('not enough funds');

    // Charged again, then the buyer walks away: the cashier cancels it on the reader.
    await page.getByTestId('card-charge-again').click();
    await expect(state).toContainText('Waiting for the card');
    await page.getByTestId('card-cancel').click();
    await expect(state).toContainText('Cancelled');
    await page.getByTestId('card-back').click();
    await expect(quantity).toHaveValue('1');
    expect((await payments()).map((payment) => payment.status)).toEqual([
      'succeeded',
      'declined',
      'cancelled',
    ]);

    // The paid order shows its card, and is refunded to it: part, then the rest.
    await navigate(page, 'Orders');
    await page.getByTestId('order-search').fill(code!);
    await page.getByTestId('order-results').getByRole('link').first().click();
    await expect(page.getByTestId('order-card')).toContainText('Visa •••• 4242');
    await page.getByLabel('Amount to refund').fill('1');
    await page.getByLabel('Reason for the refund').fill('One seat had no view');
    await page.getByTestId('card-refund-review').click();
    await expect(page.getByRole('alertdialog')).toContainText('the order stays paid');
    await page.getByTestId('card-refund-confirm').click();
    await expect(page.getByTestId('card-refund-done')).toContainText('on its way back to the card');
    await expect(page.getByTestId('order-card')).toContainText('refunded to the card');
    await expect(page.getByTestId('order-status')).toContainText(/paid/i);
    await expect(page.getByTestId('order-audit')).toContainText('Partly refunded');
    await page.getByLabel('Reason for the refund').fill('Buyer could not stay');
    await page.getByTestId('card-refund-review').click();
    await expect(page.getByRole('alertdialog')).toContainText('the order is refunded');
    await page.getByTestId('card-refund-confirm').click();
    await expect(page.getByTestId('order-status')).toContainText(/refunded/i);
    await expect(page.getByTestId('order-audit')).toContainText('Buyer could not stay');
    await expect(page.getByTestId('card-refund-unavailable')).toContainText('refunded');

    // A till without a reader: the buyer pays on their phone from a QR of the Checkout link.
    await navigate(page, 'Settings');
    await readers.getByLabel('Till of Front desk').selectOption({ label: 'Not assigned' });
    await readers.getByRole('button', { name: 'Assign Front desk' }).click();
    await navigate(page, 'Sell');
    await expect(page.getByTestId('card-method-note')).toContainText('QR code', { timeout: 30_000 });
    await quantity.fill('1');
    await card.check();
    await page.getByRole('button', { name: "Show QR for the buyer's phone" }).click();
    await expect(state).toContainText('Waiting for the buyer to pay');
    await expect(page.getByTestId('checkout-qr')).toBeVisible();
    await expect(page.getByTestId('checkout-url')).toContainText('https://');
    const [link] = await janix.query<RecordedPayment & { stripe_checkout_session_id: string }>(
      `SELECT id, org_id, status, stripe_payment_intent_id, stripe_checkout_session_id FROM payments
       WHERE kind = 'checkout_link'`,
    );
    await stripe('checkout.session.completed', {
      id: link!.stripe_checkout_session_id,
      object: 'checkout.session',
      payment_intent: 'pi_e2ePhone',
      payment_status: 'paid',
      status: 'complete',
      metadata: { janix_org_id: link!.org_id, janix_payment_id: link!.id },
    });
    await expect(page.getByTestId('sale-done')).toBeVisible();
    await expect(page.getByTestId('sale-done')).toContainText('Card');
    await page.getByTestId('next-sale').click();

    // The venue loses its link: card is offered no more, with the reason and what to do instead.
    await janix.stopServer();
    await expect(page.getByText('Offline', { exact: true })).toBeVisible({ timeout: 30_000 });
    await navigate(page, 'Sell');
    await expect(card).toBeDisabled();
    await expect(page.getByTestId('card-method-note')).toContainText(
      'Card payments need the network: take cash or use the external terminal.',
    );
  } finally {
    await janix.close();
    await stripeMock?.stop();
  }
});
