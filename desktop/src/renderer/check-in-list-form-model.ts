// The check-in list editor as data: what its inputs hold, how that becomes a list draft (validated by the
// same checkInListDraftSchema the local core and the server use), and the other way round for an edit.
// A list's window is wall-clock time at the venue, so the datetime-local inputs are read in the list's own
// time zone, not the console's (a list for a festival abroad is set up from the office at home).
import { instantAt, wallClockAt } from '@janix/domain';
import { checkInListDraftSchema, isKnownTimeZone, type CheckInListDraft } from '@janix/schemas';

export interface CheckInListFormValues {
  name: string;
  /** None ticked: every ticket type of the event. */
  ticketTypeIds: string[];
  /** `datetime-local` values in `timeZone`; empty: no limit. */
  validFrom: string;
  validUntil: string;
  allowReentry: boolean;
  allowMultipleEntries: boolean;
  /** Digits, or empty for no limit. */
  maxEntriesPerDay: string;
  /** `HH:MM` from a time input, or empty for none. */
  autoCheckoutAt: string;
  timeZone: string;
}

export type CheckInListField = keyof CheckInListFormValues;
export type CheckInListFieldErrors = Partial<Record<CheckInListField, string>>;

/** The console's own zone: the venue's, most of the time. */
export function consoleTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function emptyListForm(timeZone = consoleTimeZone()): CheckInListFormValues {
  return {
    name: '',
    ticketTypeIds: [],
    validFrom: '',
    validUntil: '',
    allowReentry: true,
    allowMultipleEntries: false,
    maxEntriesPerDay: '',
    autoCheckoutAt: '',
    timeZone,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2026-12-07T19:30Z` → `2026-12-07T20:30` in Europe/Berlin. Empty for an unreadable value or zone. */
export function isoToZonedInput(iso: string | null, timeZone: string): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at) || !isKnownTimeZone(timeZone)) return '';
  const clock = wallClockAt(at, timeZone);
  return `${pad(clock.year, 4)}-${pad(clock.month)}-${pad(clock.day)}T${pad(clock.hour)}:${pad(clock.minute)}`;
}

const DATE_TIME_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/;

/**
 * `2026-12-07T20:30` in Europe/Berlin → `2026-12-07T19:30:00.000Z`. Null for empty or impossible input or an
 * unknown zone. A wall time skipped by a daylight-saving change lands an hour off, on a real instant.
 */
export function zonedInputToIso(value: string, timeZone: string): string | null {
  const match = DATE_TIME_LOCAL.exec(value.trim());
  if (!match || !isKnownTimeZone(timeZone)) return null;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wanted = { year, month, day, hour, minute };
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59)
    return null;
  return new Date(instantAt(wanted, timeZone)).toISOString();
}

type ListLike = Pick<
  CheckInListDraft,
  | 'name'
  | 'ticketTypeIds'
  | 'validFrom'
  | 'validUntil'
  | 'allowReentry'
  | 'allowMultipleEntries'
  | 'maxEntriesPerDay'
  | 'autoCheckoutAt'
  | 'timeZone'
>;

export function listFormFromList(list: ListLike): CheckInListFormValues {
  return {
    name: list.name,
    ticketTypeIds: [...list.ticketTypeIds],
    validFrom: isoToZonedInput(list.validFrom, list.timeZone),
    validUntil: isoToZonedInput(list.validUntil, list.timeZone),
    allowReentry: list.allowReentry,
    allowMultipleEntries: list.allowMultipleEntries,
    maxEntriesPerDay: list.maxEntriesPerDay === null ? '' : String(list.maxEntriesPerDay),
    autoCheckoutAt: list.autoCheckoutAt ?? '',
    timeZone: list.timeZone,
  };
}

function capitalize(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

export type CheckInListFormResult =
  { ok: true; draft: CheckInListDraft } | { ok: false; errors: CheckInListFieldErrors };

/** Validates the editor with checkInListDraftSchema; the first problem of each field becomes its message. */
export function parseListForm(values: CheckInListFormValues): CheckInListFormResult {
  const errors: CheckInListFieldErrors = {};
  const timeZone = values.timeZone.trim();
  const window = { validFrom: null as string | null, validUntil: null as string | null };
  for (const field of ['validFrom', 'validUntil'] as const) {
    if (values[field].trim() === '') continue;
    window[field] = zonedInputToIso(values[field], timeZone);
    // With an unknown zone the time cannot be placed; the zone's own error says why.
    if (window[field] === null && isKnownTimeZone(timeZone)) errors[field] = 'Enter a date and time';
  }
  if (
    window.validFrom &&
    window.validUntil &&
    Date.parse(window.validUntil) <= Date.parse(window.validFrom)
  ) {
    errors.validUntil = 'Must be after the start of the window';
  }
  const limit = values.maxEntriesPerDay.trim();
  if (limit !== '' && !/^\d+$/.test(limit))
    errors.maxEntriesPerDay = 'Enter a whole number, or leave it empty';
  const candidate = {
    name: values.name,
    ticketTypeIds: values.ticketTypeIds,
    validFrom: window.validFrom,
    validUntil: window.validUntil,
    allowReentry: values.allowReentry,
    allowMultipleEntries: values.allowMultipleEntries,
    maxEntriesPerDay: limit === '' || errors.maxEntriesPerDay ? null : Number(limit),
    autoCheckoutAt: values.autoCheckoutAt.trim() === '' ? null : values.autoCheckoutAt.trim(),
    timeZone,
  };
  const parsed = checkInListDraftSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as CheckInListField | undefined;
      if (field && !errors[field]) errors[field] = capitalize(issue.message);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

/** Every zone this runtime knows, for the time zone field's suggestions. */
export function knownTimeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}
