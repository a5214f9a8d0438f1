import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgRole, PullInput, ReplicatedTableName } from '@janix/schemas';
import { columnsForRole, tablesForRole } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import type { TestServer } from '../src/testing.ts';
import { feedSuite } from './feed-fixture.ts';
import {
  allReplicatedTables,
  apiClient,
  applyPages,
  deliveredRows,
  enroll,
  flattenBatches,
  orgHead,
  pullAll,
  replicaChecksums,
  replicaVersions,
  serverError,
  serverVersions,
  signIn,
  versions,
  type ApiClient,
  type PullPage,
  type Replica,
} from './support.ts';

/**
 * The replication stream a device pulls: what each role may hold (privacy by design), the initial snapshot
 * and the feed after it, deletions, checksums and scoped resync (the live feed is in live-feed.test.ts).
 */

const suite = feedSuite();
const { demo, orgId, eventIds, freshDevice, push } = suite;
let server: TestServer;
beforeAll(() => {
  server = suite.server;
});

/** Every column of each replicated table: what an owner receives (the domain's own test pins the list). */
const fullColumns = Object.fromEntries(
  tablesForRole('owner').map((table) => [table.name, columnsForRole(table, 'owner')]),
) as Record<ReplicatedTableName, string[]>;

async function pull(
  api: ApiClient,
  cursor: string | null,
  extra: { limit?: number; checksums?: boolean } = {},
) {
  return api.sync.pull.query({ ...versions, cursor, ...extra });
}

/** Columns per table a set of pages delivered, checking every batch of one table uses the same list. */
function columnsByTable(pages: PullPage[]): Partial<Record<ReplicatedTableName, string[]>> {
  const columns: Partial<Record<ReplicatedTableName, string[]>> = {};
  for (const page of pages) {
    for (const batch of page.batches) {
      if (columns[batch.table]) expect(batch.columns, batch.table).toEqual(columns[batch.table]);
      columns[batch.table] = batch.columns;
    }
  }
  return columns;
}

function rowCount(page: PullPage): number {
  return page.batches.reduce((sum, batch) => sum + batch.rows.length, 0);
}

async function totalRows(tables: readonly ReplicatedTableName[] = allReplicatedTables): Promise<number> {
  const stored = await serverVersions(server, orgId, tables);
  return Object.values(stored).reduce((sum, rows) => sum + Object.keys(rows).length, 0);
}

/** Deletes rows the way a server-side deletion must: one new version, rows gone, a tombstone for each. */
async function deleteWithTombstones(rows: { table: ReplicatedTableName; id: string }[]): Promise<number> {
  return inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId);
    for (const { table, id } of rows) {
      await client.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
      await client.query(
        'INSERT INTO tombstones (org_id, table_name, row_id, version) VALUES ($1, $2, $3, $4)',
        [orgId, table, id, version],
      );
    }
    return version;
  });
}

describe('what each role replicates (privacy by design)', () => {
  it("a device keeps the enrolling member's role", async () => {
    for (const role of ['owner', 'organizer', 'box_office', 'check_in'] as const) {
      const device = await freshDevice(role);
      const stored = await server.db.adminPool.query<{ role: string }>(
        'SELECT role FROM devices WHERE id = $1',
        [device.id],
      );
      expect(stored.rows[0]?.role, role).toBe(role);
    }
  });

  it('a device follows its member: demoted, it must refetch into the narrower scope; gone, it is refused', async () => {
    const userId = randomUUID();
    const email = `till-${userId.slice(0, 8)}@example.com`;
    await server.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
      userId,
      email,
      'Temporary till',
    ]);
    const setRole = (role: OrgRole) =>
      server.db.adminPool.query(
        `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
        [orgId, userId, role],
      );
    await setRole('box_office');
    const session = (await signIn(server, email)).session;
    const device = await enroll(server, session, orgId, 'Temporary till');
    const api = apiClient(server, { session, device: device.deviceToken });
    const before = await pullAll(api);
    expect(Object.keys(columnsByTable(before.pages))).toContain('orders');

    await setRole('check_in');
    const refused = await serverError(api.sync.pull.query({ ...versions, cursor: before.cursor }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
    const after = await pullAll(api);
    expect(Object.keys(columnsByTable(after.pages))).toEqual(['events', 'ticket_types', 'tickets', 'people']);
    expect(JSON.stringify(after.pages)).not.toContain(demo.people[0]!.email);

    await server.db.adminPool.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [
      orgId,
      userId,
    ]);
    expect(await serverError(api.sync.pull.query({ ...versions, cursor: after.cursor }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
    });
  });

  it('check_in gets names but no contact data and no orders; box_office adds email and orders', async () => {
    const scanner = await pullAll((await freshDevice('check_in')).api);
    const scannerColumns = columnsByTable(scanner.pages);
    expect(Object.keys(scannerColumns)).toEqual(['events', 'ticket_types', 'tickets', 'people']);
    expect(scannerColumns.people).toEqual(['id', 'version', 'first_name', 'last_name']);
    expect(scannerColumns.tickets).toEqual(fullColumns.tickets);
    const scannerText = JSON.stringify(scanner.pages);
    for (const person of demo.people) expect(scannerText).not.toContain(person.email);

    const boxOffice = await pullAll((await freshDevice('box_office')).api);
    const boxColumns = columnsByTable(boxOffice.pages);
    expect(Object.keys(boxColumns)).toEqual(['events', 'ticket_types', 'tickets', 'orders', 'people']);
    expect(boxColumns.people).toEqual(['id', 'version', 'first_name', 'last_name', 'email']);
    for (const hidden of ['company', 'city', 'country', 'marketing_consent']) {
      expect(boxColumns.people).not.toContain(hidden);
    }
    expect(boxColumns.tickets).toContain('secret');
    expect(boxColumns.orders).toEqual(fullColumns.orders);

    // Each still receives every row of the tables it replicates, with the values the server holds.
    const scannerReplica = applyPages(new Map(), scanner.pages);
    expect(replicaVersions(scannerReplica)).toEqual(
      await serverVersions(server, orgId, ['events', 'ticket_types', 'tickets', 'people']),
    );
    const person = demo.people[3]!;
    expect(scannerReplica.get('people')!.get(person.id)).toEqual({
      id: person.id,
      version: expect.any(Number),
      first_name: person.firstName,
      last_name: person.lastName,
    });
    const ticket = demo.tickets[0]!;
    expect(scannerReplica.get('tickets')!.get(ticket.id)).toMatchObject({ secret: ticket.secret });
    expect(applyPages(new Map(), boxOffice.pages).get('people')!.get(person.id)).toMatchObject({
      email: person.email,
    });
  });

  it('owner and organizer get every column (organizers scan, so they hold ticket secrets)', async () => {
    const owner = await pullAll((await freshDevice('owner')).api);
    expect(columnsByTable(owner.pages)).toEqual(fullColumns);
    const person = demo.people[0]!;
    expect(applyPages(new Map(), owner.pages).get('people')!.get(person.id)).toMatchObject({
      email: person.email,
      company: person.company,
      city: person.city,
      country: person.country,
      marketing_consent: person.marketingConsent,
    });

    // Before, a list apart from the permission table left organizers without secrets they need at the gate.
    const organizer = await pullAll((await freshDevice('organizer')).api);
    expect(columnsByTable(organizer.pages)).toEqual(fullColumns);
    const ticket = demo.tickets[0]!;
    expect(applyPages(new Map(), organizer.pages).get('tickets')!.get(ticket.id)).toMatchObject({
      secret: ticket.secret,
    });
  });

  it('every role receives exactly the tables and columns the permission table grants it (roles × tables)', async () => {
    const seen: Record<string, Record<string, string[]>> = {};
    const granted: Record<string, Record<string, string[]>> = {};
    // Every role the suite has members of (admin's grants are the owner's).
    for (const role of ['owner', 'organizer', 'box_office', 'check_in'] as const) {
      seen[role] = columnsByTable((await pullAll((await freshDevice(role)).api)).pages);
      granted[role] = Object.fromEntries(
        tablesForRole(role).map((table) => [table.name, columnsForRole(table, role)]),
      );
    }
    expect(seen).toEqual(granted);
  });

  it("the feed and checksums keep to the role's tables and columns too", async () => {
    const scanner = await freshDevice('check_in');
    const start = await pullAll(scanner.api);
    const person = demo.people[5]!;
    const newEmail = `moved-${randomUUID().slice(0, 8)}@example.test`;
    const order = demo.orders[0]!;
    await inTransaction(server.db.adminPool, { orgId }, async (client) => {
      const version = await takeOrgVersions(client, orgId);
      await client.query("UPDATE people SET email = $2, city = 'Elsewhere', version = $3 WHERE id = $1", [
        person.id,
        newEmail,
        version,
      ]);
      await client.query("UPDATE orders SET status = 'refunded', version = $2 WHERE id = $1", [
        order.id,
        version,
      ]);
    });
    const feed = await pullAll(scanner.api, { cursor: start.cursor, checksums: true });
    expect(deliveredRows(feed.pages)).toEqual([
      {
        table: 'people',
        row: {
          id: person.id,
          version: expect.any(Number),
          first_name: person.firstName,
          last_name: person.lastName,
        },
      },
    ]);
    expect(JSON.stringify(feed.pages)).not.toContain(newEmail);
    expect(JSON.stringify(feed.pages)).not.toContain(order.id);
    expect(feed.pages.at(-1)!.checksums!.map((checksum) => checksum.table)).toEqual([
      'events',
      'ticket_types',
      'tickets',
      'people',
    ]);
  });

  it('a scanner cannot reach orders through a resync or a cursor that names them', async () => {
    const scanner = await freshDevice('check_in');
    const start = await pullAll(scanner.api);
    const resync = await pullAll(scanner.api, { cursor: start.cursor, resync: ['orders'] });
    expect(deliveredRows(resync.pages)).toEqual([]);

    // A box office device's snapshot cursor still has orders to load; presented by a scanner it is refused.
    const boxOffice = await freshDevice('box_office');
    const boxFirst = await pull(boxOffice.api, null, { limit: 5 });
    expect(boxFirst.progress.phase).toBe('snapshot');
    const refused = await serverError(scanner.api.sync.pull.query({ ...versions, cursor: boxFirst.cursor }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
    // The box office device itself carries on from it.
    const rest = await pullAll(boxOffice.api, { cursor: boxFirst.cursor });
    expect(deliveredRows(rest.pages).some(({ table }) => table === 'orders')).toBe(true);
  });
});

describe('initial sync: snapshot, then feed', () => {
  it('loads tables in order, walking each by id, and a change made meanwhile arrives through the feed', async () => {
    const { api } = await freshDevice('owner');
    const total = await totalRows();
    const first = await pull(api, null, { limit: 10 });
    expect(first.hasMore).toBe(true);
    // "Rows still to come": counted once, when the snapshot starts, net of this page.
    expect(first.progress).toEqual({ phase: 'snapshot', remainingRows: total - rowCount(first) });
    expect(rowCount(first)).toBe(10);
    const second = await pull(api, first.cursor, { limit: 10 });
    expect(second.progress).toEqual({ phase: 'snapshot', remainingRows: null });

    // Events are already loaded; the rename must come through the feed.
    await push('Renamed during the snapshot', eventIds[0]!);
    const rest = await pullAll(api, { cursor: second.cursor, limit: 10 });
    const pages = [first, second, ...rest.pages];

    const snapshotPages = pages.filter((page) => page.progress.phase === 'snapshot');
    const feedPages = pages.slice(snapshotPages.length);
    expect(pages.slice(0, snapshotPages.length)).toEqual(snapshotPages);
    expect(feedPages.length).toBeGreaterThan(0);
    for (const page of snapshotPages) {
      expect(page.hasMore).toBe(true);
      expect(page.tombstones).toEqual([]);
      expect(rowCount(page)).toBeLessThanOrEqual(10);
    }
    for (const page of snapshotPages.slice(1)) expect(page.progress.remainingRows).toBeNull();
    for (const page of feedPages) expect(page.progress.phase).toBe('feed');
    expect(feedPages.at(-1)).toMatchObject({ hasMore: false, progress: { phase: 'feed', remainingRows: 0 } });

    const snapshotRows = deliveredRows(snapshotPages);
    const order: string[] = [];
    for (const { table } of snapshotRows) if (order.at(-1) !== table) order.push(table);
    expect(order).toEqual(['events', 'ticket_types', 'tickets', 'orders', 'people']);
    for (const table of allReplicatedTables) {
      const ids = snapshotRows.filter((row) => row.table === table).map(({ row }) => row.id);
      expect(ids, table).toEqual([...ids].sort());
      expect(new Set(ids).size, table).toBe(ids.length);
    }
    const renamedInSnapshot = snapshotRows.find(({ row }) => row.id === eventIds[0]);
    expect(renamedInSnapshot!.row.name).not.toBe('Renamed during the snapshot');

    const feedRows = deliveredRows(feedPages);
    const head = await orgHead(server, orgId);
    expect(feedRows).toEqual([
      {
        table: 'events',
        row: expect.objectContaining({ id: eventIds[0], name: 'Renamed during the snapshot' }),
      },
    ]);
    expect(feedRows[0]!.row.version).toBe(head);
    expect(feedPages.at(-1)!.headVersion).toBe(head);

    // The union is the server's organization, every row at its current version.
    expect(replicaVersions(applyPages(new Map(), pages))).toEqual(await serverVersions(server, orgId));
  });

  // BUG (see report): with a null cursor, `resync` replaces the initial snapshot's table list instead of adding
  // to it, so the new replica loads only the named tables and then follows the feed from the head.
  it('a resync next to a null cursor is still a full initial sync', async () => {
    const { pages } = await pullAll((await freshDevice('owner')).api, { resync: ['people'] });
    const rowsPerTable = (versionsByTable: Record<string, Record<string, number>>) =>
      Object.fromEntries(
        Object.entries(versionsByTable).map(([table, rows]) => [table, Object.keys(rows).length]),
      );
    expect(rowsPerTable(replicaVersions(applyPages(new Map(), pages)))).toEqual(
      rowsPerTable(await serverVersions(server, orgId)),
    );
  });
});

describe('tombstones', () => {
  it('a deletion reaches the feed as a tombstone, only for roles that replicate the table', async () => {
    const owner = await freshDevice('owner');
    const scanner = await freshDevice('check_in');
    const ownerStart = await pullAll(owner.api);
    const scannerStart = await pullAll(scanner.api);
    const replica = applyPages(new Map(), ownerStart.pages);

    // An order and its tickets, deleted in one transaction.
    const order = demo.orders[10]!;
    const tickets = demo.tickets.filter((ticket) => ticket.orderId === order.id).map((ticket) => ticket.id);
    expect(tickets.length).toBeGreaterThan(0);
    const version = await deleteWithTombstones([
      ...tickets.map((id) => ({ table: 'tickets' as const, id })),
      { table: 'orders', id: order.id },
    ]);

    const next = await pull(owner.api, ownerStart.cursor);
    expect(next).toMatchObject({ hasMore: false, headVersion: version, batches: [] });
    expect(Object.fromEntries(next.tombstones.map(({ table, ids }) => [table, [...ids].sort()]))).toEqual({
      tickets: [...tickets].sort(),
      orders: [order.id],
    });
    applyPages(replica, [next]);
    expect(replica.get('orders')!.has(order.id)).toBe(false);
    expect(replicaVersions(replica)).toEqual(await serverVersions(server, orgId));

    const scannerNext = await pull(scanner.api, scannerStart.cursor);
    expect(scannerNext.tombstones).toEqual([{ table: 'tickets', ids: expect.arrayContaining(tickets) }]);
    expect(scannerNext.tombstones[0]!.ids).toHaveLength(tickets.length);
  });

  // BUG (see report): when one version carries more tombstones than the page limit, the page takes the
  // version whole for rows but keeps only the first limit + 1 tombstones, and the cursor moves past the rest.
  it('a deletion larger than a page is delivered whole', async () => {
    const { api } = await freshDevice('owner');
    const start = await pullAll(api);
    const alreadyDeleted = demo.orders[10]!.id;
    const deleted = demo.tickets
      .filter((ticket) => ticket.orderId !== alreadyDeleted)
      .slice(0, 8)
      .map((ticket) => ticket.id);
    await deleteWithTombstones(deleted.map((id) => ({ table: 'tickets', id })));
    const feed = await pullAll(api, { cursor: start.cursor, limit: 3 });
    const tombstoned = feed.pages.flatMap((page) => page.tombstones.flatMap(({ ids }) => ids));
    expect([...tombstoned].sort()).toEqual([...deleted].sort());
  });
});

describe('checksums', () => {
  it('match what the device received, and expose a server change the device has not pulled', async () => {
    const { api } = await freshDevice('owner');
    const full = await pullAll(api, { checksums: true, limit: 50 });
    // Only a page at the head carries them.
    for (const page of full.pages.slice(0, -1)) expect(page.checksums).toBeNull();
    const replica = applyPages(new Map(), full.pages);
    const received = replicaChecksums(replica, allReplicatedTables);
    expect(full.pages.at(-1)!.checksums).toEqual(received);
    expect(received.every((checksum) => checksum.count > 0 && checksum.versionSum > 0)).toBe(true);
    // Not asked for, not computed.
    expect((await pull(api, full.cursor)).checksums).toBeNull();

    await push('Checksummed away');
    const next = await pull(api, full.cursor, { checksums: true });
    const events = (checksums: typeof received) => checksums.find((checksum) => checksum.table === 'events');
    // The server's events now differ from the device's...
    expect(events(next.checksums!)).not.toEqual(events(received));
    expect(next.checksums!.filter((c) => c.table !== 'events')).toEqual(
      received.filter((c) => c.table !== 'events'),
    );
    // ...until the device applies what this pull delivered.
    applyPages(replica, [next]);
    expect(next.checksums).toEqual(replicaChecksums(replica, allReplicatedTables));
  });
});

describe('resync', () => {
  it('reloads just the named tables, then the feed continues from the same version', async () => {
    const { api } = await freshDevice('owner');
    const full = await pullAll(api);
    const replica: Replica = applyPages(new Map(), full.pages);
    // The console's people table diverged (a checksum mismatch told it so).
    replica.get('people')!.clear();
    // And something changed in another table since the cursor.
    await push('Changed before the resync', eventIds[1]!);

    const peopleCount = Object.keys((await serverVersions(server, orgId, ['people'])).people!).length;
    const resync = await pullAll(api, { cursor: full.cursor, resync: ['people'], limit: 20 });
    const snapshotPages = resync.pages.filter((page) => page.progress.phase === 'snapshot');
    const feedPages = resync.pages.slice(snapshotPages.length);
    expect(snapshotPages.length).toBeGreaterThan(1);
    // The remaining count covers the rest of the people snapshot and the feed after the cursor (one event).
    expect(resync.pages[0]!.progress.remainingRows).toBe(peopleCount - rowCount(resync.pages[0]!) + 1);

    const reloaded = deliveredRows(snapshotPages);
    expect(new Set(reloaded.map(({ table }) => table))).toEqual(new Set(['people']));
    expect(new Set(reloaded.map(({ row }) => row.id)).size).toBe(peopleCount);
    expect(reloaded).toHaveLength(peopleCount);
    // The feed resumes after the old cursor: the one change, and no other table again.
    expect(deliveredRows(feedPages)).toEqual([
      {
        table: 'events',
        row: expect.objectContaining({ id: eventIds[1], name: 'Changed before the resync' }),
      },
    ]);

    applyPages(replica, resync.pages);
    expect(replicaVersions(replica)).toEqual(await serverVersions(server, orgId));
  });
});

describe('input validation', () => {
  it('refuses out-of-range limits, unknown tables and oversized cursors as BAD_REQUEST', async () => {
    const { api } = await freshDevice('owner');
    const inputs: Record<string, Record<string, unknown>> = {
      'limit 0': { cursor: null, limit: 0 },
      'limit -1': { cursor: null, limit: -1 },
      'limit 1.5': { cursor: null, limit: 1.5 },
      'limit 100000': { cursor: null, limit: 100_000 },
      'resync payments': { cursor: null, resync: ['payments'] },
      'resync six tables': { cursor: null, resync: [...allReplicatedTables, 'people'] },
      'cursor of 5000 characters': { cursor: 'A'.repeat(5000) },
      'empty cursor': { cursor: '' },
    };
    const outcomes: Record<string, string | undefined> = {};
    for (const [name, input] of Object.entries(inputs)) {
      const call = api.sync.pull.query({ ...versions, ...input } as PullInput);
      outcomes[name] = (await serverError(call)).code;
    }
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(inputs).map((name) => [name, 'BAD_REQUEST'])));

    for (const forMs of [-1, 600_000, 1.5]) {
      const refused = await serverError(api.sync.live.query({ ...versions, cursor: 'c', forMs }));
      expect(refused.code, String(forMs)).toBe('BAD_REQUEST');
    }
    // The limits themselves are fine.
    expect((await pull(api, null, { limit: 1 })).batches.flatMap((batch) => batch.rows)).toHaveLength(1);
    expect((await pull(api, null, { limit: 10_000 })).progress.remainingRows).toBe(0);
  });
});

describe('flattenBatches (test support)', () => {
  it('turns column batches into objects keyed by column', () => {
    expect(
      flattenBatches([
        { table: 'people', columns: ['id', 'version', 'first_name'], rows: [['p1', 3, 'Ada']] },
      ]),
    ).toEqual([{ table: 'people', row: { id: 'p1', version: 3, first_name: 'Ada' } }]);
  });
});
