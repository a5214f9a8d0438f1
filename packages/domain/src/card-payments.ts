import {
  MAX_TICKETS_PER_SALE,
  type CardCart,
  type CardPaymentState,
  type PaymentKind,
  type PaymentStatus,
} from '@janix/schemas';
import {
  updateOf,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
  type ReadRequest,
} from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import { orderCodeOf, saleTotals, taxIncluded } from './pricing.ts';
import { auditWrite, decideRefund, refundCommands, type RefundArgs } from './refund-commands.ts';
import type { RowOf, WriteRowOf } from './replicated-tables.ts';
import { buyerReads, buyerWrites, checkSaleLines, type CheckedLine } from './sale-commands.ts';
import { ownOpenShift } from './shift-commands.ts';

export type { RefundArgs };

/**
 * Card payments, decided as pure rules the server runs (it alone talks to Stripe): a payment first holds its
 * seats, so a card sale never oversells however long the buyer takes; the order and its tickets are written
 * only once Stripe says the money is there, in the same transaction that marks the payment succeeded; a
 * payment that ends any other way gives its seats back. Events from Stripe arrive late, twice, or out of order:
 * `nextPaymentStep` never moves a payment backwards, and money that arrives after its sale was given up is
 * never lost (the sale goes through if its seats are still free, else the money goes back).
 *
 * A hold counts in the quota's `allocated`, like a till's allocation: `sold + allocated <= capacity` keeps
 * holding (the database refuses anything else), and tills asking for seats see them taken.
 */

/** Seats held per quota id while a payment is open. */
export type SeatHolds = Record<string, number>;

/** How long each kind of payment holds its seats before they go back (the expiry job releases them). */
export const PAYMENT_HOLD_MINUTES: Record<PaymentKind, number> = {
  // A buyer at the door taps within a minute or two; a reader that never answers must not hold seats long.
  terminal: 10,
  // Stripe's shortest Checkout Session lives 30 minutes.
  checkout_link: 30,
  web_checkout: 30,
};

export const OPEN_PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'waiting_for_card', 'processing'];
const ENDED_UNPAID: readonly PaymentStatus[] = ['declined', 'cancelled', 'expired', 'failed'];
const PAID: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded'];

export function isOpenPayment(status: string): boolean {
  return (OPEN_PAYMENT_STATUSES as readonly string[]).includes(status);
}

/** A payment as the console shows it while it runs (from the server's row or the replica's copy). */
export function paymentStateOf(row: RowOf<'payments'>): CardPaymentState {
  return {
    paymentId: row.id,
    orderId: row.orderId,
    kind: row.kind as PaymentKind,
    status: row.status as PaymentStatus,
    amountCents: row.amountCents,
    currency: row.currency,
    refundedCents: row.refundedCents,
    checkoutUrl: row.checkoutUrl,
    cardBrand: row.cardBrand,
    cardLast4: row.cardLast4,
    failureReason: row.failureReason,
    expiresAt: row.expiresAt,
  };
}

/** A card sale as the server starts it: the console's cart and ids, the server's clock. */
export interface CardSale {
  paymentId: string;
  orderId: string;
  kind: PaymentKind;
  cart: CardCart;
  readerId: string | null;
  /** ISO time the payment starts (the server's clock). */
  at: string;
}

/** The rows a card sale's hold and its completion read: the event's catalog and quotas, the buyer, the ids. */
export function cardSaleReads(sale: { paymentId: string; orderId: string; cart: CardCart }): ReadRequest[] {
  const { cart } = sale;
  return [
    { table: 'events', ids: [cart.eventId] },
    { table: 'quotas', column: 'event_id', values: [cart.eventId] },
    { table: 'ticket_types', column: 'event_id', values: [cart.eventId] },
    { table: 'orders', ids: [sale.orderId] },
    { table: 'payments', ids: [sale.paymentId] },
    ...(cart.shiftId ? [{ table: 'shifts' as const, ids: [cart.shiftId] }] : []),
    ...buyerReads(cart.buyer),
  ];
}

/** Seats per quota a sale's lines need. */
function seatsPerQuota(lines: readonly CheckedLine[]): Map<string, number> {
  const seats = new Map<string, number>();
  for (const line of lines) seats.set(line.type.quotaId, (seats.get(line.type.quotaId) ?? 0) + line.quantity);
  return seats;
}

/** Refuses a sale whose quotas lack the free seats it needs (free: neither sold nor held by anyone). */
function soldOut(rows: LoadedRows, seats: Map<string, number>): ReturnType<typeof rejection> | null {
  for (const [quotaId, wanted] of seats) {
    const quota = rows.quotas.get(quotaId);
    if (!quota) return rejection('not_found', 'The quota of a ticket type of this sale no longer exists.');
    const free = Math.max(0, quota.capacity - quota.sold - quota.allocated);
    if (wanted > free) {
      return rejection(
        'sold_out',
        free === 0
          ? `${quota.name} is sold out.`
          : `Only ${free} of ${quota.name} ${free === 1 ? 'is' : 'are'} left.`,
      );
    }
  }
  return null;
}

function quotaChange(rows: LoadedRows, quotaId: string, change: { sold?: number; allocated?: number }) {
  const quota = rows.quotas.get(quotaId)!;
  return updateOf('quotas', quota, {
    sold: Math.max(0, quota.sold + (change.sold ?? 0)),
    allocated: Math.max(0, quota.allocated + (change.allocated ?? 0)),
  });
}

function checkCart(rows: LoadedRows, sale: CardSale, ctx: CommandContext, liveChecks: boolean) {
  const { cart } = sale;
  const event = rows.events.get(cart.eventId);
  if (!event) return rejection('not_found', 'This event does not exist.');
  if (liveChecks && event.status !== 'on_sale') {
    return rejection('not_on_sale', `${event.name} is not on sale (${event.status.replace('_', ' ')}).`);
  }
  const checked = checkSaleLines(rows, event, cart.lines, cart.currency, ctx.now, {
    channel: sale.kind === 'web_checkout' ? 'online' : 'box_office',
    liveChecks,
  });
  if (!checked.ok) return checked;
  const tickets = checked.value.reduce((sum, line) => sum + line.quantity, 0);
  if (tickets > MAX_TICKETS_PER_SALE) {
    return rejection('invalid_sale', `One sale holds at most ${MAX_TICKETS_PER_SALE} tickets.`);
  }
  const totals = saleTotals(
    checked.value.map((line) => ({ ...line, taxRateBp: line.type.taxRateBp })),
    false,
  );
  return { ok: true as const, value: { event, lines: checked.value, totals } };
}

export interface CardHold {
  writes: CommandWrite[];
  holds: SeatHolds;
  amountCents: number;
}

/**
 * Starts a card sale: checks the cart as a sale at that moment (event on sale, ticket types of the event sold
 * on this channel, in their window and at their list price, the till's own open shift), holds its seats from
 * the quotas and records the payment as pending. Refused when the quotas lack the seats (nothing is held).
 */
export function decideCardHold(
  rows: LoadedRows,
  sale: CardSale,
  ctx: CommandContext,
  expiresAt: string,
): Decision<CardHold> {
  if (rows.payments.has(sale.paymentId))
    return rejection('already_exists', 'This payment was already started.');
  if (rows.orders.has(sale.orderId)) return rejection('already_exists', 'This sale was already recorded.');
  if (sale.kind !== 'web_checkout') {
    if (!sale.cart.shiftId) return rejection('shift_required', 'Open a shift on this device first.');
    const shift = ownOpenShift(rows, sale.cart.shiftId, ctx);
    if (!shift.ok) return shift;
  }
  const checked = checkCart(rows, sale, ctx, true);
  if (!checked.ok) return checked;
  const { totals, lines } = checked.value;
  if (totals.totalCents === 0) {
    return rejection(
      'nothing_to_charge',
      'There is nothing to charge: free tickets are handed out as comps.',
    );
  }
  const seats = seatsPerQuota(lines);
  const refused = soldOut(rows, seats);
  if (refused) return refused;
  const payment: WriteRowOf<'payments'> = {
    id: sale.paymentId,
    kind: sale.kind,
    status: 'pending',
    eventId: sale.cart.eventId,
    orderId: sale.orderId,
    shiftId: sale.cart.shiftId,
    deviceId: sale.kind === 'web_checkout' ? null : ctx.actor.deviceId,
    readerId: sale.readerId,
    amountCents: totals.totalCents,
    currency: sale.cart.currency,
    refundedCents: 0,
    stripePaymentIntentId: null,
    stripeCheckoutSessionId: null,
    checkoutUrl: null,
    cardBrand: null,
    cardLast4: null,
    failureReason: null,
    createdAt: sale.at,
    expiresAt,
    completedAt: null,
  };
  return {
    ok: true,
    value: {
      writes: [
        { table: 'payments', op: 'insert', row: payment },
        ...[...seats].map(([quotaId, held]) => quotaChange(rows, quotaId, { allocated: held })),
      ],
      holds: Object.fromEntries(seats),
      amountCents: totals.totalCents,
    },
  };
}

/** A ticket's id and signed secret, made by the server (only it holds the organization's signing key). */
export type TicketMinter = (ticket: { eventId: string; ticketTypeId: string }) => {
  ticketId: string;
  secret: string;
};

export interface CardCompletion {
  payment: RowOf<'payments'>;
  cart: CardCart;
  /** The seats the payment still holds; empty once they were released (money that came after the end). */
  holds: SeatHolds;
  at: string;
  mint: TicketMinter;
  card: { brand: string | null; last4: string | null };
}

/**
 * The payment succeeded: the order, its tickets (signed) and its buyer are written, the held seats become sold,
 * the payment is marked succeeded. Money that arrives after the hold was released takes the seats again only
 * if they are still free (else `sold_out`, and the server gives the money back).
 */
export function decideCardCompletion(
  rows: LoadedRows,
  completion: CardCompletion,
  ctx: CommandContext,
): Decision<CommandWrite[]> {
  const { payment, cart } = completion;
  if (rows.orders.has(payment.orderId)) return rejection('already_exists', 'This sale was already recorded.');
  const sale: CardSale = {
    paymentId: payment.id,
    orderId: payment.orderId,
    kind: payment.kind as PaymentKind,
    cart,
    readerId: payment.readerId,
    at: completion.at,
  };
  // The sale was checked when its seats were held; the window may have closed since, as for an offline sale.
  const checked = checkCart(rows, sale, ctx, false);
  if (!checked.ok) return checked;
  const { event, lines, totals } = checked.value;
  const seats = seatsPerQuota(lines);
  const held = (quotaId: string) => completion.holds[quotaId] ?? 0;
  const unheld = new Map(
    [...seats].map(([quotaId, wanted]) => [quotaId, Math.max(0, wanted - held(quotaId))]),
  );
  const refused = soldOut(rows, unheld);
  if (refused) return refused;

  const buyer = buyerWrites(rows, cart.buyer);
  const tickets: CommandWrite[] = lines.flatMap((line) =>
    Array.from({ length: line.quantity }, (): CommandWrite => {
      const issued = completion.mint({ eventId: event.id, ticketTypeId: line.type.id });
      return {
        table: 'tickets',
        op: 'insert',
        row: {
          id: issued.ticketId,
          orderId: payment.orderId,
          eventId: event.id,
          ticketTypeId: line.type.id,
          personId: buyer.personId,
          status: 'valid',
          secret: issued.secret,
          priceCents: line.unitPriceCents,
          taxCents: taxIncluded(line.unitPriceCents, line.type.taxRateBp),
          allocationId: null,
          slot: null,
        },
      };
    }),
  );
  const order: WriteRowOf<'orders'> = {
    id: payment.orderId,
    eventId: event.id,
    personId: buyer.personId,
    code: orderCodeOf(payment.orderId),
    channel: payment.kind === 'web_checkout' ? 'online' : 'box_office',
    status: 'paid',
    totalCents: totals.totalCents,
    currency: cart.currency,
    createdAt: completion.at,
    shiftId: cart.shiftId,
    paymentMethod: 'card',
    paymentReference: null,
    compReason: null,
    tenderedCents: null,
    changeCents: null,
    taxCents: totals.taxCents,
    listedTotalCents: lines.reduce((sum, line) => sum + line.type.priceCents * line.quantity, 0),
    refundedAt: null,
    refundReason: null,
  };
  return {
    ok: true,
    value: [
      ...buyer.writes,
      { table: 'orders', op: 'insert', row: order },
      ...tickets,
      // Held seats move from allocated to sold; seats taken again after a release go straight to sold.
      ...[...seats].map(([quotaId, wanted]) =>
        quotaChange(rows, quotaId, { sold: wanted, allocated: -Math.min(wanted, held(quotaId)) }),
      ),
      updateOf('payments', payment, {
        status: 'succeeded',
        completedAt: completion.at,
        failureReason: null,
        cardBrand: completion.card.brand ?? payment.cardBrand,
        cardLast4: completion.card.last4 ?? payment.cardLast4,
      }),
    ],
  };
}

/** The payment ended unpaid: its seats go back to their quotas, and it says why. */
export function decideRelease(
  rows: LoadedRows,
  payment: RowOf<'payments'>,
  holds: SeatHolds,
  outcome: { status: 'declined' | 'cancelled' | 'expired' | 'failed'; reason: string },
): CommandWrite[] {
  return [
    ...Object.entries(holds)
      .filter(([quotaId, seats]) => seats > 0 && rows.quotas.has(quotaId))
      .map(([quotaId, seats]) => quotaChange(rows, quotaId, { allocated: -seats })),
    updateOf('payments', payment, { status: outcome.status, failureReason: outcome.reason }),
  ];
}

/** What Stripe said about a payment, in the terms of our state machine. */
export type PaymentSignal =
  | { kind: 'waiting_for_card' }
  | { kind: 'processing' }
  | { kind: 'succeeded' }
  | { kind: 'declined'; reason: string }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'expired'; reason: string }
  | { kind: 'failed'; reason: string };

export type PaymentStep =
  /** Nothing to do: a repeated or late event that would move the payment backwards. */
  | { step: 'ignore'; why: string }
  | { step: 'advance'; status: 'waiting_for_card' | 'processing' }
  | { step: 'complete' }
  | { step: 'release'; status: 'declined' | 'cancelled' | 'expired' | 'failed'; reason: string }
  /** Money arrived for a payment that had ended unpaid: attach it to a sale if the seats are free, else refund. */
  | { step: 'late_success' };

const rank: Record<string, number> = { pending: 0, waiting_for_card: 1, processing: 2 };

/**
 * The state machine of a payment, from its status and one signal: open payments only move forward, end once,
 * and an ended payment changes only when money arrives after all.
 */
export function nextPaymentStep(status: string, signal: PaymentSignal): PaymentStep {
  const open = isOpenPayment(status);
  switch (signal.kind) {
    case 'waiting_for_card':
    case 'processing':
      if (!open) return { step: 'ignore', why: `the payment is ${status} already` };
      if (rank[signal.kind]! <= rank[status]!)
        return { step: 'ignore', why: `the payment is ${status} already` };
      return { step: 'advance', status: signal.kind };
    case 'succeeded':
      if (open) return { step: 'complete' };
      if ((PAID as readonly string[]).includes(status))
        return { step: 'ignore', why: 'the payment succeeded already' };
      if ((ENDED_UNPAID as readonly string[]).includes(status)) return { step: 'late_success' };
      return { step: 'ignore', why: `unknown status ${status}` };
    default:
      if (!open) return { step: 'ignore', why: `the payment is ${status} already` };
      return { step: 'release', status: signal.kind, reason: signal.reason };
  }
}

/** Stripe's decline and reader failure codes in words a cashier can say to a buyer. */
const FAILURE_WORDS: Record<string, string> = {
  card_declined: 'The card was declined.',
  generic_decline: 'The card was declined.',
  do_not_honor: 'The card was declined by the bank.',
  insufficient_funds: 'The card was declined: not enough funds.',
  expired_card: 'The card has expired.',
  incorrect_pin: 'The PIN was wrong.',
  pin_try_exceeded: 'Too many wrong PINs: the card is blocked for now.',
  offline_pin_required: 'The card needs its PIN: try again and enter it.',
  online_or_offline_pin_required: 'The card needs its PIN: try again and enter it.',
  lost_card: 'The card was declined.',
  stolen_card: 'The card was declined.',
  card_not_supported: 'This card cannot be used here.',
  currency_not_supported: 'This card cannot pay in this currency.',
  processing_error: 'The bank could not process the card: try again.',
  incorrect_number: 'The card could not be read: try again.',
  card_read_timed_out: 'The reader timed out waiting for the card.',
  customer_canceled: 'The buyer cancelled on the reader.',
  terminal_reader_timeout: 'The reader did not answer in time: check it is on and online.',
  terminal_reader_offline: 'The reader is offline: check its power and network.',
  terminal_reader_busy: 'The reader is busy with another payment.',
  intent_invalid_state: 'The payment could not be taken in its current state.',
};

/** A failure in plain words: never Stripe's own message, which may quote more than a cashier needs. */
export function failureInWords(code: string | null | undefined): string {
  if (code && Object.hasOwn(FAILURE_WORDS, code)) return FAILURE_WORDS[code]!;
  return code && /^[a-z_]{1,60}$/.test(code)
    ? `The card payment did not go through (${code.replaceAll('_', ' ')}).`
    : 'The card payment did not go through.';
}

/** How much a card refund gives back, and whether it leaves nothing of the payment (the order is refunded). */
export function cardRefundAmount(
  payment: RowOf<'payments'>,
  inFlightCents: number,
  requestedCents: number | undefined,
): Decision<{ amountCents: number; full: boolean }> {
  if (payment.status === 'refunded')
    return rejection('already_refunded', 'This card payment was refunded already.');
  if (!(PAID as readonly string[]).includes(payment.status)) {
    return rejection('not_refundable', 'This card payment did not go through: there is nothing to refund.');
  }
  const left = payment.amountCents - payment.refundedCents - inFlightCents;
  if (left <= 0) return rejection('already_refunded', 'All of this card payment has been refunded.');
  const amountCents = requestedCents ?? left;
  if (amountCents > left) {
    return rejection(
      'refund_exceeds_payment',
      `A refund of ${money(amountCents, payment.currency)} is more than the ${money(left, payment.currency)} left to refund on this card payment.`,
    );
  }
  return { ok: true, value: { amountCents, full: amountCents === left } };
}

function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

/** The rows a card refund reads: the refund rule's, and the payment. */
export function cardRefundReads(args: RefundArgs, paymentId: string, ctx: CommandContext): ReadRequest[] {
  return [...refundCommands.refundOrder.reads(args, ctx), { table: 'payments', ids: [paymentId] }];
}

export function cardRefundReadsAfter(rows: LoadedRows, args: RefundArgs, ctx: CommandContext): ReadRequest[] {
  return refundCommands.refundOrder.readsAfter?.(rows, args, ctx) ?? [];
}

/**
 * The money went back to the card (Stripe took the refund): all that was left of it refunds the order by the
 * refund rule itself (tickets revoked, seats back, audited as a cash refund is), part of it is audited as a
 * partial refund and leaves the tickets valid. The payment records how much went back.
 */
export function decideCardRefund(
  rows: LoadedRows,
  refund: { payment: RowOf<'payments'>; amountCents: number; full: boolean; args: RefundArgs },
  ctx: CommandContext,
): Decision<CommandWrite[]> {
  const { payment, amountCents, args } = refund;
  const refundedCents = Math.min(payment.amountCents, payment.refundedCents + amountCents);
  const paymentWrite = updateOf('payments', payment, {
    refundedCents,
    status: refundedCents >= payment.amountCents ? 'refunded' : 'partially_refunded',
  });
  const order = rows.orders.get(args.orderId);
  if (!order) return rejection('order_not_found', 'This order was not found.');
  if (refund.full) {
    // An order undone already (refunded here before Stripe reported it) only has its payment's record move.
    if (order.status !== 'paid') return { ok: true, value: [paymentWrite] };
    const decided = decideRefund(rows, args, ctx, 'provider');
    if (!decided.ok) return decided;
    // The audit says what went back now (earlier partial refunds are audited on their own).
    const writes = decided.value.map((write) =>
      write.table === 'order_audit' ? { ...write, row: { ...write.row, amountCents } } : write,
    );
    return { ok: true, value: [...writes, paymentWrite] };
  }
  if (rows.order_audit.has(args.auditId))
    return rejection('already_exists', 'This refund was already recorded.');
  if (args.shiftId !== null) {
    const shift = ownOpenShift(rows, args.shiftId, ctx);
    if (!shift.ok) return shift;
  }
  return {
    ok: true,
    value: [auditWrite(args, ctx, { action: 'partial_refund', amountCents, method: 'card' }), paymentWrite],
  };
}
