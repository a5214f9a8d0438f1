import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './routes.ts';

const eventId = '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10';
const listId = '6f1c2b3a-9d8e-4f70-8a6b-5c4d3e2f1a0b';

describe('check-in routes', () => {
  it('round-trip through the hash', () => {
    const routes: Route[] = [
      { screen: 'check-in', eventId: null },
      { screen: 'check-in', eventId },
      { screen: 'check-in-gate', eventId, listId },
      { screen: 'check-in-list', eventId, listId },
      { screen: 'check-in-list', eventId, listId: null },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('are the addresses the e2e and the links use', () => {
    expect(routeHref({ screen: 'check-in', eventId: null })).toBe('#/check-in');
    expect(routeHref({ screen: 'check-in-gate', eventId, listId })).toBe(
      `#/events/${eventId}/check-in/${listId}`,
    );
    expect(routeHref({ screen: 'check-in-list', eventId, listId })).toBe(
      `#/events/${eventId}/check-in/${listId}/settings`,
    );
    expect(routeHref({ screen: 'check-in-list', eventId, listId: null })).toBe(
      `#/events/${eventId}/check-in/new`,
    );
  });

  it('take ids in any case and refuse anything else', () => {
    expect(parseRoute(`#/events/${eventId.toUpperCase()}/check-in/${listId.toUpperCase()}`)).toEqual({
      screen: 'check-in-gate',
      eventId,
      listId,
    });
    for (const hash of [
      `#/events/${eventId}/check-in/nope`,
      `#/events/${eventId}/check-in/new/settings`,
      `#/events/${eventId}/check-in/${listId}/other`,
      `#/events/not-an-id/check-in`,
      '#/check-in/x',
    ]) {
      expect(parseRoute(hash)).toEqual({ screen: 'dashboard' });
    }
  });
});
