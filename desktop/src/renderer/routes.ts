// Screens of the shell, kept in the URL hash: it survives a reload and works the same from
// http://127.0.0.1 (dev host) and app://janix/index.html (Electron), which serve only index.html.

export type Route =
  | { screen: 'dashboard' }
  | { screen: 'events' }
  | { screen: 'new-event' }
  | { screen: 'edit-event'; eventId: string }
  | { screen: 'event-setup'; eventId: string }
  | { screen: 'sales' }
  | { screen: 'sale' }
  | { screen: 'shift' }
  | { screen: 'orders' }
  | { screen: 'order'; orderId: string }
  | { screen: 'settings' };

const EVENT_ID = /^[0-9a-f-]{36}$/i;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/events') return { screen: 'events' };
  if (path === '/events/new') return { screen: 'new-event' };
  const edit = /^\/events\/([^/]+)$/.exec(path);
  if (edit && EVENT_ID.test(edit[1]!)) return { screen: 'edit-event', eventId: edit[1]!.toLowerCase() };
  const setup = /^\/events\/([^/]+)\/tickets$/.exec(path);
  if (setup && EVENT_ID.test(setup[1]!)) return { screen: 'event-setup', eventId: setup[1]!.toLowerCase() };
  if (path === '/sales') return { screen: 'sales' };
  if (path === '/sale' || path === '/shift' || path === '/orders' || path === '/settings') {
    return { screen: path.slice(1) as 'sale' | 'shift' | 'orders' | 'settings' };
  }
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (order && EVENT_ID.test(order[1]!)) return { screen: 'order', orderId: order[1]!.toLowerCase() };
  return { screen: 'dashboard' };
}

export function routeHref(route: Route): string {
  switch (route.screen) {
    case 'dashboard':
      return '#/dashboard';
    case 'events':
      return '#/events';
    case 'new-event':
      return '#/events/new';
    case 'edit-event':
      return `#/events/${route.eventId}`;
    case 'event-setup':
      return `#/events/${route.eventId}/tickets`;
    case 'sales':
      return '#/sales';
    case 'sale':
    case 'shift':
    case 'orders':
    case 'settings':
      return `#/${route.screen}`;
    case 'order':
      return `#/orders/${route.orderId}`;
  }
}
