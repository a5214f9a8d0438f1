import type { ReplicatedTableName, TableBatch, TableChecksum } from '@janix/schemas';
import { replicatedTableNames, tableLoadOrder } from '@janix/domain';
import type { SyncStorage } from '@janix/sync';
import type { Statement } from 'better-sqlite3';
import type { Outbox } from '../sync/outbox.ts';
import type { MetaStore } from './meta-store.ts';
import type { ReplicaDb } from './open-replica.ts';

const knownTables = new Set<string>(replicatedTableNames);
// Plain identifiers: lower-case letters, digits (card_last4) and underscores, not starting with a digit.
const knownColumn = /^[a-z_][a-z0-9_]*$/;

/** SQLite binds no booleans; everything else the feed carries (text, numbers, null) binds as is. */
function bindable(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/**
 * The replica side of the sync engine over better-sqlite3. Each method is one transaction, so the rows of a
 * page, its cursor and the trimmed outbox land together or not at all.
 */
export function createSyncStorage(
  db: ReplicaDb,
  meta: MetaStore,
  outbox: Outbox,
  replayPending: () => boolean,
): SyncStorage {
  const upserts = new Map<string, Statement>();
  const flushLazily = db.prepare('PRAGMA synchronous = NORMAL');
  const flushAlways = db.prepare('PRAGMA synchronous = FULL');
  /** Rows per INSERT statement: one statement per row spends more time crossing into SQLite than inserting. */
  const ROWS_PER_STATEMENT = 50;

  function upsertFor(batch: TableBatch, rows: number): Statement {
    const key = `${batch.table}:${batch.columns.join(',')}:${rows}`;
    let statement = upserts.get(key);
    if (!statement) {
      // Table and column names come from the server; accept only known tables and plain identifiers.
      if (!knownTables.has(batch.table) || !batch.columns.every((column) => knownColumn.test(column))) {
        throw new Error(`refusing a batch for ${batch.table}`);
      }
      const columns = batch.columns.join(', ');
      const placeholders = `(${batch.columns.map(() => '?').join(', ')})`;
      const updates = batch.columns
        .filter((column) => column !== 'id')
        .map((column) => `${column} = excluded.${column}`)
        .join(', ');
      // An older version never overwrites a newer one (a snapshot page can trail the feed). SQLite applies
      // the rows of a multi-row INSERT one after another, so the same id twice in one statement is fine.
      statement = db.prepare(
        `INSERT INTO ${batch.table} (${columns}) VALUES ${Array.from({ length: rows }, () => placeholders).join(', ')}
         ON CONFLICT(id) DO UPDATE SET ${updates} WHERE excluded.version >= ${batch.table}.version`,
      );
      upserts.set(key, statement);
    }
    return statement;
  }

  function upsertBatch(batch: TableBatch): void {
    const { rows } = batch;
    let next = 0;
    if (rows.length >= ROWS_PER_STATEMENT) {
      const many = upsertFor(batch, ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      for (; next + ROWS_PER_STATEMENT <= rows.length; next += ROWS_PER_STATEMENT) {
        values.length = 0;
        for (let i = next; i < next + ROWS_PER_STATEMENT; i += 1)
          for (const value of rows[i]!) values.push(bindable(value));
        many.run(values);
      }
    }
    if (next < rows.length) {
      const one = upsertFor(batch, 1);
      for (; next < rows.length; next += 1) one.run(rows[next]!.map(bindable));
    }
  }

  /**
   * An empty replica loading its snapshot gets its secondary indexes afterwards: building an index over
   * sorted rows once is about twice as fast as keeping it up to date row by row. The index definitions wait
   * in `meta` (same transaction as the drop), so a console killed mid-snapshot still rebuilds them.
   */
  function deferIndexes(): void {
    const indexes = db
      .prepare<string[], { table: ReplicatedTableName; sql: string; name: string }>(
        `SELECT name, tbl_name AS "table", sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN (${replicatedTableNames.map(() => '?').join(', ')})`,
      )
      .all(...replicatedTableNames);
    if (indexes.length === 0) return;
    meta.set('deferredIndexes', [
      ...(meta.get('deferredIndexes') ?? []),
      ...indexes.map(({ table, sql }) => ({ table, sql })),
    ]);
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  }

  /**
   * Builds the deferred indexes of every table the snapshot has finished: it walks tables in load order, so
   * a page holding rows of a later table means the earlier ones are complete (and the box office can search
   * tickets by secret at full speed while people still load). Once the feed begins, all of them.
   */
  function buildFinishedIndexes(page: Parameters<SyncStorage['applyPage']>[0]): void {
    const deferred = meta.get('deferredIndexes');
    if (!deferred) return;
    const position = Math.max(...page.batches.map((batch) => tableLoadOrder.indexOf(batch.table)));
    const finished = (table: ReplicatedTableName) =>
      page.progress.phase === 'feed' || tableLoadOrder.indexOf(table) < position;
    for (const index of deferred) if (finished(index.table)) db.exec(index.sql);
    const waiting = deferred.filter((index) => !finished(index.table));
    if (waiting.length) meta.set('deferredIndexes', waiting);
    else meta.delete('deferredIndexes');
  }

  const applyPageTransaction = db.transaction(
    (page: Parameters<SyncStorage['applyPage']>[0], resyncRequested: boolean) => {
      if (page.progress.phase === 'snapshot' && meta.get('cursor') === null) deferIndexes();
      buildFinishedIndexes(page);
      for (const batch of page.batches) upsertBatch(batch);
      for (const tombstone of page.tombstones) {
        if (!knownTables.has(tombstone.table)) continue;
        const remove = db.prepare(`DELETE FROM ${tombstone.table} WHERE id = ?`);
        for (const id of tombstone.ids) remove.run(id);
      }
      for (const rejection of page.rejections) outbox.recordRejection(rejection);
      outbox.acknowledge(page.lastAppliedSeq);
      meta.set('cursor', page.cursor);
      meta.set('lastAppliedSeq', Math.max(meta.get('lastAppliedSeq') ?? 0, page.lastAppliedSeq));
      if (resyncRequested) meta.delete('pendingResync');
    },
  );

  return {
    cursor: () => meta.get('cursor'),
    knownSeq: () => meta.get('lastAppliedSeq') ?? 0,
    pendingCommands: (limit) =>
      outbox.list(limit).map(({ seq, name, args, clientTime }) => ({ seq, name, args, clientTime })),
    pendingResync: () => meta.get('pendingResync') ?? [],
    applyPage(page, resyncRequested) {
      // A pulled page can always be pulled again, and its rows and cursor commit together either way, so its
      // commit need not wait for the disk flush (WAL keeps it atomic; a power cut loses at most the latest
      // pages, never part of one). Commands stay at synchronous=FULL: the next FULL commit flushes these too.
      flushLazily.run();
      try {
        applyPageTransaction(page, resyncRequested);
      } finally {
        flushAlways.run();
      }
    },
    recordPushResult: db.transaction(
      (lastAppliedSeq: number, rejections: Parameters<SyncStorage['recordPushResult']>[1]) => {
        for (const rejection of rejections) outbox.recordRejection(rejection);
        outbox.acknowledge(lastAppliedSeq);
        meta.set('lastAppliedSeq', Math.max(meta.get('lastAppliedSeq') ?? 0, lastAppliedSeq));
      },
    ),
    recordPushFailure: (seqs, message) => outbox.recordFailure(seqs, message),
    checksums(tables: ReplicatedTableName[]): TableChecksum[] {
      return tables
        .filter((table) => knownTables.has(table))
        .map((table) => {
          const row = db
            .prepare(`SELECT count(*) AS count, coalesce(sum(version), 0) AS versionSum FROM ${table}`)
            .get() as { count: number; versionSum: number };
          return { table, count: row.count, versionSum: row.versionSum };
        });
    },
    beginResync: db.transaction((tables: ReplicatedTableName[]) => {
      for (const table of tables) if (knownTables.has(table)) db.prepare(`DELETE FROM ${table}`).run();
      meta.set('pendingResync', tables);
    }),
    resetReplica: db.transaction(() => {
      for (const table of replicatedTableNames) db.prepare(`DELETE FROM ${table}`).run();
      meta.delete('cursor');
      meta.delete('pendingResync');
    }),
    replayPending,
  };
}
