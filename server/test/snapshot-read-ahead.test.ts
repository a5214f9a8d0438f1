import { describe, expect, it } from 'vitest';
import { createSnapshotReadAhead, READ_AHEAD_BUDGET } from '../src/sync/snapshot-read-ahead.ts';

describe('snapshot read-ahead', () => {
  it('hands a page read ahead to the one request that asks for it, once', async () => {
    const readAhead = createSnapshotReadAhead();
    let loads = 0;
    readAhead.start('device-1|cursor-2', async () => `page ${++loads}`);
    readAhead.start('device-1|cursor-2', async () => `page ${++loads}`);
    expect(readAhead.take('device-2|cursor-2')).toBeNull();
    expect(await readAhead.take('device-1|cursor-2')).toBe('page 1');
    expect(readAhead.take('device-1|cursor-2')).toBeNull();
    expect(loads).toBe(1);
  });

  it('forgets pages nobody asked for in time, and keeps a failure until someone asks', async () => {
    let clock = 0;
    const readAhead = createSnapshotReadAhead(() => clock);
    readAhead.start('late', async () => 'stale');
    readAhead.start('failed', async () => {
      throw new Error('must refetch');
    });
    clock += 31_000;
    expect(readAhead.take('late')).toBeNull();
    clock = 0;
    readAhead.start('failed-now', async () => {
      throw new Error('must refetch');
    });
    await expect(readAhead.take('failed-now')).rejects.toThrow('must refetch');
  });

  it('reads ahead for at most 64 pending pages', async () => {
    const readAhead = createSnapshotReadAhead();
    let loads = 0;
    for (let i = 0; i < 70; i += 1) readAhead.start(`cursor-${i}`, async () => ++loads);
    expect(loads).toBe(64);
    expect(readAhead.take('cursor-69')).toBeNull();
  });

  it('holds at most its row budget of pages nobody has taken yet', async () => {
    const readAhead = createSnapshotReadAhead();
    const loads: Array<Promise<unknown>> = [];
    for (let i = 0; i < 64; i += 1) {
      const page = Promise.resolve({
        batches: [{ table: 'tickets', rows: Array.from({ length: 10_000 }, (_, row) => [row]) }],
        tombstones: [],
      });
      loads.push(page);
      readAhead.start(`device-${i}|cursor`, () => page);
    }
    await Promise.all(loads);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(readAhead.held().rows).toBeLessThanOrEqual(READ_AHEAD_BUDGET.rows);
    // The newest read is kept; the oldest went first.
    expect(readAhead.take('device-63|cursor')).not.toBeNull();
    expect(readAhead.take('device-0|cursor')).toBeNull();
  });
});
