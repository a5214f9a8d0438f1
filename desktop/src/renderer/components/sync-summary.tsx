import { formatDateTime, formatRelativeTime } from '../date-time.ts';
import { useNow } from '../hooks/use-now.ts';
import type { LocalStatus } from '../trpc.ts';

/** What is waiting; "All changes synced" only when nothing waits and no refused change is left unseen. */
export function pendingText(pending: number, unseenRejections = 0): string {
  if (pending > 0) return pending === 1 ? '1 change waiting to sync' : `${pending} changes waiting to sync`;
  if (unseenRejections > 0) {
    return unseenRejections === 1
      ? '1 change refused by the server'
      : `${unseenRejections} changes refused by the server`;
  }
  return 'All changes synced';
}

/** One-line sync state for the header: what is waiting, when the last sync was, and any error. */
export function SyncSummary({ sync }: { sync: LocalStatus['sync'] }) {
  const now = useNow();
  return (
    <div className="sync-summary">
      <span
        data-testid="sync-pending"
        className={
          sync.pending > 0 || sync.unseenRejections > 0 ? 'sync-pending has-pending' : 'sync-pending'
        }
      >
        {sync.syncing ? 'Syncing…' : pendingText(sync.pending, sync.unseenRejections)}
      </span>
      <span className="sync-last" data-testid="sync-last">
        {sync.lastSyncedAt ? (
          <>
            Last synced{' '}
            <time dateTime={sync.lastSyncedAt} title={formatDateTime(sync.lastSyncedAt)}>
              {formatRelativeTime(sync.lastSyncedAt, now)}
            </time>
          </>
        ) : (
          'Never synced'
        )}
      </span>
      {sync.lastError && (
        <span className="sync-error" data-testid="sync-error" title={sync.lastError}>
          Last error: {sync.lastError}
        </span>
      )}
    </div>
  );
}
