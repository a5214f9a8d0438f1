import { describe, expect, it } from 'vitest';
import { momentInMessage } from './message-time.ts';

describe('momentInMessage', () => {
  it('names the moment in UTC, whatever offset it was written with', () => {
    expect(momentInMessage('2026-12-05T19:04:59.999Z')).toBe('19:04 UTC on 5 Dec 2026');
    expect(momentInMessage('2026-12-05T20:04:00+01:00')).toBe('19:04 UTC on 5 Dec 2026');
    expect(momentInMessage('2027-01-01T00:30:00+02:00')).toBe('22:30 UTC on 31 Dec 2026');
  });

  it('never throws on text that is no date', () => {
    expect(momentInMessage('yesterday')).toBe('an unknown time');
  });
});
