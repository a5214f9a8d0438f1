import { describe, expect, it } from 'vitest';
import { createSnapshotReadAhead } from '../src/sync/snapshot-read-ahead.ts';

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
});
