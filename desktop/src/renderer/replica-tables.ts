import { useQueryClient, type Query } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

/** What a screen's query reads from the replica: a replicated table's name, or `notices`. */
export type ReplicaTable = string;

/**
 * Query options naming the tables a query reads. When the local core reports one of them changed (a sync
 * landed rows, a command was queued, a rejection came back), the query re-reads; others are left alone.
 */
export function reads(...tables: ReplicaTable[]): { meta: { tables: ReplicaTable[] } } {
  return { meta: { tables } };
}

/** The tables whose revision differs between two reports of the local core. */
export function changedTables(
  before: Record<string, number> | undefined,
  after: Record<string, number>,
): Set<string> {
  return new Set(Object.keys(after).filter((table) => before?.[table] !== after[table]));
}

function readsAny(query: Query, changed: Set<string>): boolean {
  const tables = (query.meta as { tables?: unknown } | undefined)?.tables;
  return Array.isArray(tables) && tables.some((table) => changed.has(String(table)));
}

/** Re-reads the queries that read a table the local core says changed. */
export function useReReadChangedTables(revisions: Record<string, number> | undefined): void {
  const queryClient = useQueryClient();
  const last = useRef<Record<string, number> | undefined>(undefined);
  useEffect(() => {
    if (!revisions) return;
    const changed = changedTables(last.current, revisions);
    last.current = revisions;
    if (changed.size === 0) return;
    void queryClient.invalidateQueries({ predicate: (query) => readsAny(query, changed) });
  }, [revisions, queryClient]);
}
