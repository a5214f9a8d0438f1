/**
 * Prices are gross (tax included), as tickets are sold to consumers; the tax inside a price is what a
 * receipt and a Z-report show. Rounded per ticket, so a report's tax is the sum of its tickets' tax.
 */
export function taxIncluded(grossCents: number, taxRateBp: number): number {
  if (taxRateBp <= 0) return 0;
  return Math.round((grossCents * taxRateBp) / (10_000 + taxRateBp));
}

export interface PricedLine {
  quantity: number;
  unitPriceCents: number;
  taxRateBp: number;
}

export interface SaleTotals {
  totalCents: number;
  taxCents: number;
  /** Tax per rate (basis points), for the receipt's tax lines. */
  taxByRate: Array<{ taxRateBp: number; taxCents: number; grossCents: number }>;
}

/** What a sale comes to: the total and the tax in it, per rate. A comp comes to nothing. */
export function saleTotals(lines: readonly PricedLine[], comp = false): SaleTotals {
  const byRate = new Map<number, { taxCents: number; grossCents: number }>();
  let totalCents = 0;
  for (const line of lines) {
    const unit = comp ? 0 : line.unitPriceCents;
    const gross = unit * line.quantity;
    const tax = taxIncluded(unit, line.taxRateBp) * line.quantity;
    totalCents += gross;
    const rate = byRate.get(line.taxRateBp) ?? { taxCents: 0, grossCents: 0 };
    byRate.set(line.taxRateBp, { taxCents: rate.taxCents + tax, grossCents: rate.grossCents + gross });
  }
  const taxByRate = [...byRate.entries()]
    .filter(([rate]) => rate > 0)
    .sort(([a], [b]) => a - b)
    .map(([taxRateBp, sums]) => ({ taxRateBp, ...sums }));
  return { totalCents, taxCents: taxByRate.reduce((sum, rate) => sum + rate.taxCents, 0), taxByRate };
}

/** Change for cash tendered, or null when the cash does not cover the total. */
export function changeDue(totalCents: number, tenderedCents: number): number | null {
  return tenderedCents >= totalCents ? tenderedCents - totalCents : null;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The short code printed on a receipt and said over the counter, taken from the order's id so both sides
 * derive the same one offline: 8 characters of an unambiguous alphabet (no 0/O, 1/I), 40 bits.
 */
export function orderCodeOf(orderId: string): string {
  const hex = orderId.replace(/-/g, '').slice(0, 10);
  let value = BigInt(`0x${hex}`);
  let code = '';
  for (let i = 0; i < 8; i += 1) {
    code = CODE_ALPHABET[Number(value % 32n)] + code;
    value /= 32n;
  }
  return code;
}
