import type { ShiftReport, ShiftRows } from '@janix/domain';
import type { OrderBundle } from './replica/box-office-queries.ts';
import type {
  ReceiptDocument,
  ReceiptLine,
  ReceiptPayment,
  ShiftReportDocument,
} from './printing/receipt-escpos.ts';
import { receiptLines as linesOfTickets, type TicketDocument } from '@janix/documents';

/**
 * Replica rows as the printing code's documents: receipts (a sale, or the refund or void of one), tickets
 * and X/Z shift reports. Pure mapping, so what a receipt says is decided from the same rows the screens show.
 */

/** Who prints: the organization and this device, and how dates and amounts read. */
export interface PrintContext {
  organizationName: string;
  deviceName: string;
  locale?: string;
  timeZone?: string;
}

/** The currency when nothing in the rows names one (a shift that sold nothing). */
const FALLBACK_CURRENCY = 'EUR';

/** The order's receipt lines, from its tickets as charged (see @janix/documents receiptLines). */
export function receiptLines(bundle: Pick<OrderBundle, 'tickets' | 'ticketTypes'>): ReceiptLine[] {
  return linesOfTickets(bundle.tickets, bundle.ticketTypes);
}

function paymentOf(order: OrderBundle['order']): ReceiptPayment {
  switch (order.paymentMethod) {
    case 'cash':
      return { method: 'cash', tenderedCents: order.tenderedCents, changeCents: order.changeCents };
    case 'comp':
      return { method: 'comp', compReason: order.compReason ?? '' };
    case 'terminal':
      return { method: 'terminal', reference: order.paymentReference };
    default:
      // Web orders from before payment methods were recorded were paid by card, through the provider.
      return { method: 'card', reference: order.paymentReference };
  }
}

const RECEIPT_KINDS: Record<string, ReceiptDocument['kind']> = { refunded: 'refund', void: 'void' };

/** The order's receipt: of the sale, or of its refund or void once it has one. */
export function receiptDocument(bundle: OrderBundle, context: PrintContext): ReceiptDocument {
  const { order } = bundle;
  const kind = RECEIPT_KINDS[order.status] ?? 'sale';
  const undone = kind === 'sale' ? undefined : bundle.audit.at(-1);
  return {
    kind,
    organizationName: context.organizationName,
    eventName: bundle.event?.name ?? '',
    orderCode: order.code,
    at: undone?.createdAt ?? (kind === 'sale' ? order.createdAt : (order.refundedAt ?? order.createdAt)),
    lines: receiptLines(bundle),
    totalCents: order.totalCents,
    payment: paymentOf(order),
    reason: kind === 'sale' ? null : (order.refundReason ?? undone?.reason ?? null),
    cashier: undone ? undone.userName : (bundle.shift?.cashier ?? null),
    deviceName: context.deviceName,
    currency: order.currency,
    ...(context.locale ? { locale: context.locale } : {}),
    ...(context.timeZone ? { timeZone: context.timeZone } : {}),
  };
}

const nameOf = (person: OrderBundle['buyer']): string | null => {
  const name = [person?.firstName, person?.lastName].filter(Boolean).join(' ').trim();
  return name || null;
};

/** The order's tickets that admit someone: refunded and voided ones are never printed again. */
export function ticketDocuments(bundle: OrderBundle, context: PrintContext): TicketDocument[] {
  return bundle.tickets
    .filter((ticket) => ticket.status === 'valid' && ticket.secret)
    .map((ticket) => ({
      secret: ticket.secret,
      eventName: bundle.event?.name ?? '',
      venue: bundle.event?.venue ?? null,
      startsAt: bundle.event?.startsAt ?? '',
      ticketTypeName: bundle.ticketTypes.get(ticket.ticketTypeId)?.name ?? 'Ticket',
      attendeeName: nameOf(bundle.buyer),
      orderCode: bundle.order.code,
      organizationName: context.organizationName,
    }));
}

/** A shift's currency: its orders', else its ticket types', else the fallback. */
export function shiftCurrency(rows: Pick<ShiftRows, 'orders' | 'ticketTypes'>): string {
  for (const order of rows.orders) if (order.currency) return order.currency;
  for (const type of rows.ticketTypes) if (type.currency) return type.currency;
  return FALLBACK_CURRENCY;
}

/** An X report while the shift is open, its Z report once closed. */
export function shiftReportDocument(
  report: ShiftReport,
  context: PrintContext & { currency: string; printedAt: Date },
): ShiftReportDocument {
  return {
    kind: report.status === 'closed' ? 'Z' : 'X',
    organizationName: context.organizationName,
    deviceName: context.deviceName,
    cashier: report.cashier || null,
    shiftId: report.shiftId,
    openedAt: report.openedAt,
    closedAt: report.closedAt,
    printedAt: context.printedAt,
    floatCents: report.floatCents,
    salesByMethod: report.salesByMethod,
    salesByTicketType: report.salesByTicketType.map(({ ticketTypeName, quantity, amountCents }) => ({
      ticketTypeName,
      quantity,
      amountCents,
    })),
    refunds: report.refunds,
    voids: report.voids,
    comps: { orders: report.comps.orders, tickets: report.comps.tickets },
    cashMovements: report.cashMovements.map(({ kind, amountCents, reason }) => ({
      kind,
      amountCents,
      reason,
    })),
    expectedCashCents: report.expectedCashCents,
    countedCents: report.countedCents,
    currency: context.currency,
    ...(context.locale ? { locale: context.locale } : {}),
    ...(context.timeZone ? { timeZone: context.timeZone } : {}),
  };
}
