import { describe, expect, it } from 'vitest';
import { cardText } from './card-text.ts';

describe('cardText', () => {
  it('names a card by brand and last four only', () => {
    expect(cardText('mastercard', '0005')).toBe('Mastercard •••• 0005');
    expect(cardText('visa', '4242')).toBe('Visa •••• 4242');
    expect(cardText('some_new_brand', null)).toBe('some new brand');
    expect(cardText(null, '1881')).toBe('Card •••• 1881');
    expect(cardText(null, null)).toBeNull();
  });
});
