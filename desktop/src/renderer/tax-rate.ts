// Tax rates on the console's screens: stored in basis points (2000 = 20 %), typed and shown as percentages.

const RATE = /^(\d{1,3})(?:[.,](\d{0,2}))?$/;

/**
 * What an organizer typed as a tax rate, in basis points: "20" → 2000, "5.5" → 550, "7,7 %" → 770. Read from
 * the text (never through a float), so "8.1" is 810 exactly. Null for anything else: more than two decimals,
 * letters, negative, or above 100 %.
 */
export function parseTaxPercent(text: string): number | null {
  const match = RATE.exec(text.replace(/[\s\u00a0%]/g, ''));
  if (!match) return null;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= 10_000 ? basisPoints : null;
}

/** A rate as an input starts out: 2000 → "20", 550 → "5.5", 775 → "7.75". */
export function taxPercentText(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / 100);
  const fraction = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

const percentFormats = new Map<string, Intl.NumberFormat>();

/** "20%", "5.5%" (locale-dependent: "20 %" in French). */
export function formatTaxRate(basisPoints: number, locale?: string): string {
  const key = locale ?? '';
  let format = percentFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
    percentFormats.set(key, format);
  }
  return format.format(basisPoints / 10_000);
}
