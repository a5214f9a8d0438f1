import { describe, expect, it } from 'vitest';
import { describeSyncProgress, formatBytes, formatEta } from './sync-progress.ts';

describe('sync progress text', () => {
  it('says how far an initial sync is, in rows, bytes and time left', () => {
    const view = describeSyncProgress({
      phase: 'snapshot',
      rowsReceived: 45_000,
      bytesReceived: 12.3 * 1024 * 1024,
      rowsRemaining: 105_000,
      etaMs: 20_400,
    });
    expect(view.fraction).toBeCloseTo(0.3);
    expect(view.label).toBe('Loading this device’s data');
    expect(view.text).toBe('45,000 of 150,000 rows · 12.3 MB · about 20 s left');
  });

  it('never reports more than done, and copes with no estimate yet', () => {
    expect(
      describeSyncProgress({
        phase: 'feed',
        rowsReceived: 10,
        bytesReceived: 0,
        rowsRemaining: 0,
        etaMs: null,
      }).fraction,
    ).toBe(1);
    expect(
      describeSyncProgress({
        phase: 'feed',
        rowsReceived: 0,
        bytesReceived: 0,
        rowsRemaining: 0,
        etaMs: null,
      }).fraction,
    ).toBe(0);
    expect(formatEta(null)).toBe('estimating time left');
    expect(formatEta(150_000)).toBe('about 3 min left');
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(2048)).toBe('2 KB');
  });

  it('never shows "null B" or "NaN" when a size or count is missing (NaN crosses JSON as null)', () => {
    for (const bytesReceived of [Number.NaN, null, undefined, Number.POSITIVE_INFINITY, -1]) {
      const view = describeSyncProgress({
        phase: 'snapshot',
        rowsReceived: 500,
        bytesReceived: bytesReceived as unknown as number,
        rowsRemaining: null as unknown as number,
        etaMs: Number.NaN,
      });
      expect(view.text).toBe('500 of 500 rows · estimating time left');
      expect(view.text).not.toMatch(/null|NaN|undefined|Infinity/);
    }
    expect(formatBytes(Number.NaN)).toBeNull();
  });
});
