import type Database from 'better-sqlite3';
import { Umzug, type UmzugStorage } from 'umzug';

/** The replica's schema version, sent with every sync request so the server can refuse a stale console. */
export const REPLICA_SCHEMA_VERSION = 7;

/**
 * The replicated tables as of 0004, frozen here (a later change is a later migration): columns after id and
 * version, in the server's wire order.
 */
const tablesAt0004: Record<string, string> = {
  events:
    'name TEXT, venue TEXT, starts_at TEXT, ends_at TEXT, status TEXT, updated_at TEXT, updated_by TEXT',
  quotas:
    'event_id TEXT, name TEXT, capacity INTEGER, sold INTEGER, allocated INTEGER, updated_at TEXT, updated_by TEXT',
  ticket_types:
    'event_id TEXT, quota_id TEXT, name TEXT, price_cents INTEGER, currency TEXT, tax_rate_bp INTEGER, ' +
    'capacity INTEGER, sales_start_at TEXT, sales_end_at TEXT, channels TEXT, updated_at TEXT, updated_by TEXT',
  people:
    'first_name TEXT, last_name TEXT, email TEXT, phone TEXT, age_range TEXT, company TEXT, city TEXT, ' +
    'country TEXT, marketing_consent INTEGER, updated_at TEXT, updated_by TEXT',
  shifts:
    'device_id TEXT, cashier TEXT, opened_at TEXT, float_cents INTEGER, status TEXT, closed_at TEXT, ' +
    'counted_cents INTEGER, expected_cents INTEGER, updated_at TEXT, updated_by TEXT',
  orders:
    'event_id TEXT, person_id TEXT, code TEXT, channel TEXT, status TEXT, total_cents INTEGER, currency TEXT, ' +
    'created_at TEXT, shift_id TEXT, payment_method TEXT, payment_reference TEXT, comp_reason TEXT, ' +
    'tendered_cents INTEGER, change_cents INTEGER, tax_cents INTEGER, listed_total_cents INTEGER, ' +
    'refunded_at TEXT, refund_reason TEXT, updated_at TEXT, updated_by TEXT',
  tickets:
    'order_id TEXT, event_id TEXT, ticket_type_id TEXT, person_id TEXT, status TEXT, secret TEXT, ' +
    'price_cents INTEGER, tax_cents INTEGER, allocation_id TEXT, slot INTEGER, updated_at TEXT, updated_by TEXT',
  allocations:
    'quota_id TEXT, event_id TEXT, device_id TEXT, shift_id TEXT, requested INTEGER, granted INTEGER, ' +
    'used INTEGER, returned INTEGER, status TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT',
  cash_movements:
    'shift_id TEXT, kind TEXT, amount_cents INTEGER, reason TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT',
  order_audit:
    'order_id TEXT, shift_id TEXT, action TEXT, reason TEXT, amount_cents INTEGER, method TEXT, user_id TEXT, ' +
    'user_name TEXT, device_id TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT',
};

function boxOfficeSchema(): string {
  const rebuilt = Object.entries(tablesAt0004).map(
    ([table, columns]) => `
      DROP VIEW IF EXISTS ${table}_current;
      DROP TABLE IF EXISTS ${table}_pending;
      DROP TABLE IF EXISTS ${table};
      CREATE TABLE ${table} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, ${columns});
      CREATE TABLE ${table}_pending (id TEXT PRIMARY KEY, version INTEGER NOT NULL, ${columns});
      CREATE VIEW ${table}_current AS
        SELECT *, 1 AS pending FROM ${table}_pending
        UNION ALL
        SELECT t.*, 0 AS pending FROM ${table} t WHERE t.id NOT IN (SELECT id FROM ${table}_pending);`,
  );
  return `
    DELETE FROM meta WHERE key IN ('cursor', 'pendingResync', 'deferredIndexes');
    ${rebuilt.join('\n')}
    CREATE INDEX quotas_event ON quotas (event_id);
    CREATE INDEX ticket_types_event ON ticket_types (event_id);
    CREATE INDEX orders_event ON orders (event_id, created_at);
    CREATE INDEX orders_shift ON orders (shift_id);
    CREATE INDEX orders_code ON orders (code);
    CREATE INDEX tickets_event ON tickets (event_id);
    CREATE INDEX tickets_order ON tickets (order_id);
    CREATE INDEX tickets_secret ON tickets (secret);
    CREATE INDEX allocations_device ON allocations (device_id, status);
    CREATE INDEX cash_movements_shift ON cash_movements (shift_id);
    CREATE INDEX order_audit_order ON order_audit (order_id);
    CREATE INDEX people_email ON people (email);
    -- The signed secrets of this device's allocation slots, one per ticket type the slot may become. Fetched
    -- from the server while online; never replicated, never sent anywhere. A slot is spent (by the order that
    -- sold it) for good: even if the server later refuses that sale, its printed ticket carries the slot's
    -- secret, so the slot is never sold again.
    CREATE TABLE allocation_secrets (
      allocation_id TEXT NOT NULL, slot INTEGER NOT NULL, ticket_type_id TEXT NOT NULL, ticket_id TEXT NOT NULL,
      secret TEXT NOT NULL, spent_order_id TEXT, PRIMARY KEY (allocation_id, slot, ticket_type_id)
    );
  `;
}

/** The check-in tables as of 0006, frozen like those of 0004: columns after id and version, in wire order. */
const tablesAt0006: Record<string, string> = {
  ticket_signing_keys:
    'kid TEXT, public_key TEXT, retired_at TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT',
  checkin_lists:
    'event_id TEXT, name TEXT, ticket_type_ids TEXT, valid_from TEXT, valid_until TEXT, allow_reentry INTEGER, ' +
    'allow_multiple_entries INTEGER, max_entries_per_day INTEGER, auto_checkout_at TEXT, time_zone TEXT, ' +
    'updated_at TEXT, updated_by TEXT',
  check_ins:
    'list_id TEXT, event_id TEXT, ticket_id TEXT, ticket_type_id TEXT, direction TEXT, outcome TEXT, code TEXT, ' +
    'reason TEXT, device_id TEXT, device_name TEXT, scanned_at TEXT, manual INTEGER, raw_excerpt TEXT, ' +
    'updated_at TEXT, updated_by TEXT',
  entry_alerts:
    'event_id TEXT, list_id TEXT, ticket_id TEXT, first_check_in_id TEXT, first_device_name TEXT, first_at TEXT, ' +
    'second_check_in_id TEXT, second_device_name TEXT, second_at TEXT, created_at TEXT, updated_at TEXT, ' +
    'updated_by TEXT',
  ticket_revocations: 'event_id TEXT, reason TEXT, revoked_at TEXT, updated_at TEXT, updated_by TEXT',
};

/** Each replicated table with its pending overlay and the view that lays one over the other. */
function overlaidTable(table: string, columns: string): string {
  return `
      CREATE TABLE ${table} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, ${columns});
      CREATE TABLE ${table}_pending (id TEXT PRIMARY KEY, version INTEGER NOT NULL, ${columns});
      CREATE VIEW ${table}_current AS
        SELECT *, 1 AS pending FROM ${table}_pending
        UNION ALL
        SELECT t.*, 0 AS pending FROM ${table} t WHERE t.id NOT IN (SELECT id FROM ${table}_pending);`;
}

function checkInSchema(): string {
  return `
    ${Object.entries(tablesAt0006)
      .map(([table, columns]) => overlaidTable(table, columns))
      .join('\n')}
    -- A scan looks up the ticket's earlier scans (server-confirmed and pending); counts and the recent scans
    -- read a list's scans by time; the alerts banner reads an event's alerts.
    CREATE INDEX check_ins_ticket ON check_ins (ticket_id);
    CREATE INDEX check_ins_list ON check_ins (list_id, scanned_at);
    CREATE INDEX check_ins_pending_ticket ON check_ins_pending (ticket_id);
    CREATE INDEX check_ins_pending_list ON check_ins_pending (list_id, scanned_at);
    CREATE INDEX checkin_lists_event ON checkin_lists (event_id);
    CREATE INDEX entry_alerts_event ON entry_alerts (event_id);
    -- What the server already holds of the new tables (the signing keys in particular) was fed before this
    -- console knew them: a console that has synced reloads just these from a snapshot, keeping its place in
    -- the feed (as after a checksum mismatch), added to any reload it was already waiting for.
    ${reloadOnSyncedConsole(Object.keys(tablesAt0006))}
  `;
}

/** Adds `tables` to the snapshot reload a console that has synced is waiting for (none if it never synced). */
function reloadOnSyncedConsole(tables: string[]): string {
  return `
    INSERT INTO meta (key, value)
      SELECT 'pendingResync', (
        SELECT json_group_array(value) FROM (
          SELECT value FROM json_each(coalesce((SELECT value FROM meta WHERE key = 'pendingResync'), '[]'))
          UNION
          SELECT value FROM json_each('${JSON.stringify(tables)}')
        )
      )
      WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'cursor')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;
}

/** The card payment tables as of 0007, frozen like the others: columns after id and version, in wire order. */
const tablesAt0007: Record<string, string> = {
  card_readers:
    'label TEXT, stripe_reader_id TEXT, stripe_location_id TEXT, device_type TEXT, serial_number TEXT, ' +
    'device_id TEXT, status TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT',
  payments:
    'kind TEXT, status TEXT, event_id TEXT, order_id TEXT, shift_id TEXT, device_id TEXT, reader_id TEXT, ' +
    'amount_cents INTEGER, currency TEXT, refunded_cents INTEGER, stripe_payment_intent_id TEXT, ' +
    'stripe_checkout_session_id TEXT, checkout_url TEXT, card_brand TEXT, card_last4 TEXT, failure_reason TEXT, ' +
    'created_at TEXT, expires_at TEXT, completed_at TEXT, updated_at TEXT, updated_by TEXT',
};

function cardPaymentSchema(): string {
  // Both tables stay small (a reader per till, a payment per card sale) and are read by id: no indexes.
  return `
    ${Object.entries(tablesAt0007)
      .map(([table, columns]) => overlaidTable(table, columns))
      .join('\n')}
    ${reloadOnSyncedConsole(Object.keys(tablesAt0007))}
  `;
}

/** The order emails table as of 0008, frozen like the others: columns after id and version, in wire order. */
const orderEmailsAt0008 =
  'order_id TEXT, kind TEXT, status TEXT, attempts INTEGER, failure_reason TEXT, provider_message_id TEXT, ' +
  'sent_at TEXT, created_at TEXT, updated_at TEXT, updated_by TEXT';

function orderEmailsSchema(): string {
  // The order screen reads an order's emails, server-confirmed and pending (a resend offline).
  return `
    ${overlaidTable('order_emails', orderEmailsAt0008)}
    CREATE INDEX order_emails_order ON order_emails (order_id);
    CREATE INDEX order_emails_pending_order ON order_emails_pending (order_id);
    ${reloadOnSyncedConsole(['order_emails'])}
  `;
}

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
  {
    // Every replicated table the box office writes, each with a pending overlay of its own (rows written by
    // commands the server has not confirmed, laid over the server's rows by a `<table>_current` view), and
    // the signed ticket secrets of this device's allocations, which never leave it. The replicated tables are
    // rebuilt and fetched again (their columns changed); the outbox, rejections and notices are kept.
    name: '0004-box-office',
    sql: boxOfficeSchema(),
  },
  {
    // An order's tickets (a refund's rule, the receipt after each sale) among the pending ones, which offline
    // grow by two a sale; and a sale's seats picked among the unspent ones only, however many of an
    // allocation are spent. (A sale's rule reads its own slots' tickets by id: no index by allocation, which
    // every sale would have to write.)
    name: '0005-sale-indexes',
    sql: `
      CREATE INDEX tickets_pending_order ON tickets_pending (order_id);
      CREATE INDEX allocation_secrets_unspent ON allocation_secrets (allocation_id, ticket_type_id, slot)
        WHERE spent_order_id IS NULL;
    `,
  },
  {
    // Check-in: lists, scans, double-entry alerts, and what verifies a signed code offline (the public keys,
    // the revoked tickets), each with its pending overlay.
    name: '0006-check-in',
    sql: checkInSchema(),
  },
  {
    // Card payments: the organization's Stripe readers and each card payment's state as the server reports
    // it (written by the server alone, so their pending overlays stay empty).
    name: '0007-card-payments',
    sql: cardPaymentSchema(),
  },
  {
    // Order emails and how their delivery went (written by the server's mail jobs, and by a resend this
    // console queues), shown on the order screen.
    name: '0008-order-emails',
    sql: orderEmailsSchema(),
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
