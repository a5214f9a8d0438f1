import { z } from 'zod';
import { enrolledDeviceSchema, replicatedTableNameSchema, signedInUserSchema } from '@janix/schemas';
import type { ReplicaDb } from './open-replica.ts';

/**
 * Typed keys of the replica's key/value table. Tokens are bearer secrets the console must present, so it
 * holds them as given; the server stores only their hashes.
 */
const metaSchemas = {
  session: z.object({ token: z.string(), user: signedInUserSchema }),
  device: enrolledDeviceSchema,
  cursor: z.string(),
  lastAppliedSeq: z.number().int().nonnegative(),
  lastSyncedAt: z.string(),
  notice: z.object({ kind: z.enum(['device_revoked']), at: z.string() }),
  pendingResync: z.array(replicatedTableNameSchema),
  /** CREATE INDEX statements dropped for an initial snapshot, to run when it completes. */
  deferredIndexes: z.array(
    z.object({ table: replicatedTableNameSchema, sql: z.string().startsWith('CREATE INDEX') }),
  ),
} as const;
type MetaKey = keyof typeof metaSchemas;
type MetaValue<K extends MetaKey> = z.infer<(typeof metaSchemas)[K]>;

export function createMetaStore(db: ReplicaDb) {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const upsert = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare('DELETE FROM meta WHERE key = ?');
  /**
   * Committed values, read on every sync step and request (cursor, tokens). Only reads outside a
   * transaction fill it and every write drops its key, so a rolled-back write can never linger here.
   */
  const committed = new Map<MetaKey, unknown>();
  return {
    get<K extends MetaKey>(key: K): MetaValue<K> | null {
      if (!db.inTransaction && committed.has(key)) return committed.get(key) as MetaValue<K> | null;
      const row = select.get(key);
      const parsed = row ? metaSchemas[key].safeParse(JSON.parse(row.value)) : null;
      const value = parsed?.success ? (parsed.data as MetaValue<K>) : null;
      if (!db.inTransaction) committed.set(key, value);
      return value;
    },
    set<K extends MetaKey>(key: K, value: MetaValue<K>): void {
      committed.delete(key);
      upsert.run(key, JSON.stringify(value));
    },
    delete(key: MetaKey): void {
      committed.delete(key);
      remove.run(key);
    },
  };
}
export type MetaStore = ReturnType<typeof createMetaStore>;
