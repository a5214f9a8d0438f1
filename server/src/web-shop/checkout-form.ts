import { z } from 'zod';
import {
  MAX_TICKETS_PER_SALE,
  buyerSchema,
  storableTextSchema,
  uuidSchema,
  type Buyer,
} from '@janix/schemas';
import type { ConsentChoices } from './web-checkout.ts';

/**
 * The checkout form as the buyer sent it (application/x-www-form-urlencoded), checked with zod. Only what the
 * privacy policy lists is asked: name and email (ticket delivery, check-in), and optionally a phone number
 * and an age range; billing details are Stripe's to ask on its page. Consent choices count only when ticked.
 * Anything wrong comes back per field, with what was typed, for the form to show again.
 */

export const AGE_RANGES = buyerSchema.shape.ageRange.unwrap().options;

export type FormField = 'tickets' | 'firstName' | 'lastName' | 'email' | 'phone' | 'ageRange' | 'attempt';

/** What the buyer typed, as typed: the form is shown again with it. */
export interface FormValues {
  quantities: Record<string, string>;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  ageRange: string;
  consent: ConsentChoices;
}

export interface CheckoutForm {
  attemptId: string;
  lines: Array<{ ticketTypeId: string; quantity: number; unitPriceCents: number }>;
  buyer: Omit<Buyer, 'personId'> & { email: string };
  consent: ConsentChoices;
}

export type ParsedForm =
  | { ok: true; form: CheckoutForm; values: FormValues }
  | { ok: false; errors: Partial<Record<FormField, string>>; values: FormValues };

const nameSchema = (what: string) =>
  storableTextSchema
    .trim()
    .min(1, `Enter your ${what}.`)
    .max(100, `Your ${what} is longer than 100 characters.`);

const optional = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .trim()
    .transform((text) => (text === '' ? null : text))
    .pipe(schema.nullable());

const buyerFields = z.object({
  firstName: nameSchema('first name'),
  lastName: nameSchema('last name'),
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address: your tickets are sent to it.')
    .max(254, 'This email address is too long.')
    .pipe(z.email({ message: 'This does not look like an email address.' }))
    .transform((email) => email.toLowerCase()),
  phone: optional(
    storableTextSchema.regex(
      /^\+?[0-9 ()./-]{4,30}$/,
      'Enter a phone number (digits, spaces, + - ( ) / .), or leave it empty.',
    ),
  ),
  ageRange: optional(
    z.enum(AGE_RANGES, { message: 'Choose an age range from the list, or leave it empty.' }),
  ),
});

const quantitySchema = z
  .string()
  .trim()
  .transform((text) => (text === '' ? '0' : text))
  .pipe(z.string().regex(/^[0-9]{1,3}$/, 'Quantities are whole numbers.'))
  .transform(Number);
const priceSchema = z
  .string()
  .regex(/^[0-9]{1,9}$/)
  .transform(Number);

const QTY = /^qty\.(.+)$/;
const TEXT_FIELDS = ['attempt', 'firstName', 'lastName', 'email', 'phone', 'ageRange'] as const;
/** More fields than any real form of ours: the rest is not read. */
const MAX_FIELDS = 200;

/** Each field once: a field sent twice is not guessed at (which one did the buyer mean?). */
function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  return all.length === 1 ? all[0]! : all.length === 0 ? '' : null;
}

export function parseCheckoutForm(params: URLSearchParams): ParsedForm {
  const errors: Partial<Record<FormField, string>> = {};
  const text = Object.fromEntries(TEXT_FIELDS.map((name) => [name, single(params, name)])) as Record<
    (typeof TEXT_FIELDS)[number],
    string | null
  >;
  const quantities: Record<string, string> = {};
  const prices: Record<string, string> = {};
  let fields = 0;
  for (const [name, value] of params) {
    if ((fields += 1) > MAX_FIELDS) break;
    const qty = QTY.exec(name)?.[1];
    if (qty !== undefined) quantities[qty] = value.slice(0, 10);
    if (name.startsWith('price.')) prices[name.slice('price.'.length)] = value;
  }
  const values: FormValues = {
    quantities,
    firstName: (text.firstName ?? '').slice(0, 200),
    lastName: (text.lastName ?? '').slice(0, 200),
    email: (text.email ?? '').slice(0, 300),
    phone: (text.phone ?? '').slice(0, 60),
    ageRange: (text.ageRange ?? '').slice(0, 20),
    consent: {
      marketing: params.get('marketing') === 'yes',
      ads: params.get('ads') === 'yes',
      enrichment: params.get('enrichment') === 'yes',
    },
  };

  const attempt = uuidSchema.safeParse(text.attempt);
  if (!attempt.success) errors.attempt = 'This form is out of date. Please choose your tickets again.';

  const lines: CheckoutForm['lines'] = [];
  for (const [ticketTypeId, raw] of Object.entries(quantities)) {
    const quantity = quantitySchema.safeParse(raw);
    const id = uuidSchema.safeParse(ticketTypeId);
    const price = priceSchema.safeParse(prices[ticketTypeId] ?? '');
    if (
      !quantity.success ||
      !id.success ||
      !price.success ||
      params.getAll(`qty.${ticketTypeId}`).length > 1
    ) {
      errors.tickets = 'Quantities are whole numbers.';
      continue;
    }
    if (quantity.data > 0)
      lines.push({ ticketTypeId: id.data, quantity: quantity.data, unitPriceCents: price.data });
  }
  const total = lines.reduce((sum, line) => sum + line.quantity, 0);
  if (!errors.tickets && total === 0) errors.tickets = 'Choose at least one ticket.';
  if (total > MAX_TICKETS_PER_SALE)
    errors.tickets = `One order holds at most ${MAX_TICKETS_PER_SALE} tickets.`;

  const buyer = buyerFields.safeParse({
    firstName: text.firstName,
    lastName: text.lastName,
    email: text.email,
    phone: text.phone,
    ageRange: text.ageRange,
  });
  if (!buyer.success) {
    for (const issue of buyer.error.issues) {
      const field = issue.path[0] as FormField;
      // A field sent twice (null) reads as missing: its own message says what to fill in.
      errors[field] ??= issue.message.startsWith('Invalid input') ? 'Fill this in once.' : issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !buyer.success || !attempt.success) {
    return { ok: false, errors, values };
  }
  return {
    ok: true,
    form: { attemptId: attempt.data, lines, buyer: buyer.data, consent: values.consent },
    values,
  };
}
