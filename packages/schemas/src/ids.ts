import { z } from 'zod';

export const uuidSchema = z.uuid({ message: 'must be a UUID' });

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text Postgres can store exactly as the console holds it. Postgres `text` refuses U+0000 (the whole
 * statement fails), and a lone UTF-16 surrogate has no UTF-8 form (the driver would silently store U+FFFD
 * instead, so the server's row would differ from the console's). Every text field of a command builds on this.
 */
export const storableTextSchema = z
  .string()
  .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters')
  .refine((text) => !loneSurrogate.test(text), 'must not contain unpaired surrogate characters');

/** Integers that fit a Postgres `int` (int4); a larger one would fail the whole statement on the server. */
export const int4Schema = z
  .number()
  .int()
  .min(-2_147_483_648, 'is too small')
  .max(2_147_483_647, 'is too large');

/**
 * Date-times both ends hold the same: from 1970-01-01 to the end of 9999 (UTC). Postgres `timestamptz` goes
 * further back and forward, but JavaScript's ISO format turns years past 9999 into `+010000-…`, which the
 * console would then store differently from the server; nothing the box office schedules lies outside it.
 */
export const EARLIEST_DATE_TIME = '1970-01-01T00:00:00.000Z';
export const LATEST_DATE_TIME = '9999-12-31T23:59:59.999Z';
const earliest = Date.parse(EARLIEST_DATE_TIME);
const latest = Date.parse(LATEST_DATE_TIME);

export const isoDateTimeSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  // Zod accepts offsets up to ±23:59; Postgres refuses displacements beyond ±15:59 and no zone uses more than ±14.
  .refine((value) => !/[+-](1[5-9]|2\d):\d\d$/.test(value), 'has a time zone offset beyond ±14:00')
  .refine((value) => {
    const at = Date.parse(value);
    return at >= earliest && at <= latest;
  }, 'must lie between 1970 and the end of 9999');
