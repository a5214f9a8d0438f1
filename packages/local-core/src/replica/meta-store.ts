import { z } from 'zod';
import {
  enrolledDeviceSchema,
  membershipSchema,
  replicatedTableNameSchema,
  signedInUserSchema,
} from '@janix/schemas';
import { printerSettingsSchema } from '../printing/printer-delivery.ts';
import { salePreferencesSchema } from '../sale-preferences.ts';
import type { ReplicaDb } from './open-replica.ts';
import { isSealed, type SecretBox } from './secret-box.ts';

/**
 * Typed keys of the replica's key/value table. Tokens are bearer secrets the console must present, so it
 * must be able to read them back; `session` and `device` are sealed with the replica key (see secret-box.ts)
 * and never written in plaintext. The server stores only their hashes.
 */
const metaSchemas = {
  session: z.object({
    token: z.string(),
    user: signedInUserSchema,
    /** The signed-in user's organizations and roles, as the server last said (screens follow the role). */
    memberships: z.array(membershipSchema).optional(),
  }),
  device: enrolledDeviceSchema,
  cursor: z.string(),
  lastAppliedSeq: z.number().int().nonnegative(),
  /** The last successful sync, kept so a console restarted offline still says when it last synced. */
  lastSyncedAt: z.string(),
  notice: z.object({
    kind: z.enum(['device_revoked', 'device_forgotten']),
    at: z.string(),
    /** Changes made on this console that the server never received and that were erased with the replica. */
    lostChanges: z.number().int().nonnegative().default(0),
  }),
  pendingResync: z.array(replicatedTableNameSchema),
  /** CREATE INDEX statements dropped for an initial snapshot, to run when it completes. */
  deferredIndexes: z.array(
    z.object({ table: replicatedTableNameSchema, sql: z.string().startsWith('CREATE INDEX') }),
  ),
  /** This device's receipt and ticket printers. */
  printerSettings: printerSettingsSchema,
  /** This device's box-office preferences (last event, allocation size, automatic printing). */
  salePreferences: salePreferencesSchema,
} as const;
type MetaKey = keyof typeof metaSchemas;
type MetaValue<K extends MetaKey> = z.infer<(typeof metaSchemas)[K]>;

const SEALED_KEYS: ReadonlySet<MetaKey> = new Set<MetaKey>(['session', 'device']);

export function createMetaStore(db: ReplicaDb, box: SecretBox) {
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
  /**
   * Keys written inside a transaction that may not have committed yet. Until a read outside any transaction
   * (by then the transaction has ended) clears it, such a key is read from the database; every other key may
   * still be served from `committed` inside a transaction (a sale reads the session in its own).
   */
  const writtenInTransaction = new Set<MetaKey>();

  /** The stored text as JSON: sealed keys are opened (a replica from before sealing holds plaintext JSON). */
  function decode(key: MetaKey, stored: string): unknown {
    const text = SEALED_KEYS.has(key) && isSealed(stored) ? box.open(stored, key) : stored;
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  function read<K extends MetaKey>(key: K): MetaValue<K> | null {
    const row = select.get(key);
    const parsed = row ? metaSchemas[key].safeParse(decode(key, row.value)) : null;
    const value = parsed?.success ? (parsed.data as MetaValue<K>) : null;
    if (!db.inTransaction) committed.set(key, value);
    return value;
  }

  /** A write drops the cached value; inside a transaction, the key is read from the database until it ends. */
  function forget(key: MetaKey): void {
    committed.delete(key);
    if (db.inTransaction) writtenInTransaction.add(key);
  }

  return {
    get<K extends MetaKey>(key: K): MetaValue<K> | null {
      if (!db.inTransaction) writtenInTransaction.clear();
      else if (writtenInTransaction.has(key)) return read(key);
      if (committed.has(key)) return committed.get(key) as MetaValue<K> | null;
      return read(key);
    },
    set<K extends MetaKey>(key: K, value: MetaValue<K>): void {
      forget(key);
      const json = JSON.stringify(value);
      upsert.run(key, SEALED_KEYS.has(key) ? box.seal(json, key) : json);
    },

    /**
     * Seals tokens a replica from before sealing holds in plaintext; returns how many it rewrote. A value that
     * no longer opens (another key) is left alone: get() answers null for it, so the console asks to sign in.
     */
    sealPlaintextSecrets(): number {
      let sealed = 0;
      for (const key of SEALED_KEYS) {
        const row = select.get(key);
        if (!row || isSealed(row.value)) continue;
        const parsed = metaSchemas[key].safeParse(decode(key, row.value));
        forget(key);
        if (parsed.success) upsert.run(key, box.seal(JSON.stringify(parsed.data), key));
        else remove.run(key);
        sealed += 1;
      }
      return sealed;
    },
    /** Whether a sealed value is stored that this key cannot open (the key file was lost or replaced). */
    hasUnreadableSecrets(): boolean {
      return [...SEALED_KEYS].some((key) => {
        const row = select.get(key);
        return row !== undefined && isSealed(row.value) && box.open(row.value, key) === null;
      });
    },
    delete(key: MetaKey): void {
      forget(key);
      remove.run(key);
    },
  };
}
export type MetaStore = ReturnType<typeof createMetaStore>;
