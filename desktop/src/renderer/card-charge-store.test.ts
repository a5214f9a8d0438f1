import { describe, expect, it } from 'vitest';
import {
  CARD_CHARGE_STORAGE_KEY,
  loadCardCharge,
  saveCardCharge,
  type StoredCardCharge,
} from './card-charge-store.ts';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

const charge: StoredCardCharge = {
  readerLabel: 'Front desk',
  request: {
    paymentId: '11111111-1111-4111-8111-111111111111',
    orderId: '22222222-2222-4222-8222-222222222222',
    method: 'reader',
    eventId: '33333333-3333-4333-8333-333333333333',
    lines: [{ ticketTypeId: '44444444-4444-4444-8444-444444444444', quantity: 2 }],
    buyer: null,
  },
};

describe('card charge store', () => {
  it('keeps the running charge for the tab and forgets it when it ends', () => {
    const storage = memoryStorage();
    expect(loadCardCharge(storage)).toBeNull();
    saveCardCharge(storage, charge);
    expect(loadCardCharge(storage)).toEqual(charge);
    saveCardCharge(storage, null);
    expect(loadCardCharge(storage)).toBeNull();
  });

  it('forgets what it cannot read', () => {
    const storage = memoryStorage();
    storage.setItem(CARD_CHARGE_STORAGE_KEY, '{not json');
    expect(loadCardCharge(storage)).toBeNull();
    expect(storage.map.has(CARD_CHARGE_STORAGE_KEY)).toBe(false);
    storage.setItem(CARD_CHARGE_STORAGE_KEY, JSON.stringify({ ...charge, request: { paymentId: 'x' } }));
    expect(loadCardCharge(storage)).toBeNull();
  });
});
