import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './routes.ts';

const id = '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10';

describe('box-office routes', () => {
  it('round-trip through the hash', () => {
    const routes: Route[] = [
      { screen: 'sale' },
      { screen: 'shift' },
      { screen: 'orders' },
      { screen: 'order', orderId: id },
      { screen: 'settings' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('takes an order id in any case and refuses anything else', () => {
    expect(parseRoute(`#/orders/${id.toUpperCase()}`)).toEqual({ screen: 'order', orderId: id });
    expect(parseRoute('#/orders/ABC123')).toEqual({ screen: 'dashboard' });
  });
});
