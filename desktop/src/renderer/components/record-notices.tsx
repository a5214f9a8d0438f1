import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RecordNotice } from '@janix/local-core';
import { useNow } from '../hooks/use-now.ts';
import { describeRecordNotice } from '../record-notice-text.ts';
import { routeHref } from '../routes.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

/** The console's per-record notices and a way to dismiss one; every screen reads the same query. */
export function useRecordNotices() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notices = useQuery({ ...trpc.notices.list.queryOptions(), ...reads('notices') });
  const dismiss = useMutation(
    trpc.notices.dismiss.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.notices.pathFilter());
        await queryClient.invalidateQueries(trpc.status.queryFilter());
      },
    }),
  );
  return { notices, dismiss };
}

/**
 * Notices about this console's own changes: a change the server refused, an edit another console overwrote.
 * `recordId` narrows them to one record (the editor); otherwise each names and links its record.
 */
export function RecordNotices({ recordId }: { recordId?: string }) {
  const now = useNow();
  const { notices, dismiss } = useRecordNotices();
  const shown = (notices.data ?? []).filter(
    (notice) => recordId === undefined || notice.recordId === recordId,
  );
  if (shown.length === 0) return null;
  return (
    <section
      className="record-notices"
      aria-label={recordId ? 'Notices about this event' : 'Changes that need your attention'}
      data-testid="record-notices"
    >
      {recordId === undefined && <h2 className="record-notices-title">Changes that need your attention</h2>}
      <ul>
        {shown.map((notice) => (
          <li
            key={notice.id}
            className={`record-notice record-notice-${notice.kind}`}
            data-testid="record-notice"
          >
            <span>
              {recordId === undefined && <RecordName notice={notice} />}
              {describeRecordNotice(notice, now)}
            </span>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => dismiss.mutate({ id: notice.id })}
              disabled={dismiss.isPending}
              aria-label={`Dismiss the notice about ${notice.label}`}
            >
              Dismiss
            </button>
          </li>
        ))}
      </ul>
      <ErrorAlert error={dismiss.error} />
    </section>
  );
}

function RecordName({ notice }: { notice: RecordNotice }) {
  const label = <strong>{notice.label}</strong>;
  return (
    <>
      {notice.table === 'events' && notice.recordId ? (
        <a href={routeHref({ screen: 'edit-event', eventId: notice.recordId })}>{label}</a>
      ) : (
        label
      )}
      {': '}
    </>
  );
}
