import { describeSyncProgress, type SyncProgressView } from '../sync-progress.ts';

/** The initial sync (or a long catch-up) as a bar with rows, bytes and time left. */
export function SyncProgressBar({ progress }: { progress: SyncProgressView }) {
  const view = describeSyncProgress(progress);
  const percent = Math.round(view.fraction * 100);
  return (
    <div className="sync-progress" data-testid="sync-progress">
      <div className="sync-progress-label">
        <strong>{view.label}</strong> <span>{view.text}</span>
      </div>
      <div
        className="sync-progress-track"
        role="progressbar"
        aria-label={view.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={view.text}
      >
        <div className="sync-progress-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
