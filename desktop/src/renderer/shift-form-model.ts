// The shift screen's forms as data: the float a shift opens with, cash paid in or out, and the blind count
// at close (what the cashier counted, entered before any expected amount is shown).
import { parseMoneyInput } from './money.ts';

export type AmountCheck = { ok: true; cents: number } | { ok: false; error: string };

/** An amount the drawer holds: the float or the counted cash. Zero is a real answer; empty is not. */
export function checkDrawerAmount(text: string, currency: string, what: 'float' | 'count'): AmountCheck {
  if (text.trim() === '') {
    return {
      ok: false,
      error:
        what === 'float' ? 'Enter the float (0 if the drawer starts empty).' : 'Enter the cash you counted.',
    };
  }
  const cents = parseMoneyInput(text, currency);
  return cents === null ? { ok: false, error: 'Enter an amount, e.g. 150 or 150.00' } : { ok: true, cents };
}

export interface CashMovementForm {
  kind: 'paid_in' | 'paid_out';
  amount: string;
  reason: string;
}

export const EMPTY_CASH_MOVEMENT: CashMovementForm = { kind: 'paid_out', amount: '', reason: '' };

export type CashMovementCheck =
  | { ok: true; movement: { kind: CashMovementForm['kind']; amountCents: number; reason: string } }
  | { ok: false; errors: Partial<Record<'amount' | 'reason', string>> };

/** Money put into or taken out of the drawer outside a sale: an amount above zero and why. */
export function checkCashMovement(form: CashMovementForm, currency: string): CashMovementCheck {
  const errors: Partial<Record<'amount' | 'reason', string>> = {};
  const cents = parseMoneyInput(form.amount, currency);
  if (cents === null || cents === 0) errors.amount = 'Enter an amount above zero, e.g. 20 or 4.50';
  const reason = form.reason.trim();
  if (reason === '') errors.reason = 'Say why the money moved (it is on the Z report).';
  else if (reason.length > 500) errors.reason = 'The reason is too long (500 characters at most).';
  if (Object.keys(errors).length > 0 || cents === null) return { ok: false, errors };
  return { ok: true, movement: { kind: form.kind, amountCents: cents, reason } };
}
