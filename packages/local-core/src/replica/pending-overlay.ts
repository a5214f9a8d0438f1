import {
  columnFields,
  columnToReadBy,
  emptyLoadedRows,
  replicatedTableNames,
  rowFromRecord,
  tableSpec,
  type CommandWrite,
  type LoadedRows,
  type ReadRequest,
  type ReplicatedTableName,
  type RowOf,
} from '@janix/domain';
import type { Statement } from 'better-sqlite3';
import type { ReplicaDb } from './open-replica.ts';

/** Who wrote a pending row and when, as the console shows it until the server's row replaces it. */
export interface PendingStamp {
  at: Date;
  by: string;
}

/** SQLite binds no booleans. */
const bindable = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/**
 * The console's side of the one write path: rows written by commands the server has not confirmed yet live
 * in `<table>_pending`, laid over the server's rows by the `<table>_current` views, for every replicated
 * table alike. Rules read through `load` exactly as the server's rules read Postgres, and a rule's writes
 * land here through `put`, driven by the same table descriptions that drive pulls and the server's writer.
 */
export function createPendingOverlay(db: ReplicaDb) {
  const statements = new Map<string, Statement>();
  const prepared = (key: string, sql: () => string): Statement => {
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(sql());
      statements.set(key, statement);
    }
    return statement;
  };

  function select(table: ReplicatedTableName, column: string, values: readonly string[]) {
    const by = columnToReadBy(table, column);
    // One value, the common case (a row by id), without the JSON list: a sale makes about ten such reads.
    if (values.length === 1) {
      return prepared(`select1:${table}:${by}`, () => `SELECT * FROM ${table}_current WHERE ${by} = ?`).all(
        values[0],
      ) as Array<Record<string, unknown>>;
    }
    return prepared(
      `select:${table}:${by}`,
      () => `SELECT * FROM ${table}_current WHERE ${by} IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(values)) as Array<Record<string, unknown>>;
  }

  function upsert(table: ReplicatedTableName): Statement {
    return prepared(`upsert:${table}`, () => {
      const columns = ['id', 'version', ...tableSpec(table).columns.map((column) => column.name)];
      const updates = columns
        .filter((column) => column !== 'id')
        .map((column) => `${column} = excluded.${column}`);
      return `INSERT INTO ${table}_pending (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
              ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`;
    });
  }

  return {
    /** The rows a rule reads, as the console sees them now: the server's rows with pending writes laid over. */
    load(reads: readonly ReadRequest[]): LoadedRows {
      const loaded = emptyLoadedRows();
      for (const read of reads) {
        const rows = loaded[read.table] as Map<string, unknown>;
        const records =
          'ids' in read
            ? read.ids.length
              ? select(read.table, 'id', read.ids)
              : []
            : read.values.length
              ? select(read.table, read.column, read.values)
              : [];
        for (const record of records) rows.set(String(record.id), rowFromRecord(read.table, record));
      }
      return loaded;
    },

    /** One row as the console sees it now. */
    current<T extends ReplicatedTableName>(table: T, id: string): RowOf<T> | undefined {
      const record = select(table, 'id', [id])[0];
      return record ? rowFromRecord(table, record) : undefined;
    },

    /** Lays a rule's write over the server's row (which keeps its version until the server's answer arrives). */
    put(write: CommandWrite, stamp: PendingStamp): void {
      const { table } = write;
      const row = write.row as Record<string, unknown>;
      const base = prepared(`version:${table}`, () => `SELECT version FROM ${table} WHERE id = ?`).get(
        row.id,
      ) as { version: number } | undefined;
      const values = [
        row.id,
        base?.version ?? 0,
        ...columnFields(table).map((column) =>
          column.name === 'updated_at'
            ? stamp.at.toISOString()
            : column.name === 'updated_by'
              ? stamp.by
              : bindable(row[column.field] ?? null),
        ),
      ];
      upsert(table).run(values);
    },

    /** The tables holding pending rows now. */
    tablesWithPending(): ReplicatedTableName[] {
      return replicatedTableNames.filter(
        (table) =>
          prepared(`any:${table}`, () => `SELECT 1 FROM ${table}_pending LIMIT 1`).get() !== undefined,
      );
    },

    /** Removes every pending row; says from which tables. */
    clear(): ReplicatedTableName[] {
      const tables = this.tablesWithPending();
      for (const table of tables) prepared(`clear:${table}`, () => `DELETE FROM ${table}_pending`).run();
      return tables;
    },
  };
}
export type PendingOverlay = ReturnType<typeof createPendingOverlay>;
