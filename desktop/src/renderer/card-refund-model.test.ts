import { describe, expect, it } from 'vitest';
import {
  CARD_REFUND_NEEDS_NETWORK,
  cardRefundConfirmText,
  cardRefundDoneText,
  cardRefundOffer,
  checkCardRefund,
  type OrderCardPayment,
} from './card-refund-model.ts';

const payment: OrderCardPayment = {
  status: 'succeeded',
  amountCents: 5000,
  refundedCents: 0,
  currency: 'EUR',
  cardBrand: 'visa',
  cardLast4: '4242',
};
const offerFor = (patch: Partial<Parameters<typeof cardRefundOffer>[0]>) =>
  cardRefundOffer({ canRefund: true, online: true, orderStatus: 'paid', payment, ...patch });

describe('card refund offer', () => {
  it('offers what is left of the payment', () => {
    expect(offerFor({})).toEqual({ refundable: true, leftCents: 5000 });
    expect(offerFor({ payment: { ...payment, status: 'partially_refunded', refundedCents: 1500 } })).toEqual({
      refundable: true,
      leftCents: 3500,
    });
  });

  it('says why not: the role, the network, nothing left, the payment not here yet', () => {
    expect(offerFor({ canRefund: false })).toEqual({
      refundable: false,
      note: 'Your role cannot refund card payments.',
    });
    expect(offerFor({ online: false })).toEqual({ refundable: false, note: CARD_REFUND_NEEDS_NETWORK });
    expect(offerFor({ orderStatus: 'refunded' })).toMatchObject({
      refundable: false,
      note: expect.stringContaining('refunded'),
    });
    expect(offerFor({ payment: { ...payment, refundedCents: 5000 } })).toMatchObject({ refundable: false });
    expect(offerFor({ payment: null })).toMatchObject({
      refundable: false,
      note: expect.stringContaining('sync'),
    });
  });
});

describe('card refund form', () => {
  it('refunds all that is left when no amount is given (or exactly that amount)', () => {
    expect(checkCardRefund({ amount: '', reason: ' Show cancelled ' }, 5000, 'EUR')).toEqual({
      ok: true,
      amountCents: undefined,
      reason: 'Show cancelled',
    });
    expect(checkCardRefund({ amount: '50.00', reason: 'x' }, 5000, 'EUR')).toMatchObject({
      ok: true,
      amountCents: undefined,
    });
  });

  it('takes part of it', () => {
    expect(checkCardRefund({ amount: '12,50', reason: 'One seat broken' }, 5000, 'EUR')).toEqual({
      ok: true,
      amountCents: 1250,
      reason: 'One seat broken',
    });
  });

  it('refuses more than is left, nothing, garbage and a missing reason', () => {
    expect(checkCardRefund({ amount: '60', reason: 'x' }, 5000, 'EUR')).toEqual({
      ok: false,
      errors: { amount: 'At most €50.00 is left to refund on this card.' },
    });
    expect(checkCardRefund({ amount: '0', reason: 'x' }, 5000, 'EUR')).toMatchObject({ ok: false });
    expect(checkCardRefund({ amount: 'ten', reason: 'x' }, 5000, 'EUR')).toMatchObject({ ok: false });
    expect(checkCardRefund({ amount: '', reason: '  ' }, 5000, 'EUR')).toEqual({
      ok: false,
      errors: { reason: 'Give the reason: it is kept with the order.' },
    });
  });
});

describe('card refund words', () => {
  it('says how much goes back to which card and what happens to the tickets', () => {
    expect(cardRefundConfirmText(undefined, 5000, payment)).toBe(
      'Give back €50.00 to Visa •••• 4242 through Stripe: the order is refunded and its tickets stop admitting anyone.',
    );
    expect(cardRefundConfirmText(1000, 5000, payment)).toContain('the order stays paid');
  });

  it('says what is left after a partial refund', () => {
    expect(cardRefundDoneText(1000, { ...payment, status: 'partially_refunded', refundedCents: 1000 })).toBe(
      '€10.00 is on its way back to the card. €40.00 is left on the payment.',
    );
    expect(cardRefundDoneText(5000, { ...payment, status: 'refunded', refundedCents: 5000 })).toBe(
      '€50.00 is on its way back to the card.',
    );
  });
});
