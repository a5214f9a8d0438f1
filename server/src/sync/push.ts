import type { CommandEnvelope, OrgRole, PushResult } from '@janix/schemas';
import {
  planCommand,
  roleAllows,
  type CommandReads,
  type CommandWrite,
  type LoadedRows,
} from '@janix/domain';
import type { EventRow } from '@janix/schemas';
import { inTransaction, nextOrgVersion } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { eventFromRecord, type EventRecord } from './rows.ts';

/** Loads and locks the rows a command reads; RLS limits them to the command's organization. */
async function loadRows(client: PoolClient, reads: CommandReads): Promise<LoadedRows> {
  const events = new Map<string, EventRow>();
  if (reads.events.length) {
    const result = await client.query<EventRecord>(
      'SELECT * FROM events WHERE id = ANY($1::uuid[]) FOR UPDATE',
      [reads.events],
    );
    for (const row of result.rows) events.set(row.id, eventFromRecord(row));
  }
  return { events };
}

/**
 * Writes one effect. Returns false when an insert meets an existing id: under row-level security a row of
 * another organization is invisible, so the conflict is only discovered here, and must not surface as an error.
 */
async function applyWrite(
  client: PoolClient,
  write: CommandWrite,
  version: number,
  now: Date,
): Promise<boolean> {
  const row = write.row;
  if (write.op === 'insert') {
    const inserted = await client.query(
      `INSERT INTO events (id, org_id, name, venue, starts_at, ends_at, status, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [row.id, row.orgId, row.name, row.venue, row.startsAt, row.endsAt, row.status, now, version],
    );
    return inserted.rowCount === 1;
  }
  const updated = await client.query(
    `UPDATE events SET name = $2, venue = $3, starts_at = $4, ends_at = $5, status = $6, updated_at = $7, version = $8
     WHERE id = $1`,
    [row.id, row.name, row.venue, row.startsAt, row.endsAt, row.status, now, version],
  );
  return updated.rowCount === 1;
}

/** Applies a decision's writes all-or-nothing; a conflict turns the command into a rejection. */
async function applyDecision(
  client: PoolClient,
  orgId: string,
  writes: CommandWrite[],
  now: Date,
): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  await client.query('SAVEPOINT command_effects');
  const version = await nextOrgVersion(client, orgId);
  for (const write of writes) {
    if (!(await applyWrite(client, write, version, now))) {
      await client.query('ROLLBACK TO SAVEPOINT command_effects');
      return { ok: false, code: 'already_exists', message: 'A record with this id already exists.' };
    }
  }
  return { ok: true };
}

/**
 * Applies a device's commands in sequence, each in its own transaction together with the device's
 * high-water mark, so a retried batch is applied exactly once and a rejected command never blocks the next.
 */
export async function pushCommands(
  pool: Pool,
  actor: { deviceId: string; orgId: string; userId: string; role: OrgRole },
  commands: CommandEnvelope[],
  now: () => Date,
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
  const results: PushResult['results'] = [];
  let lastAppliedSeq = 0;
  for (const command of commands) {
    const outcome = await inTransaction(
      pool,
      { orgId: actor.orgId, userId: actor.userId },
      async (client) => {
        const device = await client.query<{ last_seq: number }>(
          'SELECT last_seq FROM devices WHERE id = $1 FOR UPDATE',
          [actor.deviceId],
        );
        const lastSeq = device.rows[0]?.last_seq ?? 0;
        if (command.seq <= lastSeq) {
          // A retry of a command already decided: answer with its original outcome, so a rejection whose
          // first response was lost still reaches the console (G1).
          const earlier = await client.query<{ status: string; code: string | null; message: string | null }>(
            'SELECT status, code, message FROM command_results WHERE device_id = $1 AND seq = $2',
            [actor.deviceId, command.seq],
          );
          const previous = earlier.rows[0];
          if (previous?.status === 'rejected') {
            return {
              kind: 'rejected' as const,
              lastSeq,
              code: previous.code ?? 'rejected',
              message: previous.message ?? 'The server rejected this change.',
            };
          }
          return { kind: 'duplicate' as const, lastSeq };
        }
        if (command.seq > lastSeq + 1) return { kind: 'gap' as const, lastSeq };
        const plan = planCommand(command.name, command.args, {
          orgId: actor.orgId,
          allows: (action) => roleAllows(actor.role, action),
        });
        const decided = plan.ok ? plan.value.decide(await loadRows(client, plan.value.reads)) : plan;
        const decision = decided.ok
          ? await applyDecision(client, actor.orgId, decided.value, now())
          : decided;
        await client.query(
          `INSERT INTO command_results (org_id, device_id, seq, name, status, code, message, user_id, client_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            actor.orgId,
            actor.deviceId,
            command.seq,
            command.name,
            decision.ok ? 'applied' : 'rejected',
            decision.ok ? null : decision.code,
            decision.ok ? null : decision.message,
            actor.userId,
            command.clientTime,
          ],
        );
        await client.query('UPDATE devices SET last_seq = $2, last_seen_at = $3 WHERE id = $1', [
          actor.deviceId,
          command.seq,
          now(),
        ]);
        return decision.ok
          ? { kind: 'applied' as const, lastSeq: command.seq }
          : {
              kind: 'rejected' as const,
              lastSeq: command.seq,
              code: decision.code,
              message: decision.message,
            };
      },
    );
    lastAppliedSeq = outcome.lastSeq;
    if (outcome.kind === 'gap') {
      throw new ReasonedError({
        code: 'CONFLICT',
        reason: 'sequence_gap',
        message: `Expected command ${outcome.lastSeq + 1} next.`,
        details: { expectedSeq: outcome.lastSeq + 1 },
      });
    }
    if (outcome.kind === 'rejected') {
      results.push({ seq: command.seq, status: 'rejected', code: outcome.code, message: outcome.message });
    } else {
      results.push({ seq: command.seq, status: outcome.kind });
    }
  }
  return { lastAppliedSeq, results };
}
