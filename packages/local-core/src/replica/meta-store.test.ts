import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@janix/testkit';
import { randomBytes } from 'node:crypto';
import { createMetaStore } from './meta-store.ts';
import { createSecretBox } from './secret-box.ts';
import { openReplica, type ReplicaDb } from './open-replica.ts';

let db: ReplicaDb | null = null;
let dir: ReturnType<typeof makeTempDir> | null = null;

afterEach(() => {
  db?.close();
  dir?.remove();
});

async function freshMeta() {
  dir = makeTempDir('meta-store');
  db = await openReplica(dir.path);
  return { db, meta: createMetaStore(db, createSecretBox(randomBytes(32))) };
}

describe('meta store', () => {
  it('never serves a value from a transaction that rolled back', async () => {
    const { db, meta } = await freshMeta();
    meta.set('cursor', 'committed');
    expect(meta.get('cursor')).toBe('committed');
    expect(() =>
      db.transaction(() => {
        meta.set('cursor', 'rolled back');
        // Inside the transaction its own write is what it reads.
        expect(meta.get('cursor')).toBe('rolled back');
        throw new Error('the page failed to apply');
      })(),
    ).toThrow('the page failed to apply');
    expect(meta.get('cursor')).toBe('committed');
  });

  it('a write or a delete replaces the cached value at once', async () => {
    const { meta } = await freshMeta();
    expect(meta.get('cursor')).toBeNull();
    meta.set('cursor', 'first');
    expect(meta.get('cursor')).toBe('first');
    meta.delete('cursor');
    expect(meta.get('cursor')).toBeNull();
  });
});
