import { z } from 'zod';
import { buyerSchema, centsSchema, currencySchema, saleLineSchema } from './box-office.ts';
import { storableTextSchema, uuidSchema } from './ids.ts';

/**
 * Card payments through Stripe: what the console asks the server (online only) and what it gets back. The
 * state of each payment also reaches every console through the feed (replicated table `payments`). No card
 * data ever: Stripe's ids, the card's brand and its last four digits.
 */

/** A reader at the door (Stripe Terminal), a Checkout link shown as a QR for the buyer's phone, the web shop. */
export const paymentKindSchema = z.enum(['terminal', 'checkout_link', 'web_checkout']);
export type PaymentKind = z.infer<typeof paymentKindSchema>;

export const paymentStatusSchema = z.enum([
  /** Seats held, Stripe not asked yet (or its answer not recorded yet). */
  'pending',
  /** The reader shows the amount (or the Checkout page is open) and waits for the card. */
  'waiting_for_card',
  /** A card was presented; the bank is deciding. */
  'processing',
  /** Paid: the order and its tickets exist. */
  'succeeded',
  'declined',
  'cancelled',
  /** Nobody paid in time: the seats went back. */
  'expired',
  /** Stripe could not be asked (the reader is offline, a network error): nothing was charged. */
  'failed',
  'partially_refunded',
  'refunded',
]);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/** Whether a text holds a run of 13 to 19 digits passing Luhn's check: what a card number looks like. */
export function holdsCardNumber(text: string): boolean {
  return [...text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)].some(([digits]) => {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    return sum % 10 === 0;
  });
}

/** Card payments keep no card data (privacy policy): a card number typed into a text is refused, not stored. */
const noCardNumber = <T extends z.ZodType<string>>(schema: T) =>
  schema.refine((text) => !holdsCardNumber(text), 'must not hold a card number (Janix never keeps them)');

const reasonSchema = noCardNumber(
  storableTextSchema.trim().min(1, 'a reason is required').max(500, 'reason is too long'),
);

/** What a card payment buys: a sale's lines as the box office sells them (buyer optional). */
export const cardCartSchema = z.object({
  eventId: uuidSchema,
  /** The till's open shift (a box-office sale); null for the web shop. */
  shiftId: uuidSchema.nullable(),
  currency: currencySchema,
  lines: z.array(saleLineSchema).min(1, 'a sale needs at least one ticket').max(20),
  buyer: buyerSchema
    .extend({
      firstName: noCardNumber(buyerSchema.shape.firstName),
      lastName: noCardNumber(buyerSchema.shape.lastName),
    })
    .nullable(),
});
export type CardCart = z.infer<typeof cardCartSchema>;

export const startCardPaymentInputSchema = z.object({
  /** Made once per charge by the screen: charging twice (a double click, a retry) is one payment. */
  paymentId: uuidSchema,
  /** The order the payment becomes once it succeeds. */
  orderId: uuidSchema,
  /** On this device's reader, or as a Checkout link for the buyer's phone (where there is no reader). */
  method: z.enum(['reader', 'checkout_link']),
  cart: cardCartSchema,
});
export type StartCardPaymentInput = z.infer<typeof startCardPaymentInputSchema>;

export const paymentIdInputSchema = z.object({ paymentId: uuidSchema });

export const cardRefundInputSchema = z.object({
  orderId: uuidSchema,
  /** Made once per refund by the screen: the same refund sent twice gives the money back once. */
  refundId: uuidSchema,
  /** Part of the payment; absent: all that is left of it (the order is then refunded). */
  amountCents: centsSchema.min(1, 'must be more than zero').optional(),
  reason: reasonSchema,
  /** The refunding till's open shift, if any: the audit names it (no cash moves). */
  shiftId: uuidSchema.nullable(),
});
export type CardRefundInput = z.infer<typeof cardRefundInputSchema>;

/** Where Stripe keeps a reader: a Terminal location needs a postal address. */
export const readerLocationSchema = z.object({
  displayName: storableTextSchema.trim().min(1).max(100),
  line1: storableTextSchema.trim().min(1).max(200),
  city: storableTextSchema.trim().min(1).max(100),
  postalCode: storableTextSchema.trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
});

export const registerReaderInputSchema = z.object({
  /** Made by the screen: registering twice is one reader. */
  readerId: uuidSchema,
  /** The code the reader shows (Stripe's `registration_code`; `simulated-wpe` in test mode). */
  registrationCode: storableTextSchema.trim().min(1).max(100),
  label: storableTextSchema.trim().min(1, 'the reader needs a name').max(100),
  deviceId: uuidSchema.nullable(),
  /** Needed for the organization's first reader; later ones join its location. */
  location: readerLocationSchema.optional(),
});
export type RegisterReaderInput = z.infer<typeof registerReaderInputSchema>;

export const assignReaderInputSchema = z.object({ readerId: uuidSchema, deviceId: uuidSchema.nullable() });

/** A card payment as the console shows it while it runs. */
export const cardPaymentStateSchema = z.object({
  paymentId: uuidSchema,
  orderId: uuidSchema,
  kind: paymentKindSchema,
  status: paymentStatusSchema,
  amountCents: z.number().int(),
  currency: z.string(),
  refundedCents: z.number().int(),
  /** The Checkout page to show as a QR (kind checkout_link). */
  checkoutUrl: z.string().nullable(),
  cardBrand: z.string().nullable(),
  cardLast4: z.string().nullable(),
  /** Why it did not go through, in plain words. */
  failureReason: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type CardPaymentState = z.infer<typeof cardPaymentStateSchema>;

/** Whether this console can take cards now, and on which reader. */
export const cardAvailabilitySchema = z.object({
  available: z.boolean(),
  /** Why not, in plain words (no Stripe key on the server, say). */
  reason: z.string().nullable(),
  reader: z
    .object({
      id: uuidSchema,
      label: z.string(),
      /** Whether Stripe sees the reader connected now; null when it could not say. */
      online: z.boolean().nullable(),
    })
    .nullable(),
});
export type CardAvailability = z.infer<typeof cardAvailabilitySchema>;
