import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { ErrorAlert } from './error-alert.tsx';

/**
 * A step that cannot be undone, confirmed against a sentence saying what it does: the box takes the focus (a
 * screen reader reads the sentence), the danger button does it, the other steps back; both wait while it runs.
 */
export function ConfirmBox({
  id,
  text,
  confirmLabel,
  onConfirm,
  onCancel,
  pending,
  error,
  disabled = false,
  cancelLabel = 'Cancel',
  testId,
}: {
  id: string;
  text: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  /** The confirm button is off for another reason than running (offline, say). */
  disabled?: boolean;
  cancelLabel?: string;
  testId?: string;
}) {
  const box = useFocusOnMount<HTMLDivElement>();
  return (
    <div className="confirm-box" role="alertdialog" aria-labelledby={id} ref={box} tabIndex={-1}>
      <p id={id}>{text}</p>
      <ErrorAlert error={error} />
      <div className="form-actions">
        <button
          type="button"
          className="button button-danger"
          disabled={disabled || pending}
          aria-busy={pending}
          onClick={onConfirm}
          data-testid={testId}
        >
          {confirmLabel}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={pending}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
