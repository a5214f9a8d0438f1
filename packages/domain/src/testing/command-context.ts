import { emptyLoadedRows, type CommandContext, type LoadedRows } from '../commands.ts';
import type { ReplicatedTableName, RowOf } from '../replicated-tables.ts';

/** A context for deciding commands in tests: a console of a fixed organization, device and user. */
export function commandContext(overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    orgId: '6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f',
    where: 'console',
    now: new Date('2026-12-05T18:00:00Z'),
    actor: {
      userId: '2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f',
      userName: 'Sam Cashier',
      deviceId: '7e6f5a4b-3c2d-4e1f-8a9b-0c1d2e3f4a5b',
      deviceName: 'Box office 1',
    },
    issueTicket: () => null,
    allows: () => true,
    ...overrides,
  };
}

/** Loaded rows holding the given rows of each table. */
export function loadedRows(rows: { [T in ReplicatedTableName]?: RowOf<T>[] }): LoadedRows {
  const loaded = emptyLoadedRows();
  for (const [table, list] of Object.entries(rows) as Array<[ReplicatedTableName, RowOf<never>[]]>) {
    const map = loaded[table] as Map<string, unknown>;
    for (const row of list) map.set(row.id, row);
  }
  return loaded;
}
