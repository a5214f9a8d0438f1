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
  | { screen: 'settings' }
  /** Choosing the list a door checks in by: all events, or one event's lists. */
  | { screen: 'check-in'; eventId: string | null }
  /** The door itself: scan, verdict, search, counts. */
  | { screen: 'check-in-gate'; eventId: string; listId: string }
  /** A list's settings; a new list without listId. */
  | { screen: 'check-in-list'; eventId: string; listId: string | null };

const EVENT_ID = /^[0-9a-f-]{36}$/i;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/events') return { screen: 'events' };
  if (path === '/events/new') return { screen: 'new-event' };
  const edit = /^\/events\/([^/]+)$/.exec(path);
  if (edit && EVENT_ID.test(edit[1]!)) return { screen: 'edit-event', eventId: edit[1]!.toLowerCase() };
  const setup = /^\/events\/([^/]+)\/tickets$/.exec(path);
  if (setup && EVENT_ID.test(setup[1]!)) return { screen: 'event-setup', eventId: setup[1]!.toLowerCase() };
  const checkIn = /^\/events\/([^/]+)\/check-in(?:\/([^/]+)(\/settings)?)?$/.exec(path);
  if (checkIn && EVENT_ID.test(checkIn[1]!)) {
    const eventId = checkIn[1]!.toLowerCase();
    const [, , list, settings] = checkIn;
    if (list === undefined) return { screen: 'check-in', eventId };
    if (list === 'new' && !settings) return { screen: 'check-in-list', eventId, listId: null };
    if (EVENT_ID.test(list)) {
      const listId = list.toLowerCase();
      return settings
        ? { screen: 'check-in-list', eventId, listId }
        : { screen: 'check-in-gate', eventId, listId };
    }
  }
  if (path === '/check-in') return { screen: 'check-in', eventId: null };
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
    case 'check-in':
      return route.eventId ? `#/events/${route.eventId}/check-in` : '#/check-in';
    case 'check-in-gate':
      return `#/events/${route.eventId}/check-in/${route.listId}`;
    case 'check-in-list':
      return `#/events/${route.eventId}/check-in/${route.listId ? `${route.listId}/settings` : 'new'}`;
  }
}
