// Money on the console's screens: amounts are integers in the currency's minor unit (cents), as everywhere
// in Janix; this is where they become text, and where what a cashier types becomes an amount again.
import { MAX_AMOUNT_CENTS } from '@janix/schemas';

const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string, locale: string | undefined): Intl.NumberFormat | null {
  const key = `${locale ?? ''}:${currency}`;
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      return null;
    }
    formats.set(key, format);
  }
  return format;
}

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY); 2 for a code Intl does not know. */
export function minorDigits(currency: string): number {
  return currencyFormat(currency, 'en')?.resolvedOptions().maximumFractionDigits ?? 2;
}

/** "€12.50" (locale-dependent); an unknown currency code reads "12.50 XYZ". */
export function formatMoney(minorUnits: number, currency: string, locale?: string): string {
  const format = currencyFormat(currency, locale);
  if (format) return format.format(minorUnits / 10 ** minorDigits(currency));
  return `${(minorUnits / 100).toFixed(2)} ${currency}`;
}

/** An amount as an input starts out: "12.50", "12" in a currency without minor units. */
export function moneyInputText(minorUnits: number, currency: string): string {
  return (minorUnits / 10 ** minorDigits(currency)).toFixed(minorDigits(currency));
}

const AMOUNT = /^(\d{1,9})(?:[.,](\d*))?$/;

/**
 * What a cashier typed, in minor units: "12", "12.5", "12,50", "€ 12.50" (currency signs and spaces are
 * ignored). Null for anything else: negative, more decimals than the currency has, letters, or more than any
 * sale takes.
 */
export function parseMoneyInput(text: string, currency: string): number | null {
  const cleaned = text.replace(/[\s\u00a0'’]|[^\d.,-]/g, '');
  const match = AMOUNT.exec(cleaned);
  if (!match) return null;
  const digits = minorDigits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const value = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return value <= MAX_AMOUNT_CENTS ? value : null;
}
