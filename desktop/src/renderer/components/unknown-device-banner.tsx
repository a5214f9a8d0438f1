import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

/**
 * The server answered that it does not know this device (restored from a backup, or another database).
 * Nothing is erased for that: the unsynced changes stay until the device is known again, or until the user
 * chooses to erase them and enroll again.
 */
export function UnknownDeviceBanner({ pending }: { pending: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const forget = useMutation(
    trpc.device.forget.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );
  const kept = pending === 1 ? '1 unsynced change is' : `${pending} unsynced changes are`;
  function startOver() {
    const loss =
      pending === 0
        ? ''
        : ` ${pending === 1 ? '1 unsynced change' : `${pending} unsynced changes`} will be lost.`;
    if (window.confirm(`Erase this console's data and enroll it again?${loss}`)) {
      forget.mutate({ expectedLostChanges: pending });
    }
  }
  return (
    <div className="banner banner-warning" role="alert" data-testid="unknown-device">
      <strong>This server does not know this device</strong> — re-enroll or contact an admin; {kept} kept on
      this console.{' '}
      <button type="button" className="button button-secondary button-small" onClick={startOver}>
        Erase and enroll again
      </button>
      <ErrorAlert error={forget.error} />
    </div>
  );
}
