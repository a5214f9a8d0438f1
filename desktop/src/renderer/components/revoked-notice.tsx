import { useMutation, useQueryClient } from '@tanstack/react-query';
import { formatDateTime } from '../date-time.ts';
import { useTRPC } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

/** Shown after the server revoked this device and the core erased its replica. */
export function RevokedNotice({ at }: { at: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dismiss = useMutation(
    trpc.device.dismissNotice.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );
  return (
    <div className="notice notice-danger" role="alert" data-testid="revoked-notice">
      <div className="notice-body">
        <h2 className="notice-title">Device revoked</h2>
        <p>
          This device was revoked by its organization, so its local data has been erased. Sign in and enroll
          it again to keep working.
        </p>
        <p className="notice-meta">
          Revoked <time dateTime={at}>{formatDateTime(at)}</time>
        </p>
        <ErrorAlert error={dismiss.error} />
      </div>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => dismiss.mutate()}
        disabled={dismiss.isPending}
      >
        Dismiss
      </button>
    </div>
  );
}
