import { describe, expect, it } from 'vitest';
import { dateTimeFormatter, moneyFormatter, percentFormatter } from './print-formatting.ts';

describe('print formatting', () => {
  it('formats minor units in the currency and locale', () => {
    expect(moneyFormatter({ currency: 'EUR', locale: 'en-GB' })(123456)).toBe('€1,234.56');
    expect(moneyFormatter({ currency: 'JPY', locale: 'en-US' })(1200)).toBe('¥1,200');
    expect(moneyFormatter({ currency: 'EUR', locale: 'fr-FR' })(-500)).toBe('-5,00\u00a0€');
    expect(moneyFormatter({ currency: 'EUR' })(Number.NaN)).toBe('?');
  });

  it('keeps the locale when the currency is bad, and the zone fallback keeps the locale too', () => {
    expect(moneyFormatter({ currency: 'EURO', locale: 'de-DE' })(1050)).toBe('10,50 EURO');
    expect(moneyFormatter({ currency: 'EUR', locale: '!!' })(1050)).toBe('€10.50');
    const date = dateTimeFormatter({ locale: 'de-DE', timeZone: 'Nowhere/Else' }, 'medium');
    expect(date('2026-03-12T18:05:00Z')).toMatch(/^12\.03\.2026, \d\d:05$/);
    expect(date('not a date')).toBe('not a date');
  });

  it('formats dates in the given zone and tax rates as percentages', () => {
    expect(
      dateTimeFormatter({ locale: 'en-GB', timeZone: 'Europe/Paris' }, 'full')('2026-03-12T18:05:00Z'),
    ).toMatch(/^Thursday,? 12 March 2026 at 19:05$/);
    expect(percentFormatter({ locale: 'en-GB' })(550)).toBe('5.5%');
  });
});
