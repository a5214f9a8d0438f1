import { useQuery } from '@tanstack/react-query';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useRecordNotices } from '../components/record-notices.tsx';
import { recordNoticeTag } from '../record-notice-text.ts';
import { formatDateTime } from '../date-time.ts';
import { EVENT_STATUS_LABELS } from '../event-status.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { routeHref } from '../routes.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC } from '../trpc.ts';

/**
 * Every event of the organization, as the replica has it (pending local changes included), each with the
 * notices about this console's changes to it. Editing is offered only where the roles allow it.
 */
export function EventsScreen({ onNewEvent, canEdit }: { onNewEvent: () => void; canEdit: boolean }) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const events = useQuery({
    ...trpc.events.list.queryOptions(),
    ...reads('events', 'ticket_types', 'quotas'),
  });
  const { notices } = useRecordNotices();
  const tagsByEvent = new Map<string, string[]>();
  for (const notice of notices.data ?? []) {
    if (notice.table !== 'events' || !notice.recordId) continue;
    tagsByEvent.set(notice.recordId, [...(tagsByEvent.get(notice.recordId) ?? []), recordNoticeTag(notice)]);
  }

  return (
    <section className="screen" aria-labelledby="events-heading">
      <div className="screen-header">
        <h1 id="events-heading" ref={heading} tabIndex={-1}>
          Events
        </h1>
        {canEdit && (
          <button type="button" className="button button-primary" onClick={onNewEvent}>
            New event
          </button>
        )}
      </div>
      <ErrorAlert error={events.error} />
      {events.isPending ? (
        <p className="muted">Loading events…</p>
      ) : events.data && events.data.length === 0 ? (
        <div className="card empty-state">
          <p>No events yet.</p>
          {canEdit && <p className="muted">Create the first one with “New event”.</p>}
        </div>
      ) : events.data ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Venue</th>
                <th scope="col">Starts</th>
                <th scope="col">Status</th>
                <th scope="col">Tickets</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((event) => (
                <tr key={event.id}>
                  <th scope="row" className="cell-name">
                    {canEdit || tagsByEvent.has(event.id) ? (
                      <a href={routeHref({ screen: 'edit-event', eventId: event.id })}>{event.name}</a>
                    ) : (
                      event.name
                    )}
                    {event.pending && (
                      <span className="tag tag-pending" title="Saved on this console, not yet synced">
                        Pending
                      </span>
                    )}
                    {[...new Set(tagsByEvent.get(event.id))].map((tag) => (
                      <span key={tag} className="tag tag-notice" data-testid="record-notice-tag">
                        {tag}
                      </span>
                    ))}
                  </th>
                  <td>{event.venue || <span className="muted">—</span>}</td>
                  <td>
                    <time dateTime={event.startsAt}>{formatDateTime(event.startsAt)}</time>
                  </td>
                  <td>
                    <span className={`status status-${event.status}`}>
                      {EVENT_STATUS_LABELS[event.status]}
                    </span>
                  </td>
                  <td>
                    <a href={routeHref({ screen: 'event-setup', eventId: event.id })}>
                      {event.ticketTypeCount === 1
                        ? '1 ticket type'
                        : `${event.ticketTypeCount} ticket types`}
                      <span className="visually-hidden"> for {event.name}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
