import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { LOCAL_SERVICE_UNREACHABLE } from './error-message.ts';
import { RevokedNotice } from './components/revoked-notice.tsx';
import { EnrollScreen } from './screens/enroll-screen.tsx';
import { SignInScreen } from './screens/sign-in-screen.tsx';
import { Shell } from './shell.tsx';
import { STATUS_POLL_MS, useTRPC } from './trpc.ts';

/**
 * Picks the screen from the core's status: sign in, then enroll, then the shell. Status is polled, so the
 * console follows sync, connectivity and revocation without a reload.
 */
export function App() {
  const trpc = useTRPC();
  const status = useQuery(
    trpc.status.queryOptions(undefined, {
      refetchInterval: STATUS_POLL_MS,
      refetchIntervalInBackground: true,
    }),
  );

  // Replicated data changed underneath (a sync landed, a command was queued): re-read what screens show.
  const queryClient = useQueryClient();
  const revision = status.data?.revision;
  useEffect(() => {
    if (revision === undefined) return;
    void queryClient.invalidateQueries(trpc.events.pathFilter());
    void queryClient.invalidateQueries(trpc.sync.rejections.pathFilter());
  }, [revision, queryClient, trpc]);

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
      {data.notice?.kind === 'device_revoked' && <RevokedNotice at={data.notice.at} />}
      {!user ? (
        <SignInScreen device={device} />
      ) : !device ? (
        <EnrollScreen user={user} />
      ) : (
        <Shell status={{ ...data, user, device }} />
      )}
    </>
  );
}
