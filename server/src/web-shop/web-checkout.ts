import { randomUUID } from 'node:crypto';
import {
  PAYMENT_HOLD_MINUTES,
  cardSaleReads,
  decideCardHold,
  isOpenPayment,
  nextPaymentStep,
  updateOf,
  type CardSale,
  type CommandContext,
} from '@janix/domain';
import type { Buyer, CardCart } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';
import { GatewayError } from '../payments/card-gateway.ts';
import type { PaymentServices } from '../payments/payment-services.ts';
import { lockPayment, orgTransaction, type OrgWriter, type Seller } from '../payments/payment-records.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import { loadRows } from '../sync/table-rows.ts';

/**
 * The web shop's sale: a buyer's cart holds its seats exactly as a card sale at the till does (the domain's
 * decideCardHold, kind 'web_checkout': online channel, no till and no shift), then the buyer pays on a Stripe
 * Checkout page made for that payment. From there on the payment is the card payment code's
 * (server/src/payments): Stripe's webhooks complete it into the order with signed tickets and the buyer, or
 * give its seats back; consent-choices.ts adds the buyer's consent choices to that order's transaction.
 */

/** The privacy policy the checkout form shows and the consent choices are given under. */
export const PRIVACY_POLICY_VERSION = '2026-02-04';

/** Nobody of the organization sells in the web shop: its rows name the shop. */
const WEB_SHOP_ID = '00000000-0000-0000-0000-000000000000';
export const WEB_SHOP: Seller = {
  userId: WEB_SHOP_ID,
  userName: 'Web shop',
  deviceId: WEB_SHOP_ID,
  deviceName: 'Web shop',
};

export interface ConsentChoices {
  /** Emails about the organizer's future events. */
  marketing: boolean;
  /** The hashed email in ad audiences and remarketing (Meta, Google). */
  ads: boolean;
  /** The profile enriched with public professional information (Apollo.io, Exa.ai). */
  enrichment: boolean;
}

export interface WebCheckoutRequest {
  eventId: string;
  /** Made when the form was shown: submitting it twice is one payment (and one Checkout Session). */
  attemptId: string;
  currency: string;
  lines: CardCart['lines'];
  buyer: Buyer;
  consent: ConsentChoices;
}

export type StartOutcome =
  | { ok: true; checkoutUrl: string }
  /** Already paid (the form sent again after paying): the page that says how the order stands. */
  | { ok: true; paidPaymentId: string }
  | { ok: false; code: string; message: string };

export interface WebCheckoutDeps {
  pool: Pool;
  now: () => Date;
  changes: Pick<ChangeNotifier, 'publish'>;
  payments: Pick<PaymentServices, 'cards' | 'gateway' | 'publicUrl'>;
}

function contextAt(orgId: string, now: Date): CommandContext {
  return { orgId, where: 'server', now, actor: WEB_SHOP, issueTicket: () => null, allows: () => true };
}

const refused = (code: string, message: string): StartOutcome => ({ ok: false, code, message });

/** What the buyer is told when Stripe cannot make the page: nothing was charged and nothing stays held. */
const STRIPE_DOWN =
  'The payment page could not be opened just now. Nothing was charged and no seats are held: please try again in a moment.';

export function createWebCheckout(deps: WebCheckoutDeps) {
  const { pool, now, payments } = deps;
  const transact = <T>(orgId: string, work: (tx: OrgWriter) => Promise<T>) =>
    orgTransaction({ pool, now, changes: deps.changes }, orgId, work);

  /**
   * Holds the cart's seats and records the payment and the buyer's choices, in one transaction: refused (and
   * nothing held) when the domain refuses the sale. A form sent again finds the payment it made before.
   */
  async function hold(orgId: string, request: WebCheckoutRequest) {
    const at = now();
    const sale: CardSale = {
      paymentId: request.attemptId,
      orderId: randomUUID(),
      kind: 'web_checkout',
      cart: {
        eventId: request.eventId,
        shiftId: null,
        currency: request.currency,
        lines: request.lines,
        buyer: request.buyer,
      },
      readerId: null,
      at: at.toISOString(),
    };
    const expiresAt = new Date(at.getTime() + PAYMENT_HOLD_MINUTES.web_checkout * 60_000);
    return transact(orgId, async (tx) => {
      // Locks the event's rows: two sends of one form run one after the other, and the second finds the first.
      const rows = await loadRows(tx.client, cardSaleReads(sale));
      const names = new Map(
        [...rows.ticket_types.values()].map((type) => [
          type.id,
          `${rows.events.get(request.eventId)?.name ?? 'Event'}: ${type.name}`,
        ]),
      );
      if (rows.payments.has(sale.paymentId)) {
        const earlier = (await lockPayment(tx.client, { id: sale.paymentId }))!;
        if (earlier.row.kind !== 'web_checkout' || earlier.row.eventId !== request.eventId) {
          return {
            refused: refused('form_used', 'This form was already used. Please choose your tickets again.'),
          };
        }
        return { payment: earlier.row, names, created: false };
      }
      const decided = decideCardHold(rows, sale, contextAt(orgId, at), expiresAt.toISOString());
      if (!decided.ok) return { refused: refused(decided.code, decided.message) };
      await tx.write(decided.value.writes, WEB_SHOP.deviceName, {
        paymentId: sale.paymentId,
        cart: { cart: sale.cart, seller: WEB_SHOP },
        holds: decided.value.holds,
      });
      await tx.client.query(
        `INSERT INTO web_checkouts (org_id, payment_id, event_id, marketing_consent, ads_consent,
           enrichment_consent, policy_version, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          orgId,
          sale.paymentId,
          request.eventId,
          request.consent.marketing,
          request.consent.ads,
          request.consent.enrichment,
          PRIVACY_POLICY_VERSION,
          at,
        ],
      );
      const payment = (await lockPayment(tx.client, { id: sale.paymentId }))!.row;
      return { payment, names, created: true };
    });
  }

  /** How a web payment stands, for the page Stripe sends the buyer back to (null: not one of this event). */
  async function status(orgId: string, eventId: string, paymentId: string) {
    return inTransaction(pool, { orgId }, async (client) => {
      const found = await client.query<{
        status: string;
        kind: string;
        event_id: string;
        code: string | null;
      }>(
        `SELECT p.status, p.kind, p.event_id, o.code FROM payments p
         LEFT JOIN orders o ON o.org_id = p.org_id AND o.id = p.order_id WHERE p.id = $1`,
        [paymentId],
      );
      const payment = found.rows[0];
      if (!payment || payment.kind !== 'web_checkout' || payment.event_id !== eventId) return null;
      return { status: payment.status, orderCode: payment.code };
    });
  }

  /** Records the Checkout Session on its payment; false when the payment ended meanwhile. */
  async function recordSession(
    orgId: string,
    paymentId: string,
    session: { sessionId: string; url: string },
  ) {
    return transact(orgId, async (tx) => {
      const { row } = (await lockPayment(tx.client, { id: paymentId }))!;
      if (!isOpenPayment(row.status)) return false;
      if (row.stripeCheckoutSessionId === session.sessionId && row.checkoutUrl === session.url) return true;
      const step = nextPaymentStep(row.status, { kind: 'waiting_for_card' });
      await tx.write(
        [
          updateOf('payments', row, {
            stripeCheckoutSessionId: session.sessionId,
            checkoutUrl: session.url,
            ...(step.step === 'advance' ? { status: step.status } : {}),
          }),
        ],
        WEB_SHOP.deviceName,
      );
      return true;
    });
  }

  return {
    /**
     * Holds the seats and opens the Stripe Checkout page for them (its idempotency key is our payment's id, so
     * a form sent twice, or a retry after a lost answer, is one page at Stripe).
     */
    async start(orgId: string, request: WebCheckoutRequest): Promise<StartOutcome> {
      const gateway = payments.gateway;
      if (!gateway) {
        return refused(
          'card_unavailable',
          'Online sales are not open on this server (card payments are not set up). Tickets are sold at the box office.',
        );
      }
      const held = await hold(orgId, request);
      if ('refused' in held) return held.refused!;
      const { payment, names } = held;
      if (['succeeded', 'partially_refunded', 'refunded'].includes(payment.status)) {
        return { ok: true, paidPaymentId: payment.id };
      }
      if (!isOpenPayment(payment.status)) {
        return refused(
          'checkout_ended',
          'This checkout ended before it was paid, and its seats went back. Please choose your tickets again.',
        );
      }
      if (payment.checkoutUrl) return { ok: true, checkoutUrl: payment.checkoutUrl };
      const pages = `${payments.publicUrl}/shop/${request.eventId}`;
      let session: { sessionId: string; url: string };
      try {
        session = await gateway.createCheckoutSession({
          orgId,
          paymentId: payment.id,
          currency: request.currency,
          lines: request.lines.map((line) => ({
            name: names.get(line.ticketTypeId) ?? 'Ticket',
            unitAmountCents: line.unitPriceCents,
            quantity: line.quantity,
          })),
          expiresAt: new Date(Date.parse(payment.expiresAt!)),
          successUrl: `${pages}/done?payment=${payment.id}`,
          cancelUrl: `${pages}/done?payment=${payment.id}&cancelled=1`,
        });
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        // Only when this request made the hold: a repeated send must not end the first one's payment.
        if (held.created) {
          await payments.cards.applySignal(
            orgId,
            payment.id,
            { kind: 'failed', reason: 'Stripe could not open the payment page: nothing was charged.' },
            WEB_SHOP.deviceName,
          );
        }
        return refused('stripe_unavailable', STRIPE_DOWN);
      }
      if (!(await recordSession(orgId, payment.id, session))) {
        await gateway
          .expireCheckoutSession({ orgId, paymentId: payment.id, sessionId: session.sessionId })
          .catch(() => 'expired' as const);
        return refused(
          'checkout_ended',
          'This checkout ended before it was paid, and its seats went back. Please choose your tickets again.',
        );
      }
      return { ok: true, checkoutUrl: session.url };
    },

    /**
     * The buyer came back from Stripe's page without paying: the Checkout Session is expired at Stripe and the
     * seats go back on sale now rather than when the hold ends. A session paid meanwhile (in another tab) is
     * left to its webhook. The payment's status after, or null when it is not one of this event's.
     */
    async abandon(orgId: string, eventId: string, paymentId: string): Promise<string | null> {
      const found = await status(orgId, eventId, paymentId);
      if (!found) return null;
      const state = await payments.cards.cancel(
        { ...WEB_SHOP, orgId },
        paymentId,
        'The buyer left the payment page.',
      );
      return state.status;
    },

    status,
  };
}

export type WebCheckout = ReturnType<typeof createWebCheckout>;
