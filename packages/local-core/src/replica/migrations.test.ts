import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { columnsForRole, replicatedTables } from '@janix/domain';
import { migrateReplica } from './migrations.ts';

let db: Database.Database;
beforeEach(async () => {
  db = new Database(':memory:');
  await migrateReplica(db);
});
afterEach(() => db.close());

const columnsOf = (relation: string) =>
  (db.prepare(`PRAGMA table_info(${relation})`).all() as Array<{ name: string }>).map(
    (column) => column.name,
  );
const metaValue = (key: string) =>
  (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;

const checkInTables = [
  'ticket_signing_keys',
  'checkin_lists',
  'check_ins',
  'entry_alerts',
  'ticket_revocations',
];

const cardPaymentTables = ['card_readers', 'payments'];

/** The replica as a console left it before `migration` (whose tables are `tables`) came. */
function backBefore(migration: string, tables: string[]): void {
  for (const table of tables) {
    db.exec(`DROP VIEW ${table}_current; DROP TABLE ${table}_pending; DROP TABLE ${table};`);
  }
  db.prepare('DELETE FROM schema_migrations WHERE name = ?').run(migration);
}
const backTo0005 = () => backBefore('0006-check-in', checkInTables);

describe('replica migrations', () => {
  it('give every replicated table, its pending overlay and its view the columns the server sends', () => {
    // The frozen column lists of the migrations must match the descriptions, or a pulled page cannot be stored.
    for (const table of replicatedTables) {
      const wire = columnsForRole(table, 'owner');
      expect(columnsOf(table.name), table.name).toEqual(wire);
      expect(columnsOf(`${table.name}_pending`), table.name).toEqual(wire);
      expect(columnsOf(`${table.name}_current`), table.name).toEqual([...wire, 'pending']);
    }
  });

  it('index the scans a scanner looks up by ticket, pending ones included', () => {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join(' ');
    expect(plan("SELECT * FROM check_ins_current WHERE ticket_id = 'x'")).toMatch(/check_ins_pending_ticket/);
    expect(plan("SELECT * FROM check_ins_current WHERE ticket_id = 'x'")).toMatch(/check_ins_ticket/);
    expect(plan("SELECT * FROM entry_alerts WHERE event_id = 'x'")).toMatch(/entry_alerts_event/);
  });

  it.each([
    { what: 'check-in', migration: '0006-check-in', tables: checkInTables },
    { what: 'card payment', migration: '0007-card-payments', tables: cardPaymentTables },
    { what: 'order email', migration: '0008-order-emails', tables: ['order_emails'] },
  ])(
    'reload the $what tables on a console that has synced, keeping its place in the feed',
    async ({ migration, tables }) => {
      backBefore(migration, tables);
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('cursor', '\"c-41\"'), ('pendingResync', '[\"people\"]')",
      ).run();
      await migrateReplica(db);
      expect(metaValue('cursor')).toBe('"c-41"');
      expect((JSON.parse(metaValue('pendingResync')!) as string[]).sort()).toEqual(
        ['people', ...tables].sort(),
      );
    },
  );

  it('leave a console that never synced to its initial sync', async () => {
    backTo0005();
    await migrateReplica(db);
    expect(metaValue('pendingResync')).toBeUndefined();
    expect(columnsOf('check_ins')).toContain('scanned_at');
  });
});
