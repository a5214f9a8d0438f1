import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './routes.ts';

const id = '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10';

describe('parseRoute', () => {
  it('reads every screen and round-trips with routeHref', () => {
    const routes: Route[] = [
      { screen: 'dashboard' },
      { screen: 'events' },
      { screen: 'new-event' },
      { screen: 'edit-event', eventId: id },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('falls back to the dashboard for anything else', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/events/not-an-id', '#/events/../x', `#/events/${id}/x`]) {
      expect(parseRoute(hash)).toEqual({ screen: 'dashboard' });
    }
  });

  it('ignores a trailing slash', () => {
    expect(parseRoute('#/events/')).toEqual({ screen: 'events' });
  });
});
