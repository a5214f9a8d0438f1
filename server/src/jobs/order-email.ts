import pg from 'pg';
import { z } from 'zod';
import { inTransaction, takeOrgVersions } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { MailNotSent, type Mailer, type MailFailure } from '../mail/mailer.ts';
import { loadOrderEmailContent, type OrderEmailKind } from '../mail/order-email-content.ts';
import { renderOrderEmail } from '../mail/order-email-templates.ts';
import type { JobDefinition, JobQueue } from './job-queue.ts';

/**
 * Order emails (confirmation with the tickets, receipt, refund notice) go out from the job queue.
 *
 * Why they can be neither lost nor doubled:
 * - The intent is a row of order_emails, written in the same transaction as the order change that calls for
 *   it (a trigger on orders, migration 1764800000500) or the resend command that asks for it. No commit, no
 *   email; a commit, and the row waits until it is sent or has failed for good.
 * - Jobs carry the row's ids only, and are only a way to get a worker to it soon: committed rows wake the
 *   workers (NOTIFY on commit), and a sweep every minute offers every row that is due, so a job lost with a
 *   crashed process or a missed notification costs a minute, never the email.
 * - A worker holds the row locked (FOR UPDATE SKIP LOCKED) while it sends and records the outcome in that same
 *   transaction: two workers never send one row at once, and a row marked sent is never sent again.
 * - A crash between Resend accepting the mail and the commit leaves the row queued; the next try sends under
 *   the same idempotency key (derived from the row's id), which Resend answers with the first send's result
 *   instead of mailing again. The body is the same too (the templates are deterministic), as Resend requires.
 * - A resend from the console is a new row, so a new key: it does send again, once.
 */

export const ORDER_EMAIL = 'order-email';
export const ORDER_EMAIL_SWEEP = 'order-email-sweep';
const WAKE_CHANNEL = 'janix_order_emails';

/** What a job holds: ids only, never the address or anything else about the buyer. */
const orderEmailDataSchema = z.object({ orgId: z.uuid(), emailId: z.uuid() });
export type OrderEmailJobData = z.infer<typeof orderEmailDataSchema>;

/** Tries before a transiently failing email is marked failed (about 4 hours with the default backoff). */
export const ORDER_EMAIL_MAX_ATTEMPTS = 10;

/** 30 s, doubling to at most an hour. */
export function defaultOrderEmailBackoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

export function orderEmailIdempotencyKey(emailId: string): string {
  return `order-email-${emailId}`;
}

export interface OrderEmailDeps {
  pool: Pool;
  mailer: Mailer;
  now: () => Date;
  log: (line: string) => void;
  /** Delay before the next try after `attempt` tries failed (the provider's retry-after wins when longer). */
  backoffMs?: (attempt: number) => number;
  maxAttempts?: number;
}

export type OrderEmailOutcome =
  /** Sent now (or found sent by an earlier try under the same key). */
  | 'sent'
  | 'failed'
  /** Not sent this time; the row says when to try next. */
  | 'retry'
  /** Not due yet (a wake-up before its retry time). */
  | 'not_due'
  /** Sent or failed already. */
  | 'done'
  /** Another worker holds the row right now, or it does not exist. */
  | 'busy';

export interface OrderEmailResult {
  outcome: OrderEmailOutcome;
  /** When to try again, for 'retry' and 'not_due'. */
  retryAt?: Date;
}

interface EmailRow {
  order_id: string;
  kind: OrderEmailKind;
  status: string;
  attempts: number;
  next_attempt_at: Date;
}

interface Recorded {
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  failureReason: string | null;
  providerMessageId: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
}

/** Writes what came of a try at a version of its own, so every console sees the email's new status. */
async function record(client: PoolClient, orgId: string, emailId: string, at: Date, result: Recorded) {
  const version = await takeOrgVersions(client, orgId);
  await client.query(
    `UPDATE order_emails SET status = $3, attempts = $4, failure_reason = $5, provider_message_id = $6,
       sent_at = $7, next_attempt_at = coalesce($8, next_attempt_at), version = $9, updated_at = $10,
       updated_by = NULL
     WHERE org_id = $1 AND id = $2`,
    [
      orgId,
      emailId,
      result.status,
      result.attempts,
      result.failureReason,
      result.providerMessageId,
      result.sentAt,
      result.nextAttemptAt,
      version,
      at,
    ],
  );
}

/**
 * The console's words for a refusal: what happened and what to do, never the address or the provider's own
 * message (which may quote it).
 */
export function failureReason(failure: MailFailure): string {
  const code = `${failure.errorName}${failure.statusCode ? ` ${failure.statusCode}` : ''}`;
  if (failure.addressRefused) {
    return `Resend refused the buyer's email address as invalid (${code}). Correct the address, then resend.`;
  }
  if (failure.statusCode === 401 || failure.statusCode === 403) {
    return `Resend refused the server's mail settings (${code}): the API key or the sender is not allowed. Resend once they are fixed.`;
  }
  return `Resend refused the email (${code}).`;
}

/** One try at one email: the whole of a job's run. Never throws for the provider's answers, only for the database's. */
export async function sendOrderEmail(
  deps: OrderEmailDeps,
  data: OrderEmailJobData,
): Promise<OrderEmailResult> {
  const backoff = deps.backoffMs ?? defaultOrderEmailBackoffMs;
  const maxAttempts = deps.maxAttempts ?? ORDER_EMAIL_MAX_ATTEMPTS;
  return inTransaction(deps.pool, { orgId: data.orgId }, async (client) => {
    const locked = await client.query<EmailRow>(
      `SELECT order_id, kind, status, attempts, next_attempt_at FROM order_emails
       WHERE org_id = $1 AND id = $2 FOR UPDATE SKIP LOCKED`,
      [data.orgId, data.emailId],
    );
    const row = locked.rows[0];
    if (!row) return { outcome: 'busy' };
    if (row.status !== 'queued') return { outcome: 'done' };
    const at = deps.now();
    if (row.next_attempt_at.getTime() > at.getTime())
      return { outcome: 'not_due', retryAt: row.next_attempt_at };

    const attempts = row.attempts + 1;
    const finish = async (result: Omit<Recorded, 'attempts'>, outcome: OrderEmailOutcome) => {
      await record(client, data.orgId, data.emailId, at, { ...result, attempts });
      return { outcome, ...(result.nextAttemptAt ? { retryAt: result.nextAttemptAt } : {}) };
    };
    const failed = (reason: string) =>
      finish(
        {
          status: 'failed',
          failureReason: reason,
          providerMessageId: null,
          sentAt: null,
          nextAttemptAt: null,
        },
        'failed',
      );

    const content = await loadOrderEmailContent(client, data.orgId, row.order_id, row.kind);
    if ('missing' in content) return failed(content.missing);
    let mail;
    try {
      mail = await renderOrderEmail(content);
    } catch (error) {
      deps.log(`${ORDER_EMAIL}: could not draw email ${data.emailId}: ${(error as Error).name}`);
      return failed('The tickets could not be drawn for this email (a ticket code is not valid).');
    }
    try {
      const sent = await deps.mailer.send({
        to: content.to,
        ...mail,
        idempotencyKey: orderEmailIdempotencyKey(data.emailId),
        category: 'order',
      });
      return finish(
        {
          status: 'sent',
          failureReason: null,
          providerMessageId: sent?.providerMessageId?.slice(0, 200) ?? null,
          sentAt: at,
          nextAttemptAt: null,
        },
        'sent',
      );
    } catch (error) {
      if (!(error instanceof MailNotSent)) throw error;
      const { failure } = error;
      // Resend remembers a key with the body first sent under it: a different body under the same key means
      // an earlier try of this very email was accepted (its content has changed since, a name corrected).
      if (failure.errorName === 'invalid_idempotent_request') {
        return finish(
          { status: 'sent', failureReason: null, providerMessageId: null, sentAt: at, nextAttemptAt: null },
          'sent',
        );
      }
      deps.log(
        `${ORDER_EMAIL}: email ${data.emailId} try ${attempts} not sent: ${failure.errorName} (${failure.statusCode ?? 'no status'})`,
      );
      if (failure.permanent) return failed(failureReason(failure));
      if (attempts >= maxAttempts) {
        return failed(
          `Resend kept failing (${failure.errorName}${failure.statusCode ? ` ${failure.statusCode}` : ''}); gave up after ${attempts} tries. Resend to try again.`,
        );
      }
      const delay = Math.max(backoff(attempts), failure.retryAfterMs ?? 0);
      return finish(
        {
          status: 'queued',
          failureReason: null,
          providerMessageId: null,
          sentAt: null,
          nextAttemptAt: new Date(at.getTime() + delay),
        },
        'retry',
      );
    }
  });
}

/** Offers a job for every email that is due (the sweep, and what a wake-up runs). Resolves with how many. */
export async function offerDueOrderEmails(
  deps: Pick<OrderEmailDeps, 'pool' | 'now'>,
  jobs: Pick<JobQueue, 'offer'>,
  limit = 500,
): Promise<number> {
  const due = await deps.pool.query<{ org_id: string; id: string }>(
    'SELECT org_id, id FROM due_order_emails($1, $2)',
    [deps.now(), limit],
  );
  for (const row of due.rows) {
    await jobs.offer(ORDER_EMAIL, { orgId: row.org_id, emailId: row.id } satisfies OrderEmailJobData, {
      key: row.id,
    });
  }
  return due.rowCount ?? 0;
}

/**
 * The job definitions: one try per run of `order-email` (a later try is offered for its retry time), and the
 * sweep every minute. `jobs` is the queue they run on, known once it has started.
 */
export function orderEmailJobs(deps: OrderEmailDeps, jobs: () => Promise<JobQueue>): JobDefinition[] {
  return [
    {
      name: ORDER_EMAIL,
      // Two at once: a slow provider does not hold up every other email, and the rate gate spaces them anyway.
      concurrency: 2,
      async run(data) {
        const job = orderEmailDataSchema.parse(data);
        const result = await sendOrderEmail(deps, job);
        if (result.retryAt) {
          await (await jobs()).offer(ORDER_EMAIL, job, { key: job.emailId, startAfter: result.retryAt });
        }
        return { outcome: result.outcome };
      },
    },
    {
      name: ORDER_EMAIL_SWEEP,
      cron: '* * * * *',
      run: async () => ({ offered: await offerDueOrderEmails(deps, await jobs()) }),
    },
  ];
}

export interface OrderEmailWaker {
  close(): Promise<void>;
}

/**
 * Listens for committed order emails (migration 1764800000500's NOTIFY) and offers the due ones at once, a
 * few milliseconds after the commit instead of at the next sweep. Its own connection, reconnecting after a
 * drop (the sweep covers the gap).
 */
export async function startOrderEmailWaker(
  connectionString: string,
  wake: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<OrderEmailWaker> {
  let client: pg.Client | null = null;
  let closed = false;
  let running: Promise<unknown> | null = null;
  let again = false;
  // One offer pass at a time; a notification during one asks for one more after it (commits it may have missed).
  const onWake = () => {
    if (running) {
      again = true;
      return;
    }
    running = wake()
      .catch((error: Error) => log(`${ORDER_EMAIL}: waking the workers failed: ${error.message}`))
      .finally(() => {
        running = null;
        if (again && !closed) {
          again = false;
          onWake();
        }
      });
  };
  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString });
    next.on('notification', onWake);
    next.on('error', () => {
      if (closed) return;
      log(`${ORDER_EMAIL}: the wake-up connection dropped; reconnecting`);
      setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await next.connect();
    await next.query(`LISTEN ${WAKE_CHANNEL}`);
    client = next;
    // Whatever was committed while nobody listened.
    onWake();
  }
  await connect();
  return {
    async close() {
      closed = true;
      await running?.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
