import type { EventStatus } from '@janix/schemas';

export interface EventSummary {
  events: number;
  upcoming: number;
  /** Seats across events that are not cancelled. */
  capacity: number;
}

/** The dashboard's headline numbers. An event is upcoming until it starts, unless it is cancelled. */
export function summarizeEvents(
  events: readonly { startsAt: string; status: EventStatus; capacity: number }[],
  now: Date,
): EventSummary {
  let upcoming = 0;
  let capacity = 0;
  for (const event of events) {
    if (event.status === 'cancelled') continue;
    capacity += event.capacity;
    if (Date.parse(event.startsAt) > now.getTime()) upcoming += 1;
  }
  return { events: events.length, upcoming, capacity };
}
