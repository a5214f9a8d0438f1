// Cash at the counter: the amounts a cashier is most likely handed (the exact total, or the next banknote
// above it) as one-key buttons, and what the drawer gives back.
import { changeDue } from '@janix/domain';
import { minorDigits } from './money.ts';

/** Banknotes in whole currency units; most currencies with minor units have these (or near enough). */
const NOTES = [5, 10, 20, 50, 100, 200];
/** Exact, and this many amounts above it: one row of buttons, one function key each. */
const MAX_SUGGESTIONS = 4;

/**
 * The exact total, then the next round amounts a buyer might hand over: the next whole unit, and the next
 * multiple of each banknote, smallest first, without repeats.
 */
export function quickTenders(totalMinor: number, currency: string): number[] {
  if (totalMinor <= 0) return [];
  // Currencies without minor units (JPY, KRW, ISK) count their notes in hundreds and thousands.
  const digits = minorDigits(currency);
  const unit = digits === 0 ? 100 : 10 ** digits;
  const above = [1, ...NOTES]
    .map((note) => Math.ceil(totalMinor / (note * unit)) * note * unit)
    .filter((amount) => amount > totalMinor);
  return [totalMinor, ...[...new Set(above)].sort((a, b) => a - b)].slice(0, MAX_SUGGESTIONS);
}

export type CashTender =
  { kind: 'exact' } | { kind: 'change'; changeMinor: number } | { kind: 'short'; shortMinor: number };

/** What the cash given means for the drawer: no change, change to give, or not enough. */
export function cashTender(totalMinor: number, tenderedMinor: number): CashTender {
  const change = changeDue(totalMinor, tenderedMinor);
  if (change === null) return { kind: 'short', shortMinor: totalMinor - tenderedMinor };
  return change === 0 ? { kind: 'exact' } : { kind: 'change', changeMinor: change };
}
