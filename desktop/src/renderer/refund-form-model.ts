// Undoing a sale from the order screen, as data: what may be offered for an order, the reason it needs, and
// the sentence the cashier confirms. The local core's rule has the last word (a void only from the shift
// that sold, a cash refund only from an open drawer); this keeps the screen from offering the impossible.
import { formatMoney } from './money.ts';

export type UndoAction = 'refund' | 'void';

export interface UndoableOrder {
  status: string;
  paymentMethod: string | null;
  totalCents: number;
  currency: string;
}

export type UndoOffer = { actions: UndoAction[]; note: string | null };

export function undoOffer(order: UndoableOrder): UndoOffer {
  if (order.status === 'refunded') return { actions: [], note: 'This order was refunded.' };
  if (order.status === 'void') return { actions: [], note: 'This order was voided.' };
  if (order.status !== 'paid') return { actions: [], note: 'This order was never paid.' };
  // A card order's money goes back through Stripe: the order screen offers that refund on its own.
  if (order.paymentMethod === 'card') return { actions: [], note: null };
  if (order.paymentMethod === null) return { actions: [], note: 'This order has no payment to give back.' };
  return { actions: ['refund', 'void'], note: null };
}

export type ReasonCheck = { ok: true; reason: string } | { ok: false; error: string };

export function checkUndoReason(text: string): ReasonCheck {
  const reason = text.trim();
  if (reason === '') return { ok: false, error: 'Give the reason: it is kept with the order.' };
  if (reason.length > 500) return { ok: false, error: 'The reason is too long (500 characters at most).' };
  return { ok: true, reason };
}

/** What the cashier confirms, in words: what happens to the tickets and where the money goes. */
export function undoConfirmText(action: UndoAction, order: UndoableOrder): string {
  const amount = formatMoney(order.totalCents, order.currency);
  const money =
    order.paymentMethod === 'cash'
      ? `give back ${amount} in cash from this drawer`
      : order.paymentMethod === 'terminal'
        ? `give back ${amount} on the card terminal (do it there too)`
        : 'no money moves (it was free)';
  const verb = action === 'refund' ? 'Refund' : 'Void';
  return `${verb} this order: its tickets stop admitting anyone, and ${money}.`;
}
