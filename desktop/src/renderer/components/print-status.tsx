import type { LocalOutputs } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

export type PrintResult = LocalOutputs['printing']['receipt'];

/**
 * How a print went, in a sentence: where it went, or why nothing printed (no printer set, unreachable, out of
 * paper…). A failed print never undoes what was printed for, so it reads as a notice, not as a failed sale.
 */
export function PrintStatus({
  what,
  pending,
  result,
  error,
  testId,
}: {
  /** "Receipt", "Tickets", "Z report"… */
  what: string;
  pending: boolean;
  result: PrintResult | undefined;
  error: unknown;
  testId: string;
}) {
  if (pending) {
    return (
      <p role="status" className="print-status muted" data-testid={testId}>
        Printing: {what.toLowerCase()}…
      </p>
    );
  }
  if (error) return <ErrorAlert error={error} />;
  if (!result) return null;
  return result.ok ? (
    <p role="status" className="print-status print-ok" data-testid={testId}>
      {what} sent to {result.destination}.
    </p>
  ) : (
    <div
      role="alert"
      className="alert alert-warning print-status"
      data-testid={testId}
      data-reason={result.reason}
    >
      {what} not printed: {result.message}
    </div>
  );
}
