export interface SyncProgressView {
  phase: 'snapshot' | 'feed';
  rowsReceived: number;
  bytesReceived: number;
  rowsRemaining: number;
  etaMs: number | null;
}

const numbers = new Intl.NumberFormat('en-US');

/** A count from the wire: NaN travels as JSON null, so anything but a finite number counts as unknown. */
function known(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Bytes as people read them; null when the size is unknown (never "null B" or "NaN B"). */
export function formatBytes(value: number | null | undefined): string | null {
  const bytes = known(value);
  if (bytes === null) return null;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatEta(value: number | null | undefined): string {
  const etaMs = known(value);
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
  const received = known(progress.rowsReceived) ?? 0;
  const total = received + (known(progress.rowsRemaining) ?? 0);
  const fraction = total > 0 ? Math.min(1, received / total) : 0;
  const bytes = formatBytes(progress.bytesReceived);
  return {
    fraction,
    label: progress.phase === 'snapshot' ? 'Loading this device’s data' : 'Catching up with changes',
    text: [
      `${numbers.format(received)} of ${numbers.format(total)} rows`,
      ...(bytes ? [bytes] : []),
      formatEta(progress.etaMs),
    ].join(' · '),
  };
}
