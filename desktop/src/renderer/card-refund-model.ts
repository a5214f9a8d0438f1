// Refunding a card order from the order screen, as data: whether it may be offered and why not, the amount
// and reason the cashier gives, and the sentence they confirm. The money goes back through Stripe, so the
// server has the last word (it refuses more than is left); this keeps the screen from offering the impossible.
import { cardText } from '@janix/domain';
import { checkUndoReason } from './refund-form-model.ts';
import { formatMoney, parseMoneyInput } from './money.ts';

export const CARD_REFUND_NEEDS_NETWORK =
  'Card refunds need the network: the money goes back through Stripe. Try again when the console is online.';

/** The card payment behind an order, as the order screen reads it from the replica. */
export interface OrderCardPayment {
  status: string;
  amountCents: number;
  refundedCents: number;
  currency: string;
  cardBrand: string | null;
  cardLast4: string | null;
}

export type CardRefundOffer = { refundable: true; leftCents: number } | { refundable: false; note: string };

export function cardRefundOffer(input: {
  canRefund: boolean;
  online: boolean;
  orderStatus: string;
  payment: OrderCardPayment | null;
}): CardRefundOffer {
  const { payment } = input;
  if (!input.canRefund) return { refundable: false, note: 'Your role cannot refund card payments.' };
  if (input.orderStatus === 'refunded' || payment?.status === 'refunded') {
    return { refundable: false, note: 'This card payment was refunded.' };
  }
  if (input.orderStatus === 'void') return { refundable: false, note: 'This order was voided.' };
  if (!payment) {
    return {
      refundable: false,
      note: 'This order’s card payment has not reached this console yet: sync, then try again.',
    };
  }
  const leftCents = payment.amountCents - payment.refundedCents;
  if (leftCents <= 0) return { refundable: false, note: 'All of this card payment has been refunded.' };
  if (!input.online) return { refundable: false, note: CARD_REFUND_NEEDS_NETWORK };
  return { refundable: true, leftCents };
}

export interface CardRefundForm {
  /** Empty: all that is left of the payment. */
  amount: string;
  reason: string;
}

export type CardRefundCheck =
  | { ok: true; amountCents: number | undefined; reason: string }
  | { ok: false; errors: { amount?: string; reason?: string } };

export function checkCardRefund(form: CardRefundForm, leftCents: number, currency: string): CardRefundCheck {
  const errors: { amount?: string; reason?: string } = {};
  let amountCents: number | undefined;
  if (form.amount.trim() !== '') {
    const parsed = parseMoneyInput(form.amount, currency);
    if (parsed === null)
      errors.amount = 'Enter an amount, e.g. 10 or 12.50, or leave it empty for all of it.';
    else if (parsed === 0) errors.amount = 'A refund must be more than zero.';
    else if (parsed > leftCents) {
      errors.amount = `At most ${formatMoney(leftCents, currency)} is left to refund on this card.`;
    } else if (parsed < leftCents) amountCents = parsed;
    // The whole of what is left is sent as "all of it": the server then refunds the order itself.
  }
  const reason = checkUndoReason(form.reason);
  if (!reason.ok) errors.reason = reason.error;
  if (errors.amount || !reason.ok) return { ok: false, errors };
  return { ok: true, amountCents, reason: reason.reason };
}

/** What the cashier confirms, in words: how much goes back to which card, and what happens to the tickets. */
export function cardRefundConfirmText(
  amountCents: number | undefined,
  leftCents: number,
  payment: Pick<OrderCardPayment, 'currency' | 'cardBrand' | 'cardLast4'>,
): string {
  const card = cardText(payment.cardBrand, payment.cardLast4) ?? 'the card';
  const amount = formatMoney(amountCents ?? leftCents, payment.currency);
  if (amountCents === undefined) {
    return `Give back ${amount} to ${card} through Stripe: the order is refunded and its tickets stop admitting anyone.`;
  }
  return `Give back ${amount} of the ${formatMoney(leftCents, payment.currency)} left to ${card} through Stripe: the order stays paid and its tickets stay valid.`;
}

/** The answer once Stripe took the refund. */
export function cardRefundDoneText(
  refundedNowCents: number,
  payment: Pick<OrderCardPayment, 'currency' | 'status' | 'amountCents' | 'refundedCents'>,
): string {
  const given = `${formatMoney(refundedNowCents, payment.currency)} is on its way back to the card.`;
  const left = payment.amountCents - payment.refundedCents;
  return left > 0 ? `${given} ${formatMoney(left, payment.currency)} is left on the payment.` : given;
}
