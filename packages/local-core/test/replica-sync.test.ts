import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replicatedTableNames } from '@janix/domain';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite, signInAndEnroll } from './console-fixtures.ts';
import { openLocalCore, type LocalCore } from '../src/index.ts';

const demo = generateDemoOrg({ seed: 21, attendees: 400 });
const suite = consoleSuite(demo);

async function enrolled(
  dataDir: string,
  options: { pageSize?: number; fetch?: typeof fetch } = {},
): Promise<LocalCore> {
  const core = await openLocalCore({ dataDir, serverUrl: suite.server.url, autoSync: false, ...options });
  await signInAndEnroll(core, suite.server, 'Gate 2');
  return core;
}

/** Secondary indexes on the replicated tables, as defined by the migrations. */
const replicaIndexes = [
  'allocations_device',
  'cash_movements_shift',
  'check_ins_list',
  'check_ins_ticket',
  'checkin_lists_event',
  'entry_alerts_event',
  'order_audit_order',
  'order_emails_order',
  'orders_code',
  'orders_event',
  'orders_shift',
  'people_email',
  'quotas_event',
  'ticket_types_event',
  'tickets_event',
  'tickets_order',
  'tickets_secret',
];

function indexes(core: LocalCore): string[] {
  return core
    .replica()
    .db.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN (SELECT value FROM json_each(?)) ORDER BY name`,
    )
    .all(JSON.stringify(replicatedTableNames))
    .map((row) => (row as { name: string }).name);
}

function count(core: LocalCore, table: string): number {
  return (core.replica().db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('replica sync', () => {
  it('loads every table the role needs, and resumes an initial sync cut short', async () => {
    const dataDir = suite.dataDir('resume');
    let pulls = 0;
    let cut = true;
    // The network dies after a few pages, as when a laptop is closed mid-download.
    const flaky: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('sync.pull')) {
        pulls += 1;
        if (cut && pulls > 2) return Promise.reject(new TypeError('fetch failed'));
      }
      return fetch(input, init);
    };
    let core = await enrolled(dataDir, { pageSize: 250, fetch: flaky });
    await core.syncNow();
    const partial = count(core, 'tickets') + count(core, 'people') + count(core, 'orders');
    expect(core.sync().state.online).toBe(false);
    expect(core.replica().meta.get('cursor')).not.toBeNull();
    // Mid-snapshot (two pages of 250: events, quotas, ticket types, signing keys, check-in lists, then
    // orders) a finished table has its index back; the indexes of the tables still loading wait, remembered
    // in the replica itself.
    expect(indexes(core)).toEqual(['checkin_lists_event', 'quotas_event', 'ticket_types_event']);
    expect(
      new Set(
        core
          .replica()
          .meta.get('deferredIndexes')
          ?.map((index) => index.table),
      ),
    ).toEqual(
      new Set([
        'orders',
        'tickets',
        'allocations',
        'cash_movements',
        'order_audit',
        'check_ins',
        'entry_alerts',
        'order_emails',
        'people',
      ]),
    );
    await core.close();

    cut = false;
    const pullsBefore = pulls;
    core = await openLocalCore({
      dataDir,
      serverUrl: suite.server.url,
      autoSync: false,
      pageSize: 250,
      fetch: flaky,
    });
    suite.defer(() => core.close());
    await core.syncNow();
    expect(core.sync().state.lastError).toBeNull();
    expect(count(core, 'events')).toBe(demo.events.length);
    expect(count(core, 'ticket_types')).toBe(demo.ticketTypes.length);
    expect(count(core, 'tickets')).toBe(demo.tickets.length);
    expect(count(core, 'orders')).toBe(demo.orders.length);
    expect(count(core, 'people')).toBe(demo.people.length);
    // Once the feed begins, the indexes are back, exactly as the migrations made them.
    expect(indexes(core)).toEqual(replicaIndexes);
    expect(core.replica().meta.get('deferredIndexes')).toBeNull();
    // It continued from where it stopped instead of starting over.
    const total =
      demo.events.length +
      demo.ticketTypes.length +
      demo.tickets.length +
      demo.orders.length +
      demo.people.length;
    expect(partial).toBeGreaterThan(0);
    expect((pulls - pullsBefore) * 250).toBeLessThan(total - partial + 2 * 250 + 250);
  });

  it('detects a replica that diverged and reloads only the table that did', async () => {
    const core = await enrolled(suite.dataDir('checksum'));
    suite.defer(() => core.close());
    await core.syncNow();
    const { db } = core.replica();
    // Damage the replica behind the engine's back: a lost row and a stale one.
    db.prepare('DELETE FROM people WHERE id = ?').run(demo.people[3]!.id);
    db.prepare('UPDATE tickets SET version = version - 1 WHERE id = ?').run(demo.tickets[5]!.id);
    const eventsBefore = db.prepare('SELECT * FROM events ORDER BY id').all();
    core.sync().state.lastChecksumAt = null;
    await core.syncNow();
    expect(core.replica().meta.get('pendingResync') ?? []).toEqual([]);
    // Untouched tables were not reloaded (same rows, and no resync pending for them).
    expect(db.prepare('SELECT * FROM events ORDER BY id').all()).toEqual(eventsBefore);
    expect(core.sync().state.checksumMismatches).toBe(1);
    expect(count(core, 'people')).toBe(demo.people.length);
    const ticket = db.prepare('SELECT version FROM tickets WHERE id = ?').get(demo.tickets[5]!.id) as {
      version: number;
    };
    const serverTicket = await suite.server.db.adminPool.query('SELECT version FROM tickets WHERE id = $1', [
      demo.tickets[5]!.id,
    ]);
    expect(ticket.version).toBe(serverTicket.rows[0].version);
  });

  it('keeps pending commands through the replica migration that rebuilt the replicated tables', async () => {
    const dataDir = suite.dataDir('migrate');
    mkdirSync(dataDir, { recursive: true });
    // A console of schema 1 with one command still waiting in its outbox.
    const v1 = new Database(join(dataDir, 'replica.sqlite'));
    v1.exec(`
      CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
      INSERT INTO schema_migrations VALUES ('0001-foundation', '2026-11-01T00:00:00Z');
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE events (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, venue TEXT NOT NULL,
        starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE ticket_types (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, event_id TEXT NOT NULL, name TEXT NOT NULL,
        price_cents INTEGER NOT NULL, currency TEXT NOT NULL, capacity INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE events_pending (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, venue TEXT NOT NULL,
        starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE VIEW events_current AS SELECT *, 1 AS pending FROM events_pending
        UNION ALL SELECT e.*, 0 AS pending FROM events e WHERE e.id NOT IN (SELECT id FROM events_pending);
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, args TEXT NOT NULL, client_time TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
      CREATE TABLE command_rejections (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL,
        message TEXT NOT NULL, rejected_at TEXT NOT NULL);
    `);
    v1.prepare('INSERT INTO outbox (seq, name, args, client_time) VALUES (1, ?, ?, ?)').run(
      'updateEvent',
      JSON.stringify({ eventId: demo.events[0]!.id, patch: { name: 'Renamed before the upgrade' } }),
      '2026-11-20T10:00:00Z',
    );
    v1.close();

    const core = await openLocalCore({ dataDir, serverUrl: suite.server.url, autoSync: false });
    suite.defer(() => core.close());
    expect((await core.caller.status()).sync.pending).toBe(1);
    expect(core.replica().outbox.list()[0]).toMatchObject({ seq: 1, name: 'updateEvent' });
  });
});
