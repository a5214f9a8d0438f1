import { expect, test, type Page } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';

const DEMO_OWNER = 'demo@janix.test';

interface DoorTicket extends Record<string, unknown> {
  event_id: string;
  secret: string;
  order_code: string;
  first_name: string;
  last_name: string;
}

/** Opens the check-in screen of an event through the navigation, as a door supervisor would. */
async function openCheckIn(page: Page, eventId: string): Promise<void> {
  await page.getByRole('link', { name: 'Check-in', exact: true }).first().click();
  await expect(page.getByRole('heading', { name: 'Check-in', exact: true })).toBeVisible();
  await page.getByLabel('Event').selectOption(eventId);
}

async function createList(page: Page, name: string, validFrom?: string): Promise<void> {
  await page.getByRole('link', { name: 'New check-in list' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  if (validFrom) await page.getByLabel('Valid from').fill(validFrom);
  await page.getByRole('button', { name: 'Create list' }).click();
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
}

async function openList(page: Page, eventId: string, name: string): Promise<void> {
  await openCheckIn(page, eventId);
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name: `Check-in: ${name}` })).toBeVisible();
}

const verdict = (page: Page) => page.getByRole('region', { name: 'Verdict' });

/** Types a code into the "Ticket code" field and presses Enter, as a person copying it from a phone would. */
async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Ticket code').fill(code);
  await page.getByLabel('Ticket code').press('Enter');
}

/**
 * An evening at two doors, through the UI: lists made on one console reach the other; the server goes away and
 * both doors admit the same ticket (one from a keyboard-wedge scanner's burst of keystrokes, one typed); when
 * the server is back, the double entry is flagged on both. A forged code and a list whose time has not come are
 * refused with their reasons; an attendee without their code is found by order code and checked in by hand.
 */
test('two doors offline admit one ticket: the double entry surfaces on both; forged, too early, manual check-in', async ({
  browser,
}) => {
  test.setTimeout(360_000);
  const janix = await janixProcesses(['door-1', 'door-2']);
  try {
    // Tickets as buyers bring them: valid, signed, each the only ticket of its order, of one event on sale.
    const tickets = await janix.query<DoorTicket>(
      `WITH single AS (
         SELECT k.org_id, k.order_id FROM tickets k GROUP BY k.org_id, k.order_id HAVING count(*) = 1
       )
       SELECT k.event_id, k.secret, o.code AS order_code, p.first_name, p.last_name
       FROM tickets k
       JOIN single s ON s.org_id = k.org_id AND s.order_id = k.order_id
       JOIN orders o ON o.org_id = k.org_id AND o.id = k.order_id
       JOIN people p ON p.org_id = k.org_id AND p.id = k.person_id
       WHERE k.status = 'valid' AND length(k.secret) = 156
         AND k.event_id = (SELECT e.id FROM events e WHERE e.status = 'on_sale' ORDER BY e.starts_at, e.id LIMIT 1)
       ORDER BY k.id LIMIT 3`,
    );
    expect(tickets).toHaveLength(3);
    const [shared, late, forgotten] = tickets as [DoorTicket, DoorTicket, DoorTicket];
    const eventId = shared.event_id;

    const door1 = new ConsolePage(await (await browser.newContext()).newPage());
    await door1.open(janix.consoleUrls[0]!);
    await door1.signIn(DEMO_OWNER);
    await door1.enroll('Door 1');
    const door2 = new ConsolePage(await (await browser.newContext()).newPage());
    await door2.open(janix.consoleUrls[1]!);
    await door2.signIn(DEMO_OWNER);
    await door2.enroll('Door 2');
    for (const door of [door1, door2]) {
      await expect(door.page.getByText('Online', { exact: true })).toBeVisible({ timeout: 60_000 });
    }

    // Two lists on the first console: the main door, and a late door that opens only tomorrow evening.
    await openCheckIn(door1.page, eventId);
    await createList(door1.page, 'Main door');
    await openCheckIn(door1.page, eventId);
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
    await createList(door1.page, 'Late door', `${tomorrow}T18:00`);
    await expect(async () => {
      await door1.syncNow();
      await expect(door1.page.getByText('All changes synced')).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    // The second console receives both lists through the feed.
    await expect(async () => {
      await openCheckIn(door2.page, eventId);
      await expect(door2.page.getByRole('link', { name: 'Main door', exact: true })).toBeVisible({
        timeout: 3_000,
      });
    }).toPass({ timeout: 60_000 });
    await openList(door1.page, eventId, 'Main door');
    await openList(door2.page, eventId, 'Main door');

    // The venue loses its link. Door 1's scanner types the code as a burst of keystrokes with Enter, into no
    // field at all; door 2's supervisor types the same code by hand. Both admit: neither can know.
    await janix.stopServer();
    for (const door of [door1, door2]) {
      await expect(door.page.getByText('Offline', { exact: true })).toBeVisible({ timeout: 30_000 });
    }
    await door1.page.getByRole('heading', { name: 'Check-in: Main door' }).click();
    await door1.page.keyboard.type(shared.secret, { delay: 2 });
    await door1.page.keyboard.press('Enter');
    await expect(verdict(door1.page)).toHaveAttribute('data-tone', 'green');
    await expect(verdict(door1.page)).toContainText(`${shared.first_name} ${shared.last_name}`);
    await typeCode(door2.page, shared.secret);
    await expect(verdict(door2.page)).toHaveAttribute('data-tone', 'green');

    // The same code again at door 1 is refused at once, with when and where it came in.
    await typeCode(door1.page, shared.secret);
    await expect(verdict(door1.page)).toHaveAttribute('data-tone', 'red');
    await expect(verdict(door1.page)).toContainText('Already entered at');
    await expect(verdict(door1.page)).toContainText('Door 1');

    // A forged code: one character of the signature changed.
    const forged =
      shared.secret.slice(0, 120) + (shared.secret[120] === 'A' ? 'B' : 'A') + shared.secret.slice(121);
    await typeCode(door1.page, forged);
    await expect(verdict(door1.page)).toHaveAttribute('data-tone', 'red');
    await expect(verdict(door1.page)).not.toContainText(shared.first_name);

    // The server comes back: both doors sync, and both are told of the double entry.
    await janix.restartServer();
    for (const door of [door1, door2]) {
      await expect(async () => {
        await door.syncNow();
        await expect(door.page.getByRole('alert').filter({ hasText: 'Double entry' }).first()).toBeVisible({
          timeout: 3_000,
        });
      }).toPass({ timeout: 90_000 });
      const alert = door.page.getByRole('alert').filter({ hasText: 'Double entry' }).first();
      await expect(alert).toContainText('Door 1');
      await expect(alert).toContainText('Door 2');
    }

    // The late door refuses a valid ticket with the time it opens.
    await openList(door2.page, eventId, 'Late door');
    await typeCode(door2.page, late.secret);
    await expect(verdict(door2.page)).toHaveAttribute('data-tone', 'red');
    await expect(verdict(door2.page)).toContainText('Only valid after');

    // Someone without their code: found by order code and checked in by hand.
    await openList(door2.page, eventId, 'Main door');
    await door2.page.getByLabel('Search attendees').fill(forgotten.order_code);
    const results = door2.page.getByTestId('search-results');
    await expect(results).toContainText(forgotten.last_name);
    await results
      .getByRole('button', { name: /Check in/ })
      .first()
      .click();
    await expect(verdict(door2.page)).toHaveAttribute('data-tone', 'green');
    await expect(verdict(door2.page)).toContainText(`${forgotten.first_name} ${forgotten.last_name}`);
  } finally {
    await janix.close();
  }
});
