import { describe, expect, it } from 'vitest';
import {
  checkCardSale,
  checkSale,
  EMPTY_SALE_FORM,
  heldSeatsText,
  saleTotalsOf,
  type HeldSeatsView,
  type SaleForm,
  type SaleTicketTypeView,
} from './sale-form-model.ts';

const adult: SaleTicketTypeView = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Adult',
  quotaId: 'q-main',
  priceCents: 2400,
  currency: 'EUR',
  taxRateBp: 2000,
  window: 'open',
};
const child: SaleTicketTypeView = {
  ...adult,
  id: '22222222-2222-4222-8222-222222222222',
  name: 'Child',
  priceCents: 1200,
};
const quotas: HeldSeatsView[] = [
  { quotaId: 'q-main', name: 'Main hall', left: 3, awaitingCodes: 0, requested: 0 },
];
const context = { ticketTypes: [adult, child], quotas, canComp: false };

const form = (patch: Partial<SaleForm>): SaleForm => ({ ...EMPTY_SALE_FORM, ...patch });

describe('sale totals', () => {
  it('adds the lines and the tax inside them; a comp comes to nothing', () => {
    const chosen = form({ quantities: { [adult.id]: 2, [child.id]: 1 } });
    expect(saleTotalsOf(chosen, [adult, child])).toMatchObject({ totalCents: 6000, taxCents: 1000 });
    expect(saleTotalsOf({ ...chosen, payment: 'comp' }, [adult, child])).toMatchObject({
      totalCents: 0,
      taxCents: 0,
    });
  });
});

describe('checkSale', () => {
  it('makes an anonymous cash sale, the empty cash given being the exact total', () => {
    const result = checkSale(form({ quantities: { [adult.id]: 2, [child.id]: 0 } }), context);
    expect(result).toMatchObject({
      ok: true,
      sale: {
        lines: [{ ticketTypeId: adult.id, quantity: 2 }],
        buyer: null,
        payment: { method: 'cash', tenderedCents: 4800 },
      },
    });
  });

  it('asks for tickets, and says when this device holds too few seats', () => {
    expect(checkSale(form({}), context)).toMatchObject({
      ok: false,
      errors: { tickets: 'Choose at least one ticket.' },
    });
    expect(checkSale(form({ quantities: { [adult.id]: 2, [child.id]: 2 } }), context)).toMatchObject({
      ok: false,
      errors: { tickets: 'This device holds only 3 seats for Main hall.' },
    });
    const none = { ...context, quotas: [{ ...quotas[0]!, left: 0 }] };
    expect(checkSale(form({ quantities: { [adult.id]: 1 } }), none)).toMatchObject({
      errors: { tickets: 'This device holds no seats for Main hall. Request seats while online.' },
    });
  });

  it('refuses cash that does not cover the total, saying by how much', () => {
    const result = checkSale(form({ quantities: { [adult.id]: 1 }, tendered: '20' }), context);
    expect(result).toMatchObject({
      ok: false,
      errors: { tendered: 'The cash given is €4.00 short of the total.' },
    });
    expect(checkSale(form({ quantities: { [adult.id]: 1 }, tendered: 'twenty' }), context)).toMatchObject({
      errors: { tendered: 'Enter the cash given, e.g. 20 or 12.50' },
    });
  });

  it('needs a reason for a comp, and a role that may give one', () => {
    const comp = form({ quantities: { [adult.id]: 1 }, payment: 'comp' });
    expect(checkSale(comp, context)).toMatchObject({
      errors: { payment: 'Your role cannot hand out free tickets (comps).' },
    });
    expect(checkSale(comp, { ...context, canComp: true })).toMatchObject({
      errors: { compReason: 'A reason is required' },
    });
    expect(checkSale({ ...comp, compReason: 'Press' }, { ...context, canComp: true })).toMatchObject({
      ok: true,
      sale: { payment: { method: 'comp', reason: 'Press' } },
    });
  });

  it('needs the card terminal’s reference', () => {
    const terminal = form({ quantities: { [adult.id]: 1 }, payment: 'terminal' });
    expect(checkSale(terminal, context)).toMatchObject({
      errors: { reference: 'The terminal reference is required' },
    });
    expect(checkSale({ ...terminal, reference: ' 004512 ' }, context)).toMatchObject({
      ok: true,
      sale: { payment: { method: 'terminal', reference: '004512' } },
    });
  });

  it('keeps buyer details optional, and checks them when given', () => {
    const withBuyer = (buyer: Partial<SaleForm['buyer']>) =>
      checkSale(
        form({ quantities: { [adult.id]: 1 }, buyer: { ...EMPTY_SALE_FORM.buyer, ...buyer } }),
        context,
      );
    expect(withBuyer({ firstName: 'Ada', email: 'ada@example.org' })).toMatchObject({
      ok: true,
      sale: {
        buyer: { firstName: 'Ada', lastName: '', email: 'ada@example.org', phone: null, ageRange: null },
      },
    });
    expect(withBuyer({ email: 'not an email' })).toMatchObject({
      ok: false,
      errors: { email: expect.any(String) },
    });
    expect(withBuyer({ phone: 'call me' })).toMatchObject({ errors: { phone: 'Must be a phone number' } });
    expect(withBuyer({ ageRange: '25_34' })).toMatchObject({
      ok: true,
      sale: { buyer: { ageRange: '25_34' } },
    });
  });
});

describe('held seats text', () => {
  it('says what the device holds and what is on its way', () => {
    expect(heldSeatsText({ left: 12, awaitingCodes: 0, requested: 0 })).toBe('12 seats left on this device');
    expect(heldSeatsText({ left: 1, awaitingCodes: 0, requested: 0 })).toBe('1 seat left on this device');
    expect(heldSeatsText({ left: 0, awaitingCodes: 20, requested: 0 })).toBe(
      'No seats on this device · Fetching codes…',
    );
    expect(heldSeatsText({ left: 2, awaitingCodes: 0, requested: 10 })).toBe(
      '2 seats left on this device · Requested…',
    );
  });
});

describe('card sale', () => {
  it('charges the lines at the prices shown, whatever seats this device holds', () => {
    // The server holds a card sale's seats from the quotas while it runs: 5 is more than the 3 held here.
    const chosen = form({ payment: 'card', quantities: { [adult.id]: 5 } });
    expect(checkCardSale(chosen, { ticketTypes: [adult, child] })).toMatchObject({
      ok: true,
      totals: { totalCents: 12000 },
      sale: { lines: [{ ticketTypeId: adult.id, quantity: 5, unitPriceCents: 2400 }], buyer: null },
    });
    expect(checkSale(chosen, context)).toMatchObject({
      ok: false,
      errors: { payment: 'Charge the card first.' },
    });
  });

  it('needs tickets, something to charge and a valid buyer if one is given', () => {
    expect(checkCardSale(form({ payment: 'card' }), { ticketTypes: [adult] })).toMatchObject({
      ok: false,
      errors: { tickets: 'Choose at least one ticket.' },
    });
    const free = { ...adult, priceCents: 0 };
    expect(checkCardSale(form({ quantities: { [adult.id]: 1 } }), { ticketTypes: [free] })).toMatchObject({
      ok: false,
      errors: { payment: expect.stringContaining('comp') },
    });
    const badEmail = form({
      quantities: { [adult.id]: 1 },
      buyer: { ...EMPTY_SALE_FORM.buyer, firstName: 'Ada', email: 'nope' },
    });
    expect(checkCardSale(badEmail, { ticketTypes: [adult] })).toMatchObject({
      ok: false,
      errors: { email: expect.any(String) },
    });
  });
});
