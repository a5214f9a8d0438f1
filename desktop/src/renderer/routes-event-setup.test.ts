import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './routes.ts';

const id = '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10';

describe('event setup and sales routes', () => {
  it('round-trip with routeHref', () => {
    const routes: Route[] = [{ screen: 'event-setup', eventId: id }, { screen: 'sales' }];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
    expect(routeHref({ screen: 'event-setup', eventId: id })).toBe(`#/events/${id}/tickets`);
  });

  it('takes an event id in any case and nothing that is not one', () => {
    expect(parseRoute(`#/events/${id.toUpperCase()}/tickets/`)).toEqual({
      screen: 'event-setup',
      eventId: id,
    });
    expect(parseRoute('#/events/new/tickets')).toEqual({ screen: 'dashboard' });
    expect(parseRoute(`#/events/${id}/tickets/x`)).toEqual({ screen: 'dashboard' });
  });
});
