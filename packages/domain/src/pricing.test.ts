import { describe, expect, it } from 'vitest';
import { changeDue, orderCodeOf, saleTotals, taxIncluded } from './pricing.ts';

describe('taxIncluded', () => {
  it('takes the tax out of a gross price, rounded to the cent', () => {
    expect(taxIncluded(1200, 2000)).toBe(200); // 20 % VAT inside 12.00
    expect(taxIncluded(1000, 700)).toBe(65); // 7 % inside 10.00 is 65.42 cents
    expect(taxIncluded(999, 0)).toBe(0);
    expect(taxIncluded(0, 2000)).toBe(0);
  });
});

describe('saleTotals', () => {
  const lines = [
    { quantity: 2, unitPriceCents: 1200, taxRateBp: 2000 },
    { quantity: 1, unitPriceCents: 1000, taxRateBp: 700 },
    { quantity: 3, unitPriceCents: 500, taxRateBp: 2000 },
  ];

  it('sums gross prices and the tax in them per rate', () => {
    expect(saleTotals(lines)).toEqual({
      totalCents: 4900,
      taxCents: 400 + 65 + 249, // 83 cents of tax in each 5.00, rounded per ticket
      taxByRate: [
        { taxRateBp: 700, taxCents: 65, grossCents: 1000 },
        { taxRateBp: 2000, taxCents: 649, grossCents: 3900 },
      ],
    });
  });

  it('a comp comes to nothing and carries no tax', () => {
    expect(saleTotals(lines, true)).toEqual({ totalCents: 0, taxCents: 0, taxByRate: expect.any(Array) });
    expect(saleTotals(lines, true).taxByRate.every((rate) => rate.taxCents === 0)).toBe(true);
  });
});

describe('changeDue', () => {
  it('gives change, exact cash gives none, short cash is refused', () => {
    expect(changeDue(4900, 5000)).toBe(100);
    expect(changeDue(4900, 4900)).toBe(0);
    expect(changeDue(4900, 4899)).toBeNull();
  });
});

describe('orderCodeOf', () => {
  it('is 8 unambiguous characters, the same for the same order, different for another', () => {
    const a = orderCodeOf('0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d');
    expect(a).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(orderCodeOf('0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d')).toBe(a);
    expect(orderCodeOf('1b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d')).not.toBe(a);
  });
});
