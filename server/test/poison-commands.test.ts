import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PushResult } from '@janix/schemas';
import { generateDemoOrg } from '@janix/testkit';
import { takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { COMMAND_ATTEMPTS, pushCommands, type CommandFailure } from '../src/sync/push.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  enrolledDevice,
  orgHead,
  attempt,
  command,
  enroll,
  eventDraft,
  memberWithRole,
  ownerOf,
  rename,
  serverError,
  signIn,
  versions,
  waitFor,
} from './support.ts';

/**
 * G9 in the strong sense: a command the server cannot apply for a reason that is no business rule (a value
 * Postgres refuses, a name it does not know, a database error) is isolated and rejected with a clear code,
 * the rest of its batch applies and the device's queue moves on. Before, one such command failed its whole
 * batch (HTTP 400 or 500) and the console retried that batch forever.
 */

const demo = generateDemoOrg({ seed: 11, attendees: 20 });
const orgId = demo.org.id;
const eventIds = demo.events.map((event) => event.id);
let server: TestServer;
let ownerSession: string;

const freshDevice = (session = ownerSession, name?: string) => enrolledDevice(server, session, orgId, name);
const headVersion = () => orgHead(server, orgId);

async function eventName(id: string): Promise<string | undefined> {
  const result = await server.db.adminPool.query<{ name: string }>(
    'SELECT name FROM events WHERE id = $1 AND org_id = $2',
    [id, orgId],
  );
  return result.rows[0]?.name;
}

async function stored(deviceId: string) {
  const device = await server.db.adminPool.query<{ last_seq: number }>(
    'SELECT last_seq FROM devices WHERE id = $1',
    [deviceId],
  );
  const results = await server.db.adminPool.query<{ seq: number; name: string; code: string | null }>(
    'SELECT seq, name, code FROM command_results WHERE device_id = $1 ORDER BY seq',
    [deviceId],
  );
  return { lastSeq: device.rows[0]!.last_seq, results: results.rows };
}

const outcomeCodes = (result: PushResult) =>
  result.results.map((outcome) => (outcome.status === 'rejected' ? outcome.code : outcome.status));

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  ownerSession = (await signIn(server, ownerOf(demo))).session;
});

afterAll(async () => {
  await server?.close();
});

describe('values Postgres cannot store are refused per command (invalid_args)', () => {
  it('NUL, lone surrogates, dates outside 1970–9999, odd offsets and oversized args; the rest applies', async () => {
    const { id, api } = await freshDevice();
    const draft = eventDraft('Valid');
    const poison: Array<[string, unknown]> = [
      ['NUL in a name', { eventId: randomUUID(), draft: { ...draft, name: 'Jazz\u0000Night' } }],
      ['NUL in a venue', { eventId: eventIds[0], patch: { venue: 'Pier\u00009' } }],
      ['a lone high surrogate', { eventId: randomUUID(), draft: { ...draft, name: 'Gala \ud83c' } }],
      ['a lone low surrogate', { eventId: eventIds[0], patch: { name: '\udf89 Gala' } }],
      ['year 10000', { eventId: eventIds[0], patch: { endsAt: '9999-12-31T23:00:00-05:00' } }],
      ['before 1970', { eventId: eventIds[0], patch: { startsAt: '1969-12-31T23:59:59Z' } }],
      ['an offset of +15:00', { eventId: eventIds[0], patch: { endsAt: '2026-12-05T23:00:00+15:00' } }],
      ['oversized args', { eventId: eventIds[0], patch: { name: 'Big' }, padding: 'x'.repeat(70_000) }],
    ];
    const before = await headVersion();
    const commands = [
      rename(1, eventIds[0]!, 'Before the poison'),
      ...poison.map(([, args], index) =>
        command(index + 2, 'draft' in (args as object) ? 'createEvent' : 'updateEvent', args),
      ),
      rename(poison.length + 2, eventIds[1]!, 'After the poison'),
    ];
    const result = await api.sync.push.mutate({ ...versions, commands });
    expect(result.lastAppliedSeq).toBe(poison.length + 2);
    const codes = outcomeCodes(result);
    expect(Object.fromEntries(poison.map(([what], index) => [what, codes[index + 1]]))).toEqual(
      Object.fromEntries(poison.map(([what]) => [what, 'invalid_args'])),
    );
    expect(result.results[0]).toEqual({ seq: 1, status: 'applied' });
    expect(result.results.at(-1)).toEqual({ seq: poison.length + 2, status: 'applied' });
    expect(await eventName(eventIds[0]!)).toBe('Before the poison');
    expect(await eventName(eventIds[1]!)).toBe('After the poison');
    expect(await headVersion()).toBe(before + 2);
    // The reasons say which field and rule, and are stored as the history (and the answer to a retry).
    for (const outcome of result.results.slice(1, -1)) {
      if (outcome.status === 'rejected') expect(outcome.message).toMatch(/^(draft|patch)\.\w+: |arguments/);
    }
    expect((await stored(id)).lastSeq).toBe(poison.length + 2);
    const retry = await api.sync.push.mutate({ ...versions, commands });
    expect(outcomeCodes(retry)).toEqual(
      outcomeCodes(result).map((code) => (code === 'applied' ? 'duplicate' : code)),
    );
  });

  it('a malformed client time is kept as unknown, never a reason to fail the batch', async () => {
    const { id, api } = await freshDevice();
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        { ...rename(1, eventIds[2]!, 'Clock broken'), clientTime: '10000-01-01T00:00:00Z' },
        { ...rename(2, eventIds[2]!, 'Clock garbled'), clientTime: 'yesterday\u0000' },
      ],
    });
    expect(result.results).toEqual([
      { seq: 1, status: 'applied' },
      { seq: 2, status: 'applied' },
    ]);
    const times = await server.db.adminPool.query<{ client_time: Date | null }>(
      'SELECT client_time FROM command_results WHERE device_id = $1 ORDER BY seq',
      [id],
    );
    expect(times.rows).toEqual([{ client_time: null }, { client_time: null }]);
  });
});

describe('a command name this server does not know (a newer console)', () => {
  it('is rejected alone as unknown_command; the commands around it apply', async () => {
    const { id, api } = await freshDevice();
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        rename(1, eventIds[3]!, 'Before the unknown'),
        command(2, 'transferTickets', { eventId: eventIds[3], quantity: 2 }),
        command(3, 'constructor', {}),
        command(4, `refund\u0000${'x'.repeat(500)}`, {}),
        rename(5, eventIds[3]!, 'After the unknown'),
      ],
    });
    expect(outcomeCodes(result)).toEqual([
      'applied',
      'unknown_command',
      'unknown_command',
      'unknown_command',
      'applied',
    ]);
    expect(await eventName(eventIds[3]!)).toBe('After the unknown');
    // The history keeps what Postgres can store of the name.
    const history = await stored(id);
    expect(history.lastSeq).toBe(5);
    expect(history.results.map((row) => row.name)).toEqual([
      'updateEvent',
      'transferTickets',
      'constructor',
      `refund\ufffd${'x'.repeat(93)}`,
      'updateEvent',
    ]);
    // ...and the rejection reaches the device through the feed as well.
    const pulled = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 0 });
    expect(pulled.rejections.map((rejection) => [rejection.seq, rejection.code])).toEqual([
      [2, 'unknown_command'],
      [3, 'unknown_command'],
      [4, 'unknown_command'],
    ]);
  });
});

describe('a command that fails in the database', () => {
  /**
   * Makes Postgres refuse one event name, as it would a value no schema foresaw; after `delaySeconds`, so a
   * test can act while the refused write runs.
   */
  async function withRefusedName<T>(
    name: string,
    errcode: string,
    work: () => Promise<T>,
    delaySeconds = 0,
  ): Promise<T> {
    await server.db.adminPool.query(
      `CREATE FUNCTION test_refuse_name() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.name = '${name}' THEN
           PERFORM pg_sleep(${delaySeconds});
           RAISE EXCEPTION 'refused for the test' USING ERRCODE = '${errcode}';
         END IF;
         RETURN NEW;
       END $$;
       CREATE TRIGGER test_refuse_name BEFORE INSERT OR UPDATE ON events
         FOR EACH ROW EXECUTE FUNCTION test_refuse_name();`,
    );
    try {
      return await work();
    } finally {
      await server.db.adminPool.query(
        'DROP TRIGGER test_refuse_name ON events; DROP FUNCTION test_refuse_name();',
      );
    }
  }

  it(`is tried ${COMMAND_ATTEMPTS} times, then rejected as server_error; the rest of its batch applies`, async () => {
    const { id, api } = await freshDevice();
    const before = await headVersion();
    const result = await withRefusedName('Poison', '22021', () =>
      api.sync.push.mutate({
        ...versions,
        commands: [
          rename(1, eventIds[4]!, 'First'),
          rename(2, eventIds[4]!, 'Poison'),
          command(3, 'createEvent', { eventId: randomUUID(), draft: eventDraft('Third') }),
        ],
      }),
    );
    expect(outcomeCodes(result)).toEqual(['applied', 'server_error', 'applied']);
    expect(result.lastAppliedSeq).toBe(3);
    const poisoned = result.results[1]!;
    if (poisoned.status === 'rejected') expect(poisoned.message).toMatch(/could not apply this change/);
    expect(await eventName(eventIds[4]!)).toBe('First');
    // One version per applied command; the failed one left none behind.
    expect(await headVersion()).toBe(before + 2);
    // Redone command by command, the batch left no trace of its first attempt: one result per command.
    expect((await stored(id)).results.map((row) => [row.seq, row.code])).toEqual([
      [1, null],
      [2, 'server_error'],
      [3, null],
    ]);
    expect((await stored(id)).lastSeq).toBe(3);
    // The device's next batch goes through: nothing is wedged.
    const next = await api.sync.push.mutate({ ...versions, commands: [rename(4, eventIds[4]!, 'Fourth')] });
    expect(next.results).toEqual([{ seq: 4, status: 'applied' }]);
  });

  it('a lock cycle with another transaction rejects nothing: the batch is run again from the start', async () => {
    // Three events of their own, so the renames below leave the other tests' events alone.
    const events = [randomUUID(), randomUUID(), randomUUID()] as const;
    const setup = await freshDevice();
    await setup.api.sync.push.mutate({
      ...versions,
      commands: events.map((eventId, index) =>
        command(index + 1, 'createEvent', { eventId, draft: eventDraft() }),
      ),
    });
    const { api } = await freshDevice();
    const other = await server.db.adminPool.connect();
    const lockThird = () => other.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE NOWAIT', [events[2]]);
    const lockWaits = async () =>
      (
        await server.db.adminPool.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0]!.waiting;
    let pushed: Promise<PushResult> | undefined;
    try {
      await other.query('BEGIN');
      pushed = withRefusedName(
        'Poison',
        '22021',
        () =>
          api.sync.push.mutate({
            ...versions,
            commands: [
              rename(1, events[0], 'Poison'),
              rename(2, events[1], 'Second'),
              rename(3, events[2], 'Third'),
            ],
          }),
        0.3,
      );
      // The batch as a whole holds the third event while its poison runs; once that attempt is undone, the
      // other transaction takes the third event...
      let heldByBatch = false;
      await waitFor(async () => {
        await other.query('SAVEPOINT try_lock');
        try {
          await lockThird();
          // Taken before the batch got to it: let go again, or the batch would wait for it as a whole.
          if (!heldByBatch) await other.query('ROLLBACK TO SAVEPOINT try_lock');
          return heldByBatch;
        } catch (error) {
          if ((error as { code?: string }).code !== '55P03') throw error;
          await other.query('ROLLBACK TO SAVEPOINT try_lock');
          heldByBatch = true;
          return false;
        }
      }, 'the batch to hold, then let go of, the third event');
      // ...while the batch, command by command, applies the second (taking the organization's version row)
      // and waits for the third. Asking for the version row now closes the cycle.
      await waitFor(async () => (await lockWaits()) === 1, 'the batch to wait for the third event', 10_000);
      const otherDone = other
        .query('SELECT 1 FROM org_versions WHERE org_id = $1 FOR UPDATE', [orgId])
        .then(() => other.query('COMMIT'));
      const result = await pushed;
      await otherDone;
      expect(outcomeCodes(result)).toEqual(['server_error', 'applied', 'applied']);
      expect(await eventName(events[1])).toBe('Second');
      expect(await eventName(events[2])).toBe('Third');
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      other.release();
      await pushed?.catch(() => {});
    }
  });

  it('is logged by attempt, without the data it carried', async () => {
    const { id } = await freshDevice();
    const userId = demo.users.find((user) => user.role === 'owner')!.id;
    const failures: CommandFailure[] = [];
    const secretName = 'Poison for Dana Example <dana@example.com>';
    const result = await withRefusedName(secretName, '23514', () =>
      pushCommands(
        server.db.appPool,
        { deviceId: id, orgId, userId },
        [rename(1, eventIds[5]!, secretName)],
        () => new Date(),
        () => {},
        (failure) => failures.push(failure),
      ),
    );
    expect(outcomeCodes(result)).toEqual(['server_error']);
    expect(failures).toEqual(
      Array.from({ length: COMMAND_ATTEMPTS }, (_, index) => ({
        deviceId: id,
        seq: 1,
        command: 'updateEvent',
        attempt: index + 1,
        sqlState: '23514',
        errorName: 'error',
        final: index + 1 === COMMAND_ATTEMPTS,
      })),
    );
    expect(JSON.stringify(failures)).not.toMatch(/Dana|example/);
  });

  it('when the database itself is failing, the request fails and nothing is recorded (the console retries)', async () => {
    const { id, api } = await freshDevice();
    const refused = await withRefusedName('Shutdown', '57P01', () =>
      serverError(
        api.sync.push.mutate({
          ...versions,
          commands: [rename(1, eventIds[5]!, 'Fine'), rename(2, eventIds[5]!, 'Shutdown')],
        }),
      ),
    );
    expect(refused.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await stored(id)).toEqual({ lastSeq: 0, results: [] });
  });

  it('an insert that meets an id another device created meanwhile is rejected alone as already_exists', async () => {
    const { api } = await freshDevice();
    const contested = randomUUID();
    const other = randomUUID();
    // Another writer holds the organization's version (and an uncommitted event with the same id).
    const t1 = await server.db.adminPool.connect();
    try {
      await t1.query('BEGIN');
      await t1.query("SELECT set_config('app.org_id', $1, true)", [orgId]);
      const version = await takeOrgVersions(t1, orgId);
      await t1.query(
        `INSERT INTO events (id, org_id, name, starts_at, ends_at, status, version)
         VALUES ($1, $2, 'Got there first', now(), now() + interval '1 hour', 'draft', $3)`,
        [contested, orgId, version],
      );
      const push = attempt(
        api.sync.push.mutate({
          ...versions,
          commands: [
            command(1, 'createEvent', { eventId: contested, draft: eventDraft('Second') }),
            command(2, 'createEvent', { eventId: other, draft: eventDraft('Unrelated') }),
          ],
        }),
      );
      await waitFor(async () => {
        const waiting = await server.db.adminPool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.rows[0]!.n > 0;
      }, 'the push to wait for the org version lock');
      await t1.query('COMMIT');
      const result = await push;
      expect(result.ok ? outcomeCodes(result.value) : result.error).toEqual(['already_exists', 'applied']);
    } finally {
      await t1.query('ROLLBACK').catch(() => {});
      t1.release();
    }
    expect(await eventName(contested)).toBe('Got there first');
    expect(await eventName(other)).toBe('Unrelated');
  });
});

describe('who may push', () => {
  it('the lesser of the device and the user decides: an owner signed in on a scanner cannot create events', async () => {
    const scannerSession = (await signIn(server, memberWithRole(demo, 'check_in'))).session;
    const scanner = await enroll(server, scannerSession, orgId, 'Gate scanner');
    const ownerOnScanner = apiClient(server, { session: ownerSession, device: scanner.deviceToken });
    const fresh = randomUUID();
    const result = await ownerOnScanner.sync.push.mutate({
      ...versions,
      commands: [
        command(1, 'createEvent', { eventId: fresh, draft: eventDraft('From the gate') }),
        rename(2, eventIds[0]!, 'Renamed at the gate'),
      ],
    });
    expect(outcomeCodes(result)).toEqual(['forbidden', 'forbidden']);
    expect(await eventName(fresh)).toBeUndefined();

    // The same owner on an owner's device may; a scanner user on that owner's device may not.
    const ownerDevice = await freshDevice();
    const allowed = await ownerDevice.api.sync.push.mutate({
      ...versions,
      commands: [command(1, 'createEvent', { eventId: fresh, draft: eventDraft('From the office') })],
    });
    expect(outcomeCodes(allowed)).toEqual(['applied']);
    const scannerOnOwnerDevice = apiClient(server, { session: scannerSession, device: ownerDevice.token });
    const refused = await scannerOnOwnerDevice.sync.push.mutate({
      ...versions,
      commands: [rename(2, fresh, 'Scanner on the office device')],
    });
    expect(outcomeCodes(refused)).toEqual(['forbidden']);
  });
});

describe('rows say who changed them last', () => {
  it('every write stamps updated_at (server clock) and updated_by (the pushing device), and both replicate', async () => {
    const till = await freshDevice(ownerSession, 'Box office 1');
    const target = eventIds[1]!;
    const created = randomUUID();
    await till.api.sync.push.mutate({
      ...versions,
      commands: [
        rename(1, target, 'Stamped'),
        command(2, 'createEvent', { eventId: created, draft: eventDraft('Stamped too') }),
      ],
    });
    const rows = await server.db.adminPool.query<{ id: string; updated_by: string; updated_at: Date }>(
      'SELECT id, updated_by, updated_at FROM events WHERE id = ANY($1::uuid[]) AND org_id = $2',
      [[target, created], orgId],
    );
    expect(rows.rows.map((row) => row.updated_by)).toEqual(['Box office 1', 'Box office 1']);
    for (const row of rows.rows) expect(Math.abs(row.updated_at.getTime() - Date.now())).toBeLessThan(60_000);

    const scannerSession = (await signIn(server, memberWithRole(demo, 'check_in'))).session;
    const scanner = await enroll(server, scannerSession, orgId);
    const page = await apiClient(server, { device: scanner.deviceToken }).sync.pull.query({
      ...versions,
      cursor: null,
    });
    const events = page.batches.find((batch) => batch.table === 'events')!;
    const row = events.rows.find((values) => values[0] === target)!;
    const column = (name: string) => row[events.columns.indexOf(name)];
    expect(column('updated_by')).toBe('Box office 1');
    expect(column('updated_at')).toBe(rows.rows.find((r) => r.id === target)!.updated_at.toISOString());

    // Another device's later edit names that device.
    const other = await freshDevice(ownerSession, 'Office laptop');
    await other.api.sync.push.mutate({ ...versions, commands: [rename(1, target, 'Overwritten')] });
    const after = await server.db.adminPool.query<{ updated_by: string }>(
      'SELECT updated_by FROM events WHERE id = $1 AND org_id = $2',
      [target, orgId],
    );
    expect(after.rows[0]!.updated_by).toBe('Office laptop');
  });
});
