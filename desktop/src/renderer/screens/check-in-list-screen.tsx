import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import {
  emptyListForm,
  knownTimeZones,
  listFormFromList,
  parseListForm,
  type CheckInListFieldErrors,
  type CheckInListFormValues,
} from '../check-in-list-form-model.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { useTRPC } from '../trpc.ts';
import '../event-setup.css';
import '../check-in.css';

/**
 * A check-in list's settings (a new list without `listId`): which ticket types it admits, its time window,
 * entry and exit rules, the daily limit and the automatic check-out, in the venue's time zone. Saved as a
 * command, offline too; the rules check the same draft on the server.
 */
export function CheckInListScreen({
  eventId,
  listId,
  canEdit,
  onSaved,
}: {
  eventId: string;
  listId: string | null;
  canEdit: boolean;
  /** A new list goes back to the event's lists (where it now shows); an edited one back to its door. */
  onSaved: (listId: string, created: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const event = useQuery({
    ...trpc.events.get.queryOptions({ id: eventId }),
    ...reads('events', 'ticket_types'),
  });
  const lists = useQuery({
    ...trpc.checkin.lists.queryOptions({ eventId }),
    ...reads('checkin_lists', 'ticket_types'),
    enabled: listId !== null,
  });
  const existing = listId === null ? null : lists.data?.find((list) => list.id === listId);
  // The id of a new list is made once per form: a create sent twice (double click) is one list.
  const [newListId] = useState(() => crypto.randomUUID());

  const save = useMutation(
    trpc.checkin.saveList.mutationOptions({
      onSuccess: async ({ listId: saved }) => {
        await queryClient.invalidateQueries(trpc.checkin.lists.pathFilter());
        await queryClient.invalidateQueries(trpc.status.queryFilter());
        onSaved(saved, listId === null);
      },
    }),
  );

  const back = routeHref(
    listId === null ? { screen: 'check-in', eventId } : { screen: 'check-in-gate', eventId, listId },
  );
  const loading = event.isPending || (listId !== null && lists.isPending);
  const missing = listId !== null && lists.isSuccess && !existing;

  return (
    <section className="screen" aria-labelledby="list-editor-heading">
      <div className="screen-header">
        <h1 id="list-editor-heading" ref={heading} tabIndex={-1}>
          {listId === null ? 'New check-in list' : 'Check-in list settings'}
          {event.data && <span className="heading-sub"> {event.data.name}</span>}
        </h1>
      </div>
      <ErrorAlert error={event.error ?? lists.error} />
      <div className="card editor-card">
        {!canEdit ? (
          <p role="status">Your role does not allow changing check-in lists on this console.</p>
        ) : missing ? (
          <p role="status">This check-in list is not on this console.</p>
        ) : loading || !event.data ? (
          <p className="muted">Loading…</p>
        ) : (
          <ListForm
            key={listId ?? 'new'}
            initial={existing ? listFormFromList(existing) : emptyListForm()}
            ticketTypes={event.data.ticketTypes}
            isNew={listId === null}
            saving={save.isPending}
            error={save.error}
            cancelHref={back}
            onSave={(draft) => save.mutate({ ...draft, eventId, listId: listId ?? newListId })}
          />
        )}
        {(!canEdit || missing) && (
          <div className="form-actions">
            <a className="button button-secondary" href={back}>
              Back
            </a>
          </div>
        )}
      </div>
    </section>
  );
}

function ListForm({
  initial,
  ticketTypes,
  isNew,
  saving,
  error,
  cancelHref,
  onSave,
}: {
  initial: CheckInListFormValues;
  ticketTypes: ReadonlyArray<{ id: string; name: string }>;
  isNew: boolean;
  saving: boolean;
  error: unknown;
  cancelHref: string;
  onSave: (draft: Extract<ReturnType<typeof parseListForm>, { ok: true }>['draft']) => void;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<CheckInListFieldErrors>({});
  const [zones] = useState(knownTimeZones);
  const zoneListId = useId();

  const update = (patch: Partial<CheckInListFormValues>) =>
    setValues((current) => ({ ...current, ...patch }));
  const text =
    (field: 'name' | 'validFrom' | 'validUntil' | 'maxEntriesPerDay' | 'autoCheckoutAt' | 'timeZone') =>
    (event: { target: { value: string } }) =>
      update({ [field]: event.target.value });

  function toggleType(id: string, on: boolean) {
    setValues((current) => ({
      ...current,
      ticketTypeIds: on
        ? [...current.ticketTypeIds, id]
        : current.ticketTypeIds.filter((candidate) => candidate !== id),
    }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    const result = parseListForm(values);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onSave(result.draft);
  }

  // A ticket type the list names but the event no longer has stays visible, so it can be unticked.
  const shownTypes = [
    ...ticketTypes,
    ...values.ticketTypeIds
      .filter((id) => !ticketTypes.some((type) => type.id === id))
      .map((id) => ({ id, name: 'A deleted ticket type' })),
  ];

  return (
    <form onSubmit={submit} noValidate className="form" aria-label="Check-in list">
      <div className="form-grid">
        <FormField
          label="Name"
          error={errors.name}
          className="span-2"
          hint="What the door sees, e.g. Main entrance."
        >
          {(props) => (
            <input {...props} type="text" name="name" autoFocus value={values.name} onChange={text('name')} />
          )}
        </FormField>
        <fieldset
          className="checkbox-list span-2"
          aria-describedby={errors.ticketTypeIds ? 'types-error' : undefined}
        >
          <legend>Ticket types</legend>
          {shownTypes.length === 0 && <p className="muted">This event has no ticket types yet.</p>}
          {shownTypes.map((type) => (
            <label key={type.id} className="checkbox">
              <input
                type="checkbox"
                checked={values.ticketTypeIds.includes(type.id)}
                onChange={(change) => toggleType(type.id, change.target.checked)}
              />
              {type.name}
            </label>
          ))}
          <p className="field-hint">None ticked: the list admits every ticket type of the event.</p>
          {errors.ticketTypeIds && (
            <p id="types-error" className="field-error">
              {errors.ticketTypeIds}
            </p>
          )}
        </fieldset>
        <FormField label="Valid from" error={errors.validFrom} hint="Empty: from any time.">
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              name="validFrom"
              value={values.validFrom}
              onChange={text('validFrom')}
            />
          )}
        </FormField>
        <FormField label="Valid until" error={errors.validUntil} hint="Empty: no end.">
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              name="validUntil"
              value={values.validUntil}
              onChange={text('validUntil')}
            />
          )}
        </FormField>
        <div className="checkbox-list span-2">
          <label className="checkbox">
            <input
              type="checkbox"
              name="allowReentry"
              checked={values.allowReentry}
              onChange={(change) => update({ allowReentry: change.target.checked })}
            />
            Allow re-entry after an exit
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              name="allowMultipleEntries"
              checked={values.allowMultipleEntries}
              onChange={(change) => update({ allowMultipleEntries: change.target.checked })}
            />
            Allow entry again without an exit
          </label>
        </div>
        <FormField label="Maximum entries per day" error={errors.maxEntriesPerDay} hint="Empty: no limit.">
          {(props) => (
            <input
              {...props}
              type="text"
              inputMode="numeric"
              name="maxEntriesPerDay"
              value={values.maxEntriesPerDay}
              onChange={text('maxEntriesPerDay')}
            />
          )}
        </FormField>
        <FormField
          label="Automatic check-out"
          error={errors.autoCheckoutAt}
          hint="Everyone inside counts as gone at this time each day. Empty: never."
        >
          {(props) => (
            <input
              {...props}
              type="time"
              name="autoCheckoutAt"
              value={values.autoCheckoutAt}
              onChange={text('autoCheckoutAt')}
            />
          )}
        </FormField>
        <FormField
          label="Time zone"
          error={errors.timeZone}
          className="span-2"
          hint="The venue's: the window and the check-out time are its wall-clock times."
        >
          {(props) => (
            <>
              <input
                {...props}
                type="text"
                name="timeZone"
                list={zoneListId}
                autoComplete="off"
                value={values.timeZone}
                onChange={text('timeZone')}
              />
              <datalist id={zoneListId}>
                {zones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </>
          )}
        </FormField>
      </div>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} aria-busy={saving}>
          {isNew ? 'Create list' : 'Save list'}
        </button>
        <a className="button button-secondary" href={cancelHref}>
          Cancel
        </a>
      </div>
    </form>
  );
}
