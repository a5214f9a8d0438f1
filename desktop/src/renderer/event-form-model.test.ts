import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_EVENT_FORM, eventFormFromEvent, eventPatchFrom, parseEventForm } from './event-form-model.ts';

beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});

const valid = {
  name: '  Summer Gala ',
  venue: 'Main Hall',
  startsAt: '2025-06-01T19:30',
  endsAt: '2025-06-01T23:00',
  status: 'on_sale' as const,
};

describe('parseEventForm', () => {
  it('turns the inputs into a draft with ISO date-times and trimmed text', () => {
    expect(parseEventForm(valid)).toEqual({
      ok: true,
      draft: {
        name: 'Summer Gala',
        venue: 'Main Hall',
        startsAt: '2025-06-01T19:30:00+02:00',
        endsAt: '2025-06-01T23:00:00+02:00',
        status: 'on_sale',
      },
    });
  });

  it("reports eventDraftSchema's messages per field", () => {
    const result = parseEventForm({ ...valid, name: '   ', venue: 'x'.repeat(201) });
    expect(result).toEqual({
      ok: false,
      errors: { name: 'The event needs a name', venue: 'Venue is too long' },
    });
  });

  it('asks for missing dates in plain words', () => {
    const result = parseEventForm(EMPTY_EVENT_FORM);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.startsAt).toBe('Choose a date and time');
      expect(result.errors.endsAt).toBe('Choose a date and time');
      expect(result.errors.name).toBe('The event needs a name');
    }
  });
});

describe('eventFormFromEvent', () => {
  it('shows stored instants in the console zone', () => {
    expect(
      eventFormFromEvent({
        name: 'Gala',
        venue: '',
        startsAt: '2025-06-01T17:30:00Z',
        endsAt: '2025-06-01T21:00:00.000Z',
        status: 'draft',
      }),
    ).toEqual({
      name: 'Gala',
      venue: '',
      startsAt: '2025-06-01T19:30',
      endsAt: '2025-06-01T23:00',
      status: 'draft',
    });
  });
});

describe('eventPatchFrom', () => {
  const original = {
    name: 'Gala',
    venue: 'Hall',
    startsAt: '2025-06-01T17:30:00Z',
    endsAt: '2025-06-01T21:00:00Z',
    status: 'draft' as const,
  };

  it('is empty when nothing changed, even if times are written with another offset', () => {
    expect(
      eventPatchFrom(original, {
        ...original,
        startsAt: '2025-06-01T19:30:00+02:00',
        endsAt: '2025-06-01T23:00:00+02:00',
      }),
    ).toEqual({});
  });

  it('holds only the changed fields', () => {
    expect(eventPatchFrom(original, { ...original, name: 'Gala 2', endsAt: '2025-06-01T22:00:00Z' })).toEqual(
      {
        name: 'Gala 2',
        endsAt: '2025-06-01T22:00:00Z',
      },
    );
    expect(eventPatchFrom(original, { ...original, status: 'on_sale' })).toEqual({ status: 'on_sale' });
  });
});
