import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EventDraft } from '@janix/schemas';
import { useState } from 'react';
import { EventForm } from '../components/event-form.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { RecordNotices } from '../components/record-notices.tsx';
import { EMPTY_EVENT_FORM, eventFormFromEvent, eventPatchFrom } from '../event-form-model.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { useTRPC } from '../trpc.ts';

/**
 * Creates an event (no `eventId`) or edits one, sending only the fields that changed; shows the notices about
 * this console's changes to it. A user whose role may not edit events sees the notices, not the form.
 */
export function EventEditorScreen({
  eventId,
  canEdit,
  onDone,
}: {
  eventId?: string;
  canEdit: boolean;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const existing = useQuery({
    ...trpc.events.get.queryOptions({ id: eventId ?? '' }),
    ...reads('events', 'ticket_types', 'quotas'),
    enabled: eventId !== undefined,
  });
  // The event as the form first showed it. A sync may refetch the event while the form is open; the patch
  // is taken against what the user saw, so fields they left alone never overwrite another console's edit.
  const [baseline, setBaseline] = useState<EventDraft | null>(null);
  if (existing.data && baseline === null) setBaseline(existing.data);

  const afterSave = async () => {
    await queryClient.invalidateQueries(trpc.events.pathFilter());
    await queryClient.invalidateQueries(trpc.status.queryFilter());
    onDone();
  };
  const create = useMutation(trpc.events.create.mutationOptions({ onSuccess: afterSave }));
  const update = useMutation(trpc.events.update.mutationOptions({ onSuccess: afterSave }));

  function save(draft: EventDraft) {
    if (eventId === undefined) return create.mutate({ draft });
    if (!baseline) return;
    const patch = eventPatchFrom(baseline, draft);
    if (Object.keys(patch).length === 0) return onDone();
    update.mutate({ id: eventId, patch });
  }

  const title = eventId === undefined ? 'New event' : canEdit ? 'Edit event' : 'Event';
  return (
    <section className="screen" aria-labelledby="event-editor-heading">
      <div className="screen-header">
        <h1 id="event-editor-heading" ref={heading} tabIndex={-1}>
          {title}
          {baseline && <span className="heading-sub"> {baseline.name}</span>}
        </h1>
        {eventId !== undefined && (
          <div className="form-actions">
            <a className="button button-secondary" href={routeHref({ screen: 'event-setup', eventId })}>
              Tickets and quotas
            </a>
            <a className="button button-secondary" href={routeHref({ screen: 'check-in', eventId })}>
              Check-in lists
            </a>
          </div>
        )}
      </div>
      {eventId !== undefined && <RecordNotices recordId={eventId} />}
      <div className="card editor-card">
        {!canEdit ? (
          <>
            <p role="status" data-testid="no-event-editing">
              Your role does not allow editing events on this console.
            </p>
            <BackToEvents onClick={onDone} />
          </>
        ) : eventId !== undefined && baseline === null ? (
          existing.isError ? (
            <>
              <ErrorAlert error={existing.error} />
              <BackToEvents onClick={onDone} />
            </>
          ) : (
            <p className="muted">Loading the event…</p>
          )
        ) : (
          <EventForm
            key={eventId ?? 'new'}
            initial={baseline ? eventFormFromEvent(baseline) : EMPTY_EVENT_FORM}
            saving={create.isPending || update.isPending}
            error={create.error ?? update.error}
            onSave={save}
            onCancel={onDone}
          />
        )}
      </div>
    </section>
  );
}

function BackToEvents({ onClick }: { onClick: () => void }) {
  return (
    <div className="form-actions">
      <button type="button" className="button button-secondary" onClick={onClick}>
        Back to events
      </button>
    </div>
  );
}
