import {
  orgRoleSchema,
  type CommandEnvelope,
  type EventRow,
  type OrgRole,
  type PushResult,
} from '@janix/schemas';
import { planCommand, roleAllows, type CommandWrite } from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { eventFromRecord, type EventRecord } from './rows.ts';

type Actor = { deviceId: string; orgId: string; userId: string; role: OrgRole };
type Member = Omit<Actor, 'role'>;
type Outcome = PushResult['results'][number];

/**
 * Applies a device's batch in one Postgres transaction together with the device's high-water mark, so a
 * retried batch is applied exactly once (G2), and a rejected command is recorded as finished and never
 * blocks the ones behind it (G9).
 *
 * Each command is still decided alone, in sequence, by its `packages/domain` rule, against the rows as the
 * commands before it left them. What is shared is the I/O: the rows the batch reads are loaded and locked in
 * one query, effects are written per table in one statement, the organization's versions (one per applied
 * command, so the feed sees every command as its own commit-ordered step) are taken last, under a lock held
 * only for the few statements before commit. Why not one transaction per command: that costs about ten
 * round trips and a commit flush per command, which on two cores caps a box office at a few hundred
 * commands a second (see README, sync.push).
 */
export async function pushCommands(
  pool: Pool,
  member: Member,
  commands: CommandEnvelope[],
  now: () => Date,
  /** Told the organization's new version once the batch has committed. */
  committed: (version: number) => void = () => {},
): Promise<PushResult> {
  for (let i = 1; i < commands.length; i += 1) {
    if (commands[i]!.seq !== commands[i - 1]!.seq + 1) {
      throw new ReasonedError({
        code: 'BAD_REQUEST',
        reason: 'sequence_gap',
        message: 'Commands in a batch must carry consecutive sequence numbers.',
      });
    }
  }
  let committedVersion = 0;
  const result = await inTransaction(pool, { orgId: member.orgId, userId: member.userId }, async (client) => {
    // The member's role is read in the batch's own transaction: a demotion committed before it counts.
    const device = await client.query<{ last_seq: number; role: string | null }>(
      `SELECT d.last_seq, m.role FROM devices d
       LEFT JOIN memberships m ON m.org_id = d.org_id AND m.user_id = $2
       WHERE d.id = $1 FOR UPDATE OF d`,
      [member.deviceId, member.userId],
    );
    const role = orgRoleSchema.safeParse(device.rows[0]?.role);
    if (!role.success) {
      throw new ReasonedError({
        code: 'FORBIDDEN',
        reason: 'session_invalid',
        message: 'The signed-in user is no longer a member of this organization.',
      });
    }
    const actor: Actor = { ...member, role: role.data };
    const lastSeq = device.rows[0]?.last_seq ?? 0;
    const retried = commands.filter((command) => command.seq <= lastSeq);
    const fresh = commands.filter((command) => command.seq > lastSeq);
    const results = await earlierOutcomes(client, actor.deviceId, retried);
    if (fresh.length === 0) return { lastAppliedSeq: lastSeq, results };
    if (fresh[0]!.seq !== lastSeq + 1) {
      throw new ReasonedError({
        code: 'CONFLICT',
        reason: 'sequence_gap',
        message: `Expected command ${lastSeq + 1} next.`,
        details: { expectedSeq: lastSeq + 1 },
      });
    }

    const at = now();
    const together = await applyInOneGo(client, actor, fresh, at);
    let decided: Outcome[] = [];
    if (together !== 'conflict') {
      decided = together.outcomes;
      committedVersion = together.version;
    } else {
      // An id the batch inserts already exists, invisible to this organization under row-level security.
      // Rare (a forged or colliding id): the batch was undone, so go command by command to pin the rejection
      // on the right one.
      for (const command of fresh) {
        const alone = await applyInOneGo(client, actor, [command], at);
        if (alone === 'conflict') {
          decided.push(rejected(command, 'already_exists', 'A record with this id already exists.'));
        } else {
          decided.push(...alone.outcomes);
          committedVersion = Math.max(committedVersion, alone.version);
        }
      }
    }
    await recordOutcomes(client, actor, fresh, decided, at);
    return { lastAppliedSeq: fresh.at(-1)!.seq, results: [...results, ...decided] };
  });
  if (committedVersion > 0) committed(committedVersion);
  return result;
}

/** A retry of commands already decided answers with their original outcomes, so a lost rejection still arrives (G1). */
async function earlierOutcomes(
  client: PoolClient,
  deviceId: string,
  retried: CommandEnvelope[],
): Promise<Outcome[]> {
  if (retried.length === 0) return [];
  const earlier = await client.query<{
    seq: number;
    status: string;
    code: string | null;
    message: string | null;
  }>(
    'SELECT seq, status, code, message FROM command_results WHERE device_id = $1 AND seq = ANY($2::bigint[])',
    [deviceId, retried.map((command) => command.seq)],
  );
  const bySeq = new Map(earlier.rows.map((row) => [row.seq, row]));
  return retried.map((command) => {
    const previous = bySeq.get(command.seq);
    return previous?.status === 'rejected'
      ? rejected(command, previous.code ?? 'rejected', previous.message ?? 'The server rejected this change.')
      : { seq: command.seq, status: 'duplicate' };
  });
}

function rejected(command: CommandEnvelope, code: string, message: string): Outcome {
  return { seq: command.seq, status: 'rejected', code, message };
}

/** A row the batch writes: its final state, whether it is new, and the command that wrote it last. */
interface PendingRow {
  row: Omit<EventRow, 'version'>;
  isNew: boolean;
  lastWriter: number;
}

/**
 * Decides `commands` in order against the rows they read (loaded and locked once), then writes the effects.
 * Returns 'conflict' when an insert meets an existing id; the caller rolls back and retries one by one.
 */
async function applyInOneGo(
  client: PoolClient,
  actor: Actor,
  commands: CommandEnvelope[],
  at: Date,
): Promise<{ outcomes: Outcome[]; version: number } | 'conflict'> {
  const ctx = {
    orgId: actor.orgId,
    allows: (action: Parameters<typeof roleAllows>[1]) => roleAllows(actor.role, action),
  };
  const plans = commands.map((command) => planCommand(command.name, command.args, ctx));
  const events = await loadEvents(
    client,
    plans.flatMap((plan) => (plan.ok ? plan.value.reads.events : [])),
  );
  const pending = new Map<string, PendingRow>();
  const outcomes: Outcome[] = [];
  let applied = 0;
  commands.forEach((command, index) => {
    const plan = plans[index]!;
    const decision = plan.ok ? plan.value.decide({ events }) : plan;
    if (!decision.ok) {
      outcomes.push(rejected(command, decision.code, decision.message));
      return;
    }
    applied += 1;
    for (const write of decision.value) stage(pending, events, write, applied);
    outcomes.push({ seq: command.seq, status: 'applied' });
  });
  if (applied === 0) return { outcomes, version: 0 };

  const rows = [...pending.values()];
  const inserts = rows.filter((pendingRow) => pendingRow.isNew);
  const updates = rows.filter((pendingRow) => !pendingRow.isNew);
  // Only an insert can meet a hidden id; a batch of updates needs no way back.
  if (inserts.length) await client.query('SAVEPOINT batch_effects');
  // Versions last: the organization's version row stays locked from here to commit, so keep it short.
  const lastVersion = await takeOrgVersions(client, actor.orgId, applied);
  const firstVersion = lastVersion - applied + 1;
  const version = (pendingRow: PendingRow) => firstVersion + pendingRow.lastWriter - 1;
  if (inserts.length) {
    const inserted = await client.query(
      `INSERT INTO events (id, org_id, name, venue, starts_at, ends_at, status, created_at, updated_at, version)
       SELECT id, org_id, name, venue, starts_at, ends_at, status, $8, $8, version
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $9::bigint[])
         AS t(id, org_id, name, venue, starts_at, ends_at, status, version)
       ON CONFLICT (id) DO NOTHING`,
      [...eventColumns(inserts), at, inserts.map(version)],
    );
    if (inserted.rowCount !== inserts.length) {
      await client.query('ROLLBACK TO SAVEPOINT batch_effects');
      return 'conflict';
    }
  }
  if (updates.length) {
    await client.query(
      `UPDATE events AS e SET name = t.name, venue = t.venue, starts_at = t.starts_at, ends_at = t.ends_at,
         status = t.status, updated_at = $8, version = t.version
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $9::bigint[])
         AS t(id, org_id, name, venue, starts_at, ends_at, status, version)
       WHERE e.id = t.id`,
      [...eventColumns(updates), at, updates.map(version)],
    );
  }
  return { outcomes, version: lastVersion };
}

/** Loads and locks the events a batch reads; row-level security limits them to the batch's organization. */
async function loadEvents(client: PoolClient, ids: string[]): Promise<Map<string, EventRow>> {
  const events = new Map<string, EventRow>();
  if (ids.length === 0) return events;
  const result = await client.query<EventRecord>(
    'SELECT * FROM events WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
    [[...new Set(ids)]],
  );
  for (const row of result.rows) events.set(row.id, eventFromRecord(row));
  return events;
}

/** Records a write in the batch's pending rows and in the rows later commands of the batch read. */
function stage(
  pending: Map<string, PendingRow>,
  events: Map<string, EventRow>,
  write: CommandWrite,
  commandNumber: number,
): void {
  const earlier = pending.get(write.row.id);
  const isNew = earlier ? earlier.isNew : write.op === 'insert';
  pending.set(write.row.id, { row: write.row, isNew, lastWriter: commandNumber });
  events.set(write.row.id, { ...write.row, version: events.get(write.row.id)?.version ?? 0 });
}

function eventColumns(rows: PendingRow[]): unknown[] {
  return [
    rows.map(({ row }) => row.id),
    rows.map(({ row }) => row.orgId),
    rows.map(({ row }) => row.name),
    rows.map(({ row }) => row.venue),
    rows.map(({ row }) => row.startsAt),
    rows.map(({ row }) => row.endsAt),
    rows.map(({ row }) => row.status),
  ];
}

/**
 * One statement for the whole batch's outcomes and the device's high-water mark; `command_results` is the
 * history and the answer to a retry.
 */
async function recordOutcomes(
  client: PoolClient,
  actor: Actor,
  commands: CommandEnvelope[],
  outcomes: Outcome[],
  at: Date,
): Promise<void> {
  const codes = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.code : null));
  const messages = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.message : null));
  await client.query(
    `WITH recorded AS (
       INSERT INTO command_results (org_id, device_id, seq, name, status, code, message, user_id, client_time)
       SELECT $1, $2, seq, name, status, code, message, $3, client_time
       FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
         AS t(seq, name, status, code, message, client_time)
     )
     UPDATE devices SET last_seq = $10, last_seen_at = $11 WHERE id = $2`,
    [
      actor.orgId,
      actor.deviceId,
      actor.userId,
      commands.map((command) => command.seq),
      commands.map((command) => command.name),
      outcomes.map((outcome) => (outcome.status === 'rejected' ? 'rejected' : 'applied')),
      codes,
      messages,
      commands.map((command) => command.clientTime),
      commands.at(-1)!.seq,
      at,
    ],
  );
}
