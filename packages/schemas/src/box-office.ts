import { z } from 'zod';
import { emailSchema } from './auth.ts';
import { int4Schema, isoDateTimeSchema, storableTextSchema, uuidSchema } from './ids.ts';

/**
 * The box office's commands: event setup (quotas, ticket types), allocations, sales, refunds and shifts.
 * Money is in integer cents of the ticket type's currency; prices are gross (tax included).
 */

/** A sum of money no box office takes in one go: a typo or a poison value, refused with a clear message. */
export const MAX_AMOUNT_CENTS = 100_000_000;
export const centsSchema = int4Schema
  .nonnegative('must not be negative')
  .max(MAX_AMOUNT_CENTS, 'is more than any sale takes');
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code');
/** Basis points: 2000 is 20 %. */
export const taxRateBpSchema = int4Schema.min(0, 'must not be negative').max(10_000, 'must be at most 100 %');
export const salesChannelSchema = z.enum(['box_office', 'online']);
export type SalesChannel = z.infer<typeof salesChannelSchema>;
const label = (what: string, max: number) =>
  storableTextSchema.trim().min(1, `the ${what} needs a name`).max(max, `${what} name is too long`);
const reasonSchema = storableTextSchema.trim().min(1, 'a reason is required').max(500, 'reason is too long');

/** Tickets one sale may hold; a bigger group is several sales (and no cashier types 1000 by accident). */
export const MAX_TICKETS_PER_SALE = 50;
/** Seats one allocation request may ask for. */
export const MAX_ALLOCATION_SEATS = 500;

export const quotaDraftSchema = z.object({
  name: label('quota', 120),
  capacity: int4Schema.min(0, 'must not be negative').max(10_000_000, 'is larger than any venue'),
});

export const ticketTypeDraftSchema = z.object({
  quotaId: uuidSchema,
  name: label('ticket type', 120),
  priceCents: centsSchema,
  currency: currencySchema,
  taxRateBp: taxRateBpSchema,
  salesStartAt: isoDateTimeSchema.nullable(),
  salesEndAt: isoDateTimeSchema.nullable(),
  channels: z.array(salesChannelSchema).min(1, 'choose at least one sales channel').max(2),
});
export type TicketTypeDraft = z.infer<typeof ticketTypeDraftSchema>;

/** Walk-up buyers may stay anonymous; whatever they give is what the privacy policy lists, nothing more. */
export const buyerSchema = z.object({
  personId: uuidSchema,
  firstName: storableTextSchema.trim().max(100, 'first name is too long'),
  lastName: storableTextSchema.trim().max(100, 'last name is too long'),
  email: emailSchema.nullable(),
  phone: storableTextSchema
    .trim()
    .regex(/^\+?[0-9 ()./-]{4,30}$/, 'must be a phone number')
    .nullable(),
  ageRange: z.enum(['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_plus']).nullable(),
});
export type Buyer = z.infer<typeof buyerSchema>;

export const paymentSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('cash'), tenderedCents: centsSchema }),
  z.object({ method: z.literal('comp'), reason: reasonSchema }),
  /** A card taken on a terminal that is not connected to Janix: its receipt's reference. */
  z.object({
    method: z.literal('terminal'),
    reference: storableTextSchema.trim().min(1, 'the terminal reference is required').max(100),
  }),
]);
export type Payment = z.infer<typeof paymentSchema>;

export const saleLineSchema = z.object({
  ticketTypeId: uuidSchema,
  quantity: int4Schema.min(1, 'must be at least 1').max(MAX_TICKETS_PER_SALE, 'is more than one sale holds'),
  /** The price the cashier saw and charged; the server keeps it and records any difference to its list. */
  unitPriceCents: centsSchema,
});

/** One seat of this device's allocation, to become one ticket of the given type. */
export const saleSlotSchema = z.object({
  allocationId: uuidSchema,
  slot: int4Schema.min(0).max(MAX_ALLOCATION_SEATS - 1),
  ticketTypeId: uuidSchema,
});

export const boxOfficeCommandArgs = {
  createQuota: z.object({ quotaId: uuidSchema, eventId: uuidSchema, draft: quotaDraftSchema }),
  updateQuota: z.object({ quotaId: uuidSchema, patch: quotaDraftSchema.partial() }),
  createTicketType: z.object({ ticketTypeId: uuidSchema, eventId: uuidSchema, draft: ticketTypeDraftSchema }),
  updateTicketType: z.object({ ticketTypeId: uuidSchema, patch: ticketTypeDraftSchema.partial() }),
  openShift: z.object({ shiftId: uuidSchema, floatCents: centsSchema, openedAt: isoDateTimeSchema }),
  recordCashMovement: z.object({
    movementId: uuidSchema,
    shiftId: uuidSchema,
    kind: z.enum(['paid_in', 'paid_out']),
    amountCents: centsSchema.min(1, 'must be more than zero'),
    reason: reasonSchema,
    at: isoDateTimeSchema,
  }),
  closeShift: z.object({ shiftId: uuidSchema, countedCents: centsSchema, closedAt: isoDateTimeSchema }),
  requestAllocation: z.object({
    allocationId: uuidSchema,
    quotaId: uuidSchema,
    shiftId: uuidSchema,
    seats: int4Schema
      .min(1, 'must be at least 1')
      .max(MAX_ALLOCATION_SEATS, 'is more than one request holds'),
    at: isoDateTimeSchema,
  }),
  sellTickets: z.object({
    orderId: uuidSchema,
    eventId: uuidSchema,
    shiftId: uuidSchema,
    soldAt: isoDateTimeSchema,
    currency: currencySchema,
    lines: z.array(saleLineSchema).min(1, 'a sale needs at least one ticket').max(20),
    slots: z.array(saleSlotSchema).min(1).max(MAX_TICKETS_PER_SALE, 'is more than one sale holds'),
    buyer: buyerSchema.nullable(),
    payment: paymentSchema,
  }),
  refundOrder: z.object({
    orderId: uuidSchema,
    auditId: uuidSchema,
    /** Void: the sale is undone (a mistake, moments later); refund: money goes back to the buyer. */
    action: z.enum(['refund', 'void']),
    reason: reasonSchema,
    /** The shift whose drawer pays a cash refund back, when there is one. */
    shiftId: uuidSchema.nullable(),
    at: isoDateTimeSchema,
  }),
} as const;
