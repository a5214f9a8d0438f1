import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrateReplica } from './migrations.ts';

export type ReplicaDb = Database.Database;

export function replicaPath(dataDir: string): string {
  return join(dataDir, 'replica.sqlite');
}

/**
 * Opens the one writer connection to the replica. WAL keeps reads cheap; synchronous=FULL makes every
 * commit (and so every outbox row) durable before the console reports a command as accepted. Only a pulled
 * page, which the server can always send again, commits without waiting for the flush (see sync-storage).
 */
export async function openReplica(dataDir: string): Promise<ReplicaDb> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(replicaPath(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  await migrateReplica(db);
  return db;
}

/** Deletes the replica and its WAL files: what a revoked device does with its local data. */
export function deleteReplicaFiles(dataDir: string): void {
  const base = replicaPath(dataDir);
  for (const path of [base, `${base}-wal`, `${base}-shm`]) rmSync(path, { force: true });
}
