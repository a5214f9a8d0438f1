import type { OrgRole, ReplicatedTableName } from '@janix/schemas';

export type { ReplicatedTableName };
export type ColumnType = 'uuid' | 'text' | 'int' | 'bool' | 'timestamptz';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Roles that receive this column; absent means every role that receives the table. */
  roles?: readonly OrgRole[];
}

export interface ReplicatedTableSpec {
  name: ReplicatedTableName;
  /** Roles whose devices replicate this table at all. */
  roles: readonly OrgRole[];
  /** id and version are implied and always sent. */
  columns: readonly ColumnSpec[];
}

const everyone: readonly OrgRole[] = ['owner', 'admin', 'organizer', 'box_office', 'check_in'];
const managers: readonly OrgRole[] = ['owner', 'admin', 'organizer'];
const sellers: readonly OrgRole[] = ['owner', 'admin', 'organizer', 'box_office'];
const gate: readonly OrgRole[] = ['owner', 'admin', 'box_office', 'check_in'];

/**
 * What each device replicates, in the order an initial sync loads it: what the box office and the scanner
 * need first, people last. A device holds only the tables and columns its role needs (privacy by design):
 * scanners get names but no contact data; ticket secrets go only to devices that admit or sell.
 */
export const replicatedTables: readonly ReplicatedTableSpec[] = [
  {
    name: 'events',
    roles: everyone,
    columns: [
      { name: 'name', type: 'text' },
      { name: 'venue', type: 'text' },
      { name: 'starts_at', type: 'timestamptz' },
      { name: 'ends_at', type: 'timestamptz' },
      { name: 'status', type: 'text' },
    ],
  },
  {
    name: 'ticket_types',
    roles: everyone,
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'price_cents', type: 'int' },
      { name: 'currency', type: 'text' },
      { name: 'capacity', type: 'int' },
    ],
  },
  {
    name: 'tickets',
    roles: everyone,
    columns: [
      { name: 'order_id', type: 'uuid' },
      { name: 'event_id', type: 'uuid' },
      { name: 'ticket_type_id', type: 'uuid' },
      { name: 'person_id', type: 'uuid' },
      { name: 'status', type: 'text' },
      { name: 'secret', type: 'text', roles: gate },
    ],
  },
  {
    name: 'orders',
    roles: sellers,
    columns: [
      { name: 'event_id', type: 'uuid' },
      { name: 'person_id', type: 'uuid' },
      { name: 'code', type: 'text' },
      { name: 'channel', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'total_cents', type: 'int' },
      { name: 'currency', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
    ],
  },
  {
    name: 'people',
    roles: everyone,
    columns: [
      { name: 'first_name', type: 'text' },
      { name: 'last_name', type: 'text' },
      { name: 'email', type: 'text', roles: sellers },
      { name: 'company', type: 'text', roles: managers },
      { name: 'city', type: 'text', roles: managers },
      { name: 'country', type: 'text', roles: managers },
      { name: 'marketing_consent', type: 'bool', roles: managers },
    ],
  },
];

export const replicatedTableNames = replicatedTables.map((table) => table.name);

/** The tables a role replicates, in load order. */
export function tablesForRole(role: OrgRole): ReplicatedTableSpec[] {
  return replicatedTables.filter((table) => table.roles.includes(role));
}

/** The columns of a table a role receives, in wire order: id and version first. */
export function columnsForRole(table: ReplicatedTableSpec, role: OrgRole): string[] {
  return [
    'id',
    'version',
    ...table.columns.filter((c) => !c.roles || c.roles.includes(role)).map((c) => c.name),
  ];
}

export function tableSpec(name: ReplicatedTableName): ReplicatedTableSpec {
  const spec = replicatedTables.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown replicated table ${name}`);
  return spec;
}
