// The sale form as data: what the cashier entered, the totals it comes to, and the sale it becomes once
// valid (checked with the same schemas the local core and the server use). Nothing here talks to the core.
import { saleTotals, type SaleTotals } from '@janix/domain';
import { buyerSchema, MAX_TICKETS_PER_SALE, paymentSchema, type Buyer, type Payment } from '@janix/schemas';
import { formatMoney, parseMoneyInput } from './money.ts';
import type { PaymentKind } from './sale-keys.ts';
import { cashTender } from './tender.ts';

export interface SaleTicketTypeView {
  id: string;
  name: string;
  quotaId: string;
  priceCents: number;
  currency: string;
  taxRateBp: number;
  window: 'open' | 'not_started' | 'closed';
}

export interface HeldSeatsView {
  quotaId: string;
  name: string;
  /** Seats this device can sell offline now. */
  left: number;
  /** Granted seats whose signed codes are still on their way. */
  awaitingCodes: number;
  /** Seats asked for that the server has not answered yet. */
  requested: number;
}

export type AgeRange = NonNullable<Buyer['ageRange']>;

export interface BuyerFields {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  ageRange: AgeRange | '';
}

export interface SaleForm {
  /** Per ticket type id; absent is 0. */
  quantities: Record<string, number>;
  buyer: BuyerFields;
  payment: PaymentKind;
  /** Cash given, as typed; empty means the exact total. */
  tendered: string;
  reference: string;
  compReason: string;
}

export const EMPTY_BUYER: BuyerFields = { firstName: '', lastName: '', email: '', phone: '', ageRange: '' };

export const EMPTY_SALE_FORM: SaleForm = {
  quantities: {},
  buyer: EMPTY_BUYER,
  payment: 'cash',
  tendered: '',
  reference: '',
  compReason: '',
};

export type SaleField =
  'tickets' | 'payment' | 'tendered' | 'reference' | 'compReason' | keyof Omit<BuyerFields, 'ageRange'>;
export type SaleFieldErrors = Partial<Record<SaleField, string>>;

export interface SaleRequest {
  lines: Array<{ ticketTypeId: string; quantity: number }>;
  buyer: Omit<Buyer, 'personId'> | null;
  payment: Payment;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function chosenLines(form: SaleForm, types: readonly SaleTicketTypeView[]) {
  return types
    .map((type) => ({ type, quantity: form.quantities[type.id] ?? 0 }))
    .filter((line) => line.quantity > 0);
}

export function ticketCount(form: SaleForm): number {
  return Object.values(form.quantities).reduce((sum, quantity) => sum + quantity, 0);
}

/** What the sale comes to, with the tax inside it; a comp comes to nothing. */
export function saleTotalsOf(form: SaleForm, types: readonly SaleTicketTypeView[]): SaleTotals {
  return saleTotals(
    chosenLines(form, types).map(({ type, quantity }) => ({
      quantity,
      unitPriceCents: type.priceCents,
      taxRateBp: type.taxRateBp,
    })),
    form.payment === 'comp',
  );
}

/** "12 seats left on this device · Fetching codes…", as a quota's line on the sale screen reads. */
export function heldSeatsText(seats: Pick<HeldSeatsView, 'left' | 'awaitingCodes' | 'requested'>): string {
  const parts = [
    seats.left > 0
      ? `${seats.left} seat${seats.left === 1 ? '' : 's'} left on this device`
      : 'No seats on this device',
  ];
  if (seats.awaitingCodes > 0) parts.push('Fetching codes…');
  if (seats.requested > 0) parts.push('Requested…');
  return parts.join(' · ');
}

/** Quotas the chosen tickets need more seats of than this device holds, as sentences. */
function seatShortfalls(
  form: SaleForm,
  types: readonly SaleTicketTypeView[],
  quotas: readonly HeldSeatsView[],
): string[] {
  const wanted = new Map<string, number>();
  for (const { type, quantity } of chosenLines(form, types)) {
    wanted.set(type.quotaId, (wanted.get(type.quotaId) ?? 0) + quantity);
  }
  const messages: string[] = [];
  for (const [quotaId, count] of wanted) {
    const held = quotas.find((quota) => quota.quotaId === quotaId);
    const left = held?.left ?? 0;
    if (count > left) {
      const name = held?.name || 'these tickets';
      messages.push(
        left === 0
          ? `This device holds no seats for ${name}. Request seats while online.`
          : `This device holds only ${left} seat${left === 1 ? '' : 's'} for ${name}.`,
      );
    }
  }
  return messages;
}

function buyerOf(fields: BuyerFields): { buyer: SaleRequest['buyer']; errors: SaleFieldErrors } {
  const given = Object.values(fields).some((value) => value.trim() !== '');
  if (!given) return { buyer: null, errors: {} };
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim());
  const parsed = buyerSchema.omit({ personId: true }).safeParse({
    firstName: fields.firstName,
    lastName: fields.lastName,
    email: orNull(fields.email),
    phone: orNull(fields.phone),
    ageRange: fields.ageRange || null,
  });
  if (parsed.success) return { buyer: parsed.data, errors: {} };
  const errors: SaleFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as SaleField | undefined;
    if (field && !errors[field]) errors[field] = capitalize(issue.message);
  }
  return { buyer: null, errors };
}

function paymentOf(
  form: SaleForm,
  totalCents: number,
  currency: string,
  canComp: boolean,
): { payment: Payment | null; errors: SaleFieldErrors } {
  if (form.payment === 'cash') {
    const tendered = form.tendered.trim() === '' ? totalCents : parseMoneyInput(form.tendered, currency);
    if (tendered === null)
      return { payment: null, errors: { tendered: 'Enter the cash given, e.g. 20 or 12.50' } };
    const tender = cashTender(totalCents, tendered);
    if (tender.kind === 'short') {
      return {
        payment: null,
        errors: {
          tendered: `The cash given is ${formatMoney(tender.shortMinor, currency)} short of the total.`,
        },
      };
    }
    return { payment: { method: 'cash', tenderedCents: tendered }, errors: {} };
  }
  if (form.payment === 'card') {
    // A card sale is not recorded here: the server takes the money first (checkCardSale, then the charge).
    return { payment: null, errors: { payment: 'Charge the card first.' } };
  }
  if (form.payment === 'comp' && !canComp) {
    return { payment: null, errors: { payment: 'Your role cannot hand out free tickets (comps).' } };
  }
  const candidate =
    form.payment === 'comp'
      ? { method: 'comp', reason: form.compReason }
      : { method: 'terminal', reference: form.reference };
  const parsed = paymentSchema.safeParse(candidate);
  if (parsed.success) return { payment: parsed.data, errors: {} };
  const field = form.payment === 'comp' ? 'compReason' : 'reference';
  return { payment: null, errors: { [field]: capitalize(parsed.error.issues[0]!.message) } };
}

/** Why the chosen tickets cannot be sold as one sale, if they cannot; `shortfalls` only once the count is fine. */
function ticketsError(form: SaleForm, lineCount: number, shortfalls: () => string[]): string | null {
  if (lineCount === 0) return 'Choose at least one ticket.';
  if (ticketCount(form) > MAX_TICKETS_PER_SALE) {
    return `One sale holds at most ${MAX_TICKETS_PER_SALE} tickets; sell a larger group as several sales.`;
  }
  const short = shortfalls();
  return short.length ? short.join(' ') : null;
}

export type SaleCheck =
  | { ok: true; sale: SaleRequest; totals: SaleTotals }
  | { ok: false; errors: SaleFieldErrors; totals: SaleTotals };

/**
 * The sale the form describes, or what is missing: tickets (and the seats for them), valid buyer details if
 * any are given, and a payment that covers the total. An empty "cash given" is the exact total.
 */
export function checkSale(
  form: SaleForm,
  context: { ticketTypes: readonly SaleTicketTypeView[]; quotas: readonly HeldSeatsView[]; canComp: boolean },
): SaleCheck {
  const totals = saleTotalsOf(form, context.ticketTypes);
  const lines = chosenLines(form, context.ticketTypes);
  const errors: SaleFieldErrors = {};
  const tickets = ticketsError(form, lines.length, () =>
    seatShortfalls(form, context.ticketTypes, context.quotas),
  );
  if (tickets) errors.tickets = tickets;
  const currency = context.ticketTypes[0]?.currency ?? 'EUR';
  const buyer = buyerOf(form.buyer);
  const payment = paymentOf(form, totals.totalCents, currency, context.canComp);
  Object.assign(errors, buyer.errors, payment.errors);
  if (Object.keys(errors).length > 0 || !payment.payment) return { ok: false, errors, totals };
  return {
    ok: true,
    totals,
    sale: {
      lines: lines.map(({ type, quantity }) => ({ ticketTypeId: type.id, quantity })),
      buyer: buyer.buyer,
      payment: payment.payment,
    },
  };
}

/** A card sale as the server charges it: the lines at the prices the cashier saw, and the buyer if given. */
export interface CardSaleRequest {
  lines: Array<{ ticketTypeId: string; quantity: number; unitPriceCents: number }>;
  buyer: SaleRequest['buyer'];
}

export type CardSaleCheck =
  | { ok: true; sale: CardSaleRequest; totals: SaleTotals }
  | { ok: false; errors: SaleFieldErrors; totals: SaleTotals };

/**
 * The card sale the form describes, or what is missing. The seats come from the event's quotas on the server
 * while the payment runs (a card sale is online), so the seats this device holds do not limit it.
 */
export function checkCardSale(
  form: SaleForm,
  context: { ticketTypes: readonly SaleTicketTypeView[] },
): CardSaleCheck {
  const totals = saleTotalsOf({ ...form, payment: 'card' }, context.ticketTypes);
  const lines = chosenLines(form, context.ticketTypes);
  const errors: SaleFieldErrors = {};
  const tickets = ticketsError(form, lines.length, () => []);
  if (tickets) errors.tickets = tickets;
  else if (totals.totalCents === 0) {
    errors.payment = 'There is nothing to charge: free tickets are a comp.';
  }
  const buyer = buyerOf(form.buyer);
  Object.assign(errors, buyer.errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors, totals };
  return {
    ok: true,
    totals,
    sale: {
      lines: lines.map(({ type, quantity }) => ({
        ticketTypeId: type.id,
        quantity,
        unitPriceCents: type.priceCents,
      })),
      buyer: buyer.buyer,
    },
  };
}
