import { commandArgsSchemas, type CommandName, type EventRow } from '@janix/schemas';
import type { OrgAction } from './permissions.ts';
import { decideCreateEvent, decideUpdateEvent } from './events.ts';
import { rejection, type Decision } from './decision.ts';

/**
 * The rows a command may read and the writes it produces. The server implements this over Postgres
 * inside the command's transaction; the console over its SQLite replica for the optimistic effect.
 */
export interface CommandStore {
  getEvent(id: string): EventRow | undefined | Promise<EventRow | undefined>;
}

export type CommandWrite = { table: 'events'; row: Omit<EventRow, 'version'> };

interface CommandDefinition<N extends CommandName> {
  requires: OrgAction;
  decide(
    store: CommandStore,
    args: ReturnType<(typeof commandArgsSchemas)[N]['parse']>,
    ctx: { orgId: string },
  ): Promise<Decision<CommandWrite[]>>;
}

/** The one place a command is registered: its permission and its rule. */
export const commandRegistry: { [N in CommandName]: CommandDefinition<N> } = {
  createEvent: {
    requires: 'events.write',
    async decide(store, args, ctx) {
      const decision = decideCreateEvent(await store.getEvent(args.eventId), {
        eventId: args.eventId,
        orgId: ctx.orgId,
        draft: args.draft,
      });
      return decision.ok ? { ok: true, value: [{ table: 'events', row: decision.value }] } : decision;
    },
  },
  updateEvent: {
    requires: 'events.write',
    async decide(store, args, ctx) {
      const existing = await store.getEvent(args.eventId);
      // Another organization's id answers exactly like a missing one: no existence leak.
      const visible = existing && existing.orgId === ctx.orgId ? existing : undefined;
      const decision = decideUpdateEvent(visible, args.patch);
      return decision.ok ? { ok: true, value: [{ table: 'events', row: decision.value }] } : decision;
    },
  },
};

/** Validates a command's arguments against its schema; malformed args become a rejection, never a throw. */
export function parseCommandArgs<N extends CommandName>(
  name: N,
  args: unknown,
): Decision<ReturnType<(typeof commandArgsSchemas)[N]['parse']>> {
  const parsed = commandArgsSchemas[name].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return rejection('invalid_args', `${issue?.path.join('.') || name}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, value: parsed.data as ReturnType<(typeof commandArgsSchemas)[N]['parse']> };
}

/** Runs one command's rule end to end: args, permission, decision. */
export async function decideCommand(
  store: CommandStore,
  name: CommandName,
  rawArgs: unknown,
  ctx: { orgId: string; allows: (action: OrgAction) => boolean },
): Promise<Decision<CommandWrite[]>> {
  const definition = commandRegistry[name] as CommandDefinition<CommandName>;
  if (!ctx.allows(definition.requires)) {
    return rejection('forbidden', 'Your role does not allow this.');
  }
  const args = parseCommandArgs(name, rawArgs);
  if (!args.ok) return args;
  return definition.decide(store, args.value, ctx);
}
