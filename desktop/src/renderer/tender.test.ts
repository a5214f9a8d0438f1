import { describe, expect, it } from 'vitest';
import { cashTender, quickTenders } from './tender.ts';

describe('quick tenders', () => {
  it('offers the exact total and the next notes above it', () => {
    expect(quickTenders(1250, 'EUR')).toEqual([1250, 1300, 1500, 2000]);
    expect(quickTenders(4500, 'EUR')).toEqual([4500, 5000, 6000, 10000]);
    expect(quickTenders(2000, 'EUR')).toEqual([2000, 5000, 10000, 20000]);
    expect(quickTenders(17_300, 'EUR')).toEqual([17_300, 17_500, 18_000, 20_000]);
  });

  it('works in currencies without minor units', () => {
    expect(quickTenders(1250, 'JPY')).toEqual([1250, 1300, 1500, 2000]);
  });

  it('offers nothing for a free sale', () => {
    expect(quickTenders(0, 'EUR')).toEqual([]);
  });
});

describe('cash tender', () => {
  it('tells exact, change and short apart', () => {
    expect(cashTender(1250, 1250)).toEqual({ kind: 'exact' });
    expect(cashTender(1250, 2000)).toEqual({ kind: 'change', changeMinor: 750 });
    expect(cashTender(1250, 1000)).toEqual({ kind: 'short', shortMinor: 250 });
  });
});
