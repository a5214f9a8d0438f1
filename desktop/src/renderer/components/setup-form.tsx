import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { FormResult } from '../event-setup-form-model.ts';
import { ErrorAlert } from './error-alert.tsx';

/**
 * Escape closes an open setup form, as it closes a dialog, wherever focus is (a submit leaves it on the page
 * when the answer comes back); Enter in a field saves it, as a native submit.
 */
function useEscapeToCancel(onCancel: () => void): void {
  const latest = useRef(onCancel);
  useEffect(() => {
    latest.current = onCancel;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      latest.current();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}

/**
 * A setup form's state: what its inputs hold, the message for each field the last submit could not read,
 * and the submit itself, which hands `onSave` a checked draft (never twice while one is being saved).
 */
export function useSetupForm<V, D, E extends object>(options: {
  initial: V;
  parse: (values: V) => FormResult<D, E>;
  saving: boolean;
  onSave: (draft: D) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState(options.initial);
  const [errors, setErrors] = useState<E>({} as E);
  useEscapeToCancel(options.onCancel);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (options.saving) return;
    const result = options.parse(values);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({} as E);
    options.onSave(result.draft);
  }
  return { values, setValues, errors, submit };
}

/** The frame of a setup form: its title, its fields, the local rule's refusal next to them, Save and Cancel. */
export function SetupForm({
  title,
  testId,
  saveLabel,
  saving,
  error,
  onSubmit,
  onCancel,
  children,
}: {
  title: string;
  testId: string;
  saveLabel: string;
  saving: boolean;
  error: unknown;
  onSubmit: (event: FormEvent) => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <form onSubmit={onSubmit} noValidate className="form setup-form" aria-label={title} data-testid={testId}>
      <h3>{title}</h3>
      <div className="form-grid">{children}</div>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" aria-busy={saving}>
          {saveLabel}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
