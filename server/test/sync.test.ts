import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_PUSH_BATCH, type EnrolledDevice } from '@janix/schemas';
import { replicatedTableNames } from '@janix/domain';
import { generateDemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  enrolledDevice,
  orgHead,
  applyPages,
  asSecondOrg,
  command,
  deliveredRows,
  enroll,
  eventDraft,
  flattenBatches,
  memberWithRole,
  ownerOf,
  pullAll,
  rename,
  replicaVersions,
  rowKeys,
  seedBoxOfficeRows,
  serverError,
  serverVersions,
  signIn,
  tamperCursor,
  versions,
  waitFor,
} from './support.ts';

const demo = generateDemoOrg({ attendees: 50 });
const orgId = demo.org.id;
const eventIds = demo.events.map((event) => event.id);
/** A second organization, only so a cursor can travel between organizations. */
const demoB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 5 }), 'Northshore');
let server: TestServer;
let ownerSession: string;
let deviceB: EnrolledDevice;

const freshDevice = (session = ownerSession) => enrolledDevice(server, session, orgId);
const headVersion = () => orgHead(server, orgId);

async function event(id: string) {
  const result = await server.db.adminPool.query<{ name: string; version: number }>(
    'SELECT name, version FROM events WHERE id = $1',
    [id],
  );
  return result.rows[0];
}

async function deviceState(id: string) {
  const device = await server.db.adminPool.query<{ last_seq: number }>(
    'SELECT last_seq FROM devices WHERE id = $1',
    [id],
  );
  const results = await server.db.adminPool.query<{ seq: number; status: string; code: string | null }>(
    'SELECT seq, status, code FROM command_results WHERE device_id = $1 ORDER BY seq',
    [id],
  );
  return { lastSeq: device.rows[0]!.last_seq, results: results.rows };
}

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  // Rows in every replicated table, so paging is shown to deliver each of them.
  await seedBoxOfficeRows(server, demo);
  ownerSession = (await signIn(server, ownerOf(demo))).session;
  await seedDemoOrg(server.db.adminPool, demoB);
  deviceB = await enroll(server, (await signIn(server, ownerOf(demoB))).session, demoB.org.id);
});

afterAll(async () => {
  await server?.close();
});

describe('push', () => {
  it('applies a batch exactly once; the same batch again is all duplicate', async () => {
    const { id, api } = await freshDevice();
    const batch = [
      rename(1, eventIds[0]!, 'Once'),
      rename(2, eventIds[1]!, 'Twice'),
      rename(3, eventIds[0]!, 'Thrice'),
    ];
    const before = await headVersion();
    const first = await api.sync.push.mutate({ ...versions, commands: batch });
    expect(first).toEqual({
      lastAppliedSeq: 3,
      results: [
        { seq: 1, status: 'applied' },
        { seq: 2, status: 'applied' },
        { seq: 3, status: 'applied' },
      ],
    });
    // One version per applied command.
    expect(await headVersion()).toBe(before + 3);
    const afterFirst = await event(eventIds[0]!);
    expect(afterFirst).toEqual({ name: 'Thrice', version: before + 3 });

    const again = await api.sync.push.mutate({ ...versions, commands: batch });
    expect(again).toEqual({
      lastAppliedSeq: 3,
      results: [
        { seq: 1, status: 'duplicate' },
        { seq: 2, status: 'duplicate' },
        { seq: 3, status: 'duplicate' },
      ],
    });
    expect(await headVersion()).toBe(before + 3);
    expect(await event(eventIds[0]!)).toEqual(afterFirst);
    expect((await deviceState(id)).results).toHaveLength(3);

    // A retry overlapping the applied prefix applies only the new tail.
    const overlap = await api.sync.push.mutate({
      ...versions,
      commands: [rename(3, eventIds[0]!, 'Thrice'), rename(4, eventIds[2]!, 'Fourth')],
    });
    expect(overlap.results).toEqual([
      { seq: 3, status: 'duplicate' },
      { seq: 4, status: 'applied' },
    ]);
    expect(overlap.lastAppliedSeq).toBe(4);
    expect(await headVersion()).toBe(before + 4);
  });

  it('a gap (first seq = last + 2) is a CONFLICT naming the expected seq, and applies nothing', async () => {
    const { id, api } = await freshDevice();
    const before = await event(eventIds[3]!);
    const gap = await serverError(
      api.sync.push.mutate({ ...versions, commands: [rename(2, eventIds[3]!, 'Too early')] }),
    );
    expect(gap).toMatchObject({ code: 'CONFLICT', httpStatus: 409, reason: 'sequence_gap' });
    expect(gap.details).toMatchObject({ expectedSeq: 1 });
    expect(await event(eventIds[3]!)).toEqual(before);
    expect(await deviceState(id)).toEqual({ lastSeq: 0, results: [] });

    await api.sync.push.mutate({ ...versions, commands: [rename(1, eventIds[3]!, 'On time')] });
    const later = await serverError(
      api.sync.push.mutate({ ...versions, commands: [rename(3, eventIds[3]!, 'Skipped one')] }),
    );
    expect(later.details).toMatchObject({ expectedSeq: 2 });
    expect((await event(eventIds[3]!))!.name).toBe('On time');
  });

  it('a batch with non-consecutive seqs is BAD_REQUEST and applies nothing', async () => {
    const { id, api } = await freshDevice();
    const before = await event(eventIds[4]!);
    for (const seqs of [
      [1, 3],
      [2, 1],
      [1, 1],
      [1, 2, 4],
    ]) {
      const refused = await serverError(
        api.sync.push.mutate({
          ...versions,
          commands: seqs.map((seq) => rename(seq, eventIds[4]!, `Batch ${seqs.join(',')}`)),
        }),
      );
      expect(refused.code, seqs.join(',')).toBe('BAD_REQUEST');
    }
    expect(await event(eventIds[4]!)).toEqual(before);
    expect(await deviceState(id)).toEqual({ lastSeq: 0, results: [] });
  });

  it('a rejected command advances the high-water mark and the next command still applies', async () => {
    const { id, api } = await freshDevice();
    const target = eventIds[2]!;
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        command(1, 'updateEvent', {
          eventId: target,
          patch: { startsAt: '2026-12-05T23:00:00Z', endsAt: '2026-12-05T19:00:00Z' },
        }),
        rename(2, target, 'Valid after invalid'),
      ],
    });
    expect(result.lastAppliedSeq).toBe(2);
    expect(result.results[0]).toMatchObject({ seq: 1, status: 'rejected', code: 'invalid_times' });
    expect(result.results[1]).toEqual({ seq: 2, status: 'applied' });
    expect((await event(target))!.name).toBe('Valid after invalid');

    // Rejected alone in its batch, then the following batch applies: never wedged.
    const missing = await api.sync.push.mutate({ ...versions, commands: [rename(3, randomUUID(), 'Ghost')] });
    expect(missing.results[0]).toMatchObject({ seq: 3, status: 'rejected', code: 'not_found' });
    const badArgs = await api.sync.push.mutate({
      ...versions,
      commands: [command(4, 'updateEvent', { eventId: 'not-a-uuid', patch: {} })],
    });
    expect(badArgs.results[0]).toMatchObject({ seq: 4, status: 'rejected', code: 'invalid_args' });
    if (badArgs.results[0]!.status === 'rejected') expect(badArgs.results[0]!.message).toMatch(/^eventId: /);
    const next = await api.sync.push.mutate({ ...versions, commands: [rename(5, target, 'Still moving')] });
    expect(next).toEqual({ lastAppliedSeq: 5, results: [{ seq: 5, status: 'applied' }] });

    expect(await deviceState(id)).toEqual({
      lastSeq: 5,
      results: [
        { seq: 1, status: 'rejected', code: 'invalid_times' },
        { seq: 2, status: 'applied', code: null },
        { seq: 3, status: 'rejected', code: 'not_found' },
        { seq: 4, status: 'rejected', code: 'invalid_args' },
        { seq: 5, status: 'applied', code: null },
      ],
    });

    // Rejections come back with the feed, after the seq the device says it already knows.
    const all = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 0 });
    expect(all.lastAppliedSeq).toBe(5);
    expect(all.rejections.map((r) => [r.seq, r.name, r.code])).toEqual([
      [1, 'updateEvent', 'invalid_times'],
      [3, 'updateEvent', 'not_found'],
      [4, 'updateEvent', 'invalid_args'],
    ]);
    for (const rejection of all.rejections) {
      expect(rejection.message.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(rejection.rejectedAt))).toBe(false);
    }
    const afterOne = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 1 });
    expect(afterOne.rejections.map((r) => r.seq)).toEqual([3, 4]);
    const afterAll = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 5 });
    expect(afterAll.rejections).toEqual([]);

    // Another device of the same organization never sees this device's rejections.
    const other = await freshDevice();
    expect((await other.api.sync.pull.query({ ...versions, cursor: null })).rejections).toEqual([]);
  });

  it('a role without events.write gets each command rejected as forbidden, and the queue moves on', async () => {
    const session = (await signIn(server, memberWithRole(demo, 'box_office'))).session;
    const { api } = await freshDevice(session);
    const before = await event(eventIds[5]!);
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        rename(1, eventIds[5]!, 'Box office edit'),
        command(2, 'createEvent', { eventId: randomUUID(), draft: eventDraft() }),
      ],
    });
    expect(result.lastAppliedSeq).toBe(2);
    expect(result.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'forbidden',
      'forbidden',
    ]);
    expect(await event(eventIds[5]!)).toEqual(before);
  });

  it('a device clock hours off changes nothing: sequence and commit order decide, not client time', async () => {
    const { api } = await freshDevice();
    const other = await freshDevice();
    const target = eventIds[1]!;
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const before = await headVersion();
    // The first device's clock is 6 hours fast; the second's 6 hours slow, and it pushes last.
    await api.sync.push.mutate({
      ...versions,
      commands: [{ ...rename(1, target, 'Fast clock'), clientTime: at(6) }],
    });
    await other.api.sync.push.mutate({
      ...versions,
      commands: [{ ...rename(1, target, 'Slow clock, later commit'), clientTime: at(-6) }],
    });
    expect(await event(target)).toEqual({ name: 'Slow clock, later commit', version: before + 2 });
    // The server stamps its own time on the row; the device's time is kept only as a record of the command.
    const stamped = await server.db.adminPool.query<{ updated_at: Date }>(
      'SELECT updated_at FROM events WHERE id = $1',
      [target],
    );
    expect(Math.abs(stamped.rows[0]!.updated_at.getTime() - Date.now())).toBeLessThan(60_000);
    const recorded = await server.db.adminPool.query<{ client_time: Date }>(
      'SELECT client_time FROM command_results WHERE device_id = $1',
      [other.id],
    );
    expect(Date.now() - recorded.rows[0]!.client_time.getTime()).toBeGreaterThan(5.9 * 3_600_000);
  });

  it(`refuses more than ${MAX_PUSH_BATCH} commands in one batch`, async () => {
    const { id, api } = await freshDevice();
    const commands = Array.from({ length: MAX_PUSH_BATCH + 1 }, (_, i) =>
      rename(i + 1, eventIds[0]!, `Bulk ${i}`),
    );
    const refused = await serverError(api.sync.push.mutate({ ...versions, commands }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/^commands: /);
    expect((await deviceState(id)).lastSeq).toBe(0);

    const exactly = await api.sync.push.mutate({ ...versions, commands: commands.slice(0, MAX_PUSH_BATCH) });
    expect(exactly.lastAppliedSeq).toBe(MAX_PUSH_BATCH);
  });

  it('refuses a body over 1 MiB with HTTP 413, before doing any work', async () => {
    const device = await freshDevice();
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${ownerSession}`,
      'x-janix-device': `Bearer ${device.token}`,
    };
    const body = (padding: number) =>
      JSON.stringify({
        ...versions,
        commands: [
          { ...rename(1, eventIds[0]!, 'Huge'), args: { eventId: eventIds[0], pad: 'x'.repeat(padding) } },
        ],
      });
    const tooBig = await server.app.inject({
      method: 'POST',
      url: '/trpc/sync.push',
      headers,
      payload: body(1024 * 1024 + 10),
    });
    expect(tooBig.statusCode).toBe(413);
    expect((await deviceState(device.id)).lastSeq).toBe(0);

    // Just under the limit is read and handled normally.
    const underLimit = await server.app.inject({
      method: 'POST',
      url: '/trpc/sync.push',
      headers,
      payload: body(1024 * 1024 - 2048),
    });
    expect(underLimit.statusCode).toBe(200);
    expect((await deviceState(device.id)).lastSeq).toBe(1);
  });

  it('requires both a session and a device', async () => {
    const device = await freshDevice();
    const noSession = apiClient(server, { device: device.token });
    const noDevice = apiClient(server, { session: ownerSession });
    const input = { ...versions, commands: [rename(1, eventIds[0]!, 'Nobody')] };
    expect(await serverError(noSession.sync.push.mutate(input))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'session_invalid',
    });
    expect(await serverError(noDevice.sync.push.mutate(input))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
    });
  });
});

describe('versions', () => {
  it.each([
    ['push', 'protocolVersion', 99],
    ['push', 'schemaVersion', 99],
    ['pull', 'protocolVersion', 99],
    ['pull', 'schemaVersion', 99],
    // Schema version 1 consoles speak the row-per-change feed this server no longer serves.
    ['push', 'schemaVersion', 1],
    ['pull', 'schemaVersion', 1],
    // Schema version 2 replicas have no columns for who changed an event last (updated_at, updated_by).
    ['push', 'schemaVersion', 2],
    ['pull', 'schemaVersion', 2],
  ] as const)(
    '%s with %s %i is PRECONDITION_FAILED with reason update_required',
    async (procedure, field, value) => {
      const { id, api } = await freshDevice();
      const header = { ...versions, [field]: value };
      const call =
        procedure === 'push'
          ? api.sync.push.mutate({ ...header, commands: [rename(1, eventIds[0]!, 'From the future')] })
          : api.sync.pull.query({ ...header, cursor: null });
      const refused = await serverError(call);
      expect(refused).toMatchObject({
        code: 'PRECONDITION_FAILED',
        httpStatus: 412,
        reason: 'update_required',
      });
      expect(refused.details).toMatchObject({ protocolVersion: versions.protocolVersion });
      expect((await deviceState(id)).lastSeq).toBe(0);
    },
  );
});

describe('pull', () => {
  it('refuses foreign, forged, garbled, future and purged cursors as must_refetch; the head is an empty, final page', async () => {
    const { api } = await freshDevice();
    const { pages, cursor } = await pullAll(api);
    const head = await headVersion();
    expect(pages.at(-1)!.headVersion).toBe(head);

    const atHead = await api.sync.pull.query({ ...versions, cursor });
    expect(atHead).toMatchObject({
      hasMore: false,
      headVersion: head,
      batches: [],
      tombstones: [],
      checksums: null,
      progress: { phase: 'feed', remainingRows: 0 },
    });

    const refusal = async (presented: string) => {
      const refused = await serverError(api.sync.pull.query({ ...versions, cursor: presented }));
      return { code: refused.code, httpStatus: refused.httpStatus, reason: refused.reason };
    };
    const mustRefetch = { code: 'PRECONDITION_FAILED', httpStatus: 412, reason: 'must_refetch' };
    const otherOrgCursor = (await pullAll(apiClient(server, { device: deviceB.deviceToken }))).cursor;
    const presented = {
      future: tamperCursor(cursor, (decoded) => ({ ...decoded, v: head + 1 })),
      farFuture: tamperCursor(cursor, (decoded) => ({ ...decoded, v: head + 1_000_000 })),
      otherOrg: otherOrgCursor,
      forgedOrg: tamperCursor(cursor, (decoded) => ({ ...decoded, o: randomUUID() })),
      negative: tamperCursor(cursor, (decoded) => ({ ...decoded, v: -1 })),
      fractional: tamperCursor(cursor, (decoded) => ({ ...decoded, v: head - 0.5 })),
      unknownTable: tamperCursor(cursor, (decoded) => ({
        ...decoded,
        snap: { tables: ['payments'], after: null },
      })),
      garbage: 'not-a-cursor',
      numeric: String(head),
      truncated: cursor.slice(0, -4),
      emptyObject: Buffer.from('{}').toString('base64url'),
      array: Buffer.from('[1,2]').toString('base64url'),
    };
    const outcomes = Object.fromEntries(
      await Promise.all(
        Object.entries(presented).map(async ([name, c]) => [name, await refusal(c)] as const),
      ),
    );
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(presented).map((name) => [name, mustRefetch])));

    // Tombstones behind the horizon may have been purged: a cursor from before it cannot catch up.
    await api.sync.push.mutate({ ...versions, commands: [rename(1, eventIds[0]!, 'Past the horizon')] });
    const current = (await pullAll(api, { cursor })).cursor;
    // As a purge does it: the horizon moves with a new version, so every server process hears of it.
    const purgedAt = await inTransaction(server.db.adminPool, { orgId }, async (client) => {
      const version = await takeOrgVersions(client, orgId);
      await client.query('UPDATE org_versions SET feed_horizon = $2 WHERE org_id = $1', [orgId, version - 1]);
      return version;
    });
    await waitFor(async () => server.deps.changes.latest(orgId) === purgedAt, "the purge's notification");
    try {
      expect(await refusal(cursor)).toEqual(mustRefetch);
      expect((await api.sync.pull.query({ ...versions, cursor: current })).hasMore).toBe(false);
    } finally {
      await server.db.adminPool.query('UPDATE org_versions SET feed_horizon = 0 WHERE org_id = $1', [orgId]);
    }

    // The way back is an initial sync.
    const again = await api.sync.pull.query({ ...versions, cursor: null });
    expect(again.progress.phase).toBe('snapshot');
  });

  it('pages of 5 deliver every row exactly once: a snapshot walked by id, then the feed in version order', async () => {
    const writer = await freshDevice();
    const reader = await freshDevice();

    const snapshot = await pullAll(reader.api, { limit: 5 });
    const snapshotHead = snapshot.pages[0]!.headVersion;
    expect(snapshot.pages.length).toBeGreaterThan(3);
    expect(snapshot.pages.map((page) => page.progress.phase)).toEqual([
      ...snapshot.pages.slice(0, -1).map(() => 'snapshot'),
      'feed',
    ]);
    for (const page of snapshot.pages.slice(0, -1)) expect(page.hasMore).toBe(true);
    for (const page of snapshot.pages) expect(flattenBatches(page.batches).length).toBeLessThanOrEqual(5);
    const snapshotRows = deliveredRows(snapshot.pages);
    expect(new Set(snapshotRows.map(({ table, row }) => `${table}:${row.id}`)).size).toBe(
      snapshotRows.length,
    );
    const replica = applyPages(new Map(), snapshot.pages);
    expect(replicaVersions(replica)).toEqual(await serverVersions(server, orgId, replicatedTableNames));

    // Many small versions, one version larger than a page, then small ones again.
    await writer.api.sync.push.mutate({
      ...versions,
      commands: Array.from({ length: 12 }, (_, i) =>
        command(i + 1, 'createEvent', { eventId: randomUUID(), draft: eventDraft(`Paged ${i}`) }),
      ),
    });
    // A version of four rows in the box office tables, among the small ones.
    await seedBoxOfficeRows(server, demo);
    const bigVersion = await inTransaction(server.db.adminPool, { orgId }, async (client) => {
      const version = await takeOrgVersions(client, orgId);
      await client.query("UPDATE people SET city = 'Paged', version = $2 WHERE id = ANY($1::uuid[])", [
        demo.people.slice(0, 8).map((person) => person.id),
        version,
      ]);
      return version;
    });
    await writer.api.sync.push.mutate({
      ...versions,
      commands: [rename(13, eventIds[1]!, 'Paged rename'), rename(14, eventIds[2]!, 'Paged rename 2')],
    });

    const feed = await pullAll(reader.api, { cursor: snapshot.cursor, limit: 5 });
    expect(feed.pages.length).toBeGreaterThan(3);
    expect(feed.pages.at(-1)!.hasMore).toBe(false);
    for (const page of feed.pages.slice(0, -1)) expect(page.hasMore).toBe(true);
    let previousMax = snapshotHead;
    for (const page of feed.pages) {
      expect(page.progress.phase).toBe('feed');
      const pageVersions = flattenBatches(page.batches).map(({ row }) => row.version);
      // A page exceeds the limit only to carry one version whole.
      if (pageVersions.length > 5) expect(new Set(pageVersions)).toEqual(new Set([bigVersion]));
      for (const version of pageVersions) {
        expect(version).toBeGreaterThan(previousMax);
        expect(version).toBeLessThanOrEqual(page.headVersion);
      }
      if (pageVersions.length) previousMax = Math.max(...pageVersions);
    }
    const bigPage = feed.pages.find((page) =>
      flattenBatches(page.batches).some(({ row }) => row.version === bigVersion),
    );
    expect(flattenBatches(bigPage!.batches).filter(({ row }) => row.version === bigVersion)).toHaveLength(8);

    // The feed carries exactly the rows written since the snapshot, each once.
    const feedKeys = rowKeys(deliveredRows(feed.pages));
    expect(new Set(feedKeys).size).toBe(feedKeys.length);
    const stored = await serverVersions(server, orgId, replicatedTableNames);
    const changedSince = Object.entries(stored).flatMap(([table, rows]) =>
      Object.entries(rows)
        .filter(([, version]) => version > snapshotHead)
        .map(([id, version]) => `${table}:${id}:${version}`),
    );
    expect(feedKeys.sort()).toEqual(changedSince.sort());
    expect(replicaVersions(applyPages(replica, feed.pages))).toEqual(stored);

    // Paging changes nothing about what arrives: one big page per phase builds the same replica.
    const whole = await pullAll((await freshDevice()).api, { limit: 10_000 });
    expect(whole.pages.map((page) => page.progress.phase)).toEqual(['snapshot', 'feed']);
    expect(replicaVersions(applyPages(new Map(), whole.pages))).toEqual(stored);
  });

  it('a pull never moves its cursor past a change whose transaction is still open (commit order)', async () => {
    const { api } = await freshDevice();
    const start = await pullAll(api);
    const heldEvent = eventIds[4]!;
    const pushedEvent = eventIds[5]!;

    const t1 = await server.db.adminPool.connect();
    let settled = false;
    try {
      await t1.query('BEGIN');
      const t1Version = await takeOrgVersions(t1, orgId);
      await t1.query('UPDATE events SET name = $2, version = $3 WHERE id = $1', [
        heldEvent,
        'Written by T1',
        t1Version,
      ]);

      // A push that needs the next version queues behind T1's lock.
      const push = api.sync.push.mutate({
        ...versions,
        commands: [rename(1, pushedEvent, 'Pushed behind T1')],
      });
      push.then(
        () => (settled = true),
        () => (settled = true),
      );
      await waitFor(async () => {
        const waiting = await server.db.adminPool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.rows[0]!.n > 0;
      }, 'the push to wait for the org version lock');

      const during = await api.sync.pull.query({ ...versions, cursor: start.cursor });
      expect(during.headVersion).toBeLessThan(t1Version);
      expect(during.hasMore).toBe(false);
      const seenDuring = deliveredRows([during]);
      for (const { row } of seenDuring) expect(row.version).toBeLessThan(t1Version);
      expect(seenDuring.map(({ row }) => row.id)).not.toContain(heldEvent);
      expect(seenDuring.map(({ row }) => row.id)).not.toContain(pushedEvent);
      expect(settled).toBe(false);

      await t1.query('COMMIT');
      expect((await push).results).toEqual([{ seq: 1, status: 'applied' }]);

      const after = await pullAll(api, { cursor: during.cursor });
      const rows = deliveredRows(after.pages);
      const held = rows.find(({ row }) => row.id === heldEvent);
      const pushed = rows.find(({ row }) => row.id === pushedEvent);
      expect(held).toMatchObject({ table: 'events', row: { name: 'Written by T1', version: t1Version } });
      expect(pushed).toMatchObject({ table: 'events', row: { name: 'Pushed behind T1' } });
      // Version order is commit order: the push that waited took the later version.
      expect(pushed!.row.version).toBeGreaterThan(t1Version);
      expect(after.pages.at(-1)!.headVersion).toBe(pushed!.row.version);
    } finally {
      await t1.query('ROLLBACK').catch(() => {});
      t1.release();
    }
  });
});
