// Attacks on, and misuse of, a console against a real server: what a thief with the replica file, a careless
// server URL, a restored server, a revocation, a restart offline and two consoles editing offline must not do.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite, signIn, signInAndEnroll, switchableNetwork } from './console-fixtures.ts';
import { openLocalCore, type LocalCore, type LocalCoreOptions } from '../src/index.ts';
import { openReplica } from '../src/replica/open-replica.ts';

const demo = generateDemoOrg({ seed: 11, attendees: 20 });
const suite = consoleSuite(demo);

async function openConsole(dataDir: string, options: Partial<LocalCoreOptions> = {}): Promise<LocalCore> {
  const core = await openLocalCore({ dataDir, serverUrl: suite.server.url, autoSync: false, ...options });
  suite.defer(() => core.close().catch(() => undefined));
  return core;
}

/** Everything on disk in the data folder that SQLite writes: the replica and its WAL. */
function replicaBytes(dataDir: string): string {
  return ['replica.sqlite', 'replica.sqlite-wal']
    .map((name) => join(dataDir, name))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

const draft = {
  name: 'Misuse Night',
  venue: 'Harbour Hall',
  startsAt: '2026-12-10T19:00:00Z',
  endsAt: '2026-12-10T22:00:00Z',
  status: 'draft' as const,
};

describe('secrets at rest', () => {
  it('never writes the session or device token into the replica file', async () => {
    const dataDir = suite.dataDir('tokens');
    const core = await openConsole(dataDir);
    await signInAndEnroll(core, suite.server, 'Thief target');
    await core.syncNow();
    const session = core.replica().meta.get('session')!.token;
    const device = core.replica().meta.get('device')!.deviceToken;
    await core.close();

    const bytes = replicaBytes(dataDir);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).not.toContain(session);
    expect(bytes).not.toContain(device);
    // The key that opens them is not in the data folder (copying the folder does not take it along).
    expect(existsSync(`${dataDir}.key`)).toBe(true);
  });

  it('seals the plaintext tokens of an older replica when it opens, and still uses them', async () => {
    const dataDir = suite.dataDir('legacy');
    const core = await openConsole(dataDir);
    await signInAndEnroll(core, suite.server, 'Old console');
    const session = core.replica().meta.get('session')!;
    const device = core.replica().meta.get('device')!;
    await core.close();
    // What an older console left: both tokens as plaintext JSON.
    const db = await openReplica(dataDir);
    const put = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
    put.run(JSON.stringify(session), 'session');
    put.run(JSON.stringify(device), 'device');
    db.close();
    expect(replicaBytes(dataDir)).toContain(device.deviceToken);

    const reopened = await openConsole(dataDir);
    expect(replicaBytes(dataDir)).not.toContain(device.deviceToken);
    expect(replicaBytes(dataDir)).not.toContain(session.token);
    await reopened.syncNow();
    const status = await reopened.caller.status();
    expect(status.device?.name).toBe('Old console');
    expect(status.sync.lastError).toBeNull();
  });

  it('refuses a second console on a data folder a running one holds', async () => {
    const dataDir = suite.dataDir('locked');
    await openConsole(dataDir);
    await expect(openConsole(dataDir)).rejects.toThrow(/in use by another console/);
  });
});

describe('server URLs', () => {
  it.each(['http://example.com', 'http://10.0.0.2:4000', 'ftp://127.0.0.1', 'https://user:pw@janix.example'])(
    'refuses %s before it sends a token anywhere',
    async (serverUrl) => {
      const dataDir = suite.dataDir('url');
      await expect(openLocalCore({ dataDir, serverUrl, autoSync: false })).rejects.toThrow(/server URL/);
      expect(existsSync(join(dataDir, 'replica.sqlite'))).toBe(false);
    },
  );

  it('accepts https anywhere and http on this machine', async () => {
    for (const serverUrl of ['https://janix.example', 'http://localhost:4000', 'http://[::1]:4000']) {
      const core = await openLocalCore({ dataDir: suite.dataDir('url-ok'), serverUrl, autoSync: false });
      await core.close();
    }
  });
});

describe('losing the server', () => {
  it('keeps every unsynced change when the server does not know the device (a restore), and says so', async () => {
    const network = switchableNetwork();
    const core = await openConsole(suite.dataDir('unknown'), { fetch: network.fetch });
    await signInAndEnroll(core, suite.server, 'Restored away');
    await core.syncNow();
    network.set(false);
    await core.caller.events.create({ draft });
    await core.caller.events.create({ draft: { ...draft, name: 'Second offline change' } });
    const device = (await core.caller.status()).device!;
    // The server comes back from a backup taken before this device enrolled.
    await suite.server.db.adminPool.query('DELETE FROM devices WHERE id = $1', [device.id]);
    network.set(true);
    await core.syncNow();

    const status = await core.caller.status();
    expect(status.device?.id).toBe(device.id);
    expect(status.sync.pending).toBe(2);
    expect(status.sync.unknownDevice).toBe(true);
    expect(status.notice).toBeNull();
    expect((await core.caller.events.list()).some((event) => event.name === 'Second offline change')).toBe(
      true,
    );
  });

  it('says how many unsynced changes a revocation erased', async () => {
    const network = switchableNetwork();
    const core = await openConsole(suite.dataDir('revoked'), { fetch: network.fetch });
    await signInAndEnroll(core, suite.server, 'Revoked with work');
    await core.syncNow();
    network.set(false);
    await core.caller.events.create({ draft });
    await core.caller.events.create({ draft });
    await core.caller.events.create({ draft });
    const device = (await core.caller.status()).device!;
    await suite.server.db.adminPool.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [device.id]);
    network.set(true);
    await core.syncNow();

    const status = await core.caller.status();
    expect(status.device).toBeNull();
    expect(status.notice).toMatchObject({ kind: 'device_revoked', lostChanges: 3 });
  });

  it('remembers the last successful sync across a restart offline', async () => {
    const dataDir = suite.dataDir('restart');
    const network = switchableNetwork();
    let core = await openConsole(dataDir, { fetch: network.fetch });
    await signInAndEnroll(core, suite.server, 'Restarted offline');
    await core.syncNow();
    const synced = (await core.caller.status()).sync.lastSyncedAt;
    expect(synced).not.toBeNull();
    await core.close();

    network.set(false);
    core = await openConsole(dataDir, { fetch: network.fetch });
    await core.syncNow();
    const status = await core.caller.status();
    expect(status.online).toBe(false);
    expect(status.sync.lastSyncedAt).toBe(synced);
  });
});

describe('what the console tells its user', () => {
  it('shows on the record that another console overwrote an edit made offline', async () => {
    const networkA = switchableNetwork();
    const networkB = switchableNetwork();
    const first = await openConsole(suite.dataDir('editor-a'), { fetch: networkA.fetch });
    const second = await openConsole(suite.dataDir('editor-b'), { fetch: networkB.fetch });
    await signInAndEnroll(first, suite.server, 'Box office 1');
    await signInAndEnroll(second, suite.server, 'Box office 2');
    await first.syncNow();
    await second.syncNow();
    const event = demo.events[0]!;

    // Both go offline and change the venue of the same event.
    networkA.set(false);
    networkB.set(false);
    await first.caller.events.update({ id: event.id, patch: { venue: 'Venue of console 1' } });
    await second.caller.events.update({
      id: event.id,
      patch: { venue: 'Venue of console 2', status: 'on_sale' },
    });
    // The first reconnects first; the second's later edit then wins on the server.
    networkA.set(true);
    await first.syncNow();
    expect(await first.caller.notices.list()).toEqual([]);
    networkB.set(true);
    await second.syncNow();
    await first.syncNow();

    expect((await first.caller.events.get({ id: event.id })).venue).toBe('Venue of console 2');
    const notices = await first.caller.notices.list();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      kind: 'overwritten',
      recordId: event.id,
      label: event.name,
      detail: { fields: ['venue'], by: 'Box office 2' },
    });
    expect((await first.caller.status()).sync.overwrittenNotices).toBe(1);
    // The console whose edit won has nothing to be told.
    expect(await second.caller.notices.list()).toEqual([]);

    await first.caller.notices.dismiss({ id: notices[0]!.id });
    expect(await first.caller.notices.list()).toEqual([]);
  });

  it('names the record of a refused change and counts it as unseen until dismissed', async () => {
    const core = await openConsole(suite.dataDir('refused'));
    await signInAndEnroll(core, suite.server, 'Refused');
    await core.syncNow();
    const { id } = await core.caller.events.create({ draft: { ...draft, name: 'Moved Gala' } });
    await core.syncNow();
    // Meanwhile another console moves the event a day later, so this console's edit breaks the time rule.
    const other = await openConsole(suite.dataDir('refused-other'));
    await signInAndEnroll(other, suite.server, 'Mover');
    await other.syncNow();
    await other.caller.events.update({
      id,
      patch: { startsAt: '2026-12-11T19:00:00Z', endsAt: '2026-12-11T23:00:00Z' },
    });
    await other.syncNow();
    await core.caller.events.update({ id, patch: { endsAt: '2026-12-10T23:00:00Z' } });
    await core.syncNow();

    const notices = await core.caller.notices.list();
    const notice = notices.find((candidate) => candidate.kind === 'rejected');
    expect(notice).toMatchObject({
      kind: 'rejected',
      recordId: id,
      label: 'Moved Gala',
      detail: { command: 'updateEvent', code: 'invalid_times' },
    });
    let status = await core.caller.status();
    expect(status.sync.pending).toBe(0);
    expect(status.sync.unseenRejections).toBe(1);
    await core.caller.notices.dismiss({ id: notice!.id });
    status = await core.caller.status();
    expect(status.sync.unseenRejections).toBe(0);
    // The history on the dashboard keeps it.
    expect(status.sync.rejectionCount).toBe(1);
    // The move itself overwrote the times this console had set when it created the event: said too.
    expect(notices.find((candidate) => candidate.kind === 'overwritten')).toMatchObject({
      recordId: id,
      detail: { fields: ['ends_at', 'starts_at'], by: 'Mover' },
    });
  });

  it('does not let a box-office user edit events on a device an owner enrolled', async () => {
    const core = await openConsole(suite.dataDir('box-office'));
    await signInAndEnroll(core, suite.server, 'Front desk');
    await core.syncNow();
    await core.caller.auth.signOut();
    await signIn(core, suite.server, 'boxoffice@janix.test');

    const status = await core.caller.status();
    expect(status.device).toMatchObject({ role: 'owner', userRole: 'box_office' });
    await expect(core.caller.events.create({ draft })).rejects.toThrow();
    await expect(
      core.caller.events.update({ id: demo.events[0]!.id, patch: { venue: 'Not allowed' } }),
    ).rejects.toThrow();
    expect(status.sync.pending).toBe(0);
  });
});
