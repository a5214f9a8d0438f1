import { describe, expect, it } from 'vitest';
import { checkUndoReason, undoConfirmText, undoOffer } from './refund-form-model.ts';

const paid = { status: 'paid', paymentMethod: 'cash', totalCents: 4800, currency: 'EUR' };

describe('undo offer', () => {
  it('offers refund and void for what the box office took itself', () => {
    expect(undoOffer(paid)).toEqual({ actions: ['refund', 'void'], note: null });
    expect(undoOffer({ ...paid, paymentMethod: 'comp' }).actions).toEqual(['refund', 'void']);
  });

  it('offers nothing for an order already undone or paid by card', () => {
    expect(undoOffer({ ...paid, status: 'refunded' })).toEqual({
      actions: [],
      note: 'This order was refunded.',
    });
    expect(undoOffer({ ...paid, status: 'void' }).actions).toEqual([]);
    // Card orders are refunded through Stripe by their own form, not by the cash refund.
    expect(undoOffer({ ...paid, paymentMethod: 'card' })).toEqual({ actions: [], note: null });
  });
});

describe('undo reason and confirmation', () => {
  it('needs a reason', () => {
    expect(checkUndoReason('  ')).toMatchObject({ ok: false });
    expect(checkUndoReason(' Double sale ')).toEqual({ ok: true, reason: 'Double sale' });
  });

  it('says where the money goes', () => {
    expect(undoConfirmText('refund', paid)).toBe(
      'Refund this order: its tickets stop admitting anyone, and give back €48.00 in cash from this drawer.',
    );
    expect(undoConfirmText('void', { ...paid, paymentMethod: 'comp' })).toContain('no money moves');
  });
});
