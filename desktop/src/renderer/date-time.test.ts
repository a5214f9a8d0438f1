import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateTimeLocalToIso, formatRelativeTime, isoToDateTimeLocal, isSameInstant } from './date-time.ts';

// Node re-reads TZ when it changes, so the local-time conversions can be pinned to known zones.
const originalTz = process.env.TZ;
function inZone<T>(zone: string, run: () => T): T {
  process.env.TZ = zone;
  try {
    return run();
  } finally {
    process.env.TZ = 'Europe/Berlin';
  }
}

beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('dateTimeLocalToIso', () => {
  it('adds the offset the zone has on that date', () => {
    expect(dateTimeLocalToIso('2025-06-01T19:30')).toBe('2025-06-01T19:30:00+02:00');
    expect(dateTimeLocalToIso('2025-12-01T19:30')).toBe('2025-12-01T19:30:00+01:00');
  });

  it('keeps seconds and milliseconds when the input has them', () => {
    expect(dateTimeLocalToIso('2025-06-01T19:30:15')).toBe('2025-06-01T19:30:15+02:00');
    expect(dateTimeLocalToIso('2025-06-01T19:30:15.5')).toBe('2025-06-01T19:30:15.500+02:00');
  });

  it('writes negative and half-hour offsets', () => {
    expect(inZone('America/New_York', () => dateTimeLocalToIso('2025-01-15T08:00'))).toBe(
      '2025-01-15T08:00:00-05:00',
    );
    expect(inZone('Asia/Kolkata', () => dateTimeLocalToIso('2025-01-15T08:00'))).toBe(
      '2025-01-15T08:00:00+05:30',
    );
    expect(inZone('UTC', () => dateTimeLocalToIso('2025-01-15T08:00'))).toBe('2025-01-15T08:00:00+00:00');
  });

  it('moves a time skipped by daylight saving to the first real one', () => {
    expect(dateTimeLocalToIso('2025-03-30T02:30')).toBe('2025-03-30T03:30:00+02:00');
  });

  it.each(['', 'soon', '2025-02-30T10:00', '2025-13-01T10:00', '2025-06-01T24:00', '2025-06-01'])(
    'refuses %j',
    (value) => {
      expect(dateTimeLocalToIso(value)).toBeNull();
    },
  );
});

describe('isoToDateTimeLocal', () => {
  it('shows an instant in the console zone', () => {
    expect(isoToDateTimeLocal('2025-06-01T17:30:00Z')).toBe('2025-06-01T19:30');
    expect(isoToDateTimeLocal('2025-06-01T19:30:00+02:00')).toBe('2025-06-01T19:30');
    expect(isoToDateTimeLocal('2025-12-01T10:00:00-05:00')).toBe('2025-12-01T16:00');
  });

  it('gives an empty value for unreadable input', () => {
    expect(isoToDateTimeLocal('not a date')).toBe('');
  });

  it('round-trips with dateTimeLocalToIso', () => {
    for (const value of ['2025-06-01T19:30', '2026-01-31T00:05', '2025-10-26T02:30']) {
      expect(isoToDateTimeLocal(dateTimeLocalToIso(value)!)).toBe(value);
    }
  });
});

describe('isSameInstant', () => {
  it('compares instants, not spellings', () => {
    expect(isSameInstant('2025-06-01T17:30:00Z', '2025-06-01T19:30:00+02:00')).toBe(true);
    expect(isSameInstant('2025-06-01T17:30:00Z', '2025-06-01T17:31:00Z')).toBe(false);
    expect(isSameInstant('nonsense', 'nonsense')).toBe(false);
  });
});

describe('formatRelativeTime', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000).toISOString();

  it('says "just now" within 45 seconds either way', () => {
    expect(formatRelativeTime(at(-10), now)).toBe('just now');
    expect(formatRelativeTime(at(30), now)).toBe('just now');
  });

  it('uses minutes, hours and days', () => {
    expect(formatRelativeTime(at(-60), now)).toBe('1 minute ago');
    expect(formatRelativeTime(at(-5 * 60), now)).toBe('5 minutes ago');
    expect(formatRelativeTime(at(-3 * 3600), now)).toBe('3 hours ago');
    expect(formatRelativeTime(at(2 * 3600), now)).toBe('in 2 hours');
    expect(formatRelativeTime(at(-2 * 86_400), now)).toBe('2 days ago');
  });

  it('falls back to a date beyond four weeks, and to nothing for bad input', () => {
    expect(formatRelativeTime('2025-01-15T12:00:00Z', now)).toBe('Jan 15, 2025');
    expect(formatRelativeTime('garbage', now)).toBe('');
  });
});
