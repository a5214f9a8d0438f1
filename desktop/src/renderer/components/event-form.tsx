import { useState, type FormEvent } from 'react';
import type { EventDraft } from '@janix/schemas';
import { EVENT_STATUS_LABELS, EVENT_STATUSES } from '../event-status.ts';
import { parseEventForm, type EventFieldErrors, type EventFormValues } from '../event-form-model.ts';
import { ErrorAlert } from './error-alert.tsx';
import { FormField } from './form-field.tsx';

/**
 * The event fields, validated with eventDraftSchema before `onSave` sees them. Used for both new and
 * existing events; the caller decides what saving means.
 */
export function EventForm({
  initial,
  saving,
  error,
  onSave,
  onCancel,
}: {
  initial: EventFormValues;
  saving: boolean;
  error: unknown;
  onSave: (draft: EventDraft) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<EventFieldErrors>({});

  const set =
    <K extends keyof EventFormValues>(field: K) =>
    (event: { target: { value: string } }) =>
      setValues((current) => ({ ...current, [field]: event.target.value as EventFormValues[K] }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = parseEventForm(values);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onSave(result.draft);
  }

  return (
    <form onSubmit={submit} noValidate className="form event-form">
      <div className="form-grid">
        <FormField label="Name" error={errors.name} className="span-2">
          {(props) => (
            <input {...props} type="text" name="name" autoFocus value={values.name} onChange={set('name')} />
          )}
        </FormField>
        <FormField label="Venue" error={errors.venue} className="span-2">
          {(props) => (
            <input {...props} type="text" name="venue" value={values.venue} onChange={set('venue')} />
          )}
        </FormField>
        <FormField label="Starts" error={errors.startsAt}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              name="startsAt"
              value={values.startsAt}
              onChange={set('startsAt')}
            />
          )}
        </FormField>
        <FormField label="Ends" error={errors.endsAt}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              name="endsAt"
              value={values.endsAt}
              onChange={set('endsAt')}
            />
          )}
        </FormField>
        <FormField label="Status" error={errors.status}>
          {(props) => (
            <select {...props} name="status" value={values.status} onChange={set('status')}>
              {EVENT_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {EVENT_STATUS_LABELS[status]}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </div>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          Save
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
