import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import {
  CARD_NEEDS_NETWORK,
  cardOffer,
  cardPaymentPhase,
  cardStateText,
  latestPaymentState,
  qrCodePath,
  type CardPaymentView,
} from './card-payment-model.ts';

const reader = { id: '33333333-3333-4333-8333-333333333333', label: 'Front desk' };

describe('card offer', () => {
  it('says card needs the network when the console or the core finds the server out of reach', () => {
    const available = { available: true, reason: null, reader };
    expect(cardOffer({ online: false, availability: available })).toEqual({
      usable: false,
      reason: CARD_NEEDS_NETWORK,
    });
    expect(
      cardOffer({ online: true, availability: undefined, failure: { message: 'x', unreachable: true } }),
    ).toEqual({ usable: false, reason: CARD_NEEDS_NETWORK });
    expect(CARD_NEEDS_NETWORK).toContain('take cash or use the external terminal');
  });

  it('gives the server’s reason when cards are not set up, and waits for the answer', () => {
    expect(
      cardOffer({
        online: true,
        availability: {
          available: false,
          reason: 'Card payments are not set up on the server.',
          reader: null,
        },
      }),
    ).toEqual({ usable: false, reason: 'Card payments are not set up on the server.' });
    expect(cardOffer({ online: true, availability: undefined })).toMatchObject({ usable: false });
    expect(
      cardOffer({
        online: true,
        availability: undefined,
        failure: { message: 'Your role does not allow this.', unreachable: false },
      }),
    ).toEqual({ usable: false, reason: 'Your role does not allow this.' });
  });

  it('charges on the till’s reader, or as a QR for the buyer’s phone without one', () => {
    expect(cardOffer({ online: true, availability: { available: true, reason: null, reader } })).toEqual({
      usable: true,
      method: 'reader',
      readerLabel: 'Front desk',
      note: 'On the reader “Front desk”.',
    });
    expect(
      cardOffer({
        online: true,
        availability: { available: true, reason: null, reader: { ...reader, online: false } },
      }),
    ).toMatchObject({
      usable: true,
      note: 'The reader “Front desk” is offline for Stripe: check its power and network, or take cash.',
    });
    expect(
      cardOffer({
        online: true,
        availability: { available: true, reason: null, reader: { ...reader, online: null } },
      }),
    ).toMatchObject({ note: 'On the reader “Front desk”.' });
    expect(
      cardOffer({ online: true, availability: { available: true, reason: null, reader: null } }),
    ).toMatchObject({ usable: true, method: 'checkout_link', note: expect.stringContaining('QR') });
  });
});

const payment = (patch: Partial<CardPaymentView>): CardPaymentView => ({
  kind: 'terminal',
  status: 'waiting_for_card',
  amountCents: 5000,
  currency: 'EUR',
  refundedCents: 0,
  cardBrand: null,
  cardLast4: null,
  failureReason: null,
  ...patch,
});

describe('card payment state', () => {
  it('sorts the statuses into open, paid and ended unpaid', () => {
    expect(['pending', 'waiting_for_card', 'processing'].map(cardPaymentPhase)).toEqual([
      'open',
      'open',
      'open',
    ]);
    expect(['succeeded', 'partially_refunded', 'refunded'].map(cardPaymentPhase)).toEqual([
      'paid',
      'paid',
      'paid',
    ]);
    expect(['declined', 'cancelled', 'expired', 'failed'].map(cardPaymentPhase)).toEqual([
      'unpaid',
      'unpaid',
      'unpaid',
      'unpaid',
    ]);
  });

  it('waits for the card on the named reader, or for the buyer’s phone, and may be cancelled then', () => {
    expect(cardStateText(payment({}), 'Front desk')).toEqual({
      headline: 'Waiting for the card',
      detail: 'Ask the buyer to tap, insert or swipe their card on “Front desk”: €50.00.',
      tone: 'waiting',
      phase: 'open',
      canCancel: true,
    });
    expect(cardStateText(payment({ kind: 'checkout_link' }))).toMatchObject({
      headline: 'Waiting for the buyer to pay',
      canCancel: true,
    });
    expect(cardStateText(payment({ status: 'processing' }))).toMatchObject({
      headline: 'Processing…',
      canCancel: false,
    });
  });

  it('shows the card’s brand and last four once paid, and the reason when it did not go through', () => {
    expect(
      cardStateText(payment({ status: 'succeeded', cardBrand: 'visa', cardLast4: '4242' })),
    ).toMatchObject({
      headline: 'Paid',
      detail: '€50.00 paid with Visa •••• 4242.',
      tone: 'paid',
      phase: 'paid',
    });
    expect(
      cardStateText(payment({ status: 'declined', failureReason: 'The card has insufficient funds.' })),
    ).toMatchObject({ headline: 'Declined', detail: 'The card has insufficient funds.', phase: 'unpaid' });
    expect(cardStateText(payment({ status: 'expired' })).detail).toContain('seats went back');
    expect(cardStateText(payment({ status: 'failed' })).detail).toContain('Nothing was charged');
  });
});

describe('payment link QR', () => {
  it('draws a code a phone reads back as the link', () => {
    const url = 'https://checkout.stripe.com/c/pay/cs_test_a1b2c3#fidkdWxOYHwnPyd1blpxYHZxWjA0';
    const { size, path } = qrCodePath(url);
    // Rasterize the path's unit squares at 4 pixels each, as a camera would see the printed code.
    const scale = 4;
    const width = size * scale;
    const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
    for (const [, x, y] of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
      for (let dy = 0; dy < scale; dy += 1) {
        for (let dx = 0; dx < scale; dx += 1) {
          const offset = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
          pixels.fill(0, offset, offset + 3);
        }
      }
    }
    expect(jsQR(pixels, width, width)?.data).toBe(url);
  });
});

describe('latest payment state', () => {
  it('takes the report furthest along, and the first of equals', () => {
    const waiting = payment({ status: 'waiting_for_card' });
    const pendingRow = payment({ status: 'pending' });
    const declined = payment({ status: 'declined' });
    expect(latestPaymentState(pendingRow, waiting)).toBe(waiting);
    expect(latestPaymentState(undefined, declined, waiting)).toBe(declined);
    const other = payment({ status: 'waiting_for_card', amountCents: 1 });
    expect(latestPaymentState(other, waiting)).toBe(other);
    expect(latestPaymentState(null, undefined)).toBeNull();
  });
});
