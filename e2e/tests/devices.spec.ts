import { expect, test } from '@playwright/test';
import { ConsolePage } from '../fixtures/console-page.ts';
import { janixProcesses } from '../fixtures/janix-processes.ts';

const DEMO_OWNER = 'demo@janix.test';

/**
 * Settings → Devices, through the UI: an owner sees both consoles, takes the attendee data off one and revokes
 * it after a confirmation, and that console erases itself; without the server the section says it needs it.
 */
test('an owner manages the devices: profile, revocation, and offline', async ({ browser }) => {
  test.setTimeout(300_000);
  const janix = await janixProcesses(['office', 'door']);
  try {
    const office = new ConsolePage(await (await browser.newContext()).newPage());
    await office.open(janix.consoleUrls[0]!);
    await office.signIn(DEMO_OWNER);
    await office.enroll('Office');
    const door = new ConsolePage(await (await browser.newContext()).newPage());
    await door.open(janix.consoleUrls[1]!);
    await door.signIn(DEMO_OWNER);
    await door.enroll('Door');
    await expect(office.page.getByText('Online', { exact: true })).toBeVisible({ timeout: 30_000 });

    await office.page.getByRole('link', { name: 'Settings', exact: true }).click();
    const devices = office.page.getByRole('region', { name: 'Devices' });
    await expect(devices.getByRole('row', { name: /Office/ })).toContainText('This console');
    await expect(devices.getByRole('button', { name: 'Revoke Office' })).toHaveCount(0);
    const doorRow = devices.getByRole('row', { name: /Door/ });
    await expect(doorRow).toContainText('Active');

    // No attendee data on the door.
    await devices
      .getByRole('combobox', { name: 'Profile of Door' })
      .selectOption({ label: 'No attendee data' });
    await devices.getByRole('button', { name: 'Save profile of Door' }).click();
    await expect(doorRow.getByRole('status')).toHaveText('Saved.');
    await expect(devices.getByRole('combobox', { name: 'Profile of Door' })).toHaveValue('no_attendee_data');

    // Revoke it, confirmed against a sentence naming it and what is lost.
    await devices.getByRole('button', { name: 'Revoke Door' }).click();
    const confirm = devices.getByRole('alertdialog');
    await expect(confirm).toContainText('Revoke “Door”?');
    await expect(confirm).toContainText('its data is erased');
    await confirm.getByRole('button', { name: 'Revoke and erase its data' }).click();
    await expect(doorRow).toContainText('Revoked');
    await expect(devices.getByRole('button', { name: 'Revoke Door' })).toHaveCount(0);

    await door.syncNow().catch(() => undefined);
    await expect(door.page.getByTestId('revoked-notice')).toContainText('Device revoked', {
      timeout: 30_000,
    });

    // Without the server, the section says so instead of failing.
    await janix.stopServer();
    await expect(office.page.getByText('Offline', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(devices).toContainText('Managing devices needs the server');
  } finally {
    await janix.close();
  }
});
