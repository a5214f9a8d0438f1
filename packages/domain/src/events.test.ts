import { describe, expect, it } from 'vitest';
import type { EventDraft } from '@janix/schemas';
import type { RowOf } from './replicated-tables.ts';
import { decideCreateEvent, decideUpdateEvent } from './events.ts';

const eventId = '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d';
const draft: EventDraft = {
  name: 'Harbour Jazz Night',
  venue: 'Pier 9',
  startsAt: '2026-12-05T19:00:00Z',
  endsAt: '2026-12-05T23:00:00Z',
  status: 'draft',
};
const existing: RowOf<'events'> = {
  id: eventId,
  ...draft,
  updatedAt: '2026-12-01T10:00:00.000Z',
  updatedBy: null,
  version: 7,
};

describe('decideCreateEvent', () => {
  it('creates the row from the draft, in the given organization, without a version', () => {
    const decision = decideCreateEvent(undefined, { eventId, draft });
    expect(decision).toEqual({ ok: true, value: { id: eventId, ...draft } });
    if (decision.ok) expect(decision.value).not.toHaveProperty('version');
  });

  it('refuses an id that already exists', () => {
    expect(decideCreateEvent(existing, { eventId, draft })).toMatchObject({
      ok: false,
      code: 'already_exists',
    });
  });

  it('refuses an event that ends before, or exactly when, it starts', () => {
    for (const endsAt of ['2026-12-05T18:59:59Z', draft.startsAt]) {
      expect(decideCreateEvent(undefined, { eventId, draft: { ...draft, endsAt } })).toMatchObject({
        ok: false,
        code: 'invalid_times',
      });
    }
  });

  it('compares instants, not strings: offsets are honoured', () => {
    // 20:00+02:00 is 18:00Z, before the 19:00Z start.
    const early = { ...draft, endsAt: '2026-12-05T20:00:00+02:00' };
    expect(decideCreateEvent(undefined, { eventId, draft: early })).toMatchObject({
      code: 'invalid_times',
    });
    // 01:00+05:00 on the next day is 20:00Z, after the start.
    const late = { ...draft, endsAt: '2026-12-06T01:00:00+05:00' };
    expect(decideCreateEvent(undefined, { eventId, draft: late })).toMatchObject({ ok: true });
  });
});

describe('decideUpdateEvent', () => {
  it('applies the patch over the current row and drops the version', () => {
    const decision = decideUpdateEvent(existing, { name: 'Renamed', status: 'on_sale' });
    expect(decision).toEqual({
      ok: true,
      value: { id: eventId, ...draft, name: 'Renamed', status: 'on_sale' },
    });
  });

  it('ignores fields a patch leaves undefined', () => {
    const decision = decideUpdateEvent(existing, { name: undefined, venue: 'Harbour Hall' });
    expect(decision).toMatchObject({ ok: true, value: { name: draft.name, venue: 'Harbour Hall' } });
  });

  it('refuses a missing event as not_found', () => {
    expect(decideUpdateEvent(undefined, { name: 'x' })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('checks the times of the result: moving only the end before the existing start is refused', () => {
    expect(decideUpdateEvent(existing, { endsAt: '2026-12-05T18:00:00Z' })).toMatchObject({
      ok: false,
      code: 'invalid_times',
    });
    expect(decideUpdateEvent(existing, { startsAt: '2026-12-06T00:00:00Z' })).toMatchObject({
      code: 'invalid_times',
    });
    // Moving both together is fine.
    expect(
      decideUpdateEvent(existing, { startsAt: '2026-12-06T19:00:00Z', endsAt: '2026-12-06T23:00:00Z' }),
    ).toMatchObject({ ok: true });
  });
});
