import {
  commandArgsSchemas,
  MAX_COMMAND_ARGS_LENGTH,
  MAX_COMMAND_NAME_LENGTH,
  type CommandName,
} from '@janix/schemas';
import type { OrgAction } from './permissions.ts';
import {
  replicatedTableNames,
  type ReplicatedTableName,
  type RowOf,
  type WriteRowOf,
} from './replicated-tables.ts';
import { rejection, type Decision } from './decision.ts';
import { eventCommands } from './event-commands.ts';
import { saleCommands } from './sale-commands.ts';
import { eventSetupCommands } from './event-setup-commands.ts';
import { shiftCommands } from './shift-commands.ts';
import { refundCommands } from './refund-commands.ts';
import { checkInCommands } from './checkin-commands.ts';
import { orderEmailCommands } from './order-email-commands.ts';

/**
 * Rows a command needs to read: by id, or by the value of one column (a refund reads the tickets whose
 * `order_id` is its order). The caller loads them, from Postgres on the server (locked to commit) and from
 * the replica with pending writes laid over on the console.
 */
export type ReadRequest = {
  [T in ReplicatedTableName]:
    { table: T; ids: readonly string[] } | { table: T; column: string; values: readonly string[] };
}[ReplicatedTableName];

/** What was loaded, by table and id; a row that does not exist (or is another organization's) is absent. */
export type LoadedRows = { [T in ReplicatedTableName]: ReadonlyMap<string, RowOf<T>> };

/**
 * One row a command writes, as a rule returns it: `insert` must create a new row (an existing id is a
 * conflict), `update` replaces the row's columns. The writers on both sides take everything else (how, in
 * which order, at which version) from the table's description.
 */
export type CommandWrite = {
  [T in ReplicatedTableName]: { table: T; op: 'insert' | 'update'; row: WriteRowOf<T> };
}[ReplicatedTableName];

/** A loaded row written back with some fields changed; who-and-when and the version are the writer's. */
export function updateOf<T extends ReplicatedTableName>(
  table: T,
  row: RowOf<T>,
  changes: Partial<WriteRowOf<T>> = {},
): CommandWrite {
  const { version: _version, updatedAt: _at, updatedBy: _by, ...columns } = row as Record<string, unknown>;
  return { table, op: 'update', row: { ...columns, ...changes } } as CommandWrite;
}

/** Who issues a command, as the deciding side knows it (the server from its database, the console from its session). */
export interface CommandActor {
  userId: string;
  userName: string;
  deviceId: string;
  deviceName: string;
}

/** A slot of an allocation turned into a ticket: its id and signed secret, derived by the server. */
export type TicketIssuer = (slot: {
  allocationId: string;
  slot: number;
  eventId: string;
  ticketTypeId: string;
}) => { ticketId: string; secret: string } | null;

export interface CommandContext {
  orgId: string;
  /**
   * Where the rule runs. The server's answer is the authoritative one; a console only predicts it, and some
   * decisions only the server can make (granting seats from a quota the console sees a stale copy of).
   */
  where: 'server' | 'console';
  /** The deciding side's clock. */
  now: Date;
  actor: CommandActor;
  /** Answers null on a console that has not fetched the signed secrets of that allocation yet. */
  issueTicket: TicketIssuer;
  /** What the acting device and user may do together (some choices inside a command need more, e.g. comps). */
  allows(action: OrgAction): boolean;
}

type ArgsOf<N extends CommandName> = ReturnType<(typeof commandArgsSchemas)[N]['parse']>;

export interface CommandDefinition<Args> {
  requires: OrgAction;
  /** The rule turns allocation slots into tickets (ctx.issueTicket); the server loads its signing key for it. */
  issuesTickets?: true;
  /** Who acts is part of what to read: opening a shift reads the shifts of the acting device. */
  reads(args: Args, ctx: CommandContext): ReadRequest[];
  /**
   * A second round, for rows named only by rows of the first (the quotas of the allocations a shift holds).
   * Called once with the first round's rows. The server loads a whole batch's rounds together, before any of
   * its commands is decided, so rows that an earlier command of the same batch creates are not among them:
   * such a command read what it touches itself, and its writes are seen by `decide`.
   */
  readsAfter?(rows: LoadedRows, args: Args, ctx: CommandContext): ReadRequest[];
  decide(rows: LoadedRows, args: Args, ctx: CommandContext): Decision<CommandWrite[]>;
}

/** Types a command module's definitions against the argument schemas, one object literal per area. */
export function defineCommands<N extends CommandName>(definitions: {
  [K in N]: CommandDefinition<ArgsOf<K>>;
}): { [K in N]: CommandDefinition<ArgsOf<K>> } {
  return definitions;
}

/**
 * The one place commands are registered: each area's module (its schema in packages/schemas, its rules with
 * their tests beside them) adds its definitions here. Rules are pure and synchronous, so the server runs them
 * inside its Postgres transaction and the console inside its SQLite one.
 */
export const commandRegistry: { [N in CommandName]: CommandDefinition<ArgsOf<N>> } = {
  ...eventCommands,
  ...saleCommands,
  ...eventSetupCommands,
  ...shiftCommands,
  ...refundCommands,
  ...checkInCommands,
  ...orderEmailCommands,
};

/** Whether a command (by any name a console sent) turns slots into signed tickets. */
export function commandIssuesTickets(name: string): boolean {
  return isKnownCommand(name) && commandRegistry[name].issuesTickets === true;
}

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
  reads: ReadRequest[];
  /** The second round's reads, from the first round's rows; empty for most commands. */
  readsAfter(rows: LoadedRows): ReadRequest[];
  decide(rows: LoadedRows): Decision<CommandWrite[]>;
}

/**
 * Checks the name, the permission and the arguments, and says what to load; `decide` then applies the
 * rule to loaded rows. Any string is accepted as a name: an unknown one is this command's rejection
 * (`unknown_command`), not an error for the batch it came in.
 */
export function planCommand(name: string, rawArgs: unknown, ctx: CommandContext): Decision<CommandPlan> {
  if (!isKnownCommand(name))
    return rejection(
      'unknown_command',
      'The server does not know this kind of change (the console is newer than the server).',
    );
  const definition = commandRegistry[name] as CommandDefinition<unknown>;
  if (!ctx.allows(definition.requires)) return rejection('forbidden', 'Your role does not allow this.');
  const args = parseCommandArgs(name, rawArgs);
  if (!args.ok) return args;
  return {
    ok: true,
    value: {
      reads: definition.reads(args.value, ctx),
      readsAfter: (rows) => definition.readsAfter?.(rows, args.value, ctx) ?? [],
      decide: (rows) => definition.decide(rows, args.value, ctx),
    },
  };
}

/** Loaded rows with nothing in them, to fill per table. */
export function emptyLoadedRows(): { [T in ReplicatedTableName]: Map<string, RowOf<T>> } {
  return Object.fromEntries(replicatedTableNames.map((table) => [table, new Map()])) as {
    [T in ReplicatedTableName]: Map<string, RowOf<T>>;
  };
}
