// The event form as data: what the inputs hold, how that becomes a draft (validated by the same
// eventDraftSchema the local core and the server use), and which fields an edit actually changed.
import { eventDraftSchema, type EventDraft, type EventPatch, type EventStatus } from '@janix/schemas';
import { dateTimeLocalToIso, isoToDateTimeLocal, isSameInstant } from './date-time.ts';

export interface EventFormValues {
  name: string;
  venue: string;
  /** `datetime-local` values, in the console's time zone. */
  startsAt: string;
  endsAt: string;
  status: EventStatus;
}

export type EventField = keyof EventFormValues;
export type EventFieldErrors = Partial<Record<EventField, string>>;

export const EMPTY_EVENT_FORM: EventFormValues = {
  name: '',
  venue: '',
  startsAt: '',
  endsAt: '',
  status: 'draft',
};

export function eventFormFromEvent(event: EventDraft): EventFormValues {
  return {
    name: event.name,
    venue: event.venue,
    startsAt: isoToDateTimeLocal(event.startsAt),
    endsAt: isoToDateTimeLocal(event.endsAt),
    status: event.status,
  };
}

function capitalize(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

export type EventFormResult = { ok: true; draft: EventDraft } | { ok: false; errors: EventFieldErrors };

/** Validates the form with eventDraftSchema; the first problem of each field becomes its message. */
export function parseEventForm(values: EventFormValues): EventFormResult {
  const errors: EventFieldErrors = {};
  const candidate = {
    ...values,
    startsAt: dateTimeLocalToIso(values.startsAt) ?? '',
    endsAt: dateTimeLocalToIso(values.endsAt) ?? '',
  };
  for (const field of ['startsAt', 'endsAt'] as const) {
    // An empty date input means "not chosen": say so rather than quoting the ISO format rule.
    if (values[field].trim() === '') errors[field] = 'Choose a date and time';
  }
  const parsed = eventDraftSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as EventField | undefined;
      if (field && !errors[field]) errors[field] = capitalize(issue.message);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

/** The fields of `next` that differ from `original`; date-times compare as instants. */
export function eventPatchFrom(original: EventDraft, next: EventDraft): EventPatch {
  const patch: EventPatch = {};
  if (next.name !== original.name) patch.name = next.name;
  if (next.venue !== original.venue) patch.venue = next.venue;
  if (!isSameInstant(next.startsAt, original.startsAt)) patch.startsAt = next.startsAt;
  if (!isSameInstant(next.endsAt, original.endsAt)) patch.endsAt = next.endsAt;
  if (next.status !== original.status) patch.status = next.status;
  return patch;
}
