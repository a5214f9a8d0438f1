import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { spawnUntilLine, stopProcess } from '@janix/testkit';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';

const DEMO_OWNER = 'demo@janix.test';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** An email as the capture's GET /emails lists it (Resend's documented list shape). */
interface ListedEmail {
  id: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string; content_type: string | null; size: number }>;
}

/**
 * Order emails through the UI, with the real server mailing through the real Resend SDK to the local
 * capture server (server/src/testing/resend-capture.ts, its own process here): a cash sale to a buyer with
 * an address sends the tickets (a PDF, a QR image each) and the receipt, which the test finds in the capture
 * and the order screen shows as sent; an address Resend refuses shows on its order as not sent, with why, and
 * the resend button asks again.
 */
test('a sale emails the buyer its tickets and receipt through Resend; a refused address shows on the order with a resend', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const refused = 'nobody@refused.janix.test';
  const capture = await spawnUntilLine(
    tsx,
    ['server/src/testing/resend-capture-main.ts', '--refuse', refused],
    /^Resend capture: (\S+) key (\S+)/m,
    { cwd: root, timeoutMs: 60_000 },
  );
  const captureUrl = capture.match[1]!;
  const emails = async (): Promise<ListedEmail[]> =>
    ((await (await fetch(`${captureUrl}/emails`)).json()) as { data: ListedEmail[] }).data;
  const janix = await janixProcesses(['till'], {
    RESEND_API_KEY: capture.match[2]!,
    RESEND_BASE_URL: captureUrl,
  });
  try {
    const till = new ConsolePage(await (await browser.newContext()).newPage());
    await till.open(janix.consoleUrls[0]!);
    // No dev mailbox with a mail provider: the sign-in code is read from the capture, as a user reads their mail.
    await till.signInWith(DEMO_OWNER, async () => {
      let code: string | undefined;
      await expect(async () => {
        const mail = (await emails()).find((email) => email.to.includes(DEMO_OWNER));
        code = mail?.text?.match(/code is (\d{6})/)?.[1];
        expect(code).toBeTruthy();
      }).toPass({ timeout: 30_000 });
      return code!;
    });
    await till.enroll('Till 1');
    await expect(till.page.getByText('Online', { exact: true })).toBeVisible({ timeout: 30_000 });

    await till.page.getByRole('link', { name: 'Shift', exact: true }).click();
    await till.page.getByTestId('shift-float-input').fill('100.00');
    await till.page.getByTestId('open-shift').click();
    await expect(till.page.getByRole('heading', { name: 'Sell tickets' })).toBeVisible();
    const seats = till.page.getByTestId('held-seats').first();
    const quota = (await seats.getAttribute('data-quota'))!;
    await till.page.getByLabel('Seats per request').fill('3');
    await seats.getByRole('button', { name: `Request 3 seats for ${quota}` }).click();
    await expect(seats).toContainText('3 seats left on this device', { timeout: 30_000 });

    const buyer = 'ada.lovelace@buyers.janix.test';
    const paid = await sell(till.page, quota, 2, { firstName: 'Ada', email: buyer });
    await till.page.getByTestId('next-sale').click();
    const bounced = await sell(till.page, quota, 1, { firstName: 'Nobody', email: refused });

    // The tickets and the receipt reach the buyer through Resend: the capture holds them, attachments included.
    await expect(async () => {
      const sent = (await emails()).filter((email) => email.to.includes(buyer));
      expect(sent.map((email) => email.subject).sort()).toEqual([
        expect.stringMatching(new RegExp(`^Receipt for order ${paid}`)),
        expect.stringMatching(new RegExp(`^Your tickets for .+ \\(order ${paid}\\)$`)),
      ]);
      const tickets = sent.find((email) => email.subject.startsWith('Your tickets'))!;
      expect(tickets.attachments.map((attachment) => [attachment.filename, attachment.content_type])).toEqual(
        [
          [`tickets-${paid}.pdf`, 'application/pdf'],
          ['ticket-1.png', 'image/png'],
          ['ticket-2.png', 'image/png'],
        ],
      );
      expect(tickets.html).toContain('cid:ticket-1');
    }).toPass({ timeout: 60_000 });

    // The order screen says both went out.
    await openOrder(till.page, paid);
    const rows = till.page.getByTestId('order-email');
    await expect(async () => {
      await till.syncNow();
      await expect(rows).toHaveCount(2, { timeout: 3_000 });
      await expect(rows.getByTestId('order-email-status')).toHaveText(['Sent', 'Sent'], { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });

    // The refused address: not sent, with Resend's refusal in plain words, and a resend that asks again.
    await openOrder(till.page, bounced);
    await expect(async () => {
      await till.syncNow();
      await expect(rows.first().getByTestId('order-email-status')).toHaveText('Not sent', { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    await expect(till.page.getByTestId('order-email-reason').first()).toContainText(
      "Resend refused the buyer's email address as invalid",
    );
    await expect(till.page.getByTestId('order-emails')).not.toContainText(refused);
    const before = await rows.count();
    await till.page.getByTestId('resend-confirmation').click();
    await expect(rows).toHaveCount(before + 1);
    await expect(async () => {
      await till.syncNow();
      await expect(rows.getByTestId('order-email-status')).toHaveText(Array(before + 1).fill('Not sent'), {
        timeout: 3_000,
      });
    }).toPass({ timeout: 60_000 });
    expect((await emails()).some((email) => email.to.includes(refused))).toBe(false);
  } finally {
    await janix.close();
    await stopProcess(capture.child);
  }
});

/** One cash sale of `quantity` tickets of the quota's type to a buyer; resolves with its order code. */
async function sell(
  page: Page,
  quota: string,
  quantity: number,
  buyer: { firstName: string; email: string },
): Promise<string> {
  await page.getByLabel(`Quantity of ${quota}`, { exact: true }).fill(String(quantity));
  await page.getByLabel('First name').fill(buyer.firstName);
  await page.getByLabel('Last name').fill('Buyer');
  await page.getByLabel('Email').fill(buyer.email);
  await page.getByTestId('cash-given').fill('500');
  await page.getByTestId('confirm-sale').click();
  const done = page.getByTestId('sale-done');
  const heading = done.getByRole('heading').first();
  await expect(heading).toContainText(/Order \w{8}/);
  return (await heading.innerText()).match(/Order (\w{8})/)![1]!;
}

async function openOrder(page: Page, code: string): Promise<void> {
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByTestId('order-search').fill(code);
  await page.getByTestId('order-results').getByRole('link').first().click();
  await expect(page.getByRole('heading', { name: new RegExp(`Order ${code}`) })).toBeVisible();
}
