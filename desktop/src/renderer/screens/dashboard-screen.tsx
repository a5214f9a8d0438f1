import { useQuery } from '@tanstack/react-query';
import { ErrorAlert } from '../components/error-alert.tsx';
import { commandLabel } from '../command-labels.ts';
import { formatDateTime, formatRelativeTime } from '../date-time.ts';
import { summarizeEvents } from '../event-summary.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { useNow } from '../hooks/use-now.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC, type LocalStatus } from '../trpc.ts';

const numberFormat = new Intl.NumberFormat();

// Worded apart from the header badge, so "Online" / "Offline" appear once on the page.
function connectionText(online: boolean | null, lastError: string | null, localServiceDown: boolean): string {
  if (localServiceDown) return 'The console’s local service is not responding';
  if (online === null) return 'Checking the connection to the server';
  if (!online) return 'Server unreachable: working offline';
  return lastError ? 'The server answered with an error; retrying' : 'Connected to the server';
}

export function DashboardScreen({
  status,
  localServiceDown,
}: {
  status: LocalStatus;
  localServiceDown: boolean;
}) {
  const trpc = useTRPC();
  const now = useNow();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const events = useQuery({
    ...trpc.events.list.queryOptions(),
    ...reads('events', 'ticket_types', 'quotas'),
  });
  const rejections = useQuery({ ...trpc.sync.rejections.queryOptions(), ...reads('notices') });
  const summary = events.data ? summarizeEvents(events.data, now) : null;
  const { sync } = status;

  return (
    <section className="screen" aria-labelledby="dashboard-heading">
      <div className="screen-header">
        <h1 id="dashboard-heading" ref={heading} tabIndex={-1}>
          Dashboard
        </h1>
      </div>
      <ErrorAlert error={events.error} />
      <dl className="stats">
        <div className="stat">
          <dt>Events</dt>
          <dd data-testid="stat-events">{summary ? numberFormat.format(summary.events) : '–'}</dd>
        </div>
        <div className="stat">
          <dt>Upcoming events</dt>
          <dd data-testid="stat-upcoming">{summary ? numberFormat.format(summary.upcoming) : '–'}</dd>
        </div>
        <div className="stat">
          <dt>Total capacity</dt>
          <dd data-testid="stat-capacity">{summary ? numberFormat.format(summary.capacity) : '–'}</dd>
          <p className="stat-note">Tickets across events that are not cancelled</p>
        </div>
      </dl>

      <div className="dashboard-grid">
        <section className="card" aria-labelledby="sync-heading">
          <h2 id="sync-heading">Sync</h2>
          <dl className="details">
            <dt>Server</dt>
            <dd className="mono">{status.serverUrl}</dd>
            <dt>Connection</dt>
            <dd>{connectionText(status.online, sync.lastError, localServiceDown)}</dd>
            <dt>Waiting to sync</dt>
            <dd>{sync.pending === 1 ? '1 change' : `${sync.pending} changes`}</dd>
            <dt>Last successful sync</dt>
            <dd>
              {sync.lastSyncedAt
                ? `${formatDateTime(sync.lastSyncedAt)} (${formatRelativeTime(sync.lastSyncedAt, now)})`
                : 'Never'}
            </dd>
            <dt>Last error</dt>
            <dd>{sync.lastError ?? 'None'}</dd>
            <dt>Rejections</dt>
            <dd>{sync.rejectionCount}</dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="rejections-heading">
          <h2 id="rejections-heading">Rejected changes</h2>
          <p className="muted">
            Changes made on this console that the server refused. They were not applied.
          </p>
          <ErrorAlert error={rejections.error} />
          {rejections.data && rejections.data.length === 0 && (
            <p className="empty">No changes have been rejected.</p>
          )}
          {rejections.data && rejections.data.length > 0 && (
            <div className="table-wrap">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Command</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {rejections.data.map((rejection) => (
                    <tr key={rejection.seq}>
                      <td>
                        <time dateTime={rejection.rejectedAt} title={formatDateTime(rejection.rejectedAt)}>
                          {formatRelativeTime(rejection.rejectedAt, now)}
                        </time>
                      </td>
                      <td>{commandLabel(rejection.name)}</td>
                      <td>{rejection.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </section>
  );
}
