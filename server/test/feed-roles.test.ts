import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgRole, ReplicatedTableName } from '@janix/schemas';
import { columnsForRole, tablesForRole } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import type { TestServer } from '../src/testing.ts';
import { feedSuite, loadOrder, scannerTables } from './feed-fixture.ts';
import {
  apiClient,
  applyPages,
  deliveredRows,
  enroll,
  pullAll,
  replicaVersions,
  seedBoxOfficeRows,
  serverError,
  serverVersions,
  signIn,
  versions,
  type BoxOfficeRows,
  type PullPage,
} from './support.ts';

/**
 * What each role's devices replicate (privacy by design): the tables and columns the permission table grants,
 * in the snapshot, the feed, checksums and resync alike. The stream itself is in change-feed.test.ts.
 */

const suite = feedSuite();
const { demo, orgId, freshDevice } = suite;
let server: TestServer;
/** Rows in the box office tables the demo leaves empty: a table without rows would show no columns at all. */
let boxOfficeRows: BoxOfficeRows;
beforeAll(async () => {
  server = suite.server;
  boxOfficeRows = await seedBoxOfficeRows(server, demo);
});

/** What a box office device holds and a scanner does not: the sales, the cash drawer and their audit. */
const salesTables = ['shifts', 'orders', 'allocations', 'cash_movements', 'order_audit'] as const;

/** Every column of each replicated table: what an owner receives (the domain's own test pins the list). */
const fullColumns = Object.fromEntries(
  tablesForRole('owner').map((table) => [table.name, columnsForRole(table, 'owner')]),
) as Record<ReplicatedTableName, string[]>;

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

/** A person as a scanner holds them: the name to check at the gate, and who changed the row last (seeded: nobody). */
function asScannerHoldsThem(person: (typeof demo.people)[number]) {
  return {
    id: person.id,
    version: expect.any(Number),
    first_name: person.firstName,
    last_name: person.lastName,
    updated_at: expect.any(String),
    updated_by: null,
  };
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
    expect(Object.keys(columnsByTable(before.pages))).toEqual(loadOrder);

    await setRole('check_in');
    const refused = await serverError(api.sync.pull.query({ ...versions, cursor: before.cursor }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
    const after = await pullAll(api);
    expect(Object.keys(columnsByTable(after.pages))).toEqual(scannerTables);
    expect(JSON.stringify(after.pages)).not.toContain(demo.people[0]!.email);
    expect(JSON.stringify(after.pages)).not.toContain(boxOfficeRows.shifts);

    await server.db.adminPool.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [
      orgId,
      userId,
    ]);
    expect(await serverError(api.sync.pull.query({ ...versions, cursor: after.cursor }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
    });
  });

  it('check_in gets names but no contact data and no sales; box_office adds contact data and the sales tables', async () => {
    const names = ['id', 'version', 'first_name', 'last_name'];
    const authorship = ['updated_at', 'updated_by'];
    const scanner = await pullAll((await freshDevice('check_in')).api);
    const scannerColumns = columnsByTable(scanner.pages);
    expect(Object.keys(scannerColumns)).toEqual(scannerTables);
    expect(scannerColumns.people).toEqual([...names, ...authorship]);
    expect(scannerColumns.tickets).toEqual(fullColumns.tickets);
    expect(scannerColumns.quotas).toEqual(fullColumns.quotas);
    const scannerText = JSON.stringify(scanner.pages);
    for (const person of demo.people) expect(scannerText).not.toContain(person.email);
    // No sales row travels under another table either.
    const { shifts, allocations, cash_movements, order_audit } = boxOfficeRows;
    for (const id of [shifts, allocations, cash_movements, order_audit]) {
      expect(scannerText).not.toContain(id);
    }

    const boxOffice = await pullAll((await freshDevice('box_office')).api);
    const boxColumns = columnsByTable(boxOffice.pages);
    expect(Object.keys(boxColumns)).toEqual(loadOrder);
    expect(boxColumns.people).toEqual([...names, 'email', 'phone', ...authorship]);
    for (const hidden of ['age_range', 'company', 'city', 'country', 'marketing_consent']) {
      expect(boxColumns.people).not.toContain(hidden);
    }
    expect(boxColumns.tickets).toContain('secret');
    for (const table of salesTables) {
      expect(boxColumns[table], table).toEqual(fullColumns[table]);
    }

    // Each still receives every row of the tables it replicates, with the values the server holds.
    const scannerReplica = applyPages(new Map(), scanner.pages);
    expect(replicaVersions(scannerReplica)).toEqual(await serverVersions(server, orgId, scannerTables));
    expect(replicaVersions(applyPages(new Map(), boxOffice.pages))).toEqual(
      await serverVersions(server, orgId, loadOrder),
    );
    const person = demo.people[3]!;
    expect(scannerReplica.get('people')!.get(person.id)).toEqual(asScannerHoldsThem(person));
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
      await client.query('UPDATE shifts SET counted_cents = 22500, version = $2 WHERE id = $1', [
        boxOfficeRows.shifts,
        version,
      ]);
    });
    const feed = await pullAll(scanner.api, { cursor: start.cursor, checksums: true });
    expect(deliveredRows(feed.pages)).toEqual([
      {
        table: 'people',
        row: asScannerHoldsThem(person),
      },
    ]);
    expect(JSON.stringify(feed.pages)).not.toContain(newEmail);
    expect(JSON.stringify(feed.pages)).not.toContain(order.id);
    expect(JSON.stringify(feed.pages)).not.toContain(boxOfficeRows.shifts);
    expect(feed.pages.at(-1)!.checksums!.map((checksum) => checksum.table)).toEqual(scannerTables);
  });

  it('a scanner cannot reach the sales tables through a resync or a cursor that names them', async () => {
    const scanner = await freshDevice('check_in');
    const start = await pullAll(scanner.api);
    const resync = await pullAll(scanner.api, { cursor: start.cursor, resync: [...salesTables] });
    expect(deliveredRows(resync.pages)).toEqual([]);

    // A box office device's snapshot cursor still has the sales to load; presented by a scanner it is refused.
    const boxOffice = await freshDevice('box_office');
    const boxFirst = await boxOffice.api.sync.pull.query({ ...versions, cursor: null, limit: 5 });
    expect(boxFirst.progress.phase).toBe('snapshot');
    const refused = await serverError(scanner.api.sync.pull.query({ ...versions, cursor: boxFirst.cursor }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
    // The box office device itself carries on from it.
    const rest = await pullAll(boxOffice.api, { cursor: boxFirst.cursor });
    const restTables = new Set(deliveredRows(rest.pages).map(({ table }) => table));
    for (const table of salesTables) expect(restTables.has(table), table).toBe(true);
  });
});
