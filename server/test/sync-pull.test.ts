import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { replicatedTableNames } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import {
  apiClient,
  applyPages,
  command,
  deliveredRows,
  eventDraft,
  flattenBatches,
  pullAll,
  rename,
  replicaVersions,
  rowKeys,
  seedBoxOfficeRows,
  serverError,
  serverVersions,
  tamperCursor,
  versions,
  waitFor,
} from './support.ts';
import {
  demo,
  deviceB,
  eventIds,
  freshDevice,
  headVersion,
  orgId,
  server,
  useSyncServer,
} from './sync-fixture.ts';

useSyncServer();

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
        snap: { tables: ['invoices'], after: null },
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
