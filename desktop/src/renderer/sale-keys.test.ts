import { describe, expect, it } from 'vitest';
import { quantityKey, receiptKey, RECEIPT_ENTER_GUARD_MS, saleFormKey, typedQuantity } from './sale-keys.ts';

describe('quantity field keys', () => {
  it('steps the quantity with + and -, never below 0 or above one sale', () => {
    expect(quantityKey({ key: '+' }, 2)).toEqual({ quantity: 3 });
    expect(quantityKey({ key: 'Add' }, 50)).toEqual({ quantity: 50 });
    expect(quantityKey({ key: '-' }, 0)).toEqual({ quantity: 0 });
    expect(quantityKey({ key: 'Subtract' }, 3)).toEqual({ quantity: 2 });
    expect(quantityKey({ key: 'Delete' }, 7)).toEqual({ quantity: 0 });
  });

  it('moves between ticket types with the arrows and leaves other keys to the field', () => {
    expect(quantityKey({ key: 'ArrowUp' }, 1)).toEqual({ move: -1 });
    expect(quantityKey({ key: 'ArrowDown' }, 1)).toEqual({ move: 1 });
    expect(quantityKey({ key: '4' }, 1)).toBeNull();
    expect(quantityKey({ key: 'Enter' }, 1)).toBeNull();
    expect(quantityKey({ key: '+', ctrlKey: true }, 1)).toBeNull();
  });

  it('reads typed digits as a quantity', () => {
    expect(typedQuantity('12')).toBe(12);
    expect(typedQuantity('')).toBe(0);
    expect(typedQuantity('3a')).toBe(3);
    expect(typedQuantity('99')).toBe(50);
    // A third digit typed into "12" replaces the first: the field keeps the last two.
    expect(typedQuantity('125')).toBe(25);
  });
});

describe('sale form keys', () => {
  it('chooses the payment method with F2 to F4 and quick tenders with F6 to F9', () => {
    expect(saleFormKey({ key: 'F2' })).toEqual({ payment: 'cash' });
    expect(saleFormKey({ key: 'F3' })).toEqual({ payment: 'terminal' });
    expect(saleFormKey({ key: 'F4' })).toEqual({ payment: 'comp' });
    expect(saleFormKey({ key: 'F6' })).toEqual({ quickTender: 0 });
    expect(saleFormKey({ key: 'F9' })).toEqual({ quickTender: 3 });
    expect(saleFormKey({ key: 'F5' })).toBeNull();
    expect(saleFormKey({ key: 'F2', altKey: true })).toBeNull();
  });
});

describe('receipt keys', () => {
  it('starts the next sale with N at once, and with Enter only after the guard', () => {
    expect(receiptKey({ key: 'n' }, 0)).toBe('next-sale');
    expect(receiptKey({ key: 'N' }, 0)).toBe('next-sale');
    expect(receiptKey({ key: 'Enter' }, 100)).toBeNull();
    expect(receiptKey({ key: 'Enter' }, RECEIPT_ENTER_GUARD_MS)).toBe('next-sale');
  });

  it('ignores a held key, so a held Enter never skips the receipt', () => {
    expect(receiptKey({ key: 'Enter', repeat: true }, 5_000)).toBeNull();
    expect(receiptKey({ key: 'n', repeat: true }, 5_000)).toBeNull();
  });

  it('prints the receipt or the tickets again', () => {
    expect(receiptKey({ key: 'r' }, 0)).toBe('print-receipt');
    expect(receiptKey({ key: 't' }, 0)).toBe('print-tickets');
    expect(receiptKey({ key: 't', metaKey: true }, 0)).toBeNull();
  });
});
