import { useQuery } from '@tanstack/react-query';
import { listRules } from '../check-in-model.ts';
import { EntryAlerts } from '../components/entry-alerts.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { formatDateTime } from '../date-time.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { useNow } from '../hooks/use-now.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { useTRPC, type EventListItem } from '../trpc.ts';
import '../check-in.css';

/** The event a door most likely works tonight: the first one not over yet, else the last one. */
function likelyEvent(events: readonly EventListItem[], now: Date): EventListItem | undefined {
  return events.find((event) => Date.parse(event.endsAt) >= now.getTime()) ?? events.at(-1);
}

/**
 * Where a door starts: choose the event and the check-in list to admit by. Lists are made and changed here
 * by those whose role edits events; every console at the event sees its double-entry alerts here too.
 */
export function CheckInScreen({
  eventId: chosenEventId,
  canEditLists,
  onChooseEvent,
}: {
  eventId: string | null;
  canEditLists: boolean;
  onChooseEvent: (eventId: string) => void;
}) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const now = useNow(60_000);
  const events = useQuery({ ...trpc.events.list.queryOptions(), ...reads('events') });
  const eventId = chosenEventId ?? (events.data ? (likelyEvent(events.data, now)?.id ?? null) : null);
  const lists = useQuery({
    ...trpc.checkin.lists.queryOptions({ eventId: eventId ?? '' }),
    ...reads('checkin_lists', 'ticket_types'),
    enabled: eventId !== null,
  });
  const event = events.data?.find((candidate) => candidate.id === eventId);

  return (
    <section className="screen" aria-labelledby="check-in-heading" data-testid="check-in-lists">
      <div className="screen-header">
        <h1 id="check-in-heading" ref={heading} tabIndex={-1}>
          Check-in
        </h1>
        {events.data && events.data.length > 0 && (
          <FormField label="Event">
            {(props) => (
              <select
                {...props}
                name="event"
                value={eventId ?? ''}
                onChange={(change) => onChooseEvent(change.target.value)}
              >
                {events.data.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.name} · {formatDateTime(option.startsAt)}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        )}
      </div>
      {eventId && <EntryAlerts eventId={eventId} />}
      <ErrorAlert error={events.error ?? lists.error} />

      {events.data?.length === 0 && (
        <div className="card empty-state">
          <p>No events yet.</p>
          <p className="muted">Check-in lists belong to an event.</p>
        </div>
      )}

      {eventId && lists.data && (
        <section className="card" aria-labelledby="lists-heading">
          <div className="screen-header">
            <h2 id="lists-heading">Check-in lists{event ? ` of ${event.name}` : ''}</h2>
            {canEditLists && (
              <a
                className="button button-primary"
                href={routeHref({ screen: 'check-in-list', eventId, listId: null })}
              >
                New check-in list
              </a>
            )}
          </div>
          {lists.data.length === 0 ? (
            <div className="empty-state">
              <p>No check-in list for this event yet.</p>
              <p className="muted">
                {canEditLists
                  ? 'A list says which tickets a door admits, and when: make one with “New check-in list”.'
                  : 'Ask an organizer to make one: a list says which tickets a door admits, and when.'}
              </p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">List</th>
                    <th scope="col">Admits</th>
                    {canEditLists && (
                      <th scope="col">
                        <span className="visually-hidden">Settings</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {lists.data.map((list) => (
                    <tr key={list.id}>
                      <th scope="row" className="cell-name">
                        <a href={routeHref({ screen: 'check-in-gate', eventId, listId: list.id })}>
                          {list.name}
                        </a>
                        {list.pending && (
                          <span className="tag tag-pending" title="Saved on this console, not yet synced">
                            Pending
                          </span>
                        )}
                      </th>
                      <td>
                        <ul className="list-rules">
                          {listRules(list, now).map((rule) => (
                            <li key={rule}>{rule}</li>
                          ))}
                        </ul>
                      </td>
                      {canEditLists && (
                        <td>
                          <a href={routeHref({ screen: 'check-in-list', eventId, listId: list.id })}>
                            Settings<span className="visually-hidden"> of {list.name}</span>
                          </a>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </section>
  );
}
