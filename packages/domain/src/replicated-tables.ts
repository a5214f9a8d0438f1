import type { OrgRole, ReplicatedTableName } from '@janix/schemas';
import { roleAllows, type OrgAction } from './permissions.ts';

export type { ReplicatedTableName };
export type ColumnType = 'uuid' | 'text' | 'int' | 'bool' | 'timestamptz';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** The action a role needs to receive this column; absent means every role that receives the table. */
  requires?: OrgAction;
  /** Written by the server's batch writer itself (who and when), never taken from a command's row. */
  setByWriter?: true;
}

export interface ReplicatedTableSpec {
  name: ReplicatedTableName;
  /** The action a role needs for its devices to replicate this table at all. */
  requires: OrgAction;
  /** id and version are implied and always sent. */
  columns: readonly ColumnSpec[];
}

/**
 * Who last changed a row a command writes, and when: the console tells its user whose later edit overwrote
 * theirs. Every table a command writes carries both.
 */
const authorship: readonly ColumnSpec[] = [
  { name: 'updated_at', type: 'timestamptz', setByWriter: true },
  { name: 'updated_by', type: 'text', setByWriter: true },
];

/**
 * What each device replicates, in the order an initial sync loads it: what the box office and the scanner
 * need first, people last. A device holds only the tables and columns its role needs (privacy by design),
 * and what it needs follows from the permission table (permissions.ts): scanners get names but no contact
 * data; ticket secrets go to every role that admits or sells.
 */
export const replicatedTables: readonly ReplicatedTableSpec[] = [
  {
    name: 'events',
    requires: 'events.read',
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
    name: 'ticket_types',
    requires: 'events.read',
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
    requires: 'tickets.read',
    columns: [
      { name: 'order_id', type: 'uuid' },
      { name: 'event_id', type: 'uuid' },
      { name: 'ticket_type_id', type: 'uuid' },
      { name: 'person_id', type: 'uuid' },
      { name: 'status', type: 'text' },
      { name: 'secret', type: 'text', requires: 'tickets.secrets' },
    ],
  },
  {
    name: 'orders',
    requires: 'orders.read',
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
    requires: 'people.names',
    columns: [
      { name: 'first_name', type: 'text' },
      { name: 'last_name', type: 'text' },
      { name: 'email', type: 'text', requires: 'people.contact' },
      { name: 'company', type: 'text', requires: 'people.profile' },
      { name: 'city', type: 'text', requires: 'people.profile' },
      { name: 'country', type: 'text', requires: 'people.profile' },
      { name: 'marketing_consent', type: 'bool', requires: 'people.profile' },
    ],
  },
];

export const replicatedTableNames = replicatedTables.map((table) => table.name);

/** The tables a role replicates, in load order. */
export function tablesForRole(role: OrgRole): ReplicatedTableSpec[] {
  return replicatedTables.filter((table) => roleAllows(role, table.requires));
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
  const spec = replicatedTables.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown replicated table ${name}`);
  return spec;
}
