// Screens of the shell, kept in the URL hash: it survives a reload and works the same from
// http://127.0.0.1 (dev host) and app://janix/index.html (Electron), which serve only index.html.

export type Route =
  | { screen: 'dashboard' }
  | { screen: 'events' }
  | { screen: 'new-event' }
  | { screen: 'edit-event'; eventId: string };

const EVENT_ID = /^[0-9a-f-]{36}$/i;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/events') return { screen: 'events' };
  if (path === '/events/new') return { screen: 'new-event' };
  const edit = /^\/events\/([^/]+)$/.exec(path);
  if (edit && EVENT_ID.test(edit[1]!)) return { screen: 'edit-event', eventId: edit[1]!.toLowerCase() };
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
  }
}
