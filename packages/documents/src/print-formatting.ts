/**
 * How money, rates and dates read on paper, shared by receipts and tickets. Every formatter falls back (the
 * default locale, a plain number followed by the currency code, this machine's zone, the raw date text)
 * rather than throw: a bad locale in the organization's settings must not stop a receipt.
 */

export interface DateFormatting {
  /** BCP 47 tag for Intl (default en-GB). */
  locale?: string;
  /** IANA zone for printed times (default: this machine's zone, which is where the box office is). */
  timeZone?: string;
}

export interface PrintFormatting extends DateFormatting {
  /** ISO 4217 code; amounts are integers in its minor unit (cents for EUR, yen for JPY). */
  currency: string;
}

const DEFAULT_LOCALE = 'en-GB';

/** The first of these that Intl accepts: the given locale, then the default one. */
function firstAccepted<T>(locale: string | undefined, make: (locale: string) => T): T {
  try {
    return make(locale ?? DEFAULT_LOCALE);
  } catch {
    return make(DEFAULT_LOCALE);
  }
}

export function moneyFormatter(formatting: PrintFormatting): (minorUnits: number) => string {
  let format: Intl.NumberFormat;
  let suffix = '';
  try {
    format = firstAccepted(
      formatting.locale,
      (locale) => new Intl.NumberFormat(locale, { style: 'currency', currency: formatting.currency }),
    );
  } catch {
    format = firstAccepted(
      formatting.locale,
      (locale) => new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    );
    suffix = ` ${formatting.currency}`;
  }
  const minorDigits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return (minorUnits) =>
    Number.isFinite(minorUnits) ? format.format(minorUnits / 10 ** minorDigits) + suffix : '?';
}

export function percentFormatter(formatting: DateFormatting): (basisPoints: number) => string {
  const format = firstAccepted(
    formatting.locale,
    (locale) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }),
  );
  return (basisPoints) => (Number.isFinite(basisPoints) ? format.format(basisPoints / 10_000) : '?');
}

/** `medium` for receipts (12 Mar 2026, 19:05), `full` for tickets (Thursday, 12 March 2026 at 19:05). */
export function dateTimeFormatter(
  formatting: DateFormatting,
  dateStyle: 'medium' | 'full',
): (value: Date | string | null) => string {
  const inZone = (timeZone: string | undefined): Intl.DateTimeFormat =>
    firstAccepted(
      formatting.locale,
      (locale) => new Intl.DateTimeFormat(locale, { dateStyle, timeStyle: 'short', timeZone }),
    );
  let format: Intl.DateTimeFormat;
  try {
    format = inZone(formatting.timeZone);
  } catch {
    format = inZone(undefined);
  }
  return (value) => {
    if (value === null) return '';
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : format.format(date);
  };
}
