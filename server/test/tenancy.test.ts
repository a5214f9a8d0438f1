import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  applyPages,
  asSecondOrg,
  attempt,
  command,
  deliveredRows,
  enroll,
  eventDraft,
  ownerOf,
  pullAll,
  rename,
  replicaVersions,
  serverError,
  serverVersions,
  signIn,
  versions,
} from './support.ts';

const orgA = generateDemoOrg({ attendees: 50 });
const orgB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 50 }), 'Northshore');
const A = orgA.org.id;
const B = orgB.org.id;
let server: TestServer;
let sessionA: string;
let sessionB: string;
let deviceA: { id: string; token: string };
let deviceB: { id: string; token: string };
/** A connection that assumes the application role, exactly as the app pool's connections do. */
let app: pg.Client;

const orgScopedTables = [
  'events',
  'ticket_types',
  'people',
  'orders',
  'tickets',
  'devices',
  'memberships',
  'org_versions',
  'command_results',
  'tombstones',
] as const;

/** Runs `work` in a transaction scoped like `inTransaction` does, always rolled back. */
async function scoped<T>(
  scope: { orgId?: string; userId?: string },
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  await app.query('BEGIN');
  try {
    await app.query("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)", [
      scope.orgId ?? '',
      scope.userId ?? '',
    ]);
    return await work(app);
  } finally {
    await app.query('ROLLBACK');
  }
}

async function count(client: pg.Client, table: string, orgId: string): Promise<number> {
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`,
    [orgId],
  );
  return result.rows[0]!.n;
}

async function adminCount(table: string, orgId: string): Promise<number> {
  const result = await server.db.adminPool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`,
    [orgId],
  );
  return result.rows[0]!.n;
}

async function pgError(work: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the statement to fail');
}

/** An event of one organization (ids are scoped by organization: two may hold the same id). */
async function eventRow(id: string, orgId: string) {
  const result = await server.db.adminPool.query<{
    org_id: string;
    name: string;
    version: number;
    updated_at: Date;
  }>('SELECT org_id, name, version, updated_at FROM events WHERE id = $1 AND org_id = $2', [id, orgId]);
  return result.rows[0];
}

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  expect(B).not.toBe(A);
  await seedDemoOrg(server.db.adminPool, orgA);
  await seedDemoOrg(server.db.adminPool, orgB);
  sessionA = (await signIn(server, ownerOf(orgA))).session;
  sessionB = (await signIn(server, ownerOf(orgB))).session;
  const a = await enroll(server, sessionA, A, 'A till');
  const b = await enroll(server, sessionB, B, 'B till');
  deviceA = { id: a.deviceId, token: a.deviceToken };
  deviceB = { id: b.deviceId, token: b.deviceToken };
  // One command result per organization, so every org-scoped table holds rows of both.
  await apiClient(server, { session: sessionA, device: deviceA.token }).sync.push.mutate({
    ...versions,
    commands: [rename(1, orgA.events[0]!.id, 'A renamed')],
  });
  await apiClient(server, { session: sessionB, device: deviceB.token }).sync.push.mutate({
    ...versions,
    commands: [rename(1, orgB.events[0]!.id, 'B renamed')],
  });
  // A deletion per organization, so the tombstones table holds rows of both too.
  for (const org of [A, B]) {
    await inTransaction(server.db.adminPool, { orgId: org }, async (client) => {
      const version = await takeOrgVersions(client, org);
      await client.query(
        "INSERT INTO tombstones (org_id, table_name, row_id, version) VALUES ($1, 'events', $2, $3)",
        [org, randomUUID(), version],
      );
    });
  }
  app = new pg.Client({ connectionString: server.db.appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await server?.close();
});

describe('row-level security alone (no application checks)', () => {
  it('both organizations hold rows in every org-scoped table', async () => {
    for (const table of orgScopedTables) {
      expect(await adminCount(table, A), table).toBeGreaterThan(0);
      expect(await adminCount(table, B), table).toBeGreaterThan(0);
    }
  });

  it("scoped to org A, a query naming org B's rows sees none of them", async () => {
    await scoped({ orgId: A }, async (client) => {
      const { rows } = await client.query<{ current_user: string }>('SELECT current_user');
      expect(rows[0]!.current_user).toBe('janix_app');
      for (const table of orgScopedTables) {
        expect(await count(client, table, B), table).toBe(0);
        expect(await count(client, table, A), table).toBe(await adminCount(table, A));
      }
      // Even without a WHERE clause only org A comes back.
      const orgs = await client.query<{ org_id: string }>('SELECT DISTINCT org_id FROM events');
      expect(orgs.rows.map((row) => row.org_id)).toEqual([A]);
      const visibleOrgs = await client.query<{ id: string }>('SELECT id FROM organizations');
      expect(visibleOrgs.rows.map((row) => row.id)).toEqual([A]);
    });
  });

  it('with no scope at all, every org-scoped table reads as empty (fails closed)', async () => {
    await scoped({}, async (client) => {
      for (const table of orgScopedTables) {
        const all = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        expect(all.rows[0]!.n, table).toBe(0);
      }
      expect((await client.query('SELECT * FROM organizations')).rowCount).toBe(0);
    });
  });

  it("a user scope shows only that user's memberships", async () => {
    const userA = orgA.users[0]!.id;
    await scoped({ userId: userA }, async (client) => {
      const result = await client.query<{ org_id: string; user_id: string }>(
        'SELECT org_id, user_id FROM memberships',
      );
      expect(result.rows).toEqual([{ org_id: A, user_id: userA }]);
    });
  });

  it("inserting a row carrying org B's id under org A's scope is refused", async () => {
    await scoped({ orgId: A }, async (client) => {
      const error = await pgError(
        client.query(
          `INSERT INTO events (id, org_id, name, starts_at, ends_at, status, version)
           VALUES ($1, $2, 'Planted', now(), now() + interval '1 hour', 'draft', 1)`,
          [randomUUID(), B],
        ),
      );
      expect(error.code).toBe('42501');
      expect(error.message).toMatch(/row-level security/);
    });
    const planted = await server.db.adminPool.query("SELECT 1 FROM events WHERE name = 'Planted'");
    expect(planted.rowCount).toBe(0);
  });

  it("updates and deletes of org B's rows under org A's scope touch nothing", async () => {
    const before = await eventRow(orgB.events[1]!.id, B);
    await app.query('BEGIN');
    try {
      await app.query("SELECT set_config('app.org_id', $1, true)", [A]);
      const updated = await app.query("UPDATE events SET name = 'Hijacked' WHERE org_id = $1", [B]);
      expect(updated.rowCount).toBe(0);
      const moved = await pgError(
        app.query('UPDATE events SET org_id = $1 WHERE id = $2', [B, orgA.events[1]!.id]),
      );
      expect(moved.code).toBe('42501');
    } finally {
      await app.query('ROLLBACK');
    }
    await app.query('BEGIN');
    try {
      await app.query("SELECT set_config('app.org_id', $1, true)", [A]);
      const deleted = await app.query('DELETE FROM tickets WHERE org_id = $1', [B]);
      expect(deleted.rowCount).toBe(0);
      await app.query('COMMIT');
    } catch (error) {
      await app.query('ROLLBACK');
      throw error;
    }
    expect(await eventRow(orgB.events[1]!.id, B)).toEqual(before);
    expect(await adminCount('tickets', B)).toBe(orgB.tickets.length);
  });

  it('the application role cannot read the migrations table', async () => {
    const error = await pgError(app.query('SELECT * FROM pgmigrations'));
    expect(error.code).toBe('42501');
    expect(error.message).toMatch(/permission denied/);
  });

  it('the application connection cannot shed the janix_app role', async () => {
    await app.query('RESET ROLE');
    await app.query('SET ROLE NONE');
    const who = await app.query<{ user: string; rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT current_user AS user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(who.rows[0]).toEqual({ user: 'janix_app', rolsuper: false, rolbypassrls: false });
    await expect(app.query('SET ROLE postgres')).rejects.toThrow(/permission denied/);
    await app.query('BEGIN');
    try {
      await app.query("SELECT set_config('app.org_id', $1, true)", [A]);
      const leaked = await app.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE org_id = $1',
        [B],
      );
      expect(leaked.rows[0]!.n).toBe(0);
    } finally {
      await app.query('ROLLBACK');
    }
  });
});

describe('through the API', () => {
  it("a device of org A pulling never receives org B's rows, in any table", async () => {
    const { pages, cursor } = await pullAll(apiClient(server, { device: deviceA.token }), { limit: 5 });
    const rows = deliveredRows(pages);
    expect(rows.length).toBeGreaterThan(0);
    // Rows travel without their organization: the device's organization is implied.
    for (const page of pages) for (const batch of page.batches) expect(batch.columns).not.toContain('org_id');
    const fromB = new Set(
      Object.values(await serverVersions(server, B)).flatMap((table) => Object.keys(table)),
    );
    expect(fromB.size).toBeGreaterThan(0);
    expect(rows.filter(({ row }) => fromB.has(row.id))).toEqual([]);
    // ...and every one of org A's rows, in every table it replicates.
    expect(replicaVersions(applyPages(new Map(), pages))).toEqual(await serverVersions(server, A));
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

describe('guards in the database itself', () => {
  it('every SECURITY DEFINER function pins search_path with pg_temp last', async () => {
    const functions = await server.db.adminPool.query<{ name: string; config: string[] | null }>(
      `SELECT p.oid::regprocedure::text AS name, p.proconfig AS config
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(functions.rows.map((row) => row.name)).toContain('device_for_token(text)');
    const searchPaths = Object.fromEntries(
      functions.rows.map((row) => [
        row.name,
        (row.config ?? []).find((setting) => setting.startsWith('search_path=')) ?? null,
      ]),
    );
    const pinned = (path: string | null) => {
      const schemas =
        path
          ?.slice('search_path='.length)
          .split(',')
          .map((schema) => schema.trim()) ?? [];
      return schemas.length > 0 && schemas.at(-1) === 'pg_temp';
    };
    expect(Object.entries(searchPaths).filter(([, path]) => !pinned(path))).toEqual([]);
  });

  // Commit order (G5) is version order only if every writer takes the organization's version in its own
  // transaction; the database now refuses one that forgets.
  describe('a writer that does not take the organization version is refused', () => {
    const refusal = { code: '55000', message: expect.stringMatching(/without taking that version/) };

    /** Runs `work` as the application in org A's scope, rolled back whatever happens. */
    async function asApp(work: (client: pg.Client) => Promise<unknown>): Promise<unknown> {
      return scoped({ orgId: A }, async (client) => {
        try {
          return await work(client);
        } catch (error) {
          return { code: (error as { code?: string }).code, message: (error as Error).message };
        }
      });
    }
    const eventId = () => orgA.events[4]!.id;
    const headOf = async (client: pg.Client) =>
      (await client.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [A]))
        .rows[0]!.version;

    it('an update that keeps the old version, or invents the next one, fails', async () => {
      expect(
        await asApp((client) => client.query("UPDATE events SET name = 'Forgot' WHERE id = $1", [eventId()])),
      ).toEqual(refusal);
      expect(
        await asApp(async (client) =>
          client.query("UPDATE events SET name = 'Guessed', version = $2 WHERE id = $1", [
            eventId(),
            (await headOf(client)) + 1,
          ]),
        ),
      ).toEqual(refusal);
    });

    it('an insert, a tombstone, and a bulk write without a version all fail', async () => {
      expect(
        await asApp(async (client) =>
          client.query(
            `INSERT INTO events (id, org_id, name, starts_at, ends_at, status, version)
             VALUES ($1, $2, 'Unversioned', now(), now() + interval '1 hour', 'draft', $3)`,
            [randomUUID(), A, (await headOf(client)) + 1],
          ),
        ),
      ).toEqual(refusal);
      expect(
        await asApp(async (client) =>
          client.query(
            "INSERT INTO tombstones (org_id, table_name, row_id, version) VALUES ($1, 'events', $2, $3)",
            [A, randomUUID(), (await headOf(client)) + 1],
          ),
        ),
      ).toEqual(refusal);
      // The superuser bypasses row-level security, not this.
      await expect(
        server.db.adminPool.query("UPDATE people SET city = 'Nowhere' WHERE org_id = $1", [A]),
      ).rejects.toMatchObject({ code: '55000' });
    });

    it('versions undone with a savepoint, or taken for another organization, do not count', async () => {
      expect(
        await asApp(async (client) => {
          await client.query('SAVEPOINT s');
          const version = await takeOrgVersions(client as never, A);
          await client.query('ROLLBACK TO SAVEPOINT s');
          return client.query("UPDATE events SET name = 'Undone', version = $2 WHERE id = $1", [
            eventId(),
            version,
          ]);
        }),
      ).toEqual(refusal);
      const crossed = await pgError(
        inTransaction(server.db.adminPool, { orgId: B }, async (client) => {
          const version = await takeOrgVersions(client, B);
          await client.query('UPDATE events SET version = $2 WHERE id = $1 AND org_id = $3', [
            eventId(),
            version,
            A,
          ]);
        }),
      );
      expect(crossed.code).toBe('55000');
    });

    it('a writer that takes its versions writes at any of them, also across several takes', async () => {
      const written = await asApp(async (client) => {
        const first = await takeOrgVersions(client as never, A, 2);
        const second = await takeOrgVersions(client as never, A);
        await client.query("UPDATE events SET name = 'Versioned', version = $2 WHERE id = $1", [
          eventId(),
          first - 1,
        ]);
        await client.query("UPDATE events SET venue = 'Versioned', version = $2 WHERE id = $1", [
          eventId(),
          second,
        ]);
        return (await client.query('SELECT name, venue FROM events WHERE id = $1', [eventId()])).rows[0];
      });
      expect(written).toEqual({ name: 'Versioned', venue: 'Versioned' });
    });
  });
});
