import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  cardSaleReads,
  decideCardCompletion,
  emptyLoadedRows,
  nextPaymentStep,
  rowFromRecord,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
  type RowOf,
} from '@janix/domain';
import { uuidSchema } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { storedCartSchema } from '../payments/payment-records.ts';
import {
  markStripeEventsHandled,
  type StripeEvent,
  type StripeEventHandler,
  type StripeEventOutcome,
} from '../payments/webhooks.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import { loadRows, writeDecidedRows } from '../sync/table-rows.ts';
import type { TicketKeyStore } from '../tickets/signing-keys.ts';
import { withConsentChoices } from './consent-choices.ts';

/**
 * Paid web checkouts, completed in batches. When an event goes on sale, Stripe reports many paid Checkout
 * Sessions at once, and every one of them writes into the same quota: one transaction each would queue them
 * behind that quota's lock and the organization's version, a commit (and its disk flush) apiece. Here the
 * sessions paid while a batch is being written wait for the next one, and each batch is one transaction: the
 * rows read and locked once, each order decided by the domain's own rule (decideCardCompletion, as a single
 * card payment is) on the rows as the orders before it left them, one version and one write per table, one
 * commit. Anything but a plain paid web checkout still open (a late payment, a sale the rule now refuses, a
 * payment of the till) goes to the card payment code's own handler, one at a time, which attaches or refunds.
 */

/** More would hold the quota's lock longer than a batch saves. */
const MAX_BATCH = 64;

const sessionSchema = z.object({
  id: z.string().regex(/^cs_[A-Za-z0-9_]+$/),
  payment_status: z.string().nullish(),
  payment_intent: z
    .string()
    .regex(/^pi_[A-Za-z0-9]+$/)
    .nullish(),
  metadata: z
    .object({ janix_org_id: uuidSchema, janix_payment_id: uuidSchema })
    .partial()
    .passthrough()
    .nullish(),
});

const holdsSchema = z.record(uuidSchema, z.number().int().nonnegative());

export interface PaidCheckoutDeps {
  pool: Pool;
  now: () => Date;
  tickets: TicketKeyStore;
  changes: Pick<ChangeNotifier, 'publish'>;
  /** One line, never personal data. */
  log: (line: string) => void;
}

interface Paid {
  sessionId: string;
  /** The payment our metadata names: a session found for another payment is not this batch's to complete. */
  paymentId: string | null;
  paymentIntentId: string | null;
  event: StripeEvent;
  settle: (outcome: Promise<StripeEventOutcome>) => void;
}

type Outcome = { done: string } | { handOver: true };

/**
 * The web shop's handler of checkout.session.completed: a paid session of a web checkout is completed in a
 * batch; anything else goes to `fallback` (the card payment code's handler).
 */
export function paidCheckoutWebhooks(
  deps: PaidCheckoutDeps,
  fallback: Record<string, StripeEventHandler>,
): Record<string, StripeEventHandler> {
  const byOrg = new Map<string, { waiting: Paid[]; running: boolean }>();
  const handOver = fallback['checkout.session.completed']!;

  async function drain(orgId: string): Promise<void> {
    const queue = byOrg.get(orgId)!;
    queue.running = true;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, MAX_BATCH);
      let outcomes: Map<string, Outcome>;
      try {
        outcomes = await completeBatch(deps, orgId, batch);
      } catch (error) {
        // The batch wrote nothing: each session goes its own way, so one bad one cannot hold up the rest.
        deps.log(`a batch of paid web checkouts failed (${(error as Error).name}): each is handled alone`);
        outcomes = new Map(batch.map((paid) => [paid.sessionId, { handOver: true as const }]));
      }
      for (const paid of batch) {
        const outcome = outcomes.get(paid.sessionId) ?? { handOver: true as const };
        paid.settle('done' in outcome ? Promise.resolve({ recorded: outcome.done }) : handOver(paid.event));
      }
    }
    queue.running = false;
    byOrg.delete(orgId);
  }

  return {
    'checkout.session.completed': async (event) => {
      const session = sessionSchema.safeParse(event.data.object);
      const orgId = session.success ? session.data.metadata?.janix_org_id : undefined;
      // Our metadata names the organization the batch runs in; the session's own id must then be found
      // there (row-level security), or the card payment code's handler decides.
      if (!session.success || !orgId || session.data.payment_status !== 'paid') return handOver(event);
      return new Promise<StripeEventOutcome>((resolve, reject) => {
        const queue = byOrg.get(orgId) ?? { waiting: [], running: false };
        byOrg.set(orgId, queue);
        queue.waiting.push({
          sessionId: session.data.id,
          paymentId: session.data.metadata?.janix_payment_id ?? null,
          paymentIntentId: session.data.payment_intent ?? null,
          event,
          settle: (outcome) => outcome.then(resolve, reject),
        });
        if (!queue.running) void drain(orgId);
      });
    },
  };
}

function contextFor(orgId: string, seller: CommandContext['actor'], now: Date): CommandContext {
  return { orgId, where: 'server', now, actor: seller, issueTicket: () => null, allows: () => true };
}

/** Records a decided write in the rows the next orders of the batch are decided on. */
function stage(rows: LoadedRows, write: CommandWrite): void {
  const table = rows[write.table] as unknown as Map<string, Record<string, unknown>>;
  table.set(write.row.id, { ...table.get(write.row.id), ...write.row });
}

/** One transaction for the batch; resolves with each session's outcome (or that it is handed over). */
async function completeBatch(
  deps: PaidCheckoutDeps,
  orgId: string,
  batch: readonly Paid[],
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const at = deps.now();
  const version = await inTransaction(deps.pool, { orgId }, async (client) => {
    const written = await decideAndWrite(client);
    // Each session settled here is handled as of this commit, with its effects.
    await markStripeEventsHandled(
      client,
      batch.flatMap((paid) => {
        const outcome = outcomes.get(paid.sessionId);
        return outcome && 'done' in outcome ? [{ eventId: paid.event.id, outcome: outcome.done }] : [];
      }),
    );
    return written;
  });
  if (version > 0) deps.changes.publish(orgId, version);
  return outcomes;

  async function decideAndWrite(client: PoolClient): Promise<number> {
    const found = await client.query<Record<string, unknown>>(
      `SELECT * FROM payments WHERE stripe_checkout_session_id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [batch.map((paid) => paid.sessionId)],
    );
    const open = found.rows.flatMap((record) => {
      const sessionId = record.stripe_checkout_session_id as string;
      const named = batch.filter((paid) => paid.sessionId === sessionId).map((paid) => paid.paymentId);
      if (named.some((paymentId) => paymentId !== null && paymentId !== record.id)) return [];
      const step = nextPaymentStep(record.status as string, { kind: 'succeeded' });
      if (step.step === 'ignore') outcomes.set(sessionId, { done: `ignored: ${step.why}` });
      if (step.step !== 'complete' || record.kind !== 'web_checkout' || record.cart === null) return [];
      return [
        {
          sessionId,
          id: record.id as string,
          orderId: record.order_id as string,
          cart: storedCartSchema.parse(record.cart),
          holds: holdsSchema.parse(record.holds),
        },
      ];
    });
    if (open.length === 0) return 0;

    // The payments are read and locked already; the orders are new (one that exists after all makes the
    // insert conflict, and the batch falls back to one session at a time, where the rule says so).
    const loaded = emptyLoadedRows();
    for (const record of found.rows)
      loaded.payments.set(record.id as string, rowFromRecord('payments', record));
    const rows = await loadRows(
      client,
      open
        .flatMap((record) =>
          cardSaleReads({ paymentId: record.id, orderId: record.orderId, cart: record.cart.cart }),
        )
        .filter((read) => read.table !== 'payments' && read.table !== 'orders'),
      loaded,
    );
    const issuer = await deps.tickets.createTicketIssuer(client, orgId);
    let writes: CommandWrite[] = [];
    const completed: Array<{ paymentId: string; personId: string | null; at: string }> = [];
    for (const record of open) {
      const paid = batch.find((candidate) => candidate.sessionId === record.sessionId)!;
      const row = rows.payments.get(record.id)!;
      const payment: RowOf<'payments'> = {
        ...row,
        stripePaymentIntentId: row.stripePaymentIntentId ?? paid.paymentIntentId,
      };
      const decided = decideCardCompletion(
        rows,
        {
          payment,
          cart: record.cart.cart,
          holds: record.holds,
          at: at.toISOString(),
          card: { brand: payment.cardBrand, last4: payment.cardLast4 },
          mint: ({ eventId, ticketTypeId }) => {
            const ticketId = randomUUID();
            return { ticketId, secret: issuer.issueSecretFor({ ticketId, eventId, ticketTypeId }) };
          },
        },
        contextFor(orgId, record.cart.seller, at),
      );
      // A sale the rule refuses now goes to the card payment code, which gives the money back.
      if (!decided.ok) continue;
      for (const write of decided.value) stage(rows, write);
      writes.push(...decided.value);
      const order = decided.value.find((write) => write.table === 'orders')!.row as RowOf<'orders'>;
      completed.push({ paymentId: record.id, personId: order.personId, at: order.createdAt });
      outcomes.set(record.sessionId, { done: 'completed' });
    }
    if (completed.length === 0) return 0;
    writes = await withConsentChoices(client, orgId, completed, writes, async (personId) =>
      rows.people.get(personId),
    );
    const written = await writeDecidedRows(client, writes, { orgId, deviceName: 'Stripe', at });
    // The orders are written: what stayed on the server beside each payment for them goes.
    await client.query(
      `UPDATE payments SET cart = NULL, holds = '{}'::jsonb WHERE org_id = $1 AND id = ANY($2::uuid[])`,
      [orgId, completed.map((order) => order.paymentId)],
    );
    return written;
  }
}
