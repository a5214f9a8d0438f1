import { describe, expect, it } from 'vitest';
import { summarizeEvents } from './event-summary.ts';

describe('summarizeEvents', () => {
  const now = new Date('2025-06-01T12:00:00Z');

  it('counts events, upcoming ones and seats, leaving cancelled events out of the last two', () => {
    expect(
      summarizeEvents(
        [
          { startsAt: '2025-05-01T19:00:00Z', status: 'on_sale', capacity: 100 },
          { startsAt: '2025-07-01T19:00:00Z', status: 'on_sale', capacity: 250 },
          { startsAt: '2025-08-01T19:00:00Z', status: 'draft', capacity: 0 },
          { startsAt: '2025-09-01T19:00:00Z', status: 'cancelled', capacity: 500 },
        ],
        now,
      ),
    ).toEqual({ events: 4, upcoming: 2, capacity: 350 });
  });

  it('is all zeros without events', () => {
    expect(summarizeEvents([], now)).toEqual({ events: 0, upcoming: 0, capacity: 0 });
  });
});
