import {
  isoDateTimeSchema,
  MAX_COMMAND_NAME_LENGTH,
  orgRoleSchema,
  type CommandEnvelope,
  type PushResult,
} from '@janix/schemas';
import {
  actorAllows,
  commandIssuesTickets,
  isKnownCommand,
  planCommand,
  type ActorRoles,
  type CommandWrite,
  type Decision,
  type LoadedRows,
  type TicketIssuer,
} from '@janix/domain';
import { inTransaction, takeOrgVersions } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { InsertConflict, loadRows, writePendingRows, type PendingRow } from './table-rows.ts';

type Member = { deviceId: string; orgId: string; userId: string };
type Actor = Member & { roles: ActorRoles; deviceName: string; userName: string };

/**
 * Turns allocation slots into tickets (ids and signed secrets) for the batch's organization. Loaded once per
 * batch, before any rule runs: rules are synchronous.
 */
export type TicketIssuerLoader = (client: PoolClient, orgId: string) => Promise<TicketIssuer>;
const noTickets: TicketIssuer = () => null;
const noTicketIssuer: TicketIssuerLoader = async () => noTickets;
type Outcome = PushResult['results'][number];

/** How often a command that fails on the server for a non-business reason is tried before it is rejected. */
export const COMMAND_ATTEMPTS = 3;

/** What the server log is told about such a failure: no arguments, no error text (either may quote data). */
export interface CommandFailure {
  deviceId: string;
  seq: number;
  /** The command's name when this server knows it; `unknown` otherwise (the name is whatever was sent). */
  command: string;
  attempt: number;
  /** The Postgres SQLSTATE, when the database raised it. */
  sqlState: string | null;
  errorName: string;
  final: boolean;
}

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
 *
 * When the batch fails for a reason that is no business rule (the database refuses a value, an insert meets
 * an id another device just created, a rule throws), it is undone and run again command by command, each in
 * a savepoint: the failing command is tried `COMMAND_ATTEMPTS` times, then rejected with `server_error`,
 * while the commands around it apply and the high-water mark moves past it. A device never retries one
 * poison batch forever. A failure of the database itself (connection lost, shutting down) still fails the
 * request, and the console retries it later. A lock cycle with another transaction is no failure of a
 * command either: the batch is run again from the start (`runAgainOnLockConflict`).
 */
export async function pushCommands(
  pool: Pool,
  member: Member,
  commands: CommandEnvelope[],
  now: () => Date,
  /** Told the organization's new version once the batch has committed. */
  committed: (version: number) => void = () => {},
  /** Told of each attempt of a command that failed for a non-business reason. */
  logFailure: (failure: CommandFailure) => void = () => {},
  loadTicketIssuer: TicketIssuerLoader = noTicketIssuer,
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
  const attempt = (oneByOne: boolean) =>
    inTransaction(pool, { orgId: member.orgId, userId: member.userId }, async (client) => {
      const device = await loadActor(client, member);
      const retried = commands.filter((command) => command.seq <= device.lastSeq);
      const fresh = commands.filter((command) => command.seq > device.lastSeq);
      const results = await earlierOutcomes(client, member.deviceId, retried);
      if (fresh.length === 0) return { lastAppliedSeq: device.lastSeq, results };
      if (fresh[0]!.seq !== device.lastSeq + 1) {
        throw new ReasonedError({
          code: 'CONFLICT',
          reason: 'sequence_gap',
          message: `Expected command ${device.lastSeq + 1} next.`,
          details: { expectedSeq: device.lastSeq + 1 },
        });
      }
      const at = now();
      // Signing needs the organization's key (made on first use): loaded only for a batch that issues tickets.
      const issueTicket = fresh.some((command) => commandIssuesTickets(command.name))
        ? await loadTicketIssuer(client, member.orgId)
        : noTickets;
      const batch: Batch = { actor: device.actor, at, issueTicket };
      const decided = oneByOne
        ? await applyOneByOne(client, batch, fresh, logFailure)
        : await applyTogether(client, batch, fresh);
      committedVersion = decided.version;
      await recordOutcomes(client, batch.actor, fresh, decided.outcomes, at);
      return { lastAppliedSeq: fresh.at(-1)!.seq, results: [...results, ...decided.outcomes] };
    });
  let result: PushResult;
  try {
    result = await runAgainOnLockConflict(() => attempt(false));
  } catch (error) {
    if (error instanceof ReasonedError) throw error;
    // Something in the batch failed; find out which command, and let the others through. If the database
    // itself is gone, this attempt fails too and the request with it.
    committedVersion = 0;
    result = await runAgainOnLockConflict(() => attempt(true));
  }
  if (committedVersion > 0) committed(committedVersion);
  return result;
}

/**
 * The device's high-water mark and name, and who acts: the signed-in member's role and the device's (the
 * current role of the member who enrolled it). Read in the batch's own transaction, so a demotion committed
 * before it counts. The device row stays locked to commit: one batch of a device at a time.
 */
async function loadActor(client: PoolClient, member: Member): Promise<{ actor: Actor; lastSeq: number }> {
  const device = await client.query<{
    last_seq: number;
    name: string;
    user_role: string | null;
    user_name: string | null;
    device_role: string | null;
  }>(
    `SELECT d.last_seq, d.name, u.role AS user_role, n.display_name AS user_name, e.role AS device_role
     FROM devices d
     LEFT JOIN memberships u ON u.org_id = d.org_id AND u.user_id = $2
     LEFT JOIN users n ON n.id = u.user_id
     LEFT JOIN memberships e ON e.org_id = d.org_id AND e.user_id = d.enrolled_by
     WHERE d.id = $1 FOR UPDATE OF d`,
    [member.deviceId, member.userId],
  );
  const row = device.rows[0];
  const userRole = orgRoleSchema.safeParse(row?.user_role);
  if (!userRole.success) {
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'session_invalid',
      message: 'The signed-in user is no longer a member of this organization.',
    });
  }
  const deviceRole = orgRoleSchema.safeParse(row?.device_role);
  if (!deviceRole.success) {
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
      message: 'The member who enrolled this device no longer belongs to the organization.',
    });
  }
  return {
    actor: {
      ...member,
      roles: { userRole: userRole.data, deviceRole: deviceRole.data },
      deviceName: row!.name,
      userName: row!.user_name ?? '',
    },
    lastSeq: row!.last_seq,
  };
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

interface Applied {
  outcomes: Outcome[];
  /** The organization's version after the applied commands; 0 when none applied. */
  version: number;
}

/** What every command of a batch is decided with: who acts, when, and how slots become tickets. */
interface Batch {
  actor: Actor;
  at: Date;
  issueTicket: TicketIssuer;
}

/** The whole batch at once: one read, one write per table and operation. */
async function applyTogether(
  client: PoolClient,
  batch: Batch,
  commands: CommandEnvelope[],
): Promise<Applied> {
  const { actor, at } = batch;
  const plans = commands.map((command) =>
    planCommand(command.name, command.args, {
      orgId: actor.orgId,
      where: 'server',
      now: at,
      actor: {
        userId: actor.userId,
        userName: actor.userName,
        deviceId: actor.deviceId,
        deviceName: actor.deviceName,
      },
      issueTicket: batch.issueTicket,
      allows: (action) => actorAllows(actor.roles, action),
    }),
  );
  const loaded = await loadRows(
    client,
    plans.flatMap((plan) => (plan.ok ? plan.value.reads : [])),
  );
  // Rows named by rows of the first round (a shift's allocations name their quotas), for the whole batch.
  const more = plans.flatMap((plan) => (plan.ok ? plan.value.readsAfter(loaded) : []));
  if (more.length) await loadRows(client, more, loaded);
  const pending = new Map<string, PendingRow>();
  const outcomes: Outcome[] = [];
  let applied = 0;
  commands.forEach((command, index) => {
    const plan = plans[index]!;
    const decision: Decision<CommandWrite[]> = plan.ok ? plan.value.decide(loaded) : plan;
    if (!decision.ok) {
      outcomes.push(rejected(command, decision.code, decision.message));
      return;
    }
    applied += 1;
    for (const write of decision.value) stage(pending, loaded, write, applied, batch);
    outcomes.push({ seq: command.seq, status: 'applied' });
  });
  if (applied === 0) return { outcomes, version: 0 };

  // Versions last: the organization's version row stays locked from here to commit, so keep it short.
  const lastVersion = await takeOrgVersions(client, actor.orgId, applied);
  const firstVersion = lastVersion - applied + 1;
  // Parents before children, so a row never refers to one not written yet.
  await writePendingRows(client, [...pending.values()], firstVersion, {
    orgId: actor.orgId,
    deviceName: actor.deviceName,
    at,
  });
  return { outcomes, version: lastVersion };
}

/**
 * Each command alone, in a savepoint of its own, tried up to `COMMAND_ATTEMPTS` times. A command the
 * database still refuses is rejected with `server_error`; the ones before and after it are unaffected.
 */
async function applyOneByOne(
  client: PoolClient,
  batch: Batch,
  commands: CommandEnvelope[],
  logFailure: (failure: CommandFailure) => void,
): Promise<Applied> {
  const { actor } = batch;
  const outcomes: Outcome[] = [];
  let version = 0;
  for (const command of commands) {
    for (let attempt = 1; ; attempt += 1) {
      await client.query('SAVEPOINT command');
      try {
        const alone = await applyTogether(client, batch, [command]);
        await client.query('RELEASE SAVEPOINT command');
        outcomes.push(...alone.outcomes);
        version = Math.max(version, alone.version);
        break;
      } catch (error) {
        // If even this fails, the connection or the transaction is gone: the request fails and is retried.
        await client.query('ROLLBACK TO SAVEPOINT command');
        if (error instanceof InsertConflict) {
          outcomes.push(rejected(command, 'already_exists', 'A record with this id already exists.'));
          break;
        }
        // A lock cycle is the transaction's, not the command's: this transaction still holds the locks of the
        // commands before (the organization's version row among them), so trying the command again inside it
        // meets the same cycle every time. The whole batch is run again instead.
        if (isDatabaseUnavailable(error) || isLockConflict(error)) throw error;
        const final = attempt >= COMMAND_ATTEMPTS;
        logFailure({
          deviceId: actor.deviceId,
          seq: command.seq,
          command: isKnownCommand(command.name) ? command.name : 'unknown',
          attempt,
          sqlState: sqlStateOf(error),
          errorName: error instanceof Error ? error.name : typeof error,
          final,
        });
        if (final) {
          outcomes.push(
            rejected(
              command,
              'server_error',
              `The server could not apply this change (an internal error, tried ${COMMAND_ATTEMPTS} times). It was not applied.`,
            ),
          );
          break;
        }
      }
    }
  }
  return { outcomes, version };
}

function sqlStateOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** How often a batch whose transaction met a lock cycle or a serialization failure is run again. */
export const BATCH_ATTEMPTS = 5;

/**
 * A deadlock (40P01) or serialization failure (40001) says nothing about the commands: two transactions
 * crossed, Postgres aborted this one and the other went on. Run from the start (after a short jittered pause,
 * so two batches that crossed do not cross again in step) it applies. Should it keep crossing, the request
 * fails and the console sends the batch again later: a lock conflict never rejects a command (an offline scan,
 * above all, must never be refused at upload).
 */
async function runAgainOnLockConflict<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isLockConflict(error) || attempt >= BATCH_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, (5 + Math.random() * 20) * attempt));
    }
  }
}

function isLockConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}

/**
 * The database as a whole is failing, not this command: connection exceptions (08), insufficient
 * resources (53), an operator shutting it down (57P0x), system errors (58).
 */
function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== null && /^(08|53|57P0|58)/.test(state);
}

/**
 * Records a write in the batch's pending rows and in the rows later commands of the batch read. An insert
 * of a row the batch already holds (loaded, or inserted by an earlier command) can never apply.
 */
function stage(
  pending: Map<string, PendingRow>,
  loaded: LoadedRows,
  write: CommandWrite,
  commandNumber: number,
  batch: Batch,
): void {
  const rows = loaded[write.table] as unknown as Map<string, Record<string, unknown>>;
  const key = `${write.table}:${write.row.id}`;
  const earlier = pending.get(key);
  if (write.op === 'insert' && (rows.has(write.row.id) || earlier)) throw new InsertConflict();
  const isNew = earlier ? earlier.isNew : write.op === 'insert';
  const row = write.row as Record<string, unknown> & { id: string };
  pending.set(key, { table: write.table, row, isNew, lastWriter: commandNumber });
  rows.set(write.row.id, {
    ...row,
    version: rows.get(write.row.id)?.version ?? 0,
    updatedAt: batch.at.toISOString(),
    updatedBy: batch.actor.deviceName,
  });
}

/** Text as Postgres can store it: what a console sent may hold NUL or lone surrogates, and be long. */
function storable(text: string, maxLength: number): string {
  return text
    .slice(0, maxLength)
    .replaceAll('\u0000', '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The client time if it is one Postgres and the console both hold; it is metadata only, never a reason to reject. */
function clientTimeOf(command: CommandEnvelope): string | null {
  return isoDateTimeSchema.safeParse(command.clientTime).success ? command.clientTime : null;
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
  const codes = outcomes.map((outcome) =>
    outcome.status === 'rejected' ? storable(outcome.code, 100) : null,
  );
  const messages = outcomes.map((outcome) =>
    outcome.status === 'rejected' ? storable(outcome.message, 1000) : null,
  );
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
      commands.map((command) => storable(command.name, MAX_COMMAND_NAME_LENGTH)),
      outcomes.map((outcome) => (outcome.status === 'rejected' ? 'rejected' : 'applied')),
      codes,
      messages,
      commands.map(clientTimeOf),
      commands.at(-1)!.seq,
      at,
    ],
  );
}
