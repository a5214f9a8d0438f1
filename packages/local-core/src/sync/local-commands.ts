import { commandNameSchema, type CommandName, type EnrolledDevice, type OrgRole } from '@janix/schemas';
import {
  columnFields,
  consoleAllows,
  fieldOf,
  planCommand,
  tableSpec,
  type CommandActor,
  type CommandWrite,
  type Decision,
  type LoadedRows,
  type ReplicatedTableName,
  type TicketIssuer,
} from '@janix/domain';
import { userRoleIn } from '../local-core-internals.ts';
import type { PendingOverlay } from '../replica/pending-overlay.ts';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { TouchedRecord } from '../replica/record-notices.ts';
import type { Outbox } from './outbox.ts';

/** Who issues commands on this console, as far as it knows offline. */
export interface ConsoleActor extends CommandActor {
  orgId: string;
  /** The device's role. */
  role: OrgRole;
  /**
   * The signed-in user's role in the organization, when known; null when they are not a member. A command
   * needs both roles to allow it (the lesser of device and user decides, as on the server).
   */
  userRole?: OrgRole | null;
}

/** Who acts on this console: its device, and the signed-in user as far as it knows offline. */
export function consoleActorOf(
  device: EnrolledDevice,
  session: {
    user: { id: string; displayName: string };
    memberships?: Array<{ orgId: string; role: OrgRole }>;
  } | null,
): ConsoleActor {
  const userRole = userRoleIn(session, device.orgId);
  return {
    orgId: device.orgId,
    role: device.role,
    ...(userRole !== undefined ? { userRole } : {}),
    userId: session?.user.id ?? '',
    userName: session?.user.displayName ?? '',
    deviceId: device.deviceId,
    deviceName: device.name,
  };
}

/** What the console decides with: its replica (server rows plus pending writes), its clock, its secrets. */
export interface LocalDecider {
  overlay: PendingOverlay;
  issueTicket: TicketIssuer;
  now: () => Date;
}

/**
 * Runs a command's rule against what the console sees now (server rows plus pending writes); answers the rows
 * it read too.
 */
function decideLocally(
  decider: LocalDecider,
  actor: ConsoleActor,
  name: CommandName,
  args: unknown,
): { decision: Decision<CommandWrite[]>; read: LoadedRows | null } {
  const plan = planCommand(name, args, {
    orgId: actor.orgId,
    where: 'console',
    now: decider.now(),
    actor: {
      userId: actor.userId,
      userName: actor.userName,
      deviceId: actor.deviceId,
      deviceName: actor.deviceName,
    },
    issueTicket: decider.issueTicket,
    allows: (action) => consoleAllows(actor, action),
  });
  if (!plan.ok) return { decision: plan, read: null };
  const first = decider.overlay.load(plan.value.reads);
  const more = plan.value.readsAfter(first);
  const read = more.length ? decider.overlay.load([...plan.value.reads, ...more]) : first;
  return { decision: plan.value.decide(read), read };
}

/**
 * The records a command writes and the fields it changes there (replica column names), before it is applied.
 * A record the rule read is compared with that row (nothing changed since, in the same transaction).
 */
function touchedBy(overlay: PendingOverlay, read: LoadedRows, writes: CommandWrite[]): TouchedRecord[] {
  return writes.map((write) => {
    const spec = tableSpec(write.table);
    const row = write.row as Record<string, unknown>;
    const label = spec.label ? row[fieldOf(spec.label)] : null;
    const record = {
      table: write.table,
      id: write.row.id,
      label: typeof label === 'string' && label ? label : write.row.id,
      fields: {} as Record<string, unknown>,
    };
    // A sale's rows are kept for a refusal's notice only: no later change of theirs is an overwrite (and a
    // sale would otherwise record some forty fields on the cashier's clock).
    if (spec.ledger) return record;
    const known = (read[write.table] as Map<string, unknown>).get(write.row.id);
    const current = (known ?? overlay.current(write.table, write.row.id)) as
      Record<string, unknown> | undefined;
    for (const { name, field, derived } of columnFields(write.table)) {
      // What the rules derive (seats sold, what the server granted) is no edit another console can overwrite.
      if (derived || !(field in row)) continue;
      const value = row[field];
      if (!current || current[field] !== value) record.fields[name] = value;
    }
    return record;
  });
}

function writePending(decider: LocalDecider, actor: ConsoleActor, writes: CommandWrite[]): void {
  const stamp = { at: decider.now(), by: actor.deviceName };
  for (const write of writes) decider.overlay.put(write, stamp);
}

/**
 * Accepting a command is one SQLite transaction: the optimistic effect and the outbox row commit together
 * (synchronous=FULL), or neither does. A command the rules refuse locally is never queued. Answers which
 * tables it wrote, so screens reading them re-read.
 */
export function acceptCommand(
  db: ReplicaDb,
  decider: LocalDecider,
  outbox: Outbox,
  actor: ConsoleActor,
  command: { name: CommandName; args: unknown; clientTime: Date; lastAppliedSeq: number },
): Decision<{ seq: number; tables: ReplicatedTableName[] }> {
  return db.transaction((): Decision<{ seq: number; tables: ReplicatedTableName[] }> => {
    const { decision, read } = decideLocally(decider, actor, command.name, command.args);
    if (!decision.ok) return decision;
    const touched = touchedBy(decider.overlay, read!, decision.value);
    writePending(decider, actor, decision.value);
    const seq = outbox.append(
      command.name,
      command.args,
      command.clientTime,
      command.lastAppliedSeq,
      touched,
    );
    return { ok: true, value: { seq, tables: [...new Set(decision.value.map((write) => write.table))] } };
  })();
}

/**
 * Rebuilds the pending overlay from the commands still queued, on top of the server rows just pulled.
 * A command the server applied has left the queue and its effect now arrives as a server row; one it
 * rejected has left the queue too, so its optimistic effect disappears here. Answers the tables whose
 * pending rows changed (none when nothing was queued or laid over).
 */
export function replayPending(
  db: ReplicaDb,
  decider: LocalDecider,
  outbox: Outbox,
  actor: ConsoleActor,
): ReplicatedTableName[] {
  // Most pulls find nothing queued and nothing laid over: skip the write transaction and its flush.
  if (outbox.count() === 0 && decider.overlay.tablesWithPending().length === 0) return [];
  return db.transaction(() => {
    const changed = new Set(decider.overlay.clear());
    for (const entry of outbox.list()) {
      // A queued name this console does not know (written by a newer one) has no local effect to lay over.
      const name = commandNameSchema.safeParse(entry.name);
      if (!name.success) continue;
      const { decision } = decideLocally(decider, actor, name.data, entry.args);
      if (!decision.ok) continue;
      writePending(decider, actor, decision.value);
      for (const write of decision.value) changed.add(write.table);
    }
    return [...changed];
  })();
}
