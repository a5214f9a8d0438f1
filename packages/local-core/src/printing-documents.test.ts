import { describe, expect, it } from 'vitest';
import { shiftReport, type RowOf } from '@janix/domain';
import {
  receiptDocument,
  receiptLines,
  shiftCurrency,
  shiftReportDocument,
  ticketDocuments,
} from './printing-documents.ts';
import type { OrderBundle } from './replica/box-office-queries.ts';

const stamp = { version: 1, updatedAt: '2026-06-01T18:00:00Z', updatedBy: 'Till 1' };
const context = { organizationName: 'Harbour Lights', deviceName: 'Till 1' };

const adult: RowOf<'ticket_types'> = {
  ...stamp,
  id: 'type-adult',
  eventId: 'event-1',
  quotaId: 'quota-1',
  name: 'Adult',
  priceCents: 2400,
  currency: 'EUR',
  taxRateBp: 2000,
  capacity: 100,
  salesStartAt: null,
  salesEndAt: null,
  channels: 'box_office',
};
const child: RowOf<'ticket_types'> = { ...adult, id: 'type-child', name: 'Child', priceCents: 1200 };

const order: RowOf<'orders'> = {
  ...stamp,
  id: 'order-1',
  eventId: 'event-1',
  personId: 'person-1',
  code: 'K7Q2M4XD',
  channel: 'box_office',
  status: 'paid',
  totalCents: 6000,
  currency: 'EUR',
  createdAt: '2026-06-01T18:00:00Z',
  shiftId: 'shift-1',
  paymentMethod: 'cash',
  paymentReference: null,
  compReason: null,
  tenderedCents: 10_000,
  changeCents: 4000,
  taxCents: 1000,
  listedTotalCents: 6000,
  refundedAt: null,
  refundReason: null,
};

const ticket = (n: number, type: RowOf<'ticket_types'>, status = 'valid'): RowOf<'tickets'> => ({
  ...stamp,
  id: `ticket-${n}`,
  orderId: order.id,
  eventId: 'event-1',
  ticketTypeId: type.id,
  personId: 'person-1',
  status,
  secret: `secret-${n}`,
  priceCents: type.priceCents,
  taxCents: Math.round((type.priceCents * 2000) / 12_000),
  allocationId: 'allocation-1',
  slot: n,
});

const shift: RowOf<'shifts'> = {
  ...stamp,
  id: 'shift-1',
  deviceId: 'device-1',
  cashier: 'Dana Demo',
  openedAt: '2026-06-01T17:00:00Z',
  floatCents: 10_000,
  status: 'open',
  closedAt: null,
  countedCents: null,
  expectedCents: null,
};

function bundle(patch: Partial<OrderBundle> = {}): OrderBundle {
  return {
    order,
    event: {
      ...stamp,
      id: 'event-1',
      name: 'Doo-wop Showcase',
      venue: 'Pier 9',
      startsAt: '2026-06-02T19:00:00Z',
      endsAt: '2026-06-02T23:00:00Z',
      status: 'on_sale',
    },
    buyer: {
      ...stamp,
      id: 'person-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      phone: null,
      ageRange: null,
      company: null,
      city: null,
      country: null,
      marketingConsent: false,
    },
    tickets: [ticket(0, adult), ticket(1, adult), ticket(2, child)],
    ticketTypes: new Map([
      [adult.id, adult],
      [child.id, child],
    ]),
    audit: [],
    shift,
    pending: { order: false, tickets: new Set(), audit: new Set() },
    ...patch,
  };
}

describe('receipts from replica rows', () => {
  it('has one line per ticket type and price, from what the tickets were sold at', () => {
    expect(receiptLines(bundle())).toEqual([
      {
        ticketTypeName: 'Adult',
        quantity: 2,
        unitPriceCents: 2400,
        totalCents: 4800,
        taxRateBp: 2000,
        taxCents: 800,
      },
      {
        ticketTypeName: 'Child',
        quantity: 1,
        unitPriceCents: 1200,
        totalCents: 1200,
        taxRateBp: 2000,
        taxCents: 200,
      },
    ]);
  });

  it('prints a cash sale with what was given and the change, and the cashier of its shift', () => {
    expect(receiptDocument(bundle(), context)).toMatchObject({
      kind: 'sale',
      organizationName: 'Harbour Lights',
      eventName: 'Doo-wop Showcase',
      orderCode: 'K7Q2M4XD',
      totalCents: 6000,
      payment: { method: 'cash', tenderedCents: 10_000, changeCents: 4000 },
      reason: null,
      cashier: 'Dana Demo',
      deviceName: 'Till 1',
      currency: 'EUR',
    });
  });

  it('prints a refunded order as its refund: when, why and by whom', () => {
    const refunded = bundle({
      order: { ...order, status: 'refunded', refundedAt: '2026-06-01T19:00:00Z', refundReason: 'Ill' },
      audit: [
        {
          ...stamp,
          id: 'audit-1',
          orderId: order.id,
          shiftId: 'shift-2',
          action: 'refund',
          reason: 'Ill',
          amountCents: 6000,
          method: 'cash',
          userId: 'user-2',
          userName: 'Sam Cashier',
          deviceId: 'device-2',
          createdAt: '2026-06-01T19:00:00Z',
        },
      ],
    });
    expect(receiptDocument(refunded, context)).toMatchObject({
      kind: 'refund',
      at: '2026-06-01T19:00:00Z',
      reason: 'Ill',
      cashier: 'Sam Cashier',
    });
  });

  it('prints a terminal or comp payment with its reference or reason', () => {
    expect(
      receiptDocument(
        bundle({ order: { ...order, paymentMethod: 'terminal', paymentReference: '0451' } }),
        context,
      ).payment,
    ).toEqual({ method: 'terminal', reference: '0451' });
    expect(
      receiptDocument(bundle({ order: { ...order, paymentMethod: 'comp', compReason: 'Press' } }), context)
        .payment,
    ).toEqual({ method: 'comp', compReason: 'Press' });
  });
});

describe('tickets from replica rows', () => {
  it('prints only tickets that still admit, with the buyer’s name', () => {
    const docs = ticketDocuments(
      bundle({ tickets: [ticket(0, adult), ticket(1, adult, 'refunded'), ticket(2, child)] }),
      context,
    );
    expect(docs.map((doc) => doc.secret)).toEqual(['secret-0', 'secret-2']);
    expect(docs[0]).toMatchObject({
      eventName: 'Doo-wop Showcase',
      venue: 'Pier 9',
      ticketTypeName: 'Adult',
      attendeeName: 'Ada Lovelace',
      orderCode: 'K7Q2M4XD',
      organizationName: 'Harbour Lights',
    });
    expect(ticketDocuments(bundle({ buyer: null }), context)[0]!.attendeeName).toBeNull();
  });
});

describe('shift reports from replica rows', () => {
  const rows = {
    shift,
    orders: [order],
    audits: [],
    cashMovements: [],
    tickets: [ticket(0, adult), ticket(1, adult), ticket(2, child)],
    ticketTypes: [adult, child],
  };

  it('is an X report while the shift is open and a Z report once closed', () => {
    const printedAt = new Date('2026-06-01T20:00:00Z');
    const open = shiftReportDocument(shiftReport(rows), { ...context, currency: 'EUR', printedAt });
    expect(open).toMatchObject({
      kind: 'X',
      cashier: 'Dana Demo',
      floatCents: 10_000,
      salesByMethod: [{ method: 'cash', orders: 1, amountCents: 6000 }],
      salesByTicketType: [
        { ticketTypeName: 'Adult', quantity: 2, amountCents: 4800 },
        { ticketTypeName: 'Child', quantity: 1, amountCents: 1200 },
      ],
      expectedCashCents: 16_000,
      countedCents: null,
      currency: 'EUR',
    });
    const closed = { ...shift, status: 'closed', closedAt: '2026-06-01T21:00:00Z', countedCents: 15_900 };
    const z = shiftReportDocument(shiftReport({ ...rows, shift: closed }), {
      ...context,
      currency: 'EUR',
      printedAt,
    });
    expect(z).toMatchObject({ kind: 'Z', closedAt: '2026-06-01T21:00:00Z', countedCents: 15_900 });
  });

  it('counts in the shift’s currency, or its ticket types’ before it sold anything', () => {
    expect(shiftCurrency({ orders: [{ ...order, currency: 'CHF' }], ticketTypes: [adult] })).toBe('CHF');
    expect(shiftCurrency({ orders: [], ticketTypes: [{ ...adult, currency: 'GBP' }] })).toBe('GBP');
    expect(shiftCurrency({ orders: [], ticketTypes: [] })).toBe('EUR');
  });
});
