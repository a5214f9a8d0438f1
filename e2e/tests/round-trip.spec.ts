import { expect, test } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';

const DEMO_OWNER = 'demo@janix.test';

test('sign in, enroll, create an event and see it on a second console', async ({ browser }) => {
  const first = new ConsolePage(await (await browser.newContext()).newPage());
  const second = new ConsolePage(await (await browser.newContext()).newPage());

  await first.open(process.env.JANIX_E2E_CONSOLE_A!);
  await first.signIn(DEMO_OWNER);
  await first.enroll('Box office A');
  await expect(first.page.getByText('Online', { exact: true })).toBeVisible();

  await first.goToEvents();
  // The demo organization's events have replicated.
  await expect(first.page.getByRole('row').nth(3)).toBeVisible();
  const name = `E2E Harbour Gala ${Date.now()}`;
  await first.createEvent({ name, venue: 'Pier 9', starts: '2026-12-20T19:00', ends: '2026-12-20T23:30' });
  await expect(first.page.getByRole('link', { name, exact: true })).toBeVisible();

  await second.open(process.env.JANIX_E2E_CONSOLE_B!);
  await second.signIn(DEMO_OWNER);
  await second.enroll('Box office B');
  await second.goToEvents();
  await expect(async () => {
    await second.syncNow();
    await expect(second.page.getByRole('link', { name, exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(second.page.getByRole('row', { name: new RegExp(name) })).toContainText('Pier 9');

  // Live: an edit on the first console shows up on the second without anyone pressing "Sync now".
  await first.page.getByRole('link', { name, exact: true }).click();
  await first.page.getByLabel('Venue').fill('Harbour Hall');
  await first.page.getByRole('button', { name: 'Save' }).click();
  await expect(second.page.getByRole('row', { name: new RegExp(name) })).toContainText('Harbour Hall', {
    timeout: 10_000,
  });
});

test('a wrong sign-in code is refused with a clear message', async ({ page }) => {
  const console = new ConsolePage(page);
  await console.open(process.env.JANIX_E2E_CONSOLE_A!);
  // Console A is enrolled by the previous test; sign out to reach the sign-in screen again.
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(page.getByLabel('Email').or(signOut).first()).toBeVisible();
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('Email').fill(DEMO_OWNER);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('Sign-in code').fill('000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/Wrong code|attempts/);
});

test('a local process without the launch secret gets 403; a page opened without it says how to get in', async ({
  browser,
  request,
}) => {
  const consoleUrl = new URL(process.env.JANIX_E2E_CONSOLE_A!);
  expect(consoleUrl.hash).toMatch(/^#launch=/);
  // curl-like: no Origin, no Sec-Fetch-Site, just a process on this machine.
  const status = await request.get(`${consoleUrl.origin}/trpc/status`);
  expect(status.status()).toBe(403);
  const signOut = await request.post(`${consoleUrl.origin}/trpc/auth.signOut`, {
    headers: { 'x-janix-launch': 'guessed-guessed-guessed' },
    data: {},
  });
  expect(signOut.status()).toBe(403);

  const page = await (await browser.newContext()).newPage();
  await page.goto(consoleUrl.origin);
  await expect(page.getByTestId('needs-launch-link')).toContainText('link it printed');
});

test('a box-office user is not offered event editing, even on a device an owner enrolled', async ({
  page,
}) => {
  const console = new ConsolePage(page);
  // Console B was enrolled by the owner in the first test.
  await console.open(process.env.JANIX_E2E_CONSOLE_B!);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await console.signIn('boxoffice@janix.test');
  await console.goToEvents();
  await expect(page.getByRole('row').nth(3)).toBeVisible();
  await expect(page.getByRole('button', { name: 'New event' })).toHaveCount(0);
  // Event names are not links to the editor; each event's tickets and quotas open read-only.
  const links = page.getByRole('table').getByRole('link');
  await expect(links.filter({ hasNotText: /ticket type/ })).toHaveCount(0);
  await links.first().click();
  await expect(page.getByTestId('event-setup')).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Add|Edit)/ })).toHaveCount(0);
});
