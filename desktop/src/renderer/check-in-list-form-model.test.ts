import { describe, expect, it } from 'vitest';
import {
  emptyListForm,
  isoToZonedInput,
  listFormFromList,
  parseListForm,
  zonedInputToIso,
  type CheckInListFormValues,
} from './check-in-list-form-model.ts';

const VIP = '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10';
const form = (patch: Partial<CheckInListFormValues> = {}): CheckInListFormValues => ({
  ...emptyListForm('Europe/Berlin'),
  name: 'Main entrance',
  ...patch,
});

describe('zoned date-times', () => {
  it('reads the window in the list’s zone, not the console’s', () => {
    expect(zonedInputToIso('2026-12-07T20:30', 'Europe/Berlin')).toBe('2026-12-07T19:30:00.000Z');
    expect(zonedInputToIso('2026-07-07T20:30', 'Europe/Berlin')).toBe('2026-07-07T18:30:00.000Z');
    expect(zonedInputToIso('2026-12-07T20:30', 'America/New_York')).toBe('2026-12-08T01:30:00.000Z');
    expect(isoToZonedInput('2026-12-07T19:30:00Z', 'Europe/Berlin')).toBe('2026-12-07T20:30');
    expect(isoToZonedInput('2026-12-08T01:30:00Z', 'America/New_York')).toBe('2026-12-07T20:30');
  });

  it('round-trips across the daylight-saving change, and places a skipped hour on a real instant', () => {
    for (const value of ['2026-03-29T01:30', '2026-03-29T03:30', '2026-10-25T04:00']) {
      expect(isoToZonedInput(zonedInputToIso(value, 'Europe/Berlin'), 'Europe/Berlin')).toBe(value);
    }
    // 02:30 does not exist in Berlin that night.
    const skipped = zonedInputToIso('2026-03-29T02:30', 'Europe/Berlin');
    expect(skipped).not.toBeNull();
    expect(['2026-03-29T01:30', '2026-03-29T03:30']).toContain(isoToZonedInput(skipped, 'Europe/Berlin'));
  });

  it('refuses impossible dates and unknown zones', () => {
    expect(zonedInputToIso('2026-02-30T10:00', 'Europe/Berlin')).toBeNull();
    expect(zonedInputToIso('2026-02-10T24:00', 'Europe/Berlin')).toBeNull();
    expect(zonedInputToIso('', 'Europe/Berlin')).toBeNull();
    expect(zonedInputToIso('2026-02-10T10:00', 'Mars/Olympus')).toBeNull();
    expect(isoToZonedInput(null, 'Europe/Berlin')).toBe('');
    expect(isoToZonedInput('2026-02-10T10:00:00Z', 'Mars/Olympus')).toBe('');
  });
});

describe('parseListForm', () => {
  it('makes a draft: window in the list’s zone, empty fields as no limit', () => {
    const result = parseListForm(
      form({
        ticketTypeIds: [VIP],
        validFrom: '2026-12-07T18:00',
        validUntil: '2026-12-07T23:00',
        maxEntriesPerDay: '2',
        autoCheckoutAt: '04:00',
        allowReentry: false,
      }),
    );
    expect(result).toEqual({
      ok: true,
      draft: {
        name: 'Main entrance',
        ticketTypeIds: [VIP],
        validFrom: '2026-12-07T17:00:00.000Z',
        validUntil: '2026-12-07T22:00:00.000Z',
        allowReentry: false,
        allowMultipleEntries: false,
        maxEntriesPerDay: 2,
        autoCheckoutAt: '04:00',
        timeZone: 'Europe/Berlin',
      },
    });
    const open = parseListForm(form());
    expect(open).toMatchObject({
      ok: true,
      draft: {
        validFrom: null,
        validUntil: null,
        maxEntriesPerDay: null,
        autoCheckoutAt: null,
        ticketTypeIds: [],
      },
    });
  });

  it('says what is wrong, field by field', () => {
    const result = parseListForm(
      form({
        name: '  ',
        validFrom: '2026-12-07T23:00',
        validUntil: '2026-12-07T18:00',
        maxEntriesPerDay: '1.5',
        timeZone: 'Mars/Olympus',
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toBe('The list needs a name');
    expect(result.errors.maxEntriesPerDay).toMatch(/whole number/);
    expect(result.errors.timeZone).toMatch(/IANA time zone/);
    // The window cannot be placed in an unknown zone: only the zone is blamed.
    expect(result.errors.validFrom).toBeUndefined();
  });

  it('refuses a window that closes before it opens, and limits out of range', () => {
    const backwards = parseListForm(form({ validFrom: '2026-12-07T23:00', validUntil: '2026-12-07T18:00' }));
    expect(backwards).toEqual({ ok: false, errors: { validUntil: 'Must be after the start of the window' } });
    const zero = parseListForm(form({ maxEntriesPerDay: '0' }));
    expect(zero).toEqual({ ok: false, errors: { maxEntriesPerDay: 'Must be at least 1' } });
  });
});

describe('listFormFromList', () => {
  it('shows a list as the editor holds it, and saves back to the same draft', () => {
    const list = {
      name: 'VIP door',
      ticketTypeIds: [VIP],
      validFrom: '2026-12-07T17:00:00.000Z',
      validUntil: null,
      allowReentry: true,
      allowMultipleEntries: true,
      maxEntriesPerDay: 3,
      autoCheckoutAt: '05:30',
      timeZone: 'Europe/Berlin',
    };
    const values = listFormFromList(list);
    expect(values).toMatchObject({ validFrom: '2026-12-07T18:00', validUntil: '', maxEntriesPerDay: '3' });
    expect(parseListForm(values)).toEqual({ ok: true, draft: list });
  });
});
