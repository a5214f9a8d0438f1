import {
  emptyLoadedRows,
  planCommand,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
  type ReadRequest,
} from '../commands.ts';
import type { Decision } from '../decision.ts';
import { fieldOf, tableSpec, type ReplicatedTableName, type RowOf } from '../replicated-tables.ts';
import { commandContext } from './command-context.ts';

/** Every row there is, per table: what a rule may find if it asks for it. */
export type TestDatabase = { [T in ReplicatedTableName]?: RowOf<T>[] };

type AnyRow = { id: string } & Record<string, unknown>;

function matches(read: ReadRequest, row: AnyRow): boolean {
  if ('ids' in read) return read.ids.includes(row.id);
  if (read.column !== 'id' && !tableSpec(read.table).columns.some((column) => column.name === read.column)) {
    throw new Error(`${read.table} has no column ${read.column} to read by`);
  }
  return read.values.includes(String(row[fieldOf(read.column)]));
}

function load(database: TestDatabase, reads: readonly ReadRequest[]): LoadedRows {
  const loaded = emptyLoadedRows();
  for (const read of reads) {
    const rows = loaded[read.table] as Map<string, AnyRow>;
    for (const row of (database[read.table] ?? []) as AnyRow[]) if (matches(read, row)) rows.set(row.id, row);
  }
  return loaded;
}

/**
 * Plans a command and decides it on the rows its reads find, in the rounds the loaders use: a rule that
 * forgets to read a row finds it missing here as it would on either side.
 */
export function runCommand(
  name: string,
  args: unknown,
  database: TestDatabase,
  ctx: CommandContext = commandContext(),
): Decision<CommandWrite[]> {
  const plan = planCommand(name, args, ctx);
  if (!plan.ok) return plan;
  const first = load(database, plan.value.reads);
  const more = plan.value.readsAfter(first);
  return plan.value.decide(more.length ? load(database, [...plan.value.reads, ...more]) : first);
}

/** The writes of a command that must succeed. */
export function writesOf(decision: Decision<CommandWrite[]>): CommandWrite[] {
  if (!decision.ok) throw new Error(`expected writes, got ${decision.code}: ${decision.message}`);
  return decision.value;
}
