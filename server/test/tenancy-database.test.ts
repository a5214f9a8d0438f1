import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicatedTableNames } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import type { TestServer } from '../src/testing.ts';
import { twoOrgSuite } from './tenancy-fixture.ts';

/**
 * Tenancy in the database itself: row-level security keeps each organization's rows to its own scope with no
 * help from the application, and the database refuses a writer that skips the organization's version. What a
 * device reaches through the API is in tenancy-api.test.ts.
 */

const suite = twoOrgSuite();
const { orgA, orgB, A, B, eventRow } = suite;
let server: TestServer;
/** A connection that assumes the application role, exactly as the app pool's connections do. */
let app: pg.Client;

/** Every table holding organizations' rows: each must keep to its organization's scope. */
const orgScopedTables = [
  ...replicatedTableNames,
  'devices',
  'memberships',
  'org_versions',
  'command_results',
  'tombstones',
  'web_checkouts',
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

beforeAll(async () => {
  server = suite.server;
  app = new pg.Client({ connectionString: server.db.appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
});

describe('row-level security alone (no application checks)', () => {
  it('the list of org-scoped tables is every table with an org_id column', async () => {
    const tables = await server.db.adminPool.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'`,
    );
    expect(tables.rows.map((row) => row.table_name).sort()).toEqual([...orgScopedTables].sort());
  });

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
