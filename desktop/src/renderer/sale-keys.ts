// The sale screen's keyboard map, as data: which key does what where. The screen only wires these to
// focus and state, so the map can be read (and tested) in one place.
import { MAX_TICKETS_PER_SALE } from '@janix/schemas';

export interface KeyPress {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  repeat?: boolean;
}

const plain = (press: KeyPress) => !press.altKey && !press.ctrlKey && !press.metaKey;

/** In a ticket type's quantity field: change the quantity, move to another ticket type, or leave it to the field. */
export type QuantityKeyAction = { quantity: number } | { move: -1 | 1 } | null;

export function quantityKey(press: KeyPress, quantity: number): QuantityKeyAction {
  if (!plain(press)) return null;
  switch (press.key) {
    case '+':
    case 'Add':
      return { quantity: Math.min(MAX_TICKETS_PER_SALE, quantity + 1) };
    case '-':
    case 'Subtract':
      return { quantity: Math.max(0, quantity - 1) };
    case 'Delete':
      return { quantity: 0 };
    case 'ArrowUp':
      return { move: -1 };
    case 'ArrowDown':
      return { move: 1 };
    default:
      return null;
  }
}

/** What a quantity field holds once typed into: digits only, at most what one sale holds. */
export function typedQuantity(text: string): number {
  const digits = text.replace(/\D/g, '').slice(-2);
  return digits ? Math.min(MAX_TICKETS_PER_SALE, Number(digits)) : 0;
}

/** `card` is charged through Stripe (online only); `terminal` is an external card terminal's reference. */
export type PaymentKind = 'cash' | 'terminal' | 'comp' | 'card';

/** The methods a function key chooses; a card is chosen by hand, as it is charged before the sale is recorded. */
export type KeyedPaymentKind = Exclude<PaymentKind, 'card'>;

/** Anywhere on the sale form: function keys choose the payment method or hand over a quick-tender amount. */
export type SaleKeyAction = { payment: KeyedPaymentKind } | { quickTender: number } | null;

const PAYMENT_KEYS: Record<string, KeyedPaymentKind> = { F2: 'cash', F3: 'terminal', F4: 'comp' };
/** Exact, then the next notes: F6 to F9 (F5 reloads a page in a browser). */
export const QUICK_TENDER_KEYS = ['F6', 'F7', 'F8', 'F9'] as const;

export function saleFormKey(press: KeyPress): SaleKeyAction {
  if (!plain(press)) return null;
  const payment = PAYMENT_KEYS[press.key];
  if (payment) return { payment };
  const index = (QUICK_TENDER_KEYS as readonly string[]).indexOf(press.key);
  return index >= 0 ? { quickTender: index } : null;
}

/**
 * Enter only starts the next sale once the receipt has been on screen a moment: the Enter that confirmed the
 * sale, pressed twice or held down, must not sweep away the change to give before the cashier read it.
 */
export const RECEIPT_ENTER_GUARD_MS = 800;

export type ReceiptKeyAction = 'next-sale' | 'print-receipt' | 'print-tickets' | null;

/** On the receipt of a finished sale: N (or Enter, after the guard) next sale, R receipt again, T tickets. */
export function receiptKey(press: KeyPress, msSinceShown: number): ReceiptKeyAction {
  if (!plain(press) || press.repeat) return null;
  switch (press.key.toLowerCase()) {
    case 'n':
      return 'next-sale';
    case 'enter':
      return msSinceShown >= RECEIPT_ENTER_GUARD_MS ? 'next-sale' : null;
    case 'r':
      return 'print-receipt';
    case 't':
      return 'print-tickets';
    default:
      return null;
  }
}
