import { errorMessage } from '../error-message.ts';

/** A failed call, announced to screen readers as it appears. Renders nothing without an error. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <div role="alert" className="alert alert-error">
      {errorMessage(error)}
    </div>
  );
}
