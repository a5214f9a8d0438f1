import type { RowOf } from './replicated-tables.ts';

/**
 * What a cashier's shift took in, as the X report (an open shift, read at any time) and the Z report (the
 * closing one) print it and the console shows it. Pure arithmetic over the shift's rows, so the console and
 * the server (which stores the expected cash when a shift closes) count the drawer the same way.
 */

export type PaymentMethod = 'cash' | 'terminal' | 'card' | 'comp';
/** The order a report lists payment methods in: the drawer's first. */
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'terminal', 'card', 'comp'];

/** What the drawer's arithmetic needs. Rows of other shifts may be among them; only the shift's count. */
export interface ShiftCashRows {
  shift: RowOf<'shifts'>;
  orders: Iterable<RowOf<'orders'>>;
  /** Refunds and voids, by the shift whose drawer paid them (not the one that sold). */
  audits: Iterable<RowOf<'order_audit'>>;
  cashMovements: Iterable<RowOf<'cash_movements'>>;
}

/** Everything a report lists: tickets of the shift's orders and the names of their ticket types too. */
export interface ShiftRows extends ShiftCashRows {
  tickets: Iterable<RowOf<'tickets'>>;
  ticketTypes: Iterable<RowOf<'ticket_types'>>;
}

export interface ShiftReport {
  shiftId: string;
  deviceId: string;
  cashier: string;
  status: string;
  openedAt: string;
  closedAt: string | null;
  floatCents: number;
  /** Sales made in the shift (a voided one was undone and is not; a refunded one was made), per method. */
  salesByMethod: { method: PaymentMethod; orders: number; amountCents: number }[];
  salesByTicketType: {
    ticketTypeId: string;
    ticketTypeName: string;
    quantity: number;
    amountCents: number;
  }[];
  salesCents: number;
  refunds: { orders: number; amountCents: number };
  voids: { orders: number; amountCents: number };
  /** Free tickets handed out, and what they would have cost at the listed prices. */
  comps: { orders: number; tickets: number; listedCents: number };
  cashMovements: { kind: 'paid_in' | 'paid_out'; amountCents: number; reason: string; at: string }[];
  paidInCents: number;
  paidOutCents: number;
  /** The drawer: float + cash sales − cash refunds + paid in − paid out = expected. */
  cashSalesCents: number;
  cashRefundsCents: number;
  expectedCashCents: number;
  /** What the cashier counted at close; null while the shift is open. */
  countedCents: number | null;
  /** Counted − expected: positive is over, negative short; null while the shift is open. */
  overShortCents: number | null;
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** Orders whose money the shift took: paid, or paid and refunded later (the refund is its own line). */
function salesOf(shiftId: string, orders: Iterable<RowOf<'orders'>>): RowOf<'orders'>[] {
  return [...orders].filter(
    (order) => order.shiftId === shiftId && (order.status === 'paid' || order.status === 'refunded'),
  );
}

type Movement = RowOf<'cash_movements'> & { kind: 'paid_in' | 'paid_out' };

function movementsOf(shiftId: string, movements: Iterable<RowOf<'cash_movements'>>): Movement[] {
  return [...movements].filter(
    (movement): movement is Movement =>
      movement.shiftId === shiftId && (movement.kind === 'paid_in' || movement.kind === 'paid_out'),
  );
}

interface DrawerParts {
  cashSalesCents: number;
  cashRefundsCents: number;
  paidInCents: number;
  paidOutCents: number;
  expectedCashCents: number;
}

function drawer(rows: ShiftCashRows): DrawerParts {
  const shiftId = rows.shift.id;
  const cashSalesCents = sum(
    salesOf(shiftId, rows.orders)
      .filter((order) => order.paymentMethod === 'cash')
      .map((order) => order.totalCents),
  );
  // A voided cash sale is left out of the sales above, so only refunds take money out again here.
  const cashRefundsCents = sum(
    [...rows.audits]
      .filter((audit) => audit.shiftId === shiftId && audit.action === 'refund' && audit.method === 'cash')
      .map((audit) => audit.amountCents),
  );
  const movements = movementsOf(shiftId, rows.cashMovements);
  const paidInCents = sum(movements.filter((m) => m.kind === 'paid_in').map((m) => m.amountCents));
  const paidOutCents = sum(movements.filter((m) => m.kind === 'paid_out').map((m) => m.amountCents));
  return {
    cashSalesCents,
    cashRefundsCents,
    paidInCents,
    paidOutCents,
    expectedCashCents: rows.shift.floatCents + cashSalesCents - cashRefundsCents + paidInCents - paidOutCents,
  };
}

/** The cash that should be in the drawer now: what closing a shift stores, and what its report prints. */
export function expectedCashCents(rows: ShiftCashRows): number {
  return drawer(rows).expectedCashCents;
}

export function shiftReport(rows: ShiftRows): ShiftReport {
  const { shift } = rows;
  const sales = salesOf(shift.id, rows.orders);
  const saleIds = new Set(sales.map((order) => order.id));
  const tickets = [...rows.tickets].filter((ticket) => saleIds.has(ticket.orderId));
  const types = new Map([...rows.ticketTypes].map((type) => [type.id, type]));

  const salesByMethod = PAYMENT_METHODS.map((method) => {
    const paid = sales.filter((order) => order.paymentMethod === method);
    return { method, orders: paid.length, amountCents: sum(paid.map((order) => order.totalCents)) };
  }).filter((line) => line.orders > 0);

  const byType = new Map<string, ShiftReport['salesByTicketType'][number]>();
  for (const ticket of tickets) {
    const line = byType.get(ticket.ticketTypeId) ?? {
      ticketTypeId: ticket.ticketTypeId,
      ticketTypeName: types.get(ticket.ticketTypeId)?.name ?? 'Unknown ticket type',
      quantity: 0,
      amountCents: 0,
    };
    byType.set(ticket.ticketTypeId, {
      ...line,
      quantity: line.quantity + 1,
      amountCents: line.amountCents + ticket.priceCents,
    });
  }
  const salesByTicketType = [...byType.values()].sort(
    (a, b) =>
      a.ticketTypeName.localeCompare(b.ticketTypeName) || a.ticketTypeId.localeCompare(b.ticketTypeId),
  );

  const audits = [...rows.audits].filter((audit) => audit.shiftId === shift.id);
  const tally = (action: 'refund' | 'void') => {
    const done = audits.filter((audit) => audit.action === action);
    return { orders: done.length, amountCents: sum(done.map((audit) => audit.amountCents)) };
  };

  const comps = sales.filter((order) => order.paymentMethod === 'comp');
  const compTickets = (order: RowOf<'orders'>) => tickets.filter((ticket) => ticket.orderId === order.id);
  // The server records the listed total of a sale; before it has, the ticket types' prices stand in.
  const listedCents = (order: RowOf<'orders'>) =>
    order.listedTotalCents ??
    sum(compTickets(order).map((ticket) => types.get(ticket.ticketTypeId)?.priceCents ?? 0));

  const cashMovements = movementsOf(shift.id, rows.cashMovements)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((movement) => ({
      kind: movement.kind,
      amountCents: movement.amountCents,
      reason: movement.reason,
      at: movement.createdAt,
    }));

  const cash = drawer(rows);
  return {
    shiftId: shift.id,
    deviceId: shift.deviceId,
    cashier: shift.cashier,
    status: shift.status,
    openedAt: shift.openedAt,
    closedAt: shift.closedAt,
    floatCents: shift.floatCents,
    salesByMethod,
    salesByTicketType,
    salesCents: sum(sales.map((order) => order.totalCents)),
    refunds: tally('refund'),
    voids: tally('void'),
    comps: {
      orders: comps.length,
      tickets: sum(comps.map((order) => compTickets(order).length)),
      listedCents: sum(comps.map(listedCents)),
    },
    cashMovements,
    ...cash,
    countedCents: shift.countedCents,
    overShortCents: shift.countedCents === null ? null : shift.countedCents - cash.expectedCashCents,
  };
}
