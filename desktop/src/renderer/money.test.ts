import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits, moneyInputText, parseMoneyInput } from './money.ts';

describe('money on screen', () => {
  it('formats minor units in the currency', () => {
    expect(formatMoney(1250, 'EUR', 'en-GB')).toBe('€12.50');
    expect(formatMoney(0, 'EUR', 'en-GB')).toBe('€0.00');
    expect(formatMoney(1250, 'JPY', 'en-GB')).toBe('JP¥1,250');
    expect(minorDigits('JPY')).toBe(0);
    expect(moneyInputText(1250, 'EUR')).toBe('12.50');
  });

  it('reads what a cashier types', () => {
    expect(parseMoneyInput('12', 'EUR')).toBe(1200);
    expect(parseMoneyInput('12.5', 'EUR')).toBe(1250);
    expect(parseMoneyInput('12,50', 'EUR')).toBe(1250);
    expect(parseMoneyInput(' € 12.05 ', 'EUR')).toBe(1205);
    expect(parseMoneyInput('12.', 'EUR')).toBe(1200);
    expect(parseMoneyInput('0', 'EUR')).toBe(0);
    expect(parseMoneyInput('500', 'JPY')).toBe(500);
  });

  it('refuses what is not an amount', () => {
    for (const text of ['', 'abc', '-5', '1.234', '1.2.3', '12.5', '9999999.99']) {
      expect(parseMoneyInput(text, text === '12.5' ? 'JPY' : 'EUR')).toBeNull();
    }
  });
});
