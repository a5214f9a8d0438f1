// Date handling of the console. `<input type="datetime-local">` speaks wall-clock time without a zone,
// the schemas want ISO 8601 with an offset; the console's own time zone is taken as the venue's.

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function localParts(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** `2025-06-01T17:30:00Z` → `2025-06-01T19:30` in a UTC+2 zone. Empty for an unreadable value. */
export function isoToDateTimeLocal(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : localParts(date);
}

const DATE_TIME_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * `2025-06-01T19:30` → `2025-06-01T19:30:00+02:00`, with the offset the console's zone has at that moment
 * (so summer and winter dates differ). Null for empty or impossible input (`2025-02-30T10:00`). A time
 * skipped by a daylight-saving change moves forward to the first real one, as browsers do.
 */
export function dateTimeLocalToIso(value: string): string | null {
  const match = DATE_TIME_LOCAL.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((match[7] ?? '').padEnd(3, '0'));
  const date = new Date(year!, month! - 1, day!, hours!, minutes!, seconds!, millis);
  date.setFullYear(year!); // years 0–99 would otherwise be read as 1900–1999
  if (date.getFullYear() !== year || date.getMonth() !== month! - 1 || date.getDate() !== day) return null;
  if (hours! > 23 || minutes! > 59 || seconds! > 59) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const ms = date.getMilliseconds();
  return (
    `${localParts(date)}:${pad(date.getSeconds())}${ms ? `.${pad(ms, 3)}` : ''}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** Whether two ISO date-times name the same instant, whatever offsets they are written with. */
export function isSameInstant(a: string, b: string): boolean {
  const left = Date.parse(a);
  return !Number.isNaN(left) && left === Date.parse(b);
}

/** "just now", "3 minutes ago", "in 2 hours", "5 days ago"; a plain date beyond four weeks. */
export function formatRelativeTime(iso: string, now: Date, locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs >= 28 * 86_400) return formatDate(iso, locale);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  if (abs < 3_600) return format.format(Math.round(seconds / 60) || Math.sign(seconds), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3_600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** A date and time for tables and headers: "Sat, 1 Jun 2025, 19:30" (locale-dependent). */
export function formatDateTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

function formatDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(
    new Date(iso),
  );
}
