import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { replicatedTableNames } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import type { TestServer } from '../src/testing.ts';
import { twoOrgSuite } from './tenancy-fixture.ts';
import {
  apiClient,
  applyPages,
  attempt,
  command,
  deliveredRows,
  enroll,
  eventDraft,
  pullAll,
  rename,
  replicaVersions,
  serverError,
  serverVersions,
  versions,
} from './support.ts';

/**
 * Tenancy through the API: a device, a cursor or a command of one organization never reaches another's rows,
 * nor tells whether they exist. The database's own guards are in tenancy-database.test.ts.
 */

const suite = twoOrgSuite();
const { orgA, orgB, A, B, eventRow } = suite;
let server: TestServer;
let sessionA: string;
let deviceA: { id: string; token: string };
let deviceB: { id: string; token: string };

beforeAll(() => {
  ({ server, sessionA, deviceA, deviceB } = suite);
});

describe('through the API', () => {
  it("a device of org A pulling never receives org B's rows, in any table", async () => {
    const { pages, cursor } = await pullAll(apiClient(server, { device: deviceA.token }), { limit: 5 });
    const rows = deliveredRows(pages);
    expect(rows.length).toBeGreaterThan(0);
    // Rows travel without their organization: the device's organization is implied.
    for (const page of pages) for (const batch of page.batches) expect(batch.columns).not.toContain('org_id');
    // Org B holds rows in every replicated table, so each table is put to the test.
    const storedB = await serverVersions(server, B, replicatedTableNames);
    for (const table of replicatedTableNames) expect(Object.keys(storedB[table]!), table).not.toEqual([]);
    const fromB = new Set(Object.values(storedB).flatMap((table) => Object.keys(table)));
    expect(rows.filter(({ row }) => fromB.has(row.id))).toEqual([]);
    // ...and every one of org A's rows, in every table it replicates (an owner's device: all of them).
    expect(replicaVersions(applyPages(new Map(), pages))).toEqual(
      await serverVersions(server, A, replicatedTableNames),
    );
    // Org A's rejections never include org B's command results either.
    for (const page of pages) expect(page.rejections).toEqual([]);

    // Org B's deletions never reach org A's feed: versions are per organization, so only row-level security
    // keeps org B's newer tombstones out of a feed that asks for "everything after version v".
    const tombstoneA = randomUUID();
    const tombstoneB = randomUUID();
    for (const [org, id] of [
      [B, tombstoneB],
      [A, tombstoneA],
    ] as const) {
      await inTransaction(server.db.adminPool, { orgId: org }, async (client) => {
        // Org B is far ahead, so its tombstone's version is well past org A's cursor.
        if (org === B)
          await client.query('UPDATE org_versions SET version = version + 1000 WHERE org_id = $1', [B]);
        const version = await takeOrgVersions(client, org);
        await client.query(
          "INSERT INTO tombstones (org_id, table_name, row_id, version) VALUES ($1, 'tickets', $2, $3)",
          [org, id, version],
        );
      });
    }
    const feed = await pullAll(apiClient(server, { device: deviceA.token }), { cursor });
    expect(feed.pages.flatMap((page) => page.tombstones)).toEqual([{ table: 'tickets', ids: [tombstoneA] }]);
  });

  it("org B's cursor presented by org A's device is must_refetch", async () => {
    const { cursor } = await pullAll(apiClient(server, { device: deviceB.token }));
    const refused = await serverError(
      apiClient(server, { device: deviceA.token }).sync.pull.query({ ...versions, cursor }),
    );
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
  });

  it("a push naming org B's event is rejected as not_found; org B's event is unchanged", async () => {
    const api = apiClient(server, { session: sessionA, device: deviceA.token });
    const target = orgB.events[2]!.id;
    const before = await eventRow(target, B);
    const first = await api.sync.push.mutate({
      ...versions,
      commands: [rename(2, target, 'Hijacked'), rename(3, orgA.events[2]!.id, 'Still works')],
    });
    expect(first.results[0]).toMatchObject({ seq: 2, status: 'rejected', code: 'not_found' });
    expect(first.results[1]).toEqual({ seq: 3, status: 'applied' });
    expect(await eventRow(target, B)).toEqual(before);
    expect(await eventRow(target, A)).toBeUndefined();
    expect((await eventRow(orgA.events[2]!.id, A))!.name).toBe('Still works');

    // The rejection reads exactly like one for an id that exists nowhere.
    const missing = await api.sync.push.mutate({
      ...versions,
      commands: [rename(4, randomUUID(), 'Ghost')],
    });
    expect(missing.results[0]).toMatchObject({ status: 'rejected', code: 'not_found' });
    if (first.results[0]!.status === 'rejected' && missing.results[0]!.status === 'rejected') {
      expect(first.results[0]!.message).toBe(missing.results[0]!.message);
    }
  });

  // Keys are (org_id, id): another organization's id is, to org A, just an id nobody in org A uses. Before,
  // a create reusing it met org B's hidden row and answered `already_exists` where an unused id applied.
  it("a createEvent with org B's event id behaves exactly like one with an unused id (no existence oracle)", async () => {
    const device = await enroll(server, sessionA, A, 'Collision till');
    const api = apiClient(server, { session: sessionA, device: device.deviceToken });
    const foreign = orgB.events[3]!.id;
    const unused = randomUUID();
    const before = await eventRow(foreign, B);
    const outcomes = await attempt(
      api.sync.push.mutate({
        ...versions,
        commands: [
          command(1, 'createEvent', { eventId: foreign, draft: eventDraft('Same answer') }),
          command(2, 'createEvent', { eventId: unused, draft: eventDraft('Same answer') }),
          rename(3, orgA.events[3]!.id, 'After both'),
        ],
      }),
    );
    expect(outcomes.ok ? outcomes.value.results : outcomes.error).toEqual([
      { seq: 1, status: 'applied' },
      { seq: 2, status: 'applied' },
      { seq: 3, status: 'applied' },
    ]);
    // Each is org A's own event now, alike in every column the device sees; org B's is untouched.
    const mine = await pullAll(apiClient(server, { device: device.deviceToken }));
    const received = applyPages(new Map(), mine.pages).get('events')!;
    const { id: _f, version: _fv, ...foreignCopy } = received.get(foreign)!;
    const { id: _u, version: _uv, ...unusedCopy } = received.get(unused)!;
    expect(foreignCopy).toEqual(unusedCopy);
    expect(await eventRow(foreign, B)).toEqual(before);
    expect(await eventRow(foreign, A)).toMatchObject({ org_id: A, name: 'Same answer' });
    // Org B's devices still see their own event, never org A's namesake.
    const theirs = await pullAll(apiClient(server, { device: deviceB.token }));
    expect(applyPages(new Map(), theirs.pages).get('events')!.get(foreign)).toMatchObject({
      name: before!.name,
    });

    // An update answers alike too: not_found, word for word, for a foreign id and for an unused one.
    const updates = await api.sync.push.mutate({
      ...versions,
      commands: [rename(4, orgB.events[5]!.id, 'Hijack'), rename(5, randomUUID(), 'Ghost')],
    });
    const [foreignUpdate, unusedUpdate] = updates.results;
    expect(foreignUpdate).toMatchObject({ status: 'rejected', code: 'not_found' });
    expect({ ...unusedUpdate, seq: 4 }).toEqual(foreignUpdate);
  });

  it("a member of org A holding org B's device token cannot push through it", async () => {
    const api = apiClient(server, { session: sessionA, device: deviceB.token });
    const before = await eventRow(orgB.events[4]!.id, B);
    const refused = await serverError(
      api.sync.push.mutate({ ...versions, commands: [rename(2, orgB.events[4]!.id, 'Cross-posted')] }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(await eventRow(orgB.events[4]!.id, B)).toEqual(before);
  });
});
