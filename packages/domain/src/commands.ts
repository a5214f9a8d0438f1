import { commandArgsSchemas, type CommandName, type EventRow } from '@janix/schemas';
import type { OrgAction } from './permissions.ts';
import { decideCreateEvent, decideUpdateEvent } from './events.ts';
import { rejection, type Decision } from './decision.ts';

/** Rows a command needs to read, by table and id; the caller loads them (Postgres or SQLite). */
export interface CommandReads {
  events: string[];
}
export interface LoadedRows {
  events: ReadonlyMap<string, EventRow>;
}

/** `insert` must create a new row (an existing id, even one invisible to this organization, is a conflict). */
export type CommandWrite = { table: 'events'; op: 'insert' | 'update'; row: Omit<EventRow, 'version'> };

type ArgsOf<N extends CommandName> = ReturnType<(typeof commandArgsSchemas)[N]['parse']>;

interface CommandDefinition<N extends CommandName> {
  requires: OrgAction;
  reads(args: ArgsOf<N>): CommandReads;
  decide(rows: LoadedRows, args: ArgsOf<N>, ctx: { orgId: string }): Decision<CommandWrite[]>;
}

/**
 * The one place a command is registered: its permission, what it reads and its rule. Rules are pure and
 * synchronous, so the server runs them inside its Postgres transaction and the console inside its SQLite one.
 */
export const commandRegistry: { [N in CommandName]: CommandDefinition<N> } = {
  createEvent: {
    requires: 'events.write',
    reads: (args) => ({ events: [args.eventId] }),
    decide(rows, args, ctx) {
      const decision = decideCreateEvent(rows.events.get(args.eventId), {
        eventId: args.eventId,
        orgId: ctx.orgId,
        draft: args.draft,
      });
      return decision.ok
        ? { ok: true, value: [{ table: 'events', op: 'insert', row: decision.value }] }
        : decision;
    },
  },
  updateEvent: {
    requires: 'events.write',
    reads: (args) => ({ events: [args.eventId] }),
    decide(rows, args, ctx) {
      const existing = rows.events.get(args.eventId);
      // Another organization's id answers exactly like a missing one: no existence leak.
      const visible = existing && existing.orgId === ctx.orgId ? existing : undefined;
      const decision = decideUpdateEvent(visible, args.patch);
      return decision.ok
        ? { ok: true, value: [{ table: 'events', op: 'update', row: decision.value }] }
        : decision;
    },
  },
};

/** Validates a command's arguments against its schema; malformed args become a rejection, never a throw. */
export function parseCommandArgs<N extends CommandName>(name: N, args: unknown): Decision<ArgsOf<N>> {
  const parsed = commandArgsSchemas[name].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return rejection('invalid_args', `${issue?.path.join('.') || name}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, value: parsed.data as ArgsOf<N> };
}

export interface CommandPlan {
  reads: CommandReads;
  decide(rows: LoadedRows): Decision<CommandWrite[]>;
}

/** Checks arguments and permission, and says what to load; `decide` then applies the rule to loaded rows. */
export function planCommand(
  name: CommandName,
  rawArgs: unknown,
  ctx: { orgId: string; allows: (action: OrgAction) => boolean },
): Decision<CommandPlan> {
  if (!Object.hasOwn(commandRegistry, name))
    return rejection('unknown_command', `Unknown command "${name}".`);
  const definition = commandRegistry[name] as CommandDefinition<CommandName>;
  if (!ctx.allows(definition.requires)) return rejection('forbidden', 'Your role does not allow this.');
  const args = parseCommandArgs(name, rawArgs);
  if (!args.ok) return args;
  return {
    ok: true,
    value: {
      reads: definition.reads(args.value),
      decide: (rows) => definition.decide(rows, args.value, { orgId: ctx.orgId }),
    },
  };
}
