import { createHash, randomUUID } from 'node:crypto';
import {
  PAYMENT_HOLD_MINUTES,
  cardRefundAmount,
  cardRefundReads,
  cardRefundReadsAfter,
  cardSaleReads,
  decideCardCompletion,
  decideCardHold,
  decideCardRefund,
  decideRelease,
  failureInWords,
  isOpenPayment,
  nextPaymentStep,
  orderCodeOf,
  updateOf,
  type CardSale,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
  type PaymentSignal,
  type RefundArgs,
  type RowOf,
} from '@janix/domain';
import type {
  CardAvailability,
  CardPaymentState,
  CardRefundInput,
  StartCardPaymentInput,
} from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import { loadRows } from '../sync/table-rows.ts';
import type { TicketKeyStore } from '../tickets/signing-keys.ts';
import { GatewayError, type CardGateway } from './card-gateway.ts';
import {
  lockPayment,
  orgTransaction,
  paymentState,
  type OrgWriter,
  type PaymentRecord,
  type Seller,
  type StoredRefund,
} from './payment-records.ts';

/**
 * Card payments, server side: a till's card sale from its hold to its order, Stripe's reports of it (through
 * the webhooks, webhooks.ts), cancellations, expiry and card refunds. The rules are the domain's
 * (packages/domain card-payments.ts); this module does the I/O around them: the rows they read (locked), the
 * rows they write (through the table writer, at a version of the organization, so every console sees them in
 * the feed), and the calls to Stripe, which are made outside any transaction and carry idempotency keys.
 */

/** A card payment was refused by a rule or by Stripe: `code` for the console, `message` for the cashier. */
export class PaymentRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentRefused';
  }
}

/** Who acts: the signed-in member on an enrolled device of the organization. */
export interface PaymentActor extends Seller {
  orgId: string;
}

/** Stripe acting by itself (a refund made in its dashboard): the audit needs someone; nobody of ours did it. */
const NOBODY = '00000000-0000-0000-0000-000000000000';
const STRIPE: Seller = { userId: NOBODY, userName: 'Stripe', deviceId: NOBODY, deviceName: 'Stripe' };

/** Days an unpaid payment's cart is kept after it ended (see clearStaleCarts). */
export const CART_RETENTION_DAYS = 7;

export interface CardPaymentsConfig {
  /** Null without Stripe keys: card payments are unavailable, for `unavailableReason`. */
  gateway: CardGateway | null;
  unavailableReason: string | null;
  /** Where a Checkout page sends the buyer afterwards (the server's public address). */
  publicUrl: string;
  /** See CompletionHook. */
  completion?: CompletionHook;
}

/**
 * Adds to a paid sale's rows before they are written, in its transaction: the web shop (server/src/web-shop)
 * records what its buyer chose on the form (their consent choices) with the order that makes them a buyer.
 */
export type CompletionHook = (
  client: PoolClient,
  orgId: string,
  payment: RowOf<'payments'>,
  writes: CommandWrite[],
) => Promise<CommandWrite[]>;

export interface CardPaymentsDeps {
  pool: Pool;
  now: () => Date;
  tickets: TicketKeyStore;
  changes: Pick<ChangeNotifier, 'publish'>;
  /** One line, never personal data or Stripe's messages. */
  log: (line: string) => void;
}

/** What a webhook asks of a payment besides its signal: Stripe's ids and the card, as Stripe reported them. */
export interface PaymentFacts {
  paymentIntentId?: string | null;
  card?: { brand: string | null; last4: string | null };
}

export type CardPayments = ReturnType<typeof createCardPayments>;

function sellerOf({ orgId: _orgId, ...seller }: PaymentActor): Seller {
  return seller;
}

function contextFor(orgId: string, seller: Seller, now: Date): CommandContext {
  return {
    orgId,
    where: 'server',
    now,
    actor: seller,
    issueTicket: () => null,
    allows: () => true,
  };
}

/** The cashier's words for a Stripe failure; Stripe's own message never reaches them (or the log). */
function gatewayWords(error: unknown): string {
  if (error instanceof GatewayError && error.kind === 'refused') return failureInWords(error.code);
  return 'Stripe could not be reached: nothing was charged. Try again, or take cash.';
}

/** A UUID of our own derived from a payment (the refund of money that came after its sale was given up). */
function derivedId(label: string, id: string): string {
  const hex = createHash('sha256').update(`${label}:${id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createCardPayments(deps: CardPaymentsDeps, config: CardPaymentsConfig) {
  const { pool, now, log } = deps;

  function gateway(): CardGateway {
    if (!config.gateway) {
      throw new PaymentRefused(
        'card_unavailable',
        config.unavailableReason ?? 'Card payments are not set up.',
      );
    }
    return config.gateway;
  }

  const transact = <T>(orgId: string, work: (tx: OrgWriter) => Promise<T>) =>
    orgTransaction(deps, orgId, work);

  async function readPayment(orgId: string, paymentId: string): Promise<PaymentRecord | null> {
    return inTransaction(pool, { orgId }, (client) => lockPayment(client, { id: paymentId }));
  }

  async function activeReaderOf(
    client: PoolClient,
    deviceId: string,
  ): Promise<{ id: string; label: string; stripeReaderId: string } | null> {
    const result = await client.query<{ id: string; label: string; stripe_reader_id: string }>(
      `SELECT id, label, stripe_reader_id FROM card_readers WHERE device_id = $1 AND status = 'active'`,
      [deviceId],
    );
    const row = result.rows[0];
    return row ? { id: row.id, label: row.label, stripeReaderId: row.stripe_reader_id } : null;
  }

  /** The seats a payment's quotas: rows `decideRelease` needs. */
  async function quotaRows(client: PoolClient, record: PaymentRecord): Promise<LoadedRows> {
    return loadRows(client, [{ table: 'quotas', ids: Object.keys(record.holds) }]);
  }

  /**
   * Applies what Stripe (or the till) said of a payment, by the domain's state machine: forward only, paid
   * once; money that came after the payment ended is attached to its sale if the seats are free, else
   * refunded. Resolves with the payment's state (null for a payment that does not exist).
   */
  async function applySignal(
    orgId: string,
    paymentId: string,
    signal: PaymentSignal,
    updatedBy: string | null,
    facts: PaymentFacts = {},
  ): Promise<{ state: CardPaymentState; outcome: string } | null> {
    const decided = await transact(orgId, async (tx) => {
      const record = await lockPayment(tx.client, { id: paymentId });
      if (!record) return null;
      const { row } = record;
      const known: Partial<RowOf<'payments'>> = {};
      if (facts.paymentIntentId && !row.stripePaymentIntentId)
        known.stripePaymentIntentId = facts.paymentIntentId;
      if (facts.card?.brand && !row.cardBrand) known.cardBrand = facts.card.brand;
      if (facts.card?.last4 && !row.cardLast4) known.cardLast4 = facts.card.last4;
      const payment = { ...row, ...known };
      const step = nextPaymentStep(row.status, signal);
      switch (step.step) {
        case 'ignore': {
          if (Object.keys(known).length) await tx.write([updateOf('payments', row, known)], updatedBy);
          return { outcome: `ignored: ${step.why}`, refund: false };
        }
        case 'advance':
          await tx.write([updateOf('payments', row, { ...known, status: step.status })], updatedBy);
          return { outcome: step.status, refund: false };
        case 'release': {
          const rows = await quotaRows(tx.client, record);
          const writes = decideRelease(rows, payment, record.holds, step);
          await tx.write(writes, updatedBy, { paymentId, holds: {} });
          return { outcome: step.status, refund: false };
        }
        case 'complete':
        case 'late_success': {
          const held = step.step === 'complete' ? record.holds : {};
          const completed = record.cart
            ? await complete(tx.client, orgId, { ...record, row: payment }, held)
            : null;
          if (completed?.ok) {
            await tx.write(completed.value, updatedBy, { paymentId, cart: null, holds: {} });
            return { outcome: step.step === 'complete' ? 'completed' : 'attached late', refund: false };
          }
          // The sale cannot be made (its seats went to others meanwhile): the money goes back, the seats too.
          const reason =
            'Paid after the sale was given up, and its seats were gone: the money goes back to the card.';
          const writes = isOpenPayment(row.status)
            ? decideRelease(await quotaRows(tx.client, record), payment, held, { status: 'failed', reason })
            : [updateOf('payments', row, { ...known, failureReason: reason })];
          await tx.write(writes, updatedBy, { paymentId, holds: {} });
          return { outcome: 'paid too late: refunding', refund: true };
        }
      }
    });
    if (!decided) return null;
    if (decided.refund) return refundUnsold(orgId, paymentId);
    if (decided.outcome === 'declined') await abandonIntent(orgId, paymentId);
    const record = await readPayment(orgId, paymentId);
    return { state: paymentState(record!.row), outcome: decided.outcome };
  }

  /** The order of a paid card sale, by the domain's rule, with tickets the server signs now. */
  async function complete(
    client: PoolClient,
    orgId: string,
    record: PaymentRecord,
    holds: PaymentRecord['holds'],
  ) {
    const cart = record.cart!;
    const rows = await loadRows(
      client,
      cardSaleReads({ paymentId: record.row.id, orderId: record.row.orderId, cart: cart.cart }),
    );
    const issuer = await deps.tickets.createTicketIssuer(client, orgId);
    const at = now();
    const decided = decideCardCompletion(
      rows,
      {
        payment: record.row,
        cart: cart.cart,
        holds,
        at: at.toISOString(),
        card: { brand: record.row.cardBrand, last4: record.row.cardLast4 },
        mint: ({ eventId, ticketTypeId }) => {
          const ticketId = randomUUID();
          return { ticketId, secret: issuer.issueSecretFor({ ticketId, eventId, ticketTypeId }) };
        },
      },
      contextFor(orgId, cart.seller, at),
    );
    if (!decided.ok || !config.completion) return decided;
    return { ok: true as const, value: await config.completion(client, orgId, record.row, decided.value) };
  }

  /**
   * Money that arrived for a sale that could no longer be made goes back to the card in full (idempotent by a
   * refund id derived from the payment). A failure here fails the webhook, so Stripe delivers it again.
   */
  async function refundUnsold(orgId: string, paymentId: string) {
    const record = await readPayment(orgId, paymentId);
    if (!record?.row.stripePaymentIntentId) throw new Error('a payment paid too late has no PaymentIntent');
    await gateway().refund({
      orgId,
      paymentId,
      refundId: derivedId('unsold', paymentId),
      paymentIntentId: record.row.stripePaymentIntentId,
      amountCents: record.row.amountCents,
    });
    return transact(orgId, async (tx) => {
      const locked = (await lockPayment(tx.client, { id: paymentId }))!;
      if (locked.row.status !== 'refunded') {
        await tx.write(
          [updateOf('payments', locked.row, { status: 'refunded', refundedCents: locked.row.amountCents })],
          'Stripe',
          { paymentId, cart: null },
        );
      }
      log(`card payment paid after its sale was given up: refunded in full`);
      return {
        state: paymentState({ ...locked.row, status: 'refunded' }),
        outcome: 'refunded: paid too late',
      };
    });
  }

  /**
   * After a decline on a reader, Stripe's PaymentIntent would take another card: cancelled, so no money can
   * arrive for a sale whose seats went back. Best effort (money that arrives anyway is attached or refunded).
   */
  async function abandonIntent(orgId: string, paymentId: string) {
    const record = await readPayment(orgId, paymentId);
    const paymentIntentId = record?.row.stripePaymentIntentId;
    if (record?.row.kind !== 'terminal' || !paymentIntentId || !config.gateway) return;
    await config.gateway.cancelPaymentIntent({ orgId, paymentId, paymentIntentId }).catch(() => undefined);
  }

  /** Records the PaymentIntent made for a payment (once); resolves with the payment as it is now. */
  async function recordIntent(orgId: string, paymentId: string, paymentIntentId: string, updatedBy: string) {
    return transact(orgId, async (tx) => {
      const { row } = (await lockPayment(tx.client, { id: paymentId }))!;
      if (row.stripePaymentIntentId) return row;
      const write = updateOf('payments', row, { stripePaymentIntentId: paymentIntentId });
      await tx.write([write], updatedBy);
      return { ...row, stripePaymentIntentId: paymentIntentId };
    });
  }

  /** The payment ends before Stripe took any money (Stripe refused or could not be reached). */
  async function endUnstarted(orgId: string, paymentId: string, error: unknown, updatedBy: string) {
    log(
      `card payment could not start: ${error instanceof GatewayError ? `${error.kind} ${error.code ?? ''}` : 'error'}`,
    );
    const ended = await applySignal(
      orgId,
      paymentId,
      { kind: 'failed', reason: gatewayWords(error) },
      updatedBy,
    );
    return ended!.state;
  }

  async function handToReader(
    actor: PaymentActor,
    record: PaymentRecord,
    reader: { stripeReaderId: string },
  ): Promise<CardPaymentState> {
    const ref = { orgId: actor.orgId, paymentId: record.row.id };
    let paymentIntentId = record.row.stripePaymentIntentId;
    if (!paymentIntentId) {
      try {
        ({ paymentIntentId } = await gateway().createTerminalPayment({
          ...ref,
          amountCents: record.row.amountCents,
          currency: record.row.currency,
          description: `Janix order ${orderCodeOf(record.row.orderId)}`,
        }));
      } catch (error) {
        return endUnstarted(actor.orgId, record.row.id, error, actor.deviceName);
      }
      // Recorded before the reader has it: every event about it then finds its payment.
      const recorded = await recordIntent(actor.orgId, record.row.id, paymentIntentId, actor.deviceName);
      if (!isOpenPayment(recorded.status)) {
        // Cancelled (or expired) while Stripe was being asked: the reader must not ask for a card.
        await gateway()
          .cancelPaymentIntent({ ...ref, paymentIntentId })
          .catch(() => 'cancelled' as const);
        return paymentState(recorded);
      }
    }
    try {
      await gateway().processOnReader({ ...ref, stripeReaderId: reader.stripeReaderId, paymentIntentId });
    } catch (error) {
      // The reader never took it: make sure the PaymentIntent cannot be paid some other way, then end.
      const outcome = await gateway()
        .cancelPaymentIntent({ ...ref, paymentIntentId })
        .catch(() => 'cancelled' as const);
      if (outcome === 'succeeded') return paymentState((await readPayment(actor.orgId, record.row.id))!.row);
      return endUnstarted(actor.orgId, record.row.id, error, actor.deviceName);
    }
    const waiting = await applySignal(
      actor.orgId,
      record.row.id,
      { kind: 'waiting_for_card' },
      actor.deviceName,
    );
    return waiting!.state;
  }

  async function openCheckout(actor: PaymentActor, record: PaymentRecord): Promise<CardPaymentState> {
    const cart = record.cart!.cart;
    const names = await inTransaction(pool, { orgId: actor.orgId }, (client) =>
      client.query<{ id: string; name: string; event_name: string }>(
        `SELECT t.id, t.name, e.name AS event_name FROM ticket_types t JOIN events e ON e.org_id = t.org_id AND e.id = t.event_id
         WHERE t.id = ANY($1::uuid[])`,
        [cart.lines.map((line) => line.ticketTypeId)],
      ),
    );
    const nameOf = new Map(names.rows.map((row) => [row.id, `${row.event_name}: ${row.name}`]));
    let session: { sessionId: string; url: string };
    try {
      session = await gateway().createCheckoutSession({
        orgId: actor.orgId,
        paymentId: record.row.id,
        currency: cart.currency,
        lines: cart.lines.map((line) => ({
          name: nameOf.get(line.ticketTypeId) ?? 'Ticket',
          unitAmountCents: line.unitPriceCents,
          quantity: line.quantity,
        })),
        expiresAt: new Date(Date.parse(record.row.expiresAt!)),
        successUrl: `${config.publicUrl}/checkout/done?payment=${record.row.id}`,
        cancelUrl: `${config.publicUrl}/checkout/done?payment=${record.row.id}&cancelled=1`,
      });
    } catch (error) {
      return endUnstarted(actor.orgId, record.row.id, error, actor.deviceName);
    }
    return transact(actor.orgId, async (tx) => {
      const locked = (await lockPayment(tx.client, { id: record.row.id }))!;
      const step = nextPaymentStep(locked.row.status, { kind: 'waiting_for_card' });
      const row = updateOf('payments', locked.row, {
        stripeCheckoutSessionId: session.sessionId,
        checkoutUrl: session.url,
        ...(step.step === 'advance' ? { status: step.status } : {}),
      });
      await tx.write([row], actor.deviceName);
      return paymentState({ ...locked.row, ...(row.row as Partial<RowOf<'payments'>>) });
    });
  }

  /** Ends an open payment at Stripe (reader action, PaymentIntent, Checkout Session), then in our books. */
  async function stop(
    orgId: string,
    record: PaymentRecord,
    ending: { kind: 'cancelled' | 'expired'; reason: string },
    updatedBy: string,
  ): Promise<CardPaymentState> {
    const ref = { orgId, paymentId: record.row.id };
    const { row } = record;
    try {
      if (row.kind === 'terminal') {
        if (row.readerId) {
          const reader = await inTransaction(pool, { orgId }, (client) =>
            client.query<{ stripe_reader_id: string }>(
              'SELECT stripe_reader_id FROM card_readers WHERE id = $1',
              [row.readerId],
            ),
          );
          const stripeReaderId = reader.rows[0]?.stripe_reader_id;
          if (stripeReaderId) await gateway().cancelReaderAction(stripeReaderId);
        }
        if (row.stripePaymentIntentId) {
          const outcome = await gateway().cancelPaymentIntent({
            ...ref,
            paymentIntentId: row.stripePaymentIntentId,
          });
          // Too late: the card was taken. The sale completes now, as Stripe's event will say too.
          if (outcome === 'succeeded') {
            return (await applySignal(orgId, row.id, { kind: 'succeeded' }, updatedBy))!.state;
          }
        }
      } else if (row.stripeCheckoutSessionId) {
        const outcome = await gateway().expireCheckoutSession({
          ...ref,
          sessionId: row.stripeCheckoutSessionId,
        });
        // The buyer paid: the webhook completes the sale.
        if (outcome === 'completed') return paymentState(row);
      }
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      throw new PaymentRefused(
        'stripe_unavailable',
        'Stripe could not be reached to stop the payment: the card may still be taken. Try again in a moment.',
      );
    }
    return (await applySignal(orgId, row.id, ending, updatedBy))!.state;
  }

  /**
   * A payment that ended unpaid keeps its cart (its buyer's name and address, if given) only while money may
   * still arrive for it; a week on, Stripe cancelled or expired its PaymentIntent long ago, and the cart goes.
   */
  async function clearStaleCarts(at: Date): Promise<number> {
    const before = new Date(at.getTime() - CART_RETENTION_DAYS * 24 * 60 * 60_000);
    const stale = await pool.query<{ org_id: string; id: string }>(
      'SELECT org_id, id FROM payments_with_stale_carts($1)',
      [before],
    );
    for (const { org_id: orgId, id } of stale.rows) {
      await transact(orgId, async (tx) => {
        const record = await lockPayment(tx.client, { id });
        if (!record?.cart || isOpenPayment(record.row.status)) return;
        await tx.write([updateOf('payments', record.row)], 'Janix', { paymentId: id, cart: null });
      });
    }
    return stale.rows.length;
  }

  function refundArgs(orderId: string, refund: StoredRefund): RefundArgs {
    return {
      orderId,
      auditId: refund.id,
      action: 'refund',
      reason: refund.reason,
      shiftId: refund.shiftId,
      at: refund.at,
    };
  }

  async function refundRows(client: PoolClient, args: RefundArgs, paymentId: string, ctx: CommandContext) {
    const rows = await loadRows(client, cardRefundReads(args, paymentId, ctx));
    const more = cardRefundReadsAfter(rows, args, ctx);
    return more.length ? loadRows(client, more, rows) : rows;
  }

  /**
   * Records a refund Stripe took (ours, pending): the order refunded by the refund rule when nothing of the
   * payment is left, a partial refund audited otherwise. Idempotent: a refund recorded already is left alone.
   */
  async function settleRefund(
    orgId: string,
    paymentId: string,
    refundId: string,
    stripeRefundId: string | null,
  ): Promise<CardPaymentState> {
    return transact(orgId, async (tx) => {
      const record = (await lockPayment(tx.client, { id: paymentId }))!;
      const refund = record.refunds.find((candidate) => candidate.id === refundId);
      if (!refund || refund.status !== 'pending') return paymentState(record.row);
      const settled = record.refunds.map((candidate) =>
        candidate.id === refundId
          ? {
              ...candidate,
              status: 'succeeded' as const,
              stripeRefundId: stripeRefundId ?? candidate.stripeRefundId,
            }
          : candidate,
      );
      const full = record.row.refundedCents + refund.amountCents >= record.row.amountCents;
      const decide = async (shiftId: string | null) => {
        const args = { ...refundArgs(record.row.orderId, refund), shiftId };
        const ctx = contextFor(orgId, refund.by, now());
        const rows = await refundRows(tx.client, args, paymentId, ctx);
        return decideCardRefund(
          rows,
          { payment: record.row, amountCents: refund.amountCents, full, args },
          ctx,
        );
      };
      // The money went back already: a shift closed since the refund was asked for must not stop the books.
      let decided = await decide(refund.shiftId);
      if (!decided.ok && refund.shiftId) decided = await decide(null);
      const writes = decided.ok
        ? decided.value
        : [
            updateOf('payments', record.row, {
              refundedCents: Math.min(record.row.amountCents, record.row.refundedCents + refund.amountCents),
              status: full ? 'refunded' : 'partially_refunded',
            }),
          ];
      if (!decided.ok) log(`card refund recorded on the payment only: ${decided.code}`);
      await tx.write(writes, refund.by.deviceName, { paymentId, refunds: settled });
      const payment = writes.find((write) => write.table === 'payments')!.row as RowOf<'payments'>;
      return paymentState({ ...record.row, ...payment });
    });
  }

  async function failRefund(orgId: string, paymentId: string, refundId: string, reason: string) {
    await transact(orgId, async (tx) => {
      const record = (await lockPayment(tx.client, { id: paymentId }))!;
      const refunds = record.refunds.map((candidate) =>
        candidate.id === refundId ? { ...candidate, status: 'failed' as const } : candidate,
      );
      await tx.write([updateOf('payments', record.row, { failureReason: reason })], 'Stripe', {
        paymentId,
        refunds,
      });
    });
  }

  return {
    /** Whether this till can take cards, and on which reader (without one: a Checkout link as a QR). */
    async availability(actor: PaymentActor): Promise<CardAvailability> {
      if (!config.gateway) return { available: false, reason: config.unavailableReason, reader: null };
      const reader = await inTransaction(pool, { orgId: actor.orgId }, (client) =>
        activeReaderOf(client, actor.deviceId),
      );
      // Asked of Stripe each time (the till asks every half minute): a reader unplugged shows before a charge.
      const online = reader
        ? await config.gateway.readerStatus(reader.stripeReaderId).then(
            (status) => (status === null ? null : status === 'online'),
            () => null,
          )
        : null;
      return {
        available: true,
        reason: null,
        reader: reader ? { id: reader.id, label: reader.label, online } : null,
      };
    },

    /**
     * Starts a card sale: holds its seats (refused when they are not there), asks Stripe, and answers with the
     * payment's state; the outcome then arrives through the webhooks (and the feed). Charging again with the
     * same payment id answers with that payment, however far it got.
     */
    async start(actor: PaymentActor, input: StartCardPaymentInput): Promise<CardPaymentState> {
      gateway();
      const existing = await readPayment(actor.orgId, input.paymentId);
      if (existing) return paymentState(existing.row);
      const reader =
        input.method === 'reader'
          ? await inTransaction(pool, { orgId: actor.orgId }, (client) =>
              activeReaderOf(client, actor.deviceId),
            )
          : null;
      if (input.method === 'reader' && !reader) {
        throw new PaymentRefused(
          'no_reader',
          'This till has no card reader: show the buyer a payment link (QR) instead, or assign a reader in Settings.',
        );
      }
      const at = now();
      const sale: CardSale = {
        paymentId: input.paymentId,
        orderId: input.orderId,
        kind: reader ? 'terminal' : 'checkout_link',
        cart: input.cart,
        readerId: reader?.id ?? null,
        at: at.toISOString(),
      };
      const expiresAt = new Date(at.getTime() + PAYMENT_HOLD_MINUTES[sale.kind] * 60_000).toISOString();
      const seller = sellerOf(actor);
      const held = await transact(actor.orgId, async (tx) => {
        const rows = await loadRows(tx.client, cardSaleReads(sale));
        // A second click that waited on the first one's locks finds its payment, and leaves it to the first.
        if (rows.payments.has(sale.paymentId)) {
          return { record: await lockPayment(tx.client, { id: sale.paymentId }), created: false };
        }
        const decided = decideCardHold(rows, sale, contextFor(actor.orgId, seller, at), expiresAt);
        if (!decided.ok) throw new PaymentRefused(decided.code, decided.message);
        await tx.write(decided.value.writes, actor.deviceName, {
          paymentId: sale.paymentId,
          cart: { cart: input.cart, seller },
          holds: decided.value.holds,
        });
        return { record: await lockPayment(tx.client, { id: sale.paymentId }), created: true };
      });
      const record = held.record!;
      if (!held.created) return paymentState(record.row);
      return reader ? handToReader(actor, record, reader) : openCheckout(actor, record);
    },

    /**
     * The cashier stops the payment (the buyer walked away), or the web shop does (the buyer came back from
     * Stripe's page without paying); too late if the card was taken already.
     */
    async cancel(
      actor: PaymentActor,
      paymentId: string,
      reason = 'Cancelled at the till.',
    ): Promise<CardPaymentState> {
      gateway();
      const record = await readPayment(actor.orgId, paymentId);
      if (!record) throw new PaymentRefused('not_found', 'This payment was not found.');
      if (!isOpenPayment(record.row.status)) return paymentState(record.row);
      return stop(actor.orgId, record, { kind: 'cancelled', reason }, actor.deviceName);
    },

    async get(actor: Pick<PaymentActor, 'orgId'>, paymentId: string): Promise<CardPaymentState> {
      const record = await readPayment(actor.orgId, paymentId);
      if (!record) throw new PaymentRefused('not_found', 'This payment was not found.');
      return paymentState(record.row);
    },

    /**
     * Gives a card payment's money back through Stripe (idempotent by the console's refund id), then refunds
     * the order by the same rule as a cash refund (or audits a partial refund). Nothing moves when the rule
     * would refuse; more than is left of the payment is refused.
     */
    async refund(actor: PaymentActor, input: CardRefundInput): Promise<CardPaymentState> {
      gateway();
      const at = now();
      const by = sellerOf(actor);
      const reserved = await transact(actor.orgId, async (tx) => {
        const record = await lockPayment(tx.client, { orderId: input.orderId });
        if (!record || !record.row.stripePaymentIntentId) {
          throw new PaymentRefused('not_found', 'This order was not paid by card through Janix.');
        }
        const earlier = record.refunds.find((refund) => refund.id === input.refundId);
        if (earlier) return { record, refund: earlier };
        const inFlight = record.refunds
          .filter((refund) => refund.status === 'pending')
          .reduce((sum, refund) => sum + refund.amountCents, 0);
        const amount = cardRefundAmount(record.row, inFlight, input.amountCents);
        if (!amount.ok) throw new PaymentRefused(amount.code, amount.message);
        const refund: StoredRefund = {
          id: input.refundId,
          amountCents: amount.value.amountCents,
          status: 'pending',
          stripeRefundId: null,
          reason: input.reason,
          shiftId: input.shiftId,
          by,
          at: at.toISOString(),
        };
        // The rule must accept the refund before any money moves.
        const args = refundArgs(record.row.orderId, refund);
        const ctx = contextFor(actor.orgId, by, at);
        const rows = await refundRows(tx.client, args, record.row.id, ctx);
        const dryRun = decideCardRefund(rows, { payment: record.row, ...amount.value, args }, ctx);
        if (!dryRun.ok) throw new PaymentRefused(dryRun.code, dryRun.message);
        await tx.write([updateOf('payments', record.row)], actor.deviceName, {
          paymentId: record.row.id,
          refunds: [...record.refunds, refund],
        });
        return { record, refund };
      });
      const { record, refund } = reserved;
      if (refund.status === 'succeeded')
        return paymentState((await readPayment(actor.orgId, record.row.id))!.row);
      if (refund.status === 'failed') {
        throw new PaymentRefused('refund_failed', 'Stripe refused this refund. Nothing was given back.');
      }
      let taken: { stripeRefundId: string; status: string };
      try {
        taken = await gateway().refund({
          orgId: actor.orgId,
          paymentId: record.row.id,
          refundId: refund.id,
          paymentIntentId: record.row.stripePaymentIntentId!,
          amountCents: refund.amountCents,
        });
      } catch (error) {
        if (error instanceof GatewayError && error.kind === 'refused') {
          await failRefund(
            actor.orgId,
            record.row.id,
            refund.id,
            'Stripe refused a refund: nothing was given back.',
          );
          throw new PaymentRefused(
            'refund_failed',
            `Stripe refused this refund: ${failureInWords(error.code)}`,
          );
        }
        // Stripe may have taken it: the same refund id asks again (Stripe answers the same) and the
        // webhooks settle it meanwhile.
        throw new PaymentRefused('stripe_unavailable', 'Stripe could not be reached. Try the refund again.');
      }
      if (taken.status === 'failed' || taken.status === 'canceled') {
        await failRefund(
          actor.orgId,
          record.row.id,
          refund.id,
          'Stripe refused a refund: nothing was given back.',
        );
        throw new PaymentRefused('refund_failed', 'Stripe refused this refund. Nothing was given back.');
      }
      return settleRefund(actor.orgId, record.row.id, refund.id, taken.stripeRefundId);
    },

    /** Ends the open payments whose time is up, at Stripe and in our books (the expiry job). */
    async expireDue(): Promise<{ expired: number; cartsCleared: number }> {
      const at = now();
      const due = await pool.query<{ org_id: string; id: string }>(
        'SELECT org_id, id FROM open_payments_due($1)',
        [at],
      );
      let expired = 0;
      for (const { org_id: orgId, id } of due.rows) {
        try {
          const record = await readPayment(orgId, id);
          if (!record || !isOpenPayment(record.row.status)) continue;
          const state = await stop(
            orgId,
            record,
            { kind: 'expired', reason: 'Nobody paid in time: the seats went back.' },
            'Janix',
          );
          if (state.status === 'expired') expired += 1;
        } catch (error) {
          // Stripe unreachable: the next run tries again; the payment holds its seats until then.
          log(`expiring a card payment failed: ${(error as Error).name}`);
        }
      }
      return { expired, cartsCleared: await clearStaleCarts(at) };
    },

    applySignal,
    settleRefund,
    failRefund,

    /** A refund Stripe reports (a pending one of ours, or one made in Stripe's dashboard). */
    async reconcileRefunded(
      orgId: string,
      paymentId: string,
      refunded: {
        totalRefundedCents: number;
        refundIds: Array<{ stripeRefundId: string; janixRefundId: string | null }>;
      },
    ): Promise<string> {
      const record = await readPayment(orgId, paymentId);
      if (!record) return 'ignored: unknown payment';
      for (const { stripeRefundId, janixRefundId } of refunded.refundIds) {
        const ours = record.refunds.find(
          (refund) => refund.id === janixRefundId || refund.stripeRefundId === stripeRefundId,
        );
        if (ours?.status === 'pending') await settleRefund(orgId, paymentId, ours.id, stripeRefundId);
      }
      const after = (await readPayment(orgId, paymentId))!;
      const known =
        after.row.refundedCents +
        after.refunds
          .filter((refund) => refund.status === 'pending')
          .reduce((sum, refund) => sum + refund.amountCents, 0);
      const extra = refunded.totalRefundedCents - known;
      if (extra <= 0 || after.row.status === 'refunded') return 'refunds up to date';
      if (!['succeeded', 'partially_refunded'].includes(after.row.status))
        return 'ignored: not a paid payment';
      // A refund made outside Janix (Stripe's dashboard): recorded as Stripe's, by the same rule.
      const refundId = derivedId(`stripe-refund:${refunded.totalRefundedCents}`, paymentId);
      const outside: StoredRefund = {
        id: refundId,
        amountCents: Math.min(extra, after.row.amountCents - after.row.refundedCents),
        status: 'pending',
        stripeRefundId: null,
        reason: 'Refunded in Stripe',
        shiftId: null,
        by: STRIPE,
        at: now().toISOString(),
      };
      await transact(orgId, async (tx) => {
        const locked = (await lockPayment(tx.client, { id: paymentId }))!;
        if (locked.refunds.some((refund) => refund.id === refundId)) return;
        await tx.write([updateOf('payments', locked.row)], 'Stripe', {
          paymentId,
          refunds: [...locked.refunds, outside],
        });
      });
      await settleRefund(orgId, paymentId, refundId, null);
      return 'refund made in Stripe recorded';
    },
  };
}
