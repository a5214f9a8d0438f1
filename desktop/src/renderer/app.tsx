import { useQuery } from '@tanstack/react-query';
import { LOCAL_SERVICE_UNREACHABLE } from './error-message.ts';
import { RevokedNotice } from './components/revoked-notice.tsx';
import { EnrollScreen } from './screens/enroll-screen.tsx';
import { SignInScreen } from './screens/sign-in-screen.tsx';
import { Shell } from './shell.tsx';
import { useLiveChanges } from './hooks/use-live-changes.ts';
import { useReReadChangedTables } from './replica-tables.ts';
import { STATUS_POLL_MS, useTRPC } from './trpc.ts';

/**
 * Picks the screen from the core's status: sign in, then enroll, then the shell. Status is polled, and
 * re-read at once when the core says something changed, so the console follows sync, connectivity and
 * revocation without a reload.
 */
export function App({ needsLaunchLink = false }: { needsLaunchLink?: boolean }) {
  const trpc = useTRPC();
  const status = useQuery(
    trpc.status.queryOptions(undefined, {
      refetchInterval: STATUS_POLL_MS,
      refetchIntervalInBackground: true,
    }),
  );

  // Replicated data changed underneath (a sync landed, a command was queued): screens re-read the tables
  // that changed, and only those.
  useReReadChangedTables(status.data?.tables);
  useLiveChanges(status.data?.revision);

  if (needsLaunchLink && status.data === undefined) {
    return (
      <div className="splash">
        <p className="brand brand-on-light">Janix Console</p>
        <div role="alert" className="alert alert-error" data-testid="needs-launch-link">
          Open the console from the link it printed when it started (
          <code>Console: http://127.0.0.1:PORT/#launch=…</code>). That link carries this launch’s key; without
          it the console does not answer, so that no other program on this computer can use it.
        </div>
      </div>
    );
  }

  if (status.data === undefined) {
    return (
      <div className="splash">
        <p className="brand brand-on-light">Janix Console</p>
        {status.isError ? (
          <div role="alert" className="alert alert-error">
            {LOCAL_SERVICE_UNREACHABLE}
          </div>
        ) : (
          <p className="muted" role="status">
            Starting…
          </p>
        )}
      </div>
    );
  }

  const data = status.data;
  const { user, device } = data;
  return (
    <>
      {status.isError && (
        <div role="alert" className="banner banner-danger">
          {LOCAL_SERVICE_UNREACHABLE}
        </div>
      )}
      {data.notice && <RevokedNotice notice={data.notice} />}
      {!user ? (
        <SignInScreen device={device} />
      ) : !device ? (
        <EnrollScreen user={user} />
      ) : (
        <Shell status={{ ...data, user, device }} localServiceDown={status.isError} />
      )}
    </>
  );
}
