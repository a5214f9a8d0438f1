import { describe, expect, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite, openEnrolledConsole, signIn, switchableNetwork } from './console-fixtures.ts';
import type { LocalCore } from '../src/index.ts';

const demo = generateDemoOrg({ attendees: 20 });
const suite = consoleSuite(demo);

const newConsole = (name: string, network = switchableNetwork()) =>
  openEnrolledConsole(suite, name, 'org-devices', network);

const idOf = async (core: LocalCore) => (await core.caller.status()).device!.id;

const count = (core: LocalCore, table: string) =>
  (core.replica().db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("the organization's devices, managed from a console", () => {
  it('lists the consoles with their profile and last contact, and marks this one', async () => {
    const office = await newConsole('Office');
    const till = await newConsole('Till A');
    // A push is a contact the server records.
    await till.caller.events.create({
      draft: {
        name: 'Seen',
        venue: 'Harbour Hall',
        startsAt: '2026-12-10T19:00:00Z',
        endsAt: '2026-12-10T22:00:00Z',
        status: 'draft',
      },
    });
    await till.syncNow();

    const devices = await office.caller.orgDevices.list();
    const officeRow = devices.find((device) => device.name === 'Office');
    const tillRow = devices.find((device) => device.name === 'Till A');
    expect(officeRow).toMatchObject({ id: await idOf(office), profile: 'attendees', thisConsole: true });
    expect(tillRow).toMatchObject({
      id: await idOf(till),
      profile: 'attendees',
      thisConsole: false,
      revokedAt: null,
      lastSeenAt: expect.any(String),
    });
  });

  it('revokes another console, which erases itself on its next sync; never this one', async () => {
    const office = await newConsole('Office 2');
    const till = await newConsole('Till B');
    const tillId = await idOf(till);

    await expect(office.caller.orgDevices.revoke({ deviceId: await idOf(office) })).rejects.toThrow(
      'This is the console you are using',
    );
    expect(await office.caller.orgDevices.revoke({ deviceId: tillId })).toEqual({ revoked: true });
    const row = (await office.caller.orgDevices.list()).find((device) => device.id === tillId);
    expect(row?.revokedAt).toEqual(expect.any(String));

    await till.syncNow();
    const status = await till.caller.status();
    expect(status.device).toBeNull();
    expect(status.notice?.kind).toBe('device_revoked');
    await expect(till.caller.events.list()).rejects.toThrow('Enroll this console first.');
  });

  it('takes the attendee data off a console set to no attendee data', async () => {
    const office = await newConsole('Office 3');
    const door = await newConsole('Door C');
    expect(count(door, 'tickets')).toBeGreaterThan(0);

    await office.caller.orgDevices.setProfile({ deviceId: await idOf(door), profile: 'no_attendee_data' });
    const row = (await office.caller.orgDevices.list()).find((device) => device.name === 'Door C');
    expect(row?.profile).toBe('no_attendee_data');

    await door.syncNow();
    expect([count(door, 'tickets'), count(door, 'people'), count(door, 'orders')]).toEqual([0, 0, 0]);
    expect(count(door, 'events')).toBeGreaterThan(0);
  });

  it('refuses a box-office user', async () => {
    const core = await newConsole('Front desk');
    await core.caller.auth.signOut();
    await signIn(core, suite.server, 'boxoffice@janix.test');
    await expect(core.caller.orgDevices.list()).rejects.toThrow(
      'Only an owner or admin manages the devices.',
    );
    await expect(core.caller.orgDevices.revoke({ deviceId: await idOf(core) })).rejects.toThrow(
      'Only an owner or admin',
    );
  });

  it('says it needs the server when offline', async () => {
    const network = switchableNetwork();
    const office = await newConsole('Office 4', network);
    const other = await newConsole('Till D');
    network.set(false);
    await expect(office.caller.orgDevices.list()).rejects.toThrow('Managing devices needs the server.');
    await expect(office.caller.orgDevices.revoke({ deviceId: await idOf(other) })).rejects.toThrow(
      'Managing devices needs the server.',
    );
    expect((await other.caller.status()).device).not.toBeNull();
  });
});
