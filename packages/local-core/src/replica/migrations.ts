import type Database from 'better-sqlite3';
import { Umzug, type UmzugStorage } from 'umzug';

/** The replica's schema version, sent with every sync request so the server can refuse a stale console. */
export const REPLICA_SCHEMA_VERSION = 3;

/**
 * Local schema migrations. Each runs in one SQLite transaction together with its bookkeeping row, and none
 * may drop or rewrite the outbox: pending commands survive every upgrade.
 */
const migrations: Array<{ name: string; sql: string }> = [
  {
    name: '0001-foundation',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE events (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, venue TEXT NOT NULL,
        starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL
      );
      CREATE TABLE ticket_types (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, event_id TEXT NOT NULL, name TEXT NOT NULL,
        price_cents INTEGER NOT NULL, currency TEXT NOT NULL, capacity INTEGER NOT NULL, version INTEGER NOT NULL
      );
      CREATE INDEX ticket_types_event ON ticket_types (event_id);
      -- Rows written by commands the server has not confirmed yet, laid over the server's rows.
      CREATE TABLE events_pending (
        id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, venue TEXT NOT NULL,
        starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL
      );
      CREATE VIEW events_current AS
        SELECT *, 1 AS pending FROM events_pending
        UNION ALL
        SELECT e.*, 0 AS pending FROM events e WHERE e.id NOT IN (SELECT id FROM events_pending);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY, name TEXT NOT NULL, args TEXT NOT NULL, client_time TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT
      );
      CREATE TABLE command_rejections (
        seq INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
        rejected_at TEXT NOT NULL
      );
    `,
  },
  {
    // Server rows now arrive as role-scoped column batches. The replicated tables are rebuilt (the replica is
    // refetched: the cursor goes); the outbox and the rejection history are kept as they are.
    name: '0002-replicated-tables',
    sql: `
      DROP VIEW events_current;
      DROP TABLE events;
      DROP TABLE events_pending;
      DROP TABLE ticket_types;
      DELETE FROM meta WHERE key IN ('cursor', 'lastSyncedAt');
      CREATE TABLE events (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, name TEXT, venue TEXT, starts_at TEXT, ends_at TEXT, status TEXT
      );
      CREATE TABLE events_pending (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, name TEXT, venue TEXT, starts_at TEXT, ends_at TEXT, status TEXT
      );
      CREATE VIEW events_current AS
        SELECT *, 1 AS pending FROM events_pending
        UNION ALL
        SELECT e.*, 0 AS pending FROM events e WHERE e.id NOT IN (SELECT id FROM events_pending);
      CREATE TABLE ticket_types (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, event_id TEXT, name TEXT, price_cents INTEGER,
        currency TEXT, capacity INTEGER
      );
      CREATE INDEX ticket_types_event ON ticket_types (event_id);
      CREATE TABLE tickets (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, order_id TEXT, event_id TEXT, ticket_type_id TEXT,
        person_id TEXT, status TEXT, secret TEXT
      );
      CREATE INDEX tickets_event ON tickets (event_id);
      CREATE INDEX tickets_secret ON tickets (secret);
      CREATE TABLE orders (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, event_id TEXT, person_id TEXT, code TEXT, channel TEXT,
        status TEXT, total_cents INTEGER, currency TEXT, created_at TEXT
      );
      CREATE TABLE people (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, first_name TEXT, last_name TEXT, email TEXT, company TEXT,
        city TEXT, country TEXT, marketing_consent INTEGER
      );
    `,
  },
  {
    // Who last changed an event (replicated from the server), and what the console needs to tell its user
    // about its own changes: which records each queued command touches (a rejection names its record), the
    // fields it set (an edit another console overwrote later is noticed on pull), and the notices themselves.
    name: '0003-record-notices',
    sql: `
      DROP VIEW events_current;
      ALTER TABLE events ADD COLUMN updated_at TEXT;
      ALTER TABLE events ADD COLUMN updated_by TEXT;
      ALTER TABLE events_pending ADD COLUMN updated_at TEXT;
      ALTER TABLE events_pending ADD COLUMN updated_by TEXT;
      CREATE VIEW events_current AS
        SELECT *, 1 AS pending FROM events_pending
        UNION ALL
        SELECT e.*, 0 AS pending FROM events e WHERE e.id NOT IN (SELECT id FROM events_pending);
      CREATE TABLE command_targets (
        seq INTEGER NOT NULL, table_name TEXT NOT NULL, record_id TEXT NOT NULL, label TEXT NOT NULL,
        PRIMARY KEY (seq, table_name, record_id)
      );
      CREATE TABLE own_edits (
        seq INTEGER NOT NULL, table_name TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT, recorded_at TEXT NOT NULL,
        PRIMARY KEY (table_name, record_id, field, seq)
      );
      CREATE TABLE record_notices (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, table_name TEXT, record_id TEXT, label TEXT NOT NULL,
        detail TEXT NOT NULL, created_at TEXT NOT NULL
      );
      CREATE INDEX record_notices_record ON record_notices (table_name, record_id);
    `,
  },
];

export async function migrateReplica(db: Database.Database): Promise<void> {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const storage: UmzugStorage = {
    async executed() {
      return db
        .prepare('SELECT name FROM schema_migrations ORDER BY name')
        .all()
        .map((row) => (row as { name: string }).name);
    },
    async logMigration() {
      // Recorded inside the migration's own transaction (below), so a crash cannot half-apply one.
    },
    async unlogMigration({ name }) {
      db.prepare('DELETE FROM schema_migrations WHERE name = ?').run(name);
    },
  };
  const umzug = new Umzug({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: async () => {
        db.transaction(() => {
          db.exec(migration.sql);
          db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(
            migration.name,
            new Date().toISOString(),
          );
        })();
      },
    })),
    storage,
    logger: undefined,
  });
  await umzug.up();
}
