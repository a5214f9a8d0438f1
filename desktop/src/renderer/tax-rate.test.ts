import { describe, expect, it } from 'vitest';
import { formatTaxRate, parseTaxPercent, taxPercentText } from './tax-rate.ts';

describe('tax rates on screen', () => {
  it('reads a percentage into basis points without float rounding', () => {
    expect(parseTaxPercent('20')).toBe(2000);
    expect(parseTaxPercent('5.5')).toBe(550);
    expect(parseTaxPercent('7,7 %')).toBe(770);
    expect(parseTaxPercent('8.1')).toBe(810);
    expect(parseTaxPercent('0')).toBe(0);
    expect(parseTaxPercent('100')).toBe(10_000);
    expect(parseTaxPercent('19.')).toBe(1900);
  });

  it('refuses what is not a rate', () => {
    for (const text of ['', '%', 'abc', '-5', '100.01', '101', '20.125', '1.2.3', '1e2']) {
      expect(parseTaxPercent(text)).toBeNull();
    }
  });

  it('writes basis points back as the percentage typed', () => {
    expect(taxPercentText(2000)).toBe('20');
    expect(taxPercentText(550)).toBe('5.5');
    expect(taxPercentText(775)).toBe('7.75');
    expect(taxPercentText(5)).toBe('0.05');
    expect(taxPercentText(0)).toBe('0');
    for (const bp of [0, 1, 99, 550, 810, 2000, 10_000]) expect(parseTaxPercent(taxPercentText(bp))).toBe(bp);
  });

  it('formats a rate for tables', () => {
    expect(formatTaxRate(2000, 'en')).toBe('20%');
    expect(formatTaxRate(550, 'en')).toBe('5.5%');
  });
});
