import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite, signInAndEnroll, switchableNetwork } from './console-fixtures.ts';
import { openLocalCore, type LocalCore } from '../src/index.ts';

const demo = generateDemoOrg({ seed: 7, attendees: 20 });
const suite = consoleSuite(demo);

async function enrolledConsole(dataDir: string, network = switchableNetwork()): Promise<LocalCore> {
  const core = await openLocalCore({
    dataDir,
    serverUrl: suite.server.url,
    autoSync: false,
    fetch: network.fetch,
  });
  await signInAndEnroll(core, suite.server, 'Door 1');
  await core.syncNow();
  return core;
}

const draft = {
  name: 'Offline Sessions',
  venue: 'Harbour Hall',
  startsAt: '2026-12-10T19:00:00Z',
  endsAt: '2026-12-10T22:00:00Z',
  status: 'draft' as const,
};

describe('a console at a venue', () => {
  it('accepts changes offline, keeps them across a restart, and delivers them once back online', async () => {
    const dataDir = suite.dataDir('offline');
    const network = switchableNetwork();
    let core = await enrolledConsole(dataDir, network);

    network.set(false);
    const { id } = await core.caller.events.create({ draft });
    await core.syncNow();
    let status = await core.caller.status();
    expect(status.online).toBe(false);
    expect(status.sync.pending).toBe(1);
    expect((await core.caller.events.get({ id })).pending).toBe(true);

    // The process goes away (closed here; the outbox row was committed with synchronous=FULL).
    await core.close();
    core = await openLocalCore({
      dataDir,
      serverUrl: suite.server.url,
      autoSync: false,
      fetch: network.fetch,
    });
    suite.defer(() => core.close());
    expect((await core.caller.status()).sync.pending).toBe(1);

    network.set(true);
    await core.syncNow();
    status = await core.caller.status();
    expect(status.online).toBe(true);
    expect(status.sync.pending).toBe(0);
    const stored = await suite.server.db.adminPool.query('SELECT name FROM events WHERE id = $1', [id]);
    expect(stored.rows).toEqual([{ name: 'Offline Sessions' }]);
  });

  it('shows a change the server rejects in the rejection history and drops its optimistic effect', async () => {
    const first = await enrolledConsole(suite.dataDir('reject'));
    suite.defer(() => first.close());
    const { id } = await first.caller.events.create({ draft: { ...draft, name: 'To be moved' } });
    await first.syncNow();

    // Meanwhile another console moved the event a day later, so this console's edit breaks the time rule
    // there (a plain UPDATE would not do: the database refuses a write that skips the organization version).
    const mover = await enrolledConsole(suite.dataDir('reject-mover'));
    suite.defer(() => mover.close());
    await mover.caller.events.update({
      id,
      patch: { startsAt: '2026-12-11T19:00:00Z', endsAt: '2026-12-11T23:00:00Z' },
    });
    await mover.syncNow();
    await first.caller.events.update({ id, patch: { endsAt: '2026-12-10T23:00:00Z' } });
    expect((await first.caller.events.get({ id })).pending).toBe(true);
    await first.syncNow();

    const rejections = await first.caller.sync.rejections();
    expect(rejections[0]).toMatchObject({ name: 'updateEvent', code: 'invalid_times' });
    const event = await first.caller.events.get({ id });
    expect(event.pending).toBe(false);
    expect(event.endsAt).toBe(new Date('2026-12-11T23:00:00Z').toISOString());
  });

  it('erases its replica when the device has been revoked', async () => {
    const dataDir = suite.dataDir('revoked');
    const core = await enrolledConsole(dataDir);
    suite.defer(() => core.close());
    expect((await core.caller.events.list()).length).toBeGreaterThan(0);
    const device = (await core.caller.status()).device!;

    await suite.server.db.adminPool.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [device.id]);
    await core.syncNow();

    const status = await core.caller.status();
    expect(status.device).toBeNull();
    expect(status.user).toBeNull();
    expect(status.notice?.kind).toBe('device_revoked');
    await expect(core.caller.events.list()).rejects.toThrow('Enroll this console first.');
    expect(existsSync(join(dataDir, 'replica.sqlite'))).toBe(true);
  });
});
