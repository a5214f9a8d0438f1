import { describe, expect, it } from 'vitest';
import { channelLabel, totalsByCurrency } from './sales-totals.ts';

describe('sales totals', () => {
  it('adds events up per currency, never across currencies, with refunds beside them', () => {
    const totals = totalsByCurrency({
      currencies: ['EUR', 'CHF'],
      byEvent: [
        { currency: 'EUR', orders: 3, tickets: 6, grossCents: 3500, taxCents: 584 },
        { currency: 'CHF', orders: 1, tickets: 1, grossCents: 3000, taxCents: 0 },
        { currency: 'EUR', orders: 2, tickets: 2, grossCents: 2000, taxCents: 333 },
      ],
      refunds: [{ currency: 'EUR', orders: 1, amountCents: 1250 }],
    });
    expect(totals).toEqual([
      {
        currency: 'EUR',
        orders: 5,
        tickets: 8,
        grossCents: 5500,
        taxCents: 917,
        refundedOrders: 1,
        refundedCents: 1250,
      },
      {
        currency: 'CHF',
        orders: 1,
        tickets: 1,
        grossCents: 3000,
        taxCents: 0,
        refundedOrders: 0,
        refundedCents: 0,
      },
    ]);
  });

  it('names the channels', () => {
    expect(channelLabel('box_office')).toBe('Box office');
    expect(channelLabel('online')).toBe('Online');
  });
});
