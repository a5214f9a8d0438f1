import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { STATUS_POLL_MS, useTRPC, useTRPCClient } from '../trpc.ts';

/**
 * Holds a `changes` long poll on the local core and re-reads the status the moment it answers with a new
 * revision, so the screens re-read what changed (useReReadChangedTables) within milliseconds of a sync or a
 * command instead of at the next status poll. The poll stays as the fallback: a failed wait is tried again
 * after one poll interval.
 */
export function useLiveChanges(revision: number | undefined): void {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  // Bumped to wait again when a wait ends with nothing new (held for its whole time, or failed).
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (revision === undefined) return;
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    client.changes.query({ after: revision }, { signal: controller.signal }).then(
      (next) => {
        if (controller.signal.aborted) return;
        if (next !== revision) void queryClient.invalidateQueries({ queryKey: trpc.status.queryKey() });
        else setRound((value) => value + 1);
      },
      () => {
        if (controller.signal.aborted) return;
        retry = setTimeout(() => setRound((value) => value + 1), STATUS_POLL_MS);
      },
    );
    return () => {
      controller.abort();
      clearTimeout(retry);
    };
  }, [revision, round, client, queryClient, trpc]);
}
