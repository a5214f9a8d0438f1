import type { DeviceProfile, OrgRole, ReplicatedTableName } from '@janix/schemas';
import { roleAllows, type OrgAction } from './permissions.ts';

export type { ReplicatedTableName };
export type ColumnType = 'uuid' | 'text' | 'int' | 'bool' | 'timestamptz';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** The column may hold null (in Postgres and so in a command's row). */
  readonly nullable?: true;
  /** The action a role needs to receive this column; absent means every role that receives the table. */
  readonly requires?: OrgAction;
  /** Written by the server's batch writer itself (who and when), never taken from a command's row. */
  readonly setByWriter?: true;
  /**
   * Kept by the rules from other rows (seats sold and held, what the server granted), never a person's
   * choice: the server's value differing from a console's prediction is no edit of someone else's.
   */
  readonly derived?: true;
}

export interface ReplicatedTableSpec {
  readonly name: ReplicatedTableName;
  /** The action a role needs for its devices to replicate this table at all. */
  readonly requires: OrgAction;
  /** id and version are implied and always sent. */
  readonly columns: readonly ColumnSpec[];
  /** Loaded after the other tables in an initial sync: the box office and the scanner can work without it. */
  readonly loadLast?: true;
  /** The column that names a row to a user (a notice about a refused change says which record). */
  readonly label?: string;
  /**
   * Rows record what happened (a sale, a ticket, a drawer movement, an audit line) and change afterwards only
   * by the workflow (a refund, a shift's close, the server's grant), never as someone's edit of a choice: a
   * later change is no overwrite of this console's edit to tell its user about, so none is tracked.
   */
  readonly ledger?: true;
  /**
   * Rows name or identify attendees (who bought, who holds which ticket): a device in the 'no_attendee_data'
   * profile does without them and verifies signed codes alone.
   */
  readonly attendeeData?: true;
}

/**
 * Who last changed a row a command writes, and when: the console tells its user whose later edit overwrote
 * theirs. Every table a command writes carries both.
 */
const authorship = [
  { name: 'updated_at', type: 'timestamptz', setByWriter: true },
  { name: 'updated_by', type: 'text', nullable: true, setByWriter: true },
] as const satisfies readonly ColumnSpec[];

/**
 * Every table a command writes and a device replicates, parents before children: the server's batch writer
 * writes a batch's rows in this order, so a row never refers to one written after it. A device holds only
 * the tables and columns its role needs (privacy by design), and what it needs follows from the permission
 * table (permissions.ts): scanners get names but no contact data; ticket secrets go to every role that admits
 * or sells.
 */
const tableDescriptions = [
  {
    name: 'events',
    requires: 'events.read',
    label: 'name',
    columns: [
      { name: 'name', type: 'text' },
      { name: 'venue', type: 'text' },
      { name: 'starts_at', type: 'timestamptz' },
      { name: 'ends_at', type: 'timestamptz' },
      { name: 'status', type: 'text' },
      ...authorship,
    ],
  },
  {
    name: 'quotas',
    requires: 'events.read',
    label: 'name',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'capacity', type: 'int' },
      { name: 'sold', type: 'int', derived: true },
      { name: 'allocated', type: 'int', derived: true },
      ...authorship,
    ],
  },
  {
    name: 'ticket_types',
    requires: 'events.read',
    label: 'name',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'quota_id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'price_cents', type: 'int' },
      { name: 'currency', type: 'text' },
      { name: 'tax_rate_bp', type: 'int' },
      { name: 'capacity', type: 'int' },
      { name: 'sales_start_at', type: 'timestamptz', nullable: true },
      { name: 'sales_end_at', type: 'timestamptz', nullable: true },
      { name: 'channels', type: 'text' },
      ...authorship,
    ],
  },
  {
    // The public halves only (the sealed private key never leaves the server): written by the server's key
    // code (server/src/tickets/signing-keys.ts), never by a command.
    name: 'ticket_signing_keys',
    ledger: true,
    requires: 'tickets.verify',
    label: 'kid',
    columns: [
      { name: 'kid', type: 'text' },
      { name: 'public_key', type: 'text' },
      { name: 'retired_at', type: 'timestamptz', nullable: true },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    // What one entrance admits. `ticket_type_ids` is a JSON array of ids; an empty one admits every type of
    // the event. `auto_checkout_at` ('HH:MM', in `time_zone`) counts everyone inside as gone each day.
    name: 'checkin_lists',
    requires: 'events.read',
    label: 'name',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'ticket_type_ids', type: 'text' },
      { name: 'valid_from', type: 'timestamptz', nullable: true },
      { name: 'valid_until', type: 'timestamptz', nullable: true },
      { name: 'allow_reentry', type: 'bool' },
      { name: 'allow_multiple_entries', type: 'bool' },
      { name: 'max_entries_per_day', type: 'int', nullable: true },
      { name: 'auto_checkout_at', type: 'text', nullable: true },
      { name: 'time_zone', type: 'text' },
      ...authorship,
    ],
  },
  {
    name: 'people',
    requires: 'people.names',
    loadLast: true,
    attendeeData: true,
    columns: [
      { name: 'first_name', type: 'text' },
      { name: 'last_name', type: 'text' },
      { name: 'email', type: 'text', nullable: true, requires: 'people.contact' },
      { name: 'phone', type: 'text', nullable: true, requires: 'people.contact' },
      { name: 'age_range', type: 'text', nullable: true, requires: 'people.profile' },
      { name: 'company', type: 'text', nullable: true, requires: 'people.profile' },
      { name: 'city', type: 'text', nullable: true, requires: 'people.profile' },
      { name: 'country', type: 'text', nullable: true, requires: 'people.profile' },
      { name: 'marketing_consent', type: 'bool', requires: 'people.profile' },
      ...authorship,
    ],
  },
  {
    name: 'shifts',
    ledger: true,
    requires: 'orders.read',
    label: 'cashier',
    columns: [
      { name: 'device_id', type: 'uuid' },
      { name: 'cashier', type: 'text' },
      { name: 'opened_at', type: 'timestamptz' },
      { name: 'float_cents', type: 'int' },
      { name: 'status', type: 'text' },
      { name: 'closed_at', type: 'timestamptz', nullable: true },
      { name: 'counted_cents', type: 'int', nullable: true },
      { name: 'expected_cents', type: 'int', nullable: true },
      ...authorship,
    ],
  },
  {
    name: 'orders',
    ledger: true,
    attendeeData: true,
    requires: 'orders.read',
    label: 'code',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'person_id', type: 'uuid', nullable: true },
      { name: 'code', type: 'text' },
      { name: 'channel', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'total_cents', type: 'int' },
      { name: 'currency', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'shift_id', type: 'uuid', nullable: true },
      { name: 'payment_method', type: 'text', nullable: true },
      { name: 'payment_reference', type: 'text', nullable: true },
      { name: 'comp_reason', type: 'text', nullable: true },
      { name: 'tendered_cents', type: 'int', nullable: true },
      { name: 'change_cents', type: 'int', nullable: true },
      { name: 'tax_cents', type: 'int' },
      { name: 'listed_total_cents', type: 'int', nullable: true },
      { name: 'refunded_at', type: 'timestamptz', nullable: true },
      { name: 'refund_reason', type: 'text', nullable: true },
      ...authorship,
    ],
  },
  {
    name: 'tickets',
    ledger: true,
    attendeeData: true,
    requires: 'tickets.read',
    columns: [
      { name: 'order_id', type: 'uuid' },
      { name: 'event_id', type: 'uuid' },
      { name: 'ticket_type_id', type: 'uuid' },
      { name: 'person_id', type: 'uuid', nullable: true },
      { name: 'status', type: 'text' },
      { name: 'secret', type: 'text', requires: 'tickets.secrets' },
      { name: 'price_cents', type: 'int' },
      { name: 'tax_cents', type: 'int' },
      { name: 'allocation_id', type: 'uuid', nullable: true },
      { name: 'slot', type: 'int', nullable: true },
      ...authorship,
    ],
  },
  {
    // Tickets that no longer admit (id = the ticket's id): what a scanner that verifies signed codes alone
    // checks, since it holds no tickets. Written with each refund or void, and for a returned allocation's
    // unsold seats, whose codes may have been printed.
    name: 'ticket_revocations',
    ledger: true,
    requires: 'tickets.verify',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'reason', type: 'text' },
      { name: 'revoked_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    name: 'allocations',
    ledger: true,
    requires: 'orders.read',
    columns: [
      { name: 'quota_id', type: 'uuid' },
      { name: 'event_id', type: 'uuid' },
      { name: 'device_id', type: 'uuid' },
      { name: 'shift_id', type: 'uuid', nullable: true },
      { name: 'requested', type: 'int' },
      { name: 'granted', type: 'int', derived: true },
      { name: 'used', type: 'int', derived: true },
      { name: 'returned', type: 'int', derived: true },
      { name: 'status', type: 'text', derived: true },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    name: 'cash_movements',
    ledger: true,
    requires: 'orders.read',
    label: 'reason',
    columns: [
      { name: 'shift_id', type: 'uuid' },
      { name: 'kind', type: 'text' },
      { name: 'amount_cents', type: 'int' },
      { name: 'reason', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    name: 'order_audit',
    ledger: true,
    attendeeData: true,
    requires: 'orders.read',
    label: 'reason',
    columns: [
      { name: 'order_id', type: 'uuid' },
      { name: 'shift_id', type: 'uuid', nullable: true },
      { name: 'action', type: 'text' },
      { name: 'reason', type: 'text' },
      { name: 'amount_cents', type: 'int' },
      { name: 'method', type: 'text', nullable: true },
      { name: 'user_id', type: 'uuid' },
      { name: 'user_name', type: 'text' },
      { name: 'device_id', type: 'uuid' },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    // One scan as the device that made it decided it: a fact, never refused at upload. `ticket_id` names no
    // row when the code named none this organization has (a forged or foreign code), so it is no reference.
    name: 'check_ins',
    ledger: true,
    requires: 'checkin.scan',
    label: 'reason',
    columns: [
      { name: 'list_id', type: 'uuid' },
      { name: 'event_id', type: 'uuid' },
      { name: 'ticket_id', type: 'uuid', nullable: true },
      { name: 'ticket_type_id', type: 'uuid', nullable: true },
      { name: 'direction', type: 'text' },
      { name: 'outcome', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'reason', type: 'text' },
      { name: 'device_id', type: 'uuid' },
      { name: 'device_name', type: 'text' },
      { name: 'scanned_at', type: 'timestamptz' },
      { name: 'manual', type: 'bool' },
      { name: 'raw_excerpt', type: 'text', nullable: true },
      ...authorship,
    ],
  },
  {
    // The same ticket admitted twice where the list allows it once (two devices apart from each other, each
    // admitting offline): found by the server when the second scan arrives, naming both scans.
    name: 'entry_alerts',
    ledger: true,
    requires: 'checkin.scan',
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'list_id', type: 'uuid' },
      { name: 'ticket_id', type: 'uuid' },
      { name: 'first_check_in_id', type: 'uuid' },
      { name: 'first_device_name', type: 'text' },
      { name: 'first_at', type: 'timestamptz' },
      { name: 'second_check_in_id', type: 'uuid' },
      { name: 'second_device_name', type: 'text' },
      { name: 'second_at', type: 'timestamptz' },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    // A Stripe Terminal reader of the organization, registered and assigned to a box-office device by the
    // server (server/src/payments/), never by a command: the box office charges on the reader of its device.
    name: 'card_readers',
    requires: 'orders.read',
    label: 'label',
    columns: [
      { name: 'label', type: 'text' },
      { name: 'stripe_reader_id', type: 'text' },
      { name: 'stripe_location_id', type: 'text', nullable: true },
      { name: 'device_type', type: 'text', nullable: true },
      { name: 'serial_number', type: 'text', nullable: true },
      { name: 'device_id', type: 'uuid', nullable: true },
      { name: 'status', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
  {
    // One card payment (a reader at the door, a Checkout link shown as a QR, a web checkout) and where it
    // stands, written only by the server as Stripe reports it: the console watches it through the feed. No
    // card data: Stripe's ids, the brand and the last four digits (privacy policy). `order_id` names the
    // order the payment becomes; that order exists only once the payment succeeded.
    name: 'payments',
    ledger: true,
    attendeeData: true,
    requires: 'orders.read',
    columns: [
      { name: 'kind', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'event_id', type: 'uuid' },
      { name: 'order_id', type: 'uuid' },
      { name: 'shift_id', type: 'uuid', nullable: true },
      { name: 'device_id', type: 'uuid', nullable: true },
      { name: 'reader_id', type: 'uuid', nullable: true },
      { name: 'amount_cents', type: 'int' },
      { name: 'currency', type: 'text' },
      { name: 'refunded_cents', type: 'int' },
      { name: 'stripe_payment_intent_id', type: 'text', nullable: true },
      { name: 'stripe_checkout_session_id', type: 'text', nullable: true },
      { name: 'checkout_url', type: 'text', nullable: true },
      { name: 'card_brand', type: 'text', nullable: true },
      { name: 'card_last4', type: 'text', nullable: true },
      { name: 'failure_reason', type: 'text', nullable: true },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'expires_at', type: 'timestamptz', nullable: true },
      { name: 'completed_at', type: 'timestamptz', nullable: true },
      ...authorship,
    ],
  },
  {
    // One email about an order (its confirmation with the tickets, its receipt, a refund notice) and how its
    // delivery went: queued with the order change that calls for it, or by a resend, and moved on by the
    // server's mail jobs alone (server/src/jobs/order-email.ts). No address: the server reads the buyer's when
    // it sends, and a failure is told in plain words that never quote it.
    name: 'order_emails',
    ledger: true,
    attendeeData: true,
    requires: 'orders.read',
    columns: [
      { name: 'order_id', type: 'uuid' },
      { name: 'kind', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'attempts', type: 'int' },
      { name: 'failure_reason', type: 'text', nullable: true },
      { name: 'provider_message_id', type: 'text', nullable: true },
      { name: 'sent_at', type: 'timestamptz', nullable: true },
      { name: 'created_at', type: 'timestamptz' },
      ...authorship,
    ],
  },
] as const satisfies readonly ReplicatedTableSpec[];

type Specs = (typeof tableDescriptions)[number];
type SpecOf<T extends ReplicatedTableName> = Extract<Specs, { name: T }>;
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type ValueOf<C extends ColumnSpec> =
  | (C['type'] extends 'int' ? number : C['type'] extends 'bool' ? boolean : string)
  | (C extends { nullable: true } ? null : never);

/**
 * A row of a replicated table as rules see it: camelCase fields derived from the table's columns (so the
 * description above is the only list of them), plus id and version. `starts_at` is `startsAt`.
 */
export type RowOf<T extends ReplicatedTableName> = { id: string; version: number } & {
  -readonly [C in SpecOf<T>['columns'][number] as CamelCase<C['name']>]: ValueOf<C>;
};

/** What a command writes: every column but version (the writer's) and who-and-when (the writer's too). */
export type WriteRowOf<T extends ReplicatedTableName> = { id: string } & {
  -readonly [
    C in SpecOf<T>['columns'][number] as C extends { setByWriter: true } ? never : CamelCase<C['name']>
  ]: ValueOf<C>;
};

/** The descriptions above as their general type: the literal one serves only to derive row types. */
export const replicatedTables: readonly ReplicatedTableSpec[] = tableDescriptions;
const specs = replicatedTables;

export const replicatedTableNames: ReplicatedTableName[] = specs.map((table) => table.name);

/** A column's field in a row: `starts_at` is `startsAt`. */
export const fieldOf = (column: string): string =>
  column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Every table in the order an initial sync loads them: what the box office and the scanner need first. */
export const tableLoadOrder: ReplicatedTableName[] = [
  ...specs.filter((table) => !table.loadLast),
  ...specs.filter((table) => table.loadLast),
].map((table) => table.name);

/** The tables a role replicates, in load order. */
export function tablesForRole(role: OrgRole): ReplicatedTableSpec[] {
  return tableLoadOrder.map(tableSpec).filter((table) => roleAllows(role, table.requires));
}

/**
 * The tables a device replicates, in load order: its role's, less the attendee tables when its profile says
 * it holds no attendee data. The columns of each are its role's (`columnsForRole`).
 */
export function tablesForDevice(role: OrgRole, profile: DeviceProfile): ReplicatedTableSpec[] {
  const tables = tablesForRole(role);
  return profile === 'attendees' ? tables : tables.filter((table) => !table.attendeeData);
}

/** The columns of a table a role receives, in wire order: id and version first. */
export function columnsForRole(table: ReplicatedTableSpec, role: OrgRole): string[] {
  return [
    'id',
    'version',
    ...table.columns.filter((c) => !c.requires || roleAllows(role, c.requires)).map((c) => c.name),
  ];
}

export function tableSpec(name: ReplicatedTableName): ReplicatedTableSpec {
  const spec = specs.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown replicated table ${name}`);
  return spec;
}

/**
 * A stored row (snake_case columns, as Postgres or SQLite return it) as rules see it. Both databases are
 * read through this: Postgres gives timestamps as Date, SQLite gives booleans as 0/1 and timestamps as the
 * ISO text the feed carried.
 */
export function rowFromRecord<T extends ReplicatedTableName>(
  table: T,
  record: Record<string, unknown>,
): RowOf<T> {
  const row: Record<string, unknown> = { id: record.id, version: Number(record.version ?? 0) };
  for (const { name, field, bool } of columnFields(table)) {
    const value = record[name];
    row[field] =
      value === undefined || value === null
        ? null
        : value instanceof Date
          ? value.toISOString()
          : bool
            ? Boolean(value)
            : value;
  }
  return row as RowOf<T>;
}

export interface ColumnField {
  /** The column's name (snake_case, as both databases store it). */
  name: string;
  /** The row field it becomes (camelCase). */
  field: string;
  bool: boolean;
  /** The rules derive it (see ColumnSpec `derived`). */
  derived: boolean;
}

const columnsByTable = new Map<ReplicatedTableName, ColumnField[]>();
/** Each table's columns with the row fields they become, worked out once: a sale reads and writes many rows. */
export function columnFields(table: ReplicatedTableName): readonly ColumnField[] {
  let columns = columnsByTable.get(table);
  if (!columns) {
    columns = tableSpec(table).columns.map((column) => ({
      name: column.name,
      field: fieldOf(column.name),
      bool: column.type === 'bool',
      derived: column.derived === true,
    }));
    columnsByTable.set(table, columns);
  }
  return columns;
}

/** A column a rule may read rows by: `id` or one of the table's described columns (never anything else). */
export function columnToReadBy(table: ReplicatedTableName, column: string): string {
  if (column === 'id' || tableSpec(table).columns.some((spec) => spec.name === column)) return column;
  throw new Error(`${table} has no column ${column} to read by`);
}
