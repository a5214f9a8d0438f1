import {
  columnToReadBy,
  emptyLoadedRows,
  fieldOf,
  replicatedTableNames,
  rowFromRecord,
  tableSpec,
  type ColumnType,
  type CommandWrite,
  type LoadedRows,
  type ReadRequest,
  type ReplicatedTableName,
} from '@janix/domain';
import { takeOrgVersions } from '../db/org-transaction.ts';
import type { PoolClient } from '../db/pools.ts';

/**
 * The server's generic row I/O for command batches, driven by the table descriptions in packages/domain (the
 * same ones that drive pulls): what rules read, loaded and locked; what they write, in one statement per table.
 */

/** An insert met a row that was not there when the batch read it: another device created it meanwhile. */
export class InsertConflict extends Error {}

/**
 * Loads and locks the rows a batch reads into `loaded`, one query per table, tables in the descriptions' order
 * and rows in id order (so two batches' first rounds lock in the same order). A second round locks after the
 * first; should that ever cross another batch into a deadlock, Postgres aborts one of them and that batch is
 * run again from the start. Row-level security and the organization-scoped keys limit them to the batch's
 * organization.
 */
export async function loadRows(
  client: PoolClient,
  reads: ReadRequest[],
  loaded: LoadedRows = emptyLoadedRows(),
): Promise<LoadedRows> {
  for (const table of replicatedTableNames) {
    const wanted = reads.filter((read) => read.table === table);
    if (wanted.length === 0) continue;
    const conditions: string[] = [];
    const params: string[][] = [];
    const ids = [...new Set(wanted.flatMap((read) => ('ids' in read ? read.ids : [])))];
    if (ids.length) {
      params.push(ids);
      conditions.push(`id = ANY($${params.length}::uuid[])`);
    }
    for (const read of wanted) {
      if (!('column' in read) || read.values.length === 0) continue;
      params.push([...read.values]);
      conditions.push(`${columnToReadBy(table, read.column)}::text = ANY($${params.length}::text[])`);
    }
    if (conditions.length === 0) continue;
    const result = await client.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE ${conditions.join(' OR ')} ORDER BY id FOR UPDATE`,
      params,
    );
    const rows = loaded[table] as Map<string, unknown>;
    for (const record of result.rows) rows.set(String(record.id), rowFromRecord(table, record));
  }
  return loaded;
}

/** A row the batch writes: its final state, whether it is new, and the command that wrote it last. */
export interface PendingRow {
  table: ReplicatedTableName;
  row: Record<string, unknown> & { id: string };
  isNew: boolean;
  lastWriter: number;
}

const pgTypes: Record<ColumnType, string> = {
  uuid: 'uuid',
  text: 'text',
  int: 'int',
  bool: 'bool',
  timestamptz: 'timestamptz',
};

/** Who wrote (updated_by: a device's name, or null when the server acted by itself) and when. */
export interface WriteStamp {
  orgId: string;
  deviceName: string | null;
  at: Date;
}

/**
 * Writes rows of one table in one statement, driven by the table's description (the same one that drives
 * pulls): each row at the version of the command that wrote it last, stamped with when and by which device.
 * Keys are scoped by organization, so an insert can only meet a row of this organization.
 */
export async function writeRows(
  client: PoolClient,
  table: ReplicatedTableName,
  op: 'insert' | 'update',
  rows: PendingRow[],
  firstVersion: number,
  stamp: WriteStamp,
): Promise<void> {
  const columns = [
    { name: 'id', pgType: 'uuid', value: (row: PendingRow) => row.row.id },
    { name: 'org_id', pgType: 'uuid', value: () => stamp.orgId },
    ...tableSpec(table).columns.map((column) => ({
      name: column.name,
      pgType: pgTypes[column.type],
      value: column.setByWriter
        ? () => (column.name === 'updated_at' ? stamp.at : stamp.deviceName)
        : (row: PendingRow) => row.row[fieldOf(column.name)],
    })),
    { name: 'version', pgType: 'bigint', value: (row: PendingRow) => firstVersion + row.lastWriter - 1 },
  ];
  // Column names and types come from the fixed table description, never from input.
  const names = columns.map((column) => column.name).join(', ');
  const arrays = columns.map((column, index) => `$${index + 1}::${column.pgType}[]`).join(', ');
  const source = `unnest(${arrays}) AS t(${names})`;
  const values = columns.map((column) => rows.map((row) => column.value(row)));
  if (op === 'insert') {
    const inserted = await client.query(
      `INSERT INTO ${table} (${names}) SELECT ${names} FROM ${source} ON CONFLICT (org_id, id) DO NOTHING`,
      values,
    );
    if (inserted.rowCount !== rows.length) throw new InsertConflict();
  } else {
    const assignments = columns
      .filter((column) => column.name !== 'id' && column.name !== 'org_id')
      .map((column) => `${column.name} = t.${column.name}`)
      .join(', ');
    await client.query(
      `UPDATE ${table} AS r SET ${assignments} FROM ${source} WHERE r.org_id = t.org_id AND r.id = t.id`,
      values,
    );
  }
}

/** Writes pending rows table by table, parents before children (the descriptions' order), inserts first. */
export async function writePendingRows(
  client: PoolClient,
  rows: PendingRow[],
  firstVersion: number,
  stamp: WriteStamp,
): Promise<void> {
  for (const table of replicatedTableNames) {
    for (const op of ['insert', 'update'] as const) {
      const tableRows = rows.filter((row) => row.table === table && (op === 'insert') === row.isNew);
      if (tableRows.length) await writeRows(client, table, op, tableRows, firstVersion, stamp);
    }
  }
}

/**
 * Writes what a rule decided when the server acts by itself, outside a device's push (a card payment Stripe
 * confirmed, its seats released): the same writer at one new version of the organization, so the feed carries
 * the rows like any command's. Several writes of one row keep the last. Resolves with the version.
 */
export async function writeDecidedRows(
  client: PoolClient,
  writes: readonly CommandWrite[],
  stamp: WriteStamp,
): Promise<number> {
  const pending = new Map<string, PendingRow>();
  for (const write of writes) {
    const key = `${write.table}:${write.row.id}`;
    const isNew = pending.get(key)?.isNew ?? write.op === 'insert';
    const row = write.row as Record<string, unknown> & { id: string };
    pending.set(key, { table: write.table, row, isNew, lastWriter: 1 });
  }
  const version = await takeOrgVersions(client, stamp.orgId);
  await writePendingRows(client, [...pending.values()], version, stamp);
  return version;
}
