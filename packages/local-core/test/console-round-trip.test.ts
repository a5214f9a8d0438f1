import { describe, expect, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite, signInAndEnroll } from './console-fixtures.ts';
import { openLocalCore, type LocalCore } from '../src/index.ts';

const demo = generateDemoOrg({ attendees: 50 });
const suite = consoleSuite(demo);

async function newConsole(): Promise<LocalCore> {
  const core = await openLocalCore({
    dataDir: suite.dataDir('console'),
    serverUrl: suite.server.url,
    autoSync: false,
  });
  suite.defer(() => core.close());
  return core;
}

async function enrollAndSync(core: LocalCore, name: string): Promise<void> {
  await signInAndEnroll(core, suite.server, name);
  await core.syncNow();
}

describe('two consoles on one server', () => {
  it('replicates the demo events and carries a new event from one console to the other', async () => {
    const first = await newConsole();
    const second = await newConsole();
    await enrollAndSync(first, 'Box office 1');
    await enrollAndSync(second, 'Box office 2');
    expect((await first.caller.events.list()).map((e) => e.id).sort()).toEqual(
      demo.events.map((e) => e.id).sort(),
    );

    const { id } = await first.caller.events.create({
      draft: {
        name: 'Harbour Jazz Night',
        venue: 'Pier 9',
        startsAt: '2026-12-05T19:00:00Z',
        endsAt: '2026-12-05T23:00:00Z',
        status: 'draft',
      },
    });
    // Visible at once on the console that made it, marked pending until the server confirms it.
    expect((await first.caller.events.get({ id })).pending).toBe(true);
    await first.syncNow();
    expect((await first.caller.events.get({ id })).pending).toBe(false);
    expect((await first.caller.status()).sync.pending).toBe(0);

    await second.syncNow();
    const seen = await second.caller.events.get({ id });
    expect(seen).toMatchObject({ name: 'Harbour Jazz Night', venue: 'Pier 9', pending: false });

    await second.caller.events.update({ id, patch: { status: 'on_sale' } });
    await second.syncNow();
    await first.syncNow();
    expect((await first.caller.events.get({ id })).status).toBe('on_sale');
  });

  it('answers a screen waiting for a change as soon as one lands: a local command, then a sync', async () => {
    const first = await newConsole();
    const second = await newConsole();
    await enrollAndSync(first, 'Office 1');
    await enrollAndSync(second, 'Office 2');
    const settled = async (wait: Promise<number>) =>
      Promise.race([wait, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 200))]);

    // Nothing changes: the wait is held.
    const before = (await second.caller.status()).revision;
    const waiting = second.caller.changes({ after: before });
    expect(await settled(waiting)).toBe('waiting');
    // A change on the other console reaches this one with its sync, which answers the wait.
    await first.caller.events.create({
      draft: {
        name: 'Live Wait Night',
        venue: 'Pier 9',
        startsAt: '2026-12-05T19:00:00Z',
        endsAt: '2026-12-05T23:00:00Z',
        status: 'draft',
      },
    });
    await first.syncNow();
    expect(await settled(waiting)).toBe('waiting');
    await second.syncNow();
    const after = await settled(waiting);
    expect(after).not.toBe('waiting');
    expect(after).toBe((await second.caller.status()).revision);

    // A revision the core has passed already (or one from before a restart) is answered at once.
    expect(await settled(second.caller.changes({ after: before }))).toBe(after);
    // A local command answers too.
    const local = second.caller.changes({ after: after as number });
    await second.caller.events.create({
      draft: {
        name: 'Local Wait Night',
        venue: 'Pier 9',
        startsAt: '2026-12-06T19:00:00Z',
        endsAt: '2026-12-06T23:00:00Z',
        status: 'draft',
      },
    });
    expect(await settled(local)).toBeGreaterThan(after as number);
  });

  it('refuses a command its rules reject before queuing it', async () => {
    const core = await newConsole();
    await enrollAndSync(core, 'Till 3');
    const [event] = await core.caller.events.list();
    await expect(
      core.caller.events.update({ id: event!.id, patch: { endsAt: '2000-01-01T00:00:00Z' } }),
    ).rejects.toThrow('The event must end after it starts.');
    expect((await core.caller.status()).sync.pending).toBe(0);
  });
});
