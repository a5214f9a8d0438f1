// The quota and ticket type forms as data: what their inputs hold, how that becomes a draft (checked by the
// same schemas the local core and the server use), and which fields an edit changed. Amounts and rates are
// read from the typed text, never through a float.
import {
  quotaDraftSchema,
  ticketTypeDraftSchema,
  type SalesChannel,
  type TicketTypeDraft,
} from '@janix/schemas';
import type { z } from 'zod';
import { dateTimeLocalToIso, isoToDateTimeLocal, isSameInstant } from './date-time.ts';
import { minorDigits, moneyInputText, parseMoneyInput } from './money.ts';
import { parseTaxPercent, taxPercentText } from './tax-rate.ts';

export type QuotaDraft = z.infer<typeof quotaDraftSchema>;
export type QuotaPatch = Partial<QuotaDraft>;
export type TicketTypePatch = Partial<TicketTypeDraft>;

export interface QuotaFormValues {
  name: string;
  capacity: string;
}

export type QuotaFieldErrors = Partial<Record<keyof QuotaFormValues, string>>;

export const EMPTY_QUOTA_FORM: QuotaFormValues = { name: '', capacity: '' };

export function quotaFormFrom(quota: QuotaDraft): QuotaFormValues {
  return { name: quota.name, capacity: String(quota.capacity) };
}

export type FormResult<D, E> = { ok: true; draft: D } | { ok: false; errors: E };

function capitalize(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The schema's first complaint about each field, for fields the form has not already explained. */
function schemaErrors<E extends Record<string, string | undefined>>(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
  errors: E,
): void {
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '') as keyof E & string;
    if (field && !errors[field]) (errors as Record<string, string>)[field] = capitalize(issue.message);
  }
}

const WHOLE_NUMBER = /^\d{1,9}$/;
/** "1,200" or "1.200": thousands grouped by commas or dots (a decimal part would not have three digits). */
const GROUPED = /^\d{1,3}(?:[.,]\d{3})+$/;

export function parseQuotaForm(values: QuotaFormValues): FormResult<QuotaDraft, QuotaFieldErrors> {
  const errors: QuotaFieldErrors = {};
  const spaced = values.capacity.replace(/[\s\u00a0'’]/g, '');
  const capacityText = GROUPED.test(spaced) ? spaced.replace(/[.,]/g, '') : spaced;
  if (!WHOLE_NUMBER.test(capacityText)) errors.capacity = 'Type the number of seats, like 250';
  const parsed = quotaDraftSchema.safeParse({ name: values.name, capacity: Number(capacityText) });
  if (!parsed.success) schemaErrors(parsed.error.issues, errors);
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

export function quotaPatchFrom(original: QuotaDraft, next: QuotaDraft): QuotaPatch {
  const patch: QuotaPatch = {};
  if (next.name !== original.name) patch.name = next.name;
  if (next.capacity !== original.capacity) patch.capacity = next.capacity;
  return patch;
}

export interface TicketTypeFormValues {
  name: string;
  /** As typed: "12.50". */
  price: string;
  currency: string;
  /** As typed, in percent: "20". */
  taxPercent: string;
  quotaId: string;
  /** `datetime-local` values; empty means no limit. */
  salesStartAt: string;
  salesEndAt: string;
  boxOffice: boolean;
  online: boolean;
}

export type TicketTypeField = keyof TicketTypeFormValues | 'channels';
export type TicketTypeFieldErrors = Partial<Record<TicketTypeField, string>>;

/** A new ticket type: sold everywhere, in the event's currency, from the only quota when there is one. */
export function emptyTicketTypeForm(currency: string, quotaId: string): TicketTypeFormValues {
  return {
    name: '',
    price: '',
    currency,
    taxPercent: '0',
    quotaId,
    salesStartAt: '',
    salesEndAt: '',
    boxOffice: true,
    online: true,
  };
}

export function ticketTypeFormFrom(type: TicketTypeDraft): TicketTypeFormValues {
  return {
    name: type.name,
    price: moneyInputText(type.priceCents, type.currency),
    currency: type.currency,
    taxPercent: taxPercentText(type.taxRateBp),
    quotaId: type.quotaId,
    salesStartAt: type.salesStartAt ? isoToDateTimeLocal(type.salesStartAt) : '',
    salesEndAt: type.salesEndAt ? isoToDateTimeLocal(type.salesEndAt) : '',
    boxOffice: type.channels.includes('box_office'),
    online: type.channels.includes('online'),
  };
}

const CURRENCY = /^[A-Z]{3}$/;

/** An example amount in the currency's own digits: "12.50", or "1250" where there are no minor units. */
function exampleAmount(currency: string): string {
  const digits = CURRENCY.test(currency) ? minorDigits(currency) : 2;
  return digits === 0 ? '1250' : `12.${'50'.padEnd(digits, '0')}`;
}

export function parseTicketTypeForm(
  values: TicketTypeFormValues,
): FormResult<TicketTypeDraft, TicketTypeFieldErrors> {
  const errors: TicketTypeFieldErrors = {};
  const currency = values.currency.trim().toUpperCase();
  if (!CURRENCY.test(currency)) errors.currency = 'Type a three-letter currency code, like EUR';
  const priceCents = CURRENCY.test(currency) ? parseMoneyInput(values.price, currency) : null;
  if (priceCents === null && !errors.currency) {
    errors.price = values.price.trim()
      ? `Type the price like ${exampleAmount(currency)}, with at most ${minorDigits(currency)} decimals`
      : `Type a price, like ${exampleAmount(currency)} (0 for free tickets)`;
  }
  const taxRateBp = parseTaxPercent(values.taxPercent);
  if (taxRateBp === null) errors.taxPercent = 'Type a rate from 0 to 100, like 20 or 5.5';
  if (!values.quotaId) errors.quotaId = 'Choose the quota these tickets are sold from';
  const window = { salesStartAt: null as string | null, salesEndAt: null as string | null };
  for (const field of ['salesStartAt', 'salesEndAt'] as const) {
    if (values[field].trim() === '') continue;
    window[field] = dateTimeLocalToIso(values[field]);
    if (window[field] === null) errors[field] = 'Choose a real date and time, or leave it empty';
  }
  if (
    window.salesStartAt !== null &&
    window.salesEndAt !== null &&
    Date.parse(window.salesEndAt) <= Date.parse(window.salesStartAt)
  ) {
    errors.salesEndAt = 'Sales must close after they open';
  }
  const channels: SalesChannel[] = [
    ...(values.boxOffice ? (['box_office'] as const) : []),
    ...(values.online ? (['online'] as const) : []),
  ];
  if (channels.length === 0) errors.channels = 'Choose at least one place to sell these tickets';
  const parsed = ticketTypeDraftSchema.safeParse({
    name: values.name,
    priceCents: priceCents ?? 0,
    currency,
    taxRateBp: taxRateBp ?? 0,
    quotaId: values.quotaId,
    ...window,
    channels,
  });
  if (!parsed.success) {
    schemaErrors(
      parsed.error.issues.map((issue) => ({
        ...issue,
        // The schema's field names, as the form names them.
        path:
          issue.path[0] === 'priceCents'
            ? ['price']
            : issue.path[0] === 'taxRateBp'
              ? ['taxPercent']
              : issue.path,
      })),
      errors,
    );
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

const sameInstant = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : isSameInstant(a, b);

/** The fields of `next` that differ from `original`; date-times compare as instants, channels as sets. */
export function ticketTypePatchFrom(original: TicketTypeDraft, next: TicketTypeDraft): TicketTypePatch {
  const patch: TicketTypePatch = {};
  if (next.name !== original.name) patch.name = next.name;
  if (next.priceCents !== original.priceCents) patch.priceCents = next.priceCents;
  if (next.currency !== original.currency) patch.currency = next.currency;
  if (next.taxRateBp !== original.taxRateBp) patch.taxRateBp = next.taxRateBp;
  if (next.quotaId !== original.quotaId) patch.quotaId = next.quotaId;
  if (!sameInstant(next.salesStartAt, original.salesStartAt)) patch.salesStartAt = next.salesStartAt;
  if (!sameInstant(next.salesEndAt, original.salesEndAt)) patch.salesEndAt = next.salesEndAt;
  const channels = (list: readonly SalesChannel[]) => [...list].sort().join(',');
  if (channels(next.channels) !== channels(original.channels)) patch.channels = next.channels;
  return patch;
}
