import { columnsForRole, replicatedTables } from '@janix/domain';
import type { ReplicatedTableName } from '@janix/schemas';
import type { LocalCore } from '@janix/local-core';

/** The replicated tables with the columns an owner's device receives (every column), in load order. */
export const ownerTables: Array<{ name: ReplicatedTableName; columns: string[] }> = replicatedTables.map(
  (table) => ({ name: table.name, columns: columnsForRole(table, 'owner') }),
);

export function replicaCounts(core: LocalCore): Record<ReplicatedTableName, number> {
  const db = core.replica().db;
  return Object.fromEntries(
    ownerTables.map(({ name }) => [
      name,
      (db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n,
    ]),
  ) as Record<ReplicatedTableName, number>;
}
