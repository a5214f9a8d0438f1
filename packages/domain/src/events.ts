import type { EventDraft, EventPatch, EventRow } from '@janix/schemas';
import { rejection, type Decision } from './decision.ts';

function checkTimes(startsAt: string, endsAt: string): Decision<null> {
  if (Date.parse(endsAt) <= Date.parse(startsAt)) {
    return rejection('invalid_times', 'The event must end after it starts.');
  }
  return { ok: true, value: null };
}

export function decideCreateEvent(
  existing: EventRow | undefined,
  input: { eventId: string; orgId: string; draft: EventDraft },
): Decision<Omit<EventRow, 'version'>> {
  if (existing) return rejection('already_exists', 'An event with this id already exists.');
  const times = checkTimes(input.draft.startsAt, input.draft.endsAt);
  if (!times.ok) return times;
  return { ok: true, value: { id: input.eventId, orgId: input.orgId, ...input.draft } };
}

export function decideUpdateEvent(
  existing: EventRow | undefined,
  patch: EventPatch,
): Decision<Omit<EventRow, 'version'>> {
  if (!existing) return rejection('not_found', 'This event does not exist.');
  const { version: _version, ...current } = existing;
  const next = { ...current, ...stripUndefined(patch) };
  const times = checkTimes(next.startsAt, next.endsAt);
  if (!times.ok) return times;
  return { ok: true, value: next };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
