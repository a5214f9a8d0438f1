import { describe, expect, it } from 'vitest';
import type { TicketTypeDraft } from '@janix/schemas';
import {
  emptyTicketTypeForm,
  parseQuotaForm,
  parseTicketTypeForm,
  quotaPatchFrom,
  ticketTypeFormFrom,
  ticketTypePatchFrom,
  type TicketTypeFormValues,
} from './event-setup-form-model.ts';
import { dateTimeLocalToIso } from './date-time.ts';

const QUOTA = '3f0a2a4e-6f1c-4c55-9b8e-2d0f7f1d0a01';
const OTHER_QUOTA = '3f0a2a4e-6f1c-4c55-9b8e-2d0f7f1d0a02';

const filled = (values: Partial<TicketTypeFormValues>): TicketTypeFormValues => ({
  ...emptyTicketTypeForm('EUR', QUOTA),
  name: 'Adult',
  price: '12.50',
  taxPercent: '20',
  ...values,
});

describe('quota form', () => {
  it('reads a name and a whole number of seats', () => {
    expect(parseQuotaForm({ name: ' Floor ', capacity: '1 200' })).toEqual({
      ok: true,
      draft: { name: 'Floor', capacity: 1200 },
    });
  });

  it('says what is wrong with each field', () => {
    const result = parseQuotaForm({ name: '  ', capacity: '12.5' });
    expect(result).toEqual({
      ok: false,
      errors: { name: 'The quota needs a name', capacity: 'Type the number of seats, like 250' },
    });
    expect(parseQuotaForm({ name: 'Floor', capacity: '-3' })).toMatchObject({ ok: false });
    expect(parseQuotaForm({ name: 'Floor', capacity: '1,5' })).toMatchObject({ ok: false });
    expect(parseQuotaForm({ name: 'Floor', capacity: '1,500' })).toMatchObject({ draft: { capacity: 1500 } });
  });

  it('patches only what changed', () => {
    expect(quotaPatchFrom({ name: 'Floor', capacity: 100 }, { name: 'Floor', capacity: 120 })).toEqual({
      capacity: 120,
    });
  });
});

describe('ticket type form', () => {
  it('stores the typed price in exact cents and the tax rate in basis points', () => {
    const result = parseTicketTypeForm(filled({ price: '19.99', taxPercent: '5.5', currency: 'eur' }));
    expect(result).toEqual({
      ok: true,
      draft: {
        name: 'Adult',
        priceCents: 1999,
        currency: 'EUR',
        taxRateBp: 550,
        quotaId: QUOTA,
        salesStartAt: null,
        salesEndAt: null,
        channels: ['box_office', 'online'],
      },
    });
    // 0.29 and 1.15 are the classic float traps (0.29 * 100 = 28.999…).
    expect(parseTicketTypeForm(filled({ price: '0.29' }))).toMatchObject({ draft: { priceCents: 29 } });
    expect(parseTicketTypeForm(filled({ price: '1,15' }))).toMatchObject({ draft: { priceCents: 115 } });
    expect(parseTicketTypeForm(filled({ price: '1250', currency: 'JPY' }))).toMatchObject({
      draft: { priceCents: 1250, currency: 'JPY' },
    });
  });

  it('explains every field it cannot read', () => {
    const result = parseTicketTypeForm({
      ...emptyTicketTypeForm('EUR', ''),
      price: '12.345',
      taxPercent: '120',
      salesStartAt: '2026-10-02T10:00',
      salesEndAt: '2026-10-01T10:00',
      boxOffice: false,
      online: false,
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        name: 'The ticket type needs a name',
        price: 'Type the price like 12.50, with at most 2 decimals',
        taxPercent: 'Type a rate from 0 to 100, like 20 or 5.5',
        quotaId: 'Choose the quota these tickets are sold from',
        salesEndAt: 'Sales must close after they open',
        channels: 'Choose at least one place to sell these tickets',
      },
    });
    expect(parseTicketTypeForm(filled({ price: '' }))).toMatchObject({
      errors: { price: 'Type a price, like 12.50 (0 for free tickets)' },
    });
    expect(parseTicketTypeForm(filled({ currency: 'EURO' }))).toMatchObject({
      errors: { currency: 'Type a three-letter currency code, like EUR' },
    });
    expect(parseTicketTypeForm(filled({ price: '12.5', currency: 'JPY' }))).toMatchObject({
      errors: { price: 'Type the price like 1250, with at most 0 decimals' },
    });
    expect(parseTicketTypeForm(filled({ price: '2000000' }))).toMatchObject({ ok: false });
  });

  it('keeps an open sales window and reads a closing time in the console’s zone', () => {
    const result = parseTicketTypeForm(filled({ salesEndAt: '2026-12-01T18:00', online: false }));
    expect(result).toMatchObject({
      ok: true,
      draft: {
        salesStartAt: null,
        salesEndAt: dateTimeLocalToIso('2026-12-01T18:00'),
        channels: ['box_office'],
      },
    });
  });

  it('round-trips a ticket type through the form and patches only what changed', () => {
    const original: TicketTypeDraft = {
      name: 'Adult',
      priceCents: 1250,
      currency: 'EUR',
      taxRateBp: 2000,
      quotaId: QUOTA,
      salesStartAt: '2026-10-01T08:00:00.000Z',
      salesEndAt: null,
      channels: ['online', 'box_office'],
    };
    const form = ticketTypeFormFrom(original);
    expect(form).toMatchObject({ price: '12.50', taxPercent: '20', boxOffice: true, online: true });
    const again = parseTicketTypeForm(form);
    expect(again.ok && ticketTypePatchFrom(original, again.draft)).toEqual({});
    const edited = parseTicketTypeForm({ ...form, price: '14', quotaId: OTHER_QUOTA, online: false });
    expect(edited.ok && ticketTypePatchFrom(original, edited.draft)).toEqual({
      priceCents: 1400,
      quotaId: OTHER_QUOTA,
      channels: ['box_office'],
    });
  });
});
