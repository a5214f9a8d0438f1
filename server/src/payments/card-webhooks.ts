import { z } from 'zod';
import { failureInWords, type PaymentSignal } from '@janix/domain';
import { uuidSchema } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';
import type { CardPayments, PaymentFacts } from './card-payments.ts';
import { lockPayment } from './payment-records.ts';
import { cardOfCharge } from './stripe-gateway.ts';
import type { StripeEvent, StripeEventHandler } from './webhooks.ts';

/**
 * What Stripe's events say about card payments (a reader at the till, a Checkout link, the web shop's Checkout
 * once it exists), turned into signals of the payment state machine. Each object is checked with zod; only
 * its ids, statuses, codes and the card's brand and last four digits are read.
 */

const metadataSchema = z
  .record(z.string(), z.string())
  .nullish()
  .transform((metadata) => ({
    orgId: uuidSchema.safeParse(metadata?.janix_org_id).data ?? null,
    paymentId: uuidSchema.safeParse(metadata?.janix_payment_id).data ?? null,
    refundId: uuidSchema.safeParse(metadata?.janix_refund_id).data ?? null,
  }));

const intentSchema = z.object({
  id: z.string().regex(/^pi_/),
  metadata: metadataSchema,
  last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish() }).nullish(),
});

const cardDetailsSchema = z.object({ brand: z.string().nullish(), last4: z.string().nullish() }).nullish();
const chargeSchema = z.object({
  id: z.string(),
  payment_intent: z.string().nullish(),
  amount_refunded: z.number().int().nonnegative().default(0),
  metadata: metadataSchema,
  payment_method_details: z.object({ card_present: cardDetailsSchema, card: cardDetailsSchema }).nullish(),
});

const sessionSchema = z.object({
  id: z.string().regex(/^cs_/),
  payment_intent: z.string().nullish(),
  payment_status: z.string().nullish(),
  metadata: metadataSchema,
});

const readerSchema = z.object({
  id: z.string(),
  action: z
    .object({
      status: z.string().nullish(),
      failure_code: z.string().nullish(),
      process_payment_intent: z.object({ payment_intent: z.string() }).nullish(),
    })
    .nullish(),
});

const refundSchema = z.object({
  id: z.string().regex(/^re_/),
  payment_intent: z.string().nullish(),
  status: z.string().nullish(),
  failure_reason: z.string().nullish(),
  metadata: metadataSchema,
});

/** Stripe's refund failure reason (a code such as expired_or_canceled_card) in a sentence for the console. */
function refundFailureInWords(code: string | null | undefined): string {
  const why = code && /^[a-z_]{1,60}$/.test(code) ? ` (${code.replaceAll('_', ' ')})` : '';
  return `A refund failed at Stripe${why}: the money did not go back to the card.`;
}

type Located = { orgId: string; paymentId: string } | { ignored: string };

/**
 * The payment a Stripe object belongs to: by its Stripe id (recorded when it was made), else by the ids our
 * metadata carries, for a PaymentIntent Stripe made itself (a Checkout's) that no payment names yet. An
 * object of no payment, or one whose metadata names another organization or payment, is left alone.
 */
async function locate(
  pool: Pool,
  stripeId: string | null | undefined,
  metadata: { orgId: string | null; paymentId: string | null },
): Promise<Located> {
  if (stripeId) {
    const found = await pool.query<{ org_id: string; id: string }>(
      'SELECT org_id, id FROM payment_for_stripe_object($1)',
      [stripeId],
    );
    const row = found.rows[0];
    if (row) {
      if (
        (metadata.orgId && metadata.orgId !== row.org_id) ||
        (metadata.paymentId && metadata.paymentId !== row.id)
      ) {
        return { ignored: "ignored: the object's metadata names another payment" };
      }
      return { orgId: row.org_id, paymentId: row.id };
    }
  }
  if (!metadata.orgId || !metadata.paymentId) return { ignored: 'ignored: no payment of ours' };
  const { orgId, paymentId } = metadata;
  const record = await inTransaction(pool, { orgId }, (client) => lockPayment(client, { id: paymentId }));
  if (!record) return { ignored: 'ignored: no payment of ours' };
  // A payment that has its PaymentIntent already is named by it; this object is another one's.
  if (stripeId?.startsWith('pi_') && record.row.stripePaymentIntentId) {
    return { ignored: "ignored: the object's metadata names another payment" };
  }
  return { orgId, paymentId };
}

export function cardPaymentWebhooks(pool: Pool, payments: CardPayments): Record<string, StripeEventHandler> {
  async function signal(located: Located, what: PaymentSignal, facts: PaymentFacts = {}): Promise<string> {
    if ('ignored' in located) return located.ignored;
    const applied = await payments.applySignal(located.orgId, located.paymentId, what, 'Stripe', facts);
    return applied?.outcome ?? 'ignored: no payment of ours';
  }

  /** The kind of a located payment: a decline on Checkout lets the buyer try another card, on a reader not. */
  async function kindOf(located: Located): Promise<string | null> {
    if ('ignored' in located) return null;
    const record = await inTransaction(pool, { orgId: located.orgId }, (client) =>
      lockPayment(client, { id: located.paymentId }),
    );
    return record?.row.kind ?? null;
  }

  const intent =
    (handle: (object: z.infer<typeof intentSchema>, located: Located) => Promise<string>) =>
    async (event: StripeEvent) => {
      const object = intentSchema.parse(event.data.object);
      return handle(object, await locate(pool, object.id, object.metadata));
    };

  const session =
    (what: (object: z.infer<typeof sessionSchema>) => PaymentSignal) => async (event: StripeEvent) => {
      const object = sessionSchema.parse(event.data.object);
      const located = await locate(pool, object.id, object.metadata);
      return signal(located, what(object), { paymentIntentId: object.payment_intent ?? null });
    };

  return {
    'payment_intent.processing': intent((object, located) =>
      signal(located, { kind: 'processing' }, { paymentIntentId: object.id }),
    ),
    'payment_intent.succeeded': intent((object, located) =>
      signal(located, { kind: 'succeeded' }, { paymentIntentId: object.id }),
    ),
    'payment_intent.payment_failed': intent(async (object, located) => {
      // On a Checkout page the buyer may try another card until the session expires.
      if ((await kindOf(located)) !== 'terminal') return 'ignored: the buyer may try again on the page';
      const code = object.last_payment_error?.decline_code ?? object.last_payment_error?.code;
      return signal(
        located,
        { kind: 'declined', reason: failureInWords(code) },
        { paymentIntentId: object.id },
      );
    }),
    'payment_intent.canceled': intent((object, located) =>
      signal(
        located,
        { kind: 'cancelled', reason: 'The payment was cancelled.' },
        { paymentIntentId: object.id },
      ),
    ),

    // The card's brand and last four digits come with the charge; its refunds are reconciled from it too.
    'charge.succeeded': async (event) => {
      const charge = chargeSchema.parse(event.data.object);
      const located = await locate(pool, charge.payment_intent, charge.metadata);
      return signal(
        located,
        { kind: 'processing' },
        {
          paymentIntentId: charge.payment_intent ?? null,
          card: cardOfCharge(charge),
        },
      );
    },
    'charge.refunded': async (event) => {
      const charge = chargeSchema.parse(event.data.object);
      const located = await locate(pool, charge.payment_intent, charge.metadata);
      if ('ignored' in located) return located.ignored;
      return payments.reconcileRefunded(located.orgId, located.paymentId, {
        totalRefundedCents: charge.amount_refunded,
        refundIds: [],
      });
    },
    'refund.created': refundEvent,
    'refund.updated': refundEvent,
    'refund.failed': refundEvent,

    // The reader's own reports: a failed action (declined, timed out, cancelled on the reader) ends the
    // payment; its success is the PaymentIntent's, which says so itself.
    'terminal.reader.action_failed': async (event) => {
      const reader = readerSchema.parse(event.data.object);
      const intentId = reader.action?.process_payment_intent?.payment_intent;
      if (!intentId) return 'ignored: not a payment on the reader';
      const located = await locate(pool, intentId, { orgId: null, paymentId: null });
      return signal(located, { kind: 'declined', reason: failureInWords(reader.action?.failure_code) });
    },
    'terminal.reader.action_succeeded': async (event) => {
      const reader = readerSchema.parse(event.data.object);
      const intentId = reader.action?.process_payment_intent?.payment_intent;
      if (!intentId) return 'ignored: not a payment on the reader';
      return signal(await locate(pool, intentId, { orgId: null, paymentId: null }), { kind: 'processing' });
    },

    'checkout.session.completed': session((object) =>
      object.payment_status === 'paid' ? { kind: 'succeeded' } : { kind: 'processing' },
    ),
    'checkout.session.async_payment_succeeded': session(() => ({ kind: 'succeeded' })),
    'checkout.session.async_payment_failed': session(() => ({
      kind: 'declined',
      reason: 'The payment did not go through.',
    })),
    'checkout.session.expired': session(() => ({
      kind: 'expired',
      reason: 'The payment link expired: the seats went back.',
    })),
  };

  async function refundEvent(event: StripeEvent): Promise<string> {
    const refund = refundSchema.parse(event.data.object);
    const located = await locate(pool, refund.payment_intent, {
      orgId: refund.metadata.orgId,
      paymentId: refund.metadata.paymentId,
    });
    if ('ignored' in located) return located.ignored;
    if (refund.status === 'succeeded') {
      return payments.reconcileRefunded(located.orgId, located.paymentId, {
        totalRefundedCents: 0,
        refundIds: [{ stripeRefundId: refund.id, janixRefundId: refund.metadata.refundId }],
      });
    }
    if ((refund.status === 'failed' || refund.status === 'canceled') && refund.metadata.refundId) {
      await payments.failRefund(
        located.orgId,
        located.paymentId,
        refund.metadata.refundId,
        refundFailureInWords(refund.failure_reason),
      );
      return 'refund failed';
    }
    return `ignored: refund ${refund.status ?? 'unknown'}`;
  }
}
