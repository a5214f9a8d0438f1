import { expect, test, type Page } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';

const DEMO_OWNER = 'demo@janix.test';

/** Goes to one of the console's main screens by its navigation link. */
async function navigate(page: Page, name: 'Sell' | 'Shift' | 'Orders'): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
}

/**
 * A whole shift at a venue door, through the UI: the till holds seats, loses the server, keeps selling from
 * them (and is refused clearly when they run out), then the server comes back, the sale reaches a second
 * console, is refunded, and the shift closes blind with its Z report. This test runs its own server so it can
 * stop and restart it while the consoles keep running.
 */
test('a shift at the door: sell offline from held seats, sync to a second console, refund, close with the Z report', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const janix = await janixProcesses(['till', 'office']);
  try {
    const till = new ConsolePage(await (await browser.newContext()).newPage());
    await till.open(janix.consoleUrls[0]!);
    await till.signIn(DEMO_OWNER);
    await till.enroll('Till 1');
    await expect(till.page.getByText('Online', { exact: true })).toBeVisible({ timeout: 30_000 });

    // Open the shift with a float of 100.00.
    await navigate(till.page, 'Shift');
    await till.page.getByTestId('shift-float-input').fill('100.00');
    await till.page.getByTestId('open-shift').click();
    // An opened shift goes straight to selling.
    await expect(till.page.getByRole('heading', { name: 'Sell tickets' })).toBeVisible();

    // Hold three seats of the first quota while online; their signed codes arrive by themselves.
    const seats = till.page.getByTestId('held-seats').first();
    await expect(seats).toBeVisible();
    const quota = (await seats.getAttribute('data-quota'))!;
    await till.page.getByLabel('Seats per request').fill('3');
    await seats.getByRole('button', { name: `Request 3 seats for ${quota}` }).click();
    await expect(seats).toContainText('3 seats left on this device', { timeout: 30_000 });

    // The venue loses its link: the server stops, the till keeps selling from the seats it holds.
    await janix.stopServer();
    await expect(till.page.getByText('Offline', { exact: true })).toBeVisible({ timeout: 30_000 });
    // Each demo ticket type sells from a quota of its own, named like it.
    const quantity = till.page.getByLabel(`Quantity of ${quota}`, { exact: true });
    await quantity.fill('2');
    await till.page.getByTestId('cash-given').fill('500');
    await till.page.getByTestId('confirm-sale').click();
    const done = till.page.getByTestId('sale-done');
    await expect(done).toBeVisible();
    await expect(till.page.getByTestId('sale-not-synced')).toBeVisible();
    const code = (await done.getByRole('heading').innerText()).match(/Order (\w{8})/)?.[1];
    expect(code).toBeTruthy();

    // Two more than the one seat left: refused, clearly, and nothing is sold.
    await till.page.getByTestId('next-sale').click();
    await expect(seats).toContainText('1 seat left on this device');
    await quantity.fill('2');
    await till.page.getByTestId('confirm-sale').click();
    await expect(till.page.getByRole('alert').filter({ hasText: /seat/ }).first()).toContainText(/1 seat/);
    await expect(done).toBeHidden();

    // The server comes back: the sale reaches it, and a second console sees the order.
    await janix.restartServer();
    await expect(async () => {
      await till.syncNow();
      await expect(till.page.getByText('All changes synced')).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 60_000 });

    const office = new ConsolePage(await (await browser.newContext()).newPage());
    await office.open(janix.consoleUrls[1]!);
    await office.signIn(DEMO_OWNER);
    await office.enroll('Office');
    await navigate(office.page, 'Orders');
    await expect(async () => {
      await office.page.getByTestId('order-search').fill(code!);
      await expect(office.page.getByTestId('order-results')).toContainText(code!, { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });

    // The till refunds it, with a reason, after a confirmation.
    await navigate(till.page, 'Orders');
    await till.page.getByTestId('order-search').fill(code!);
    await till.page.getByTestId('order-results').getByRole('link').first().click();
    await expect(till.page.getByTestId('order-status')).toContainText(/paid/i);
    await till.page.getByTestId('undo-refund').check();
    await till.page.getByTestId('undo-reason').fill('Buyer could not stay');
    await till.page.getByTestId('undo-review').click();
    await till.page.getByTestId('undo-confirm').click();
    await expect(till.page.getByTestId('order-status')).toContainText(/refunded/i);
    await expect(till.page.getByTestId('order-audit')).toContainText('Buyer could not stay');

    // Close the shift blind: the cash sale and its refund cancel out, so 100.00 is expected; 95.00 counted.
    await navigate(till.page, 'Shift');
    await expect(till.page.getByTestId('shift-float')).toContainText('100.00');
    await till.page.getByTestId('close-shift').click();
    await till.page.getByTestId('counted-cash').fill('95.00');
    await till.page.getByTestId('confirm-close').click();
    const report = till.page.getByTestId('z-report');
    await expect(report).toBeVisible();
    await expect(till.page.getByTestId('report-expected')).toContainText('100.00');
    await expect(till.page.getByTestId('report-counted')).toContainText('95.00');
    await expect(till.page.getByTestId('report-over-short')).toContainText('5.00');
  } finally {
    await janix.close();
  }
});
