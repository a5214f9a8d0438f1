import { commandNameSchema, type CommandName, type EventRow } from '@janix/schemas';
import { consoleAllows, planCommand, type CommandWrite, type Decision, type LoadedRows } from '@janix/domain';
import type { OrgRole } from '@janix/schemas';
import type { EventsRepository } from '../replica/events-repository.ts';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { TouchedRecord } from '../replica/record-notices.ts';
import type { Outbox } from './outbox.ts';

export interface CommandActor {
  orgId: string;
  /** The device's role. */
  role: OrgRole;
  /**
   * The signed-in user's role in the organization, when known; null when they are not a member. A command
   * needs both roles to allow it (the lesser of device and user decides, as on the server).
   */
  userRole?: OrgRole | null;
}

/** Runs a command's rule against what the console sees now (server rows plus pending writes). */
function decideLocally(
  events: EventsRepository,
  actor: CommandActor,
  name: CommandName,
  args: unknown,
): Decision<CommandWrite[]> {
  const plan = planCommand(name, args, {
    orgId: actor.orgId,
    allows: (action) => consoleAllows(actor, action),
  });
  if (!plan.ok) return plan;
  const loaded = new Map<string, EventRow>();
  for (const id of plan.value.reads.events) {
    const row = events.get(id);
    if (row) loaded.set(id, row);
  }
  const rows: LoadedRows = { events: loaded };
  return plan.value.decide(rows);
}

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The records a command writes and the fields it changes there (replica column names), before it is applied. */
function touchedBy(events: EventsRepository, writes: CommandWrite[]): TouchedRecord[] {
  return writes.map((write) => {
    const current = events.get(write.row.id) as Record<string, unknown> | undefined;
    const fields: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(write.row)) {
      if (field === 'id' || field === 'orgId' || field === 'version') continue;
      if (!current || current[field] !== value) fields[snakeCase(field)] = value;
    }
    const name = (write.row as { name?: unknown }).name;
    return {
      table: write.table,
      id: write.row.id,
      label: typeof name === 'string' ? name : write.row.id,
      fields,
    };
  });
}

function writePending(events: EventsRepository, writes: CommandWrite[]): void {
  for (const write of writes) {
    const current = events.get(write.row.id);
    const { orgId: _orgId, ...row } = write.row;
    events.putPendingEvent({ ...row, version: current?.version ?? 0 });
  }
}

/**
 * Accepting a command is one SQLite transaction: the optimistic effect and the outbox row commit together
 * (synchronous=FULL), or neither does. A command the rules refuse locally is never queued.
 */
export function acceptCommand(
  db: ReplicaDb,
  events: EventsRepository,
  outbox: Outbox,
  actor: CommandActor,
  command: { name: CommandName; args: unknown; clientTime: Date; lastAppliedSeq: number },
): Decision<{ seq: number }> {
  return db.transaction((): Decision<{ seq: number }> => {
    const decision = decideLocally(events, actor, command.name, command.args);
    if (!decision.ok) return decision;
    const touched = touchedBy(events, decision.value);
    writePending(events, decision.value);
    const seq = outbox.append(
      command.name,
      command.args,
      command.clientTime,
      command.lastAppliedSeq,
      touched,
    );
    return { ok: true, value: { seq } };
  })();
}

/**
 * Rebuilds the pending overlay from the commands still queued, on top of the server rows just pulled.
 * A command the server applied has left the queue and its effect now arrives as a server row; one it
 * rejected has left the queue too, so its optimistic effect disappears here.
 */
export function replayPending(
  db: ReplicaDb,
  events: EventsRepository,
  outbox: Outbox,
  actor: CommandActor,
): boolean {
  // Most pulls find nothing queued and nothing laid over: skip the write transaction and its flush.
  if (outbox.count() === 0 && !events.hasPending()) return false;
  db.transaction(() => {
    events.clearPending();
    for (const entry of outbox.list()) {
      // A queued name this console does not know (written by a newer one) has no local effect to lay over.
      const name = commandNameSchema.safeParse(entry.name);
      if (!name.success) continue;
      const decision = decideLocally(events, actor, name.data, entry.args);
      if (decision.ok) writePending(events, decision.value);
    }
  })();
  return true;
}
