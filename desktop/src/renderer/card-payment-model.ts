// Card payments at the till, as data: whether the card method may be offered and why not, and what a card
// payment's state reads as while the cashier and the buyer watch it. The state comes from the server (the
// replicated `payments` row); nothing of a card is shown but its brand and last four digits.
import QRCode from 'qrcode';
import { cardText } from '@janix/domain';
import { formatMoney } from './money.ts';

/** Said wherever a card payment is asked for without a network: the box office goes on in other ways. */
export const CARD_NEEDS_NETWORK = 'Card payments need the network: take cash or use the external terminal.';

/** What the core answers when asked whether this till can take cards. */
export interface CardAvailabilityView {
  available: boolean;
  reason: string | null;
  /** `online`: whether Stripe sees the reader connected (null or absent: it could not say). */
  reader: { id: string; label: string; online?: boolean | null } | null;
}

export type CardOffer =
  | { usable: true; method: 'reader'; readerLabel: string; note: string }
  | { usable: true; method: 'checkout_link'; readerLabel: null; note: string }
  | { usable: false; reason: string };

/**
 * Whether the card method can be chosen now, and how it charges: on this till's reader, or as a payment link
 * the buyer opens on their phone where no reader is assigned. Offline (the console's own view, or the core
 * saying the server is out of reach) wins over anything the server said before.
 */
export function cardOffer(input: {
  online: boolean;
  availability: CardAvailabilityView | undefined;
  /** The core could not say: its message, and whether that is because the server is out of reach. */
  failure?: { message: string; unreachable: boolean } | null;
}): CardOffer {
  if (!input.online || input.failure?.unreachable) return { usable: false, reason: CARD_NEEDS_NETWORK };
  if (input.failure) return { usable: false, reason: input.failure.message };
  const availability = input.availability;
  if (!availability) return { usable: false, reason: 'Checking whether this till can take cards…' };
  if (!availability.available) {
    return { usable: false, reason: availability.reason ?? 'Card payments are not available.' };
  }
  if (availability.reader) {
    const { label, online } = availability.reader;
    // Still offered: Stripe's view may lag a reader that just came back, and a charge it cannot reach is
    // refused with the reason before anything is held.
    return {
      usable: true,
      method: 'reader',
      readerLabel: label,
      note:
        online === false
          ? `The reader “${label}” is offline for Stripe: check its power and network, or take cash.`
          : `On the reader “${label}”.`,
    };
  }
  return {
    usable: true,
    method: 'checkout_link',
    readerLabel: null,
    note: 'No card reader is assigned to this till: the buyer pays on their phone from a QR code.',
  };
}

/** A card payment as `payments.get` (or the replicated row) gives it. */
export interface CardPaymentView {
  kind: string;
  status: string;
  amountCents: number;
  currency: string;
  refundedCents: number;
  cardBrand: string | null;
  cardLast4: string | null;
  failureReason: string | null;
}

/** Where a payment is, for the screen: still running, paid, or ended without money. */
export type CardPaymentPhase = 'open' | 'paid' | 'unpaid';

export function cardPaymentPhase(status: string): CardPaymentPhase {
  if (status === 'pending' || status === 'waiting_for_card' || status === 'processing') return 'open';
  if (status === 'succeeded' || status === 'partially_refunded' || status === 'refunded') return 'paid';
  return 'unpaid';
}

export type CardStateTone = 'waiting' | 'busy' | 'paid' | 'stopped';

export interface CardStateText {
  headline: string;
  detail: string;
  tone: CardStateTone;
  phase: CardPaymentPhase;
  /** The buyer has not presented a card yet: the cashier may still stop it. */
  canCancel: boolean;
}

/** What the till shows, large, for a card payment's state. */
export function cardStateText(payment: CardPaymentView, readerLabel: string | null = null): CardStateText {
  const amount = formatMoney(payment.amountCents, payment.currency);
  const phase = cardPaymentPhase(payment.status);
  const onPhone = payment.kind !== 'terminal';
  const base = { phase, canCancel: false };
  switch (payment.status) {
    case 'pending':
      return {
        ...base,
        headline: onPhone ? 'Making the payment link…' : 'Sending the amount to the reader…',
        detail: `${amount} to pay.`,
        tone: 'busy',
        canCancel: true,
      };
    case 'waiting_for_card':
      return {
        ...base,
        headline: onPhone ? 'Waiting for the buyer to pay' : 'Waiting for the card',
        detail: onPhone
          ? `The buyer scans the QR code with their phone and pays ${amount} there.`
          : `Ask the buyer to tap, insert or swipe their card on ${readerLabel ? `“${readerLabel}”` : 'the reader'}: ${amount}.`,
        tone: 'waiting',
        canCancel: true,
      };
    case 'processing':
      return {
        ...base,
        headline: 'Processing…',
        detail: 'The bank is deciding. Keep the card near the reader until it answers.',
        tone: 'busy',
      };
    case 'succeeded':
    case 'partially_refunded':
    case 'refunded': {
      const card = cardText(payment.cardBrand, payment.cardLast4);
      return {
        ...base,
        headline: 'Paid',
        detail: card ? `${amount} paid with ${card}.` : `${amount} paid by card.`,
        tone: 'paid',
      };
    }
    default: {
      const [headline, otherwise] = ENDED_UNPAID[payment.status] ?? ENDED_UNPAID.failed!;
      return { ...base, headline, detail: payment.failureReason ?? otherwise, tone: 'stopped' };
    }
  }
}

/** A payment that ended without money: its headline, and what to say when the server gave no reason. */
const ENDED_UNPAID: Readonly<Record<string, readonly [string, string]>> = {
  declined: ['Declined', 'The card was declined. Nothing was charged.'],
  cancelled: ['Cancelled', 'The payment was cancelled. Nothing was charged.'],
  expired: ['Expired', 'Nobody paid in time: the seats went back.'],
  failed: ['Not charged', 'The payment could not be taken. Nothing was charged.'],
};

/**
 * The payment link as a QR code: an SVG path of its dark modules, one unit each, inside a quiet zone of four
 * (the margin the QR standard asks for, so a phone camera finds the code on any background).
 */
export function qrCodePath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col)) parts.push(`M${col + quiet} ${row + quiet}h1v1h-1z`);
    }
  }
  return { size: modules.size + 2 * quiet, path: parts.join('') };
}

/** How far a payment has got: a state never goes back, so the furthest of two reports is the newer one. */
function progress(status: string): number {
  const open = ['pending', 'waiting_for_card', 'processing'].indexOf(status);
  return open >= 0 ? open : 3;
}

/**
 * The newest of several reports of one payment (the charge's answer, the replica's row, a cancel's answer),
 * which arrive in any order: the one furthest along, and among equals the first given.
 */
export function latestPaymentState<T extends { status: string }>(
  ...reports: Array<T | null | undefined>
): T | null {
  let latest: T | null = null;
  for (const report of reports) {
    if (report && (latest === null || progress(report.status) > progress(latest.status))) latest = report;
  }
  return latest;
}
