// Sales over time for the dashboard's chart. The local core reports sales per UTC quarter hour; here they are
// gathered into the console's own hours or days (a quarter hour lies wholly inside one local hour in every
// time zone, :30 and :45 offsets included), with the empty hours or days in between kept so gaps show.

export interface SalesSlot {
  /** Start of the quarter hour, seconds since the epoch. */
  at: number;
  channel: string;
  currency: string;
  orders: number;
  tickets: number;
  grossCents: number;
}

export type Granularity = 'hour' | 'day';

export interface SalesBucket {
  /** "2026-10-05" for a day, "2026-10-05T14" for an hour, in the console's zone. */
  key: string;
  label: string;
  boxOfficeCents: number;
  onlineCents: number;
  boxOfficeTickets: number;
  onlineTickets: number;
}

/** Up to two days of sales read best hour by hour; longer spans day by day. */
export const HOURLY_SPAN_LIMIT_S = 48 * 3600;
const QUARTER_HOUR_S = 900;

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, atSeconds: number): { date: string; hour: string } {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    partFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(atSeconds * 1000)).map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: parts.hour ?? '00' };
}

function keyOf(granularity: Granularity, timeZone: string, atSeconds: number): string {
  const { date, hour } = partsIn(timeZone, atSeconds);
  return granularity === 'day' ? date : `${date}T${hour}`;
}

/** The calendar days from one "YYYY-MM-DD" to another, both included (plain calendar arithmetic). */
function daysBetween(first: string, last: string): string[] {
  const [year, month, day] = first.split('-').map(Number);
  const days: string[] = [];
  for (let offset = 0; ; offset += 1) {
    const date = new Date(Date.UTC(year!, month! - 1, day! + offset)).toISOString().slice(0, 10);
    days.push(date);
    if (date >= last) return days;
  }
}

export interface BucketOptions {
  timeZone: string;
  /** Only sales in this currency; null keeps every currency (for ticket counts, which add up across them). */
  currency: string | null;
  locale?: string;
}

/** The chart's bars: sales per local hour or day between the first sale and the last, by channel. */
export function bucketSales(
  slots: readonly SalesSlot[],
  options: BucketOptions,
): { granularity: Granularity; buckets: SalesBucket[] } {
  const chosen = slots.filter((slot) => options.currency === null || slot.currency === options.currency);
  if (chosen.length === 0) return { granularity: 'hour', buckets: [] };
  const first = Math.min(...chosen.map((slot) => slot.at));
  const last = Math.max(...chosen.map((slot) => slot.at));
  const granularity: Granularity = last - first <= HOURLY_SPAN_LIMIT_S ? 'hour' : 'day';
  const { timeZone } = options;

  let keys: string[];
  if (granularity === 'day') {
    keys = daysBetween(keyOf('day', timeZone, first), keyOf('day', timeZone, last));
  } else {
    const seen = new Set<string>();
    for (let at = first; at <= last; at += QUARTER_HOUR_S) seen.add(keyOf('hour', timeZone, at));
    keys = [...seen];
  }
  const buckets = new Map<string, SalesBucket>();
  const label = bucketLabeller(granularity, keys, options.locale);
  for (const key of keys) {
    buckets.set(key, {
      key,
      label: label(key),
      boxOfficeCents: 0,
      onlineCents: 0,
      boxOfficeTickets: 0,
      onlineTickets: 0,
    });
  }
  for (const slot of chosen) {
    const bucket = buckets.get(keyOf(granularity, timeZone, slot.at));
    if (!bucket) continue;
    if (slot.channel === 'box_office') {
      bucket.boxOfficeCents += slot.grossCents;
      bucket.boxOfficeTickets += slot.tickets;
    } else {
      bucket.onlineCents += slot.grossCents;
      bucket.onlineTickets += slot.tickets;
    }
  }
  return { granularity, buckets: [...buckets.values()] };
}

/**
 * Labels read at a glance: "Sat 5 Oct" for days; "14:00" for hours, with the day in front when the hours
 * span more than one ("Sat 23:00", "Sun 00:00"). Dates are formatted as calendar dates (in UTC), so the
 * label never shifts by the zone's offset.
 */
function bucketLabeller(granularity: Granularity, keys: readonly string[], locale?: string) {
  const dayFormat = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const weekdayFormat = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short' });
  const hourFormat = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
  const calendarDate = (date: string, hour = 0) => {
    const [year, month, day] = date.split('-').map(Number);
    return new Date(Date.UTC(year!, month! - 1, day!, hour));
  };
  const manyDays = new Set(keys.map((key) => key.slice(0, 10))).size > 1;
  return (key: string): string => {
    if (granularity === 'day') return dayFormat.format(calendarDate(key));
    const [date, hour] = key.split('T');
    const time = hourFormat.format(calendarDate(date!, Number(hour)));
    return manyDays ? `${weekdayFormat.format(calendarDate(date!))} ${time}` : time;
  };
}
