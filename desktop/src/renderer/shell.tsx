import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { ErrorAlert } from './components/error-alert.tsx';
import { SignOutButton } from './components/sign-out-button.tsx';
import { SyncBadge } from './components/sync-badge.tsx';
import { SyncSummary } from './components/sync-summary.tsx';
import { SyncProgressBar } from './components/sync-progress-bar.tsx';
import { RecordNotices } from './components/record-notices.tsx';
import { UnknownDeviceBanner } from './components/unknown-device-banner.tsx';
import { consoleAllows, type OrgAction } from '@janix/domain';
import { useHashRoute } from './hooks/use-hash-route.ts';
import { ORG_ROLE_LABELS } from './org-role-labels.ts';
import { routeHref, type Route } from './routes.ts';
import { DashboardScreen } from './screens/dashboard-screen.tsx';
import { EventEditorScreen } from './screens/event-editor-screen.tsx';
import { EventSetupScreen } from './screens/event-setup-screen.tsx';
import { EventsScreen } from './screens/events-screen.tsx';
import { OrderScreen } from './screens/order-screen.tsx';
import { OrdersScreen } from './screens/orders-screen.tsx';
import { SalesScreen } from './screens/sales-screen.tsx';
import { SaleScreen } from './screens/sale-screen.tsx';
import { SettingsScreen } from './screens/settings-screen.tsx';
import { ShiftScreen } from './screens/shift-screen.tsx';
import { useTRPC, type LocalStatus } from './trpc.ts';

// The door screens bring jsQR and the camera code: loaded on first use, not with every console.
const CheckInScreen = lazy(() =>
  import('./screens/check-in-screen.tsx').then((module) => ({ default: module.CheckInScreen })),
);
const CheckInGateScreen = lazy(() =>
  import('./screens/check-in-gate-screen.tsx').then((module) => ({ default: module.CheckInGateScreen })),
);
const CheckInListScreen = lazy(() =>
  import('./screens/check-in-list-screen.tsx').then((module) => ({ default: module.CheckInListScreen })),
);

type Enrolled = LocalStatus & {
  device: NonNullable<LocalStatus['device']>;
  user: NonNullable<LocalStatus['user']>;
};

const NAV: { label: string; route: Route; matches: Route['screen'][]; requires?: OrgAction }[] = [
  { label: 'Dashboard', route: { screen: 'dashboard' }, matches: ['dashboard'] },
  {
    label: 'Events',
    route: { screen: 'events' },
    matches: ['events', 'new-event', 'edit-event', 'event-setup'],
  },
  { label: 'Sell', route: { screen: 'sale' }, matches: ['sale'], requires: 'sales.sell' },
  { label: 'Shift', route: { screen: 'shift' }, matches: ['shift'], requires: 'sales.sell' },
  { label: 'Orders', route: { screen: 'orders' }, matches: ['orders', 'order'], requires: 'sales.sell' },
  { label: 'Sales', route: { screen: 'sales' }, matches: ['sales'], requires: 'orders.read' },
  {
    label: 'Check-in',
    route: { screen: 'check-in', eventId: null },
    matches: ['check-in', 'check-in-gate', 'check-in-list'],
    requires: 'checkin.scan',
  },
  { label: 'Settings', route: { screen: 'settings' }, matches: ['settings'] },
];

/** The enrolled, signed-in console: who and where it is, how sync is doing, and its screens. */
export function Shell({ status, localServiceDown }: { status: Enrolled; localServiceDown: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [route, navigate] = useHashRoute();
  const syncNow = useMutation(
    trpc.sync.now.mutationOptions({
      onSettled: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );

  // A sync can bring other consoles' changes, confirm ours or record a rejection: refresh what shows them.
  const { lastSyncedAt, pending, rejectionCount, unseenRejections, overwrittenNotices } = status.sync;
  useEffect(() => {
    void queryClient.invalidateQueries(trpc.events.pathFilter());
    void queryClient.invalidateQueries(trpc.sync.rejections.queryFilter());
    void queryClient.invalidateQueries(trpc.notices.pathFilter());
  }, [lastSyncedAt, pending, rejectionCount, unseenRejections, overwrittenNotices, queryClient, trpc]);

  const { device, user } = status;
  // Screens follow the lesser of the device's role and the signed-in user's.
  const canEditEvents = consoleAllows(device, 'events.write');
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-identity">
          <span className="brand">Janix Console</span>
          <span className="org-name" data-testid="org-name">
            {device.orgName}
          </span>
          <span className="device-name" data-testid="device-name">
            {device.name} · {ORG_ROLE_LABELS[device.role]}
          </span>
        </div>
        <div className="app-header-user">
          <span className="user-name" data-testid="signed-in-user" title={user.email}>
            {user.displayName || user.email}
          </span>
          <SignOutButton className="button button-on-dark" />
        </div>
      </header>
      <div className="toolbar">
        <nav aria-label="Main" className="tabs">
          {NAV.filter((item) => !item.requires || consoleAllows(device, item.requires)).map((item) => {
            const current = item.matches.includes(route.screen);
            return (
              <a
                key={item.label}
                href={routeHref(item.route)}
                className={current ? 'tab tab-current' : 'tab'}
                aria-current={current ? 'page' : undefined}
              >
                {item.label}
              </a>
            );
          })}
        </nav>
        <div className="sync-bar">
          <SyncBadge
            online={status.online}
            lastError={status.sync.lastError}
            localServiceDown={localServiceDown}
          />
          <SyncSummary sync={status.sync} />
          <button
            type="button"
            className="button button-secondary"
            onClick={() => syncNow.mutate()}
            disabled={syncNow.isPending}
            aria-busy={syncNow.isPending || status.sync.syncing}
          >
            Sync now
          </button>
        </div>
      </div>
      {status.sync.progress && <SyncProgressBar progress={status.sync.progress} />}
      {status.sync.signInRequired && status.sync.pending > 0 && (
        <div className="banner banner-warning" role="status" data-testid="sign-in-required">
          <strong>Sign in again to send your changes.</strong> {status.sync.pending} change
          {status.sync.pending === 1 ? ' is' : 's are'} kept on this device until someone signs in.
        </div>
      )}
      {status.sync.unknownDevice && <UnknownDeviceBanner pending={status.sync.pending} />}
      {status.sync.updateRequired && (
        <div className="banner banner-warning" role="status" data-testid="update-required">
          <strong>Update required.</strong> The server no longer accepts this console version, so changes stay
          on this device until the console is updated.
        </div>
      )}
      <ErrorAlert error={syncNow.error} />
      <main id="main" className="content">
        {route.screen !== 'edit-event' && <RecordNotices />}
        {route.screen === 'dashboard' && (
          <DashboardScreen status={status} localServiceDown={localServiceDown} />
        )}
        {route.screen === 'events' && (
          <EventsScreen canEdit={canEditEvents} onNewEvent={() => navigate({ screen: 'new-event' })} />
        )}
        {route.screen === 'new-event' && (
          <EventEditorScreen canEdit={canEditEvents} onDone={() => navigate({ screen: 'events' })} />
        )}
        {route.screen === 'sale' && (
          <SaleScreen
            device={device}
            online={status.online !== false}
            onOpenShift={() => navigate({ screen: 'shift' })}
          />
        )}
        {route.screen === 'shift' && <ShiftScreen onSell={() => navigate({ screen: 'sale' })} />}
        {route.screen === 'orders' && <OrdersScreen />}
        {route.screen === 'order' && (
          <OrderScreen
            key={route.orderId}
            orderId={route.orderId}
            canRefund={consoleAllows(device, 'sales.refund')}
            online={status.online !== false}
            onBack={() => navigate({ screen: 'orders' })}
          />
        )}
        {route.screen === 'settings' && (
          <SettingsScreen
            canManageDevices={consoleAllows(device, 'devices.manage')}
            online={status.online !== false}
          />
        )}
        {route.screen === 'event-setup' && (
          <EventSetupScreen
            key={route.eventId}
            eventId={route.eventId}
            canEdit={canEditEvents}
            canCheckIn={consoleAllows(device, 'checkin.scan')}
          />
        )}
        {route.screen === 'sales' && consoleAllows(device, 'orders.read') && <SalesScreen />}
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {route.screen === 'check-in' && consoleAllows(device, 'checkin.scan') && (
            <CheckInScreen
              key={route.eventId ?? 'any'}
              eventId={route.eventId}
              canEditLists={canEditEvents}
              onChooseEvent={(eventId) => navigate({ screen: 'check-in', eventId })}
            />
          )}
          {route.screen === 'check-in-gate' && consoleAllows(device, 'checkin.scan') && (
            <CheckInGateScreen
              key={route.listId}
              eventId={route.eventId}
              listId={route.listId}
              canEditLists={canEditEvents}
              withoutAttendeeData={device.profile === 'no_attendee_data'}
            />
          )}
          {route.screen === 'check-in-list' && (
            <CheckInListScreen
              key={route.listId ?? `new-${route.eventId}`}
              eventId={route.eventId}
              listId={route.listId}
              canEdit={canEditEvents}
              onSaved={(listId, created) =>
                navigate(
                  created
                    ? { screen: 'check-in', eventId: route.eventId }
                    : { screen: 'check-in-gate', eventId: route.eventId, listId },
                )
              }
            />
          )}
        </Suspense>
        {route.screen === 'edit-event' && (
          <EventEditorScreen
            key={route.eventId}
            eventId={route.eventId}
            canEdit={canEditEvents}
            onDone={() => navigate({ screen: 'events' })}
          />
        )}
      </main>
    </div>
  );
}
