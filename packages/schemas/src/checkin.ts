import { z } from 'zod';
import { int4Schema, isoDateTimeSchema, storableTextSchema, uuidSchema } from './ids.ts';

/**
 * Check-in: the lists a door admits by (which ticket types, when, entry and exit rules) and the scans a
 * device records. A scan is a fact the device already acted on (the person went in or was turned away), so
 * its arguments are validated for shape only; the rules never refuse a well-formed one.
 */

export const scanDirectionSchema = z.enum(['entry', 'exit']);
export const scanOutcomeSchema = z.enum(['admitted', 'refused']);
/** Every verdict a scanner can reach (packages/domain checkin-rules.ts words each one). */
export const scanCodeSchema = z.enum([
  'admitted',
  'exited',
  'admitted_unsynced',
  'invalid_code',
  'unknown_key',
  'retired_key',
  'unknown_ticket',
  'wrong_event',
  'wrong_list',
  'not_yet_valid',
  'expired',
  'refunded',
  'void',
  'revoked',
  'already_inside',
  'daily_limit',
  'no_reentry',
  'not_inside',
]);
export type ScanCode = z.infer<typeof scanCodeSchema>;

/** What a device keeps of a scan it could not read: enough to recognise it, never a whole payload. */
export const MAX_RAW_EXCERPT_LENGTH = 64;
export const MAX_SCAN_REASON_LENGTH = 200;
/** Ticket types one list names; an event with more admits them all by naming none. */
export const MAX_LIST_TICKET_TYPES = 100;
export const MAX_ENTRIES_PER_DAY = 100;

const timeZoneValidity = new Map<string, boolean>();
/** Whether this runtime's Intl knows the IANA zone (both sides format reasons in it, so both must know it). */
export function isKnownTimeZone(zone: string): boolean {
  let known = timeZoneValidity.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: zone });
      // Named zones ('UTC', 'Europe/Berlin', 'EST5EDT'); an offset like '+01:00' (which newer runtimes accept)
      // is no zone with daylight saving rules.
      known = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone);
    } catch {
      known = false;
    }
    if (timeZoneValidity.size < 1000) timeZoneValidity.set(zone, known);
  }
  return known;
}

export const timeZoneSchema = z
  .string()
  .min(1, 'a time zone is required')
  .max(64, 'is not a time zone')
  .refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/Berlin');

/** A wall-clock time of day, 24-hour: '03:00'. */
export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as 'HH:MM'");

/** C0 and C1 control characters (what a scanner may send and no operator should be shown raw). */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export const checkInListDraftSchema = z.object({
  name: storableTextSchema.trim().min(1, 'the list needs a name').max(120, 'list name is too long'),
  /** Empty: every ticket type of the event. */
  ticketTypeIds: z
    .array(uuidSchema)
    .max(MAX_LIST_TICKET_TYPES, 'names too many ticket types (name none to admit all)')
    .refine((ids) => new Set(ids).size === ids.length, 'names a ticket type twice'),
  validFrom: isoDateTimeSchema.nullable(),
  validUntil: isoDateTimeSchema.nullable(),
  /** Entry again after an exit. */
  allowReentry: z.boolean(),
  /** Entry again without an exit in between (a ticket valid for several people, or a sloppy exit). */
  allowMultipleEntries: z.boolean(),
  maxEntriesPerDay: int4Schema
    .min(1, 'must be at least 1')
    .max(MAX_ENTRIES_PER_DAY, `must be at most ${MAX_ENTRIES_PER_DAY}`)
    .nullable(),
  /** Everyone inside counts as gone at this local time each day. */
  autoCheckoutAt: clockTimeSchema.nullable(),
  timeZone: timeZoneSchema,
});
export type CheckInListDraft = z.infer<typeof checkInListDraftSchema>;

export const checkInCommandArgs = {
  createCheckInList: z.object({ listId: uuidSchema, eventId: uuidSchema, draft: checkInListDraftSchema }),
  updateCheckInList: z.object({ listId: uuidSchema, patch: checkInListDraftSchema.partial() }),
  recordScan: z.object({
    /** The scan's nonce, made by the device: the check-in row's id, so a scan sent twice is recorded once. */
    scanId: uuidSchema,
    listId: uuidSchema,
    /** The ticket the code named (null when it named none the device could read). */
    ticketId: uuidSchema.nullable(),
    ticketTypeId: uuidSchema.nullable(),
    direction: scanDirectionSchema,
    /** The verdict the device reached and acted on. */
    outcome: scanOutcomeSchema,
    code: scanCodeSchema,
    reason: storableTextSchema.max(MAX_SCAN_REASON_LENGTH, 'reason is too long'),
    /** The device's clock when it scanned. */
    scannedAt: isoDateTimeSchema,
    /** Checked in by hand after a search, not from a code. */
    manual: z.boolean(),
    /** The start of an unreadable code, control characters already replaced by the device. */
    rawExcerpt: storableTextSchema
      .max(MAX_RAW_EXCERPT_LENGTH, 'excerpt is too long')
      .refine((text) => !hasControlCharacters(text), 'must not contain control characters')
      .nullable(),
  }),
} as const;
