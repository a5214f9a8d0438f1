import { useMutation, useQueryClient } from '@tanstack/react-query';
import { formatDateTime } from '../date-time.ts';
import { useTRPC, type LocalStatus } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

function lostText(lostChanges: number): string {
  if (lostChanges === 0) return 'No unsynced changes were lost.';
  return lostChanges === 1
    ? '1 change made on this console had not reached the server and was lost.'
    : `${lostChanges} changes made on this console had not reached the server and were lost.`;
}

/** Shown after the core erased its replica: the server revoked the device, or the user asked to start over. */
export function RevokedNotice({ notice }: { notice: NonNullable<LocalStatus['notice']> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dismiss = useMutation(
    trpc.device.dismissNotice.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );
  const revoked = notice.kind === 'device_revoked';
  return (
    <div className="notice notice-danger" role="alert" data-testid="revoked-notice">
      <div className="notice-body">
        <h2 className="notice-title">{revoked ? 'Device revoked' : 'Console data erased'}</h2>
        <p>
          {revoked
            ? 'This device was revoked by its organization, so its local data has been erased.'
            : 'This console’s local data was erased as you asked.'}{' '}
          {lostText(notice.lostChanges)} Sign in and enroll it again to keep working.
        </p>
        <p className="notice-meta">
          {revoked ? 'Revoked' : 'Erased'} <time dateTime={notice.at}>{formatDateTime(notice.at)}</time>
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
