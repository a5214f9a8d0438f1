import type { EventDraft, EventPatch } from '@janix/schemas';
import { rejection, type Decision } from './decision.ts';
import type { RowOf, WriteRowOf } from './replicated-tables.ts';

function checkTimes(startsAt: string, endsAt: string): Decision<null> {
  if (Date.parse(endsAt) <= Date.parse(startsAt)) {
    return rejection('invalid_times', 'The event must end after it starts.');
  }
  return { ok: true, value: null };
}

export function decideCreateEvent(
  existing: RowOf<'events'> | undefined,
  input: { eventId: string; draft: EventDraft },
): Decision<WriteRowOf<'events'>> {
  if (existing) return rejection('already_exists', 'An event with this id already exists.');
  const times = checkTimes(input.draft.startsAt, input.draft.endsAt);
  if (!times.ok) return times;
  return { ok: true, value: { id: input.eventId, ...input.draft } };
}

export function decideUpdateEvent(
  existing: RowOf<'events'> | undefined,
  patch: EventPatch,
): Decision<WriteRowOf<'events'>> {
  if (!existing) return rejection('not_found', 'This event does not exist.');
  const { id, name, venue, startsAt, endsAt, status } = existing;
  const next = { id, name, venue, startsAt, endsAt, status, ...stripUndefined(patch) };
  const times = checkTimes(next.startsAt, next.endsAt);
  if (!times.ok) return times;
  return { ok: true, value: next };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
