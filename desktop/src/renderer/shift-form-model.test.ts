import { describe, expect, it } from 'vitest';
import { checkCashMovement, checkDrawerAmount } from './shift-form-model.ts';

describe('drawer amounts', () => {
  it('takes zero as a float but never an empty field', () => {
    expect(checkDrawerAmount('0', 'EUR', 'float')).toEqual({ ok: true, cents: 0 });
    expect(checkDrawerAmount('150,50', 'EUR', 'count')).toEqual({ ok: true, cents: 15_050 });
    expect(checkDrawerAmount(' ', 'EUR', 'float')).toEqual({
      ok: false,
      error: 'Enter the float (0 if the drawer starts empty).',
    });
    expect(checkDrawerAmount('', 'EUR', 'count')).toEqual({
      ok: false,
      error: 'Enter the cash you counted.',
    });
    expect(checkDrawerAmount('lots', 'EUR', 'count')).toMatchObject({ ok: false });
  });
});

describe('cash movements', () => {
  it('needs an amount above zero and a reason', () => {
    expect(
      checkCashMovement({ kind: 'paid_in', amount: '20', reason: ' Change from the bank ' }, 'EUR'),
    ).toEqual({
      ok: true,
      movement: { kind: 'paid_in', amountCents: 2000, reason: 'Change from the bank' },
    });
    expect(checkCashMovement({ kind: 'paid_out', amount: '0', reason: '' }, 'EUR')).toEqual({
      ok: false,
      errors: {
        amount: 'Enter an amount above zero, e.g. 20 or 4.50',
        reason: 'Say why the money moved (it is on the Z report).',
      },
    });
  });
});
