export interface SyncProgressView {
  phase: 'snapshot' | 'feed';
  rowsReceived: number;
  bytesReceived: number;
  rowsRemaining: number;
  etaMs: number | null;
}

const numbers = new Intl.NumberFormat('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatEta(etaMs: number | null): string {
  if (etaMs === null) return 'estimating time left';
  const seconds = Math.max(1, Math.round(etaMs / 1000));
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** Fraction done (0–1) and the sentence under the bar, e.g. "45,000 of 150,000 rows · 12.3 MB · about 20 s left". */
export function describeSyncProgress(progress: SyncProgressView): {
  fraction: number;
  label: string;
  text: string;
} {
  const total = progress.rowsReceived + progress.rowsRemaining;
  const fraction = total > 0 ? Math.min(1, progress.rowsReceived / total) : 0;
  return {
    fraction,
    label: progress.phase === 'snapshot' ? 'Loading this device’s data' : 'Catching up with changes',
    text: `${numbers.format(progress.rowsReceived)} of ${numbers.format(total)} rows · ${formatBytes(progress.bytesReceived)} · ${formatEta(progress.etaMs)}`,
  };
}
