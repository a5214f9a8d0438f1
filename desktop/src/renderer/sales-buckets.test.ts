import { describe, expect, it } from 'vitest';
import { bucketSales, type SalesSlot } from './sales-buckets.ts';

const at = (iso: string) => Date.parse(iso) / 1000;
const slot = (iso: string, fields: Partial<SalesSlot> = {}): SalesSlot => ({
  at: at(iso),
  channel: 'online',
  currency: 'EUR',
  orders: 1,
  tickets: 1,
  grossCents: 1000,
  ...fields,
});

describe('sales over time', () => {
  it('uses hours for an evening, keeping the empty hours between sales', () => {
    const { granularity, buckets } = bucketSales(
      [
        slot('2026-10-01T17:15:00Z', { channel: 'box_office', grossCents: 2500, tickets: 2 }),
        slot('2026-10-01T17:45:00Z', { grossCents: 1250 }),
        slot('2026-10-01T20:00:00Z', { grossCents: 999 }),
      ],
      { timeZone: 'Europe/Vienna', currency: 'EUR', locale: 'en-GB' },
    );
    expect(granularity).toBe('hour');
    expect(buckets).toEqual([
      {
        key: '2026-10-01T19',
        label: '19:00',
        boxOfficeCents: 2500,
        onlineCents: 1250,
        boxOfficeTickets: 2,
        onlineTickets: 1,
      },
      {
        key: '2026-10-01T20',
        label: '20:00',
        boxOfficeCents: 0,
        onlineCents: 0,
        boxOfficeTickets: 0,
        onlineTickets: 0,
      },
      {
        key: '2026-10-01T21',
        label: '21:00',
        boxOfficeCents: 0,
        onlineCents: 0,
        boxOfficeTickets: 0,
        onlineTickets: 0,
      },
      {
        key: '2026-10-01T22',
        label: '22:00',
        boxOfficeCents: 0,
        onlineCents: 999,
        boxOfficeTickets: 0,
        onlineTickets: 1,
      },
    ]);
  });

  it('uses local days for longer spans, cut at the console’s midnight, not UTC’s', () => {
    const { granularity, buckets } = bucketSales(
      [
        // 23:30 on 30 Sep in Kolkata (UTC+5:30) is still 30 Sep there; 18:30 UTC is already 1 Oct.
        slot('2026-09-30T18:00:00Z'),
        slot('2026-09-30T18:30:00Z'),
        slot('2026-10-03T09:00:00Z', { grossCents: 500 }),
      ],
      { timeZone: 'Asia/Kolkata', currency: 'EUR', locale: 'en-GB' },
    );
    expect(granularity).toBe('day');
    expect(buckets.map((bucket) => [bucket.key, bucket.label, bucket.onlineCents])).toEqual([
      ['2026-09-30', 'Wed 30 Sept', 1000],
      ['2026-10-01', 'Thu 1 Oct', 1000],
      ['2026-10-02', 'Fri 2 Oct', 0],
      ['2026-10-03', 'Sat 3 Oct', 500],
    ]);
  });

  it('never adds currencies together, but counts tickets across them', () => {
    const slots = [
      slot('2026-10-01T10:00:00Z', { currency: 'EUR', grossCents: 1000, tickets: 1 }),
      slot('2026-10-01T10:15:00Z', { currency: 'CHF', grossCents: 3000, tickets: 2 }),
    ];
    const euros = bucketSales(slots, { timeZone: 'UTC', currency: 'EUR' });
    expect(euros.buckets).toHaveLength(1);
    expect(euros.buckets[0]).toMatchObject({ onlineCents: 1000, onlineTickets: 1 });
    const tickets = bucketSales(slots, { timeZone: 'UTC', currency: null });
    expect(tickets.buckets[0]).toMatchObject({ onlineTickets: 3 });
  });

  it('names the day in front of hours that span midnight', () => {
    const { buckets } = bucketSales([slot('2026-10-03T22:30:00Z'), slot('2026-10-04T00:10:00Z')], {
      timeZone: 'UTC',
      currency: 'EUR',
      locale: 'en-GB',
    });
    expect(buckets.map((bucket) => bucket.label)).toEqual(['Sat 22:00', 'Sat 23:00', 'Sun 00:00']);
  });

  it('has no bars without sales', () => {
    expect(bucketSales([], { timeZone: 'UTC', currency: 'EUR' })).toEqual({
      granularity: 'hour',
      buckets: [],
    });
  });
});
