import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { STATUS_POLL_MS, useTRPC, useTRPCClient } from '../trpc.ts';

/**
 * At most one live re-read a second: the first change after a quiet spell shows at once, while a burst (an
 * initial sync landing page after page) is taken a second at a time instead of re-running every screen's
 * queries on the local core after each page.
 */
const LIVE_REREAD_MIN_MS = 1000;

/**
 * Holds a `changes` long poll on the local core and re-reads the status the moment it answers with a new
 * revision, so the screens re-read what changed (useReReadChangedTables) right after a sync or a command
 * instead of at the next status poll. The poll stays as the fallback: a failed wait is tried again after one
 * poll interval.
 */
export function useLiveChanges(revision: number | undefined): void {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  // Bumped to wait again when a wait ends with nothing new (held for its whole time, or failed).
  const [round, setRound] = useState(0);
  const lastReread = useRef(0);

  useEffect(() => {
    if (revision === undefined) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = () =>
      client.changes.query({ after: revision }, { signal: controller.signal }).then(
        (next) => {
          if (controller.signal.aborted) return;
          if (next === revision) return setRound((value) => value + 1);
          lastReread.current = Date.now();
          void queryClient.invalidateQueries({ queryKey: trpc.status.queryKey() });
        },
        () => {
          if (controller.signal.aborted) return;
          timer = setTimeout(() => setRound((value) => value + 1), STATUS_POLL_MS);
        },
      );
    timer = setTimeout(wait, Math.max(0, lastReread.current + LIVE_REREAD_MIN_MS - Date.now()));
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [revision, round, client, queryClient, trpc]);
}
