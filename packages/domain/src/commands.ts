import {
  commandArgsSchemas,
  MAX_COMMAND_ARGS_LENGTH,
  MAX_COMMAND_NAME_LENGTH,
  type CommandName,
  type EventRow,
} from '@janix/schemas';
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

/** A name this build knows; anything else (a newer console's command, a typo, `constructor`) is not. */
export function isKnownCommand(name: string): name is CommandName {
  return name.length <= MAX_COMMAND_NAME_LENGTH && Object.hasOwn(commandRegistry, name);
}

/**
 * Validates a command's arguments against its schema; malformed args become a rejection, never a throw.
 * The message names the field and the rule only, never the value (it is stored and shown, and may be
 * anything a console sent).
 */
export function parseCommandArgs<N extends CommandName>(name: N, args: unknown): Decision<ArgsOf<N>> {
  if (argsTooLarge(args)) {
    return rejection('invalid_args', `The arguments are longer than ${MAX_COMMAND_ARGS_LENGTH} characters.`);
  }
  const parsed = commandArgsSchemas[name].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.filter((key) => typeof key === 'number' || isPlainKey(key)).join('.');
    return rejection('invalid_args', `${path || name}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, value: parsed.data as ArgsOf<N> };
}

function argsTooLarge(args: unknown): boolean {
  // Characters of its JSON, as the console sent it (no encoding pass needed).
  const json = JSON.stringify(args ?? null) as string | undefined;
  return (json?.length ?? 0) > MAX_COMMAND_ARGS_LENGTH;
}

/** Schema keys are plain identifiers; anything else in a path came from the input and is left out. */
function isPlainKey(key: PropertyKey): boolean {
  return typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key);
}

export interface CommandPlan {
  reads: CommandReads;
  decide(rows: LoadedRows): Decision<CommandWrite[]>;
}

/**
 * Checks the name, the permission and the arguments, and says what to load; `decide` then applies the
 * rule to loaded rows. Any string is accepted as a name: an unknown one is this command's rejection
 * (`unknown_command`), not an error for the batch it came in.
 */
export function planCommand(
  name: string,
  rawArgs: unknown,
  ctx: { orgId: string; allows: (action: OrgAction) => boolean },
): Decision<CommandPlan> {
  if (!isKnownCommand(name))
    return rejection(
      'unknown_command',
      'The server does not know this kind of change (the console is newer than the server).',
    );
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
