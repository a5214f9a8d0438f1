import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquirePidLock, PidLockError } from '../pid-lock.ts';
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
  // Deleted or rewritten content (a token sealed in place of its plaintext, a wiped row) is overwritten on
  // disk instead of lingering in free pages of the file.
  db.pragma('secure_delete = ON');
  await migrateReplica(db);
  return db;
}

/** Moves every committed page into the main file and empties the WAL, so no older page copy remains in it. */
export function checkpointAndTruncate(db: ReplicaDb): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Per replica connection: the statements that start the WAL over, prepared once. */
const walRestarters = new WeakMap<ReplicaDb, () => void>();

function walRestarterOf(db: ReplicaDb): () => void {
  let restart = walRestarters.get(db);
  if (!restart) {
    const relaxed = db.prepare('PRAGMA synchronous = NORMAL');
    const strict = db.prepare('PRAGMA synchronous = FULL');
    // A meta key nothing reads: the write exists only to be the WAL's first frame.
    const touch = db.prepare(
      `INSERT INTO meta (key, value) VALUES ('walStartedOver', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    );
    let restarts = 0;
    restart = () => {
      relaxed.run();
      try {
        touch.run(String((restarts += 1)));
      } finally {
        strict.run();
      }
    };
    walRestarters.set(db, restart);
  }
  return restart;
}

/**
 * Moves the WAL's pages into the main file once a command has answered, then starts the WAL over, both off
 * the path of the person waiting. Left to SQLite (every 1,000 pages), the checkpoint runs inside whichever
 * commit crosses the mark: one sale in some seventy would pay for the others' pages. And the first commit
 * after a complete checkpoint starts the WAL over with a flush of its new header, even at synchronous=NORMAL
 * (~0.5 ms here): a one-row write at NORMAL pays it now, so the next sale's or scan's commit only appends its
 * own pages. SQLite's own checkpoint stays on as the backstop for large pulls.
 */
export function checkpointAfterCommand(db: ReplicaDb): void {
  if (!db.open) return;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
      busy: number;
      log: number;
      checkpointed: number;
    }>;
    if (result && result.busy === 0 && result.log === result.checkpointed) walRestarterOf(db)();
  } catch {
    // Busy or closing: the next commit checkpoints and starts the WAL over by itself.
  }
}

export class DataDirLockedError extends Error {}

/**
 * Claims the data folder for this process: one local core per replica, or two writers would interleave
 * their outboxes and cursors. A lock left by a process that is gone (a crash, kill -9) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'console.lock');
  try {
    return acquirePidLock(
      path,
      {},
      (holder) =>
        `The console data folder ${dataDir} is in use by another console (process ${holder.pid}). ` +
        'Close that console, or open this one with its own folder (--data-dir <folder>) to run it as a ' +
        `second device. If no console is running, delete ${path}.`,
    );
  } catch (error) {
    if (error instanceof PidLockError) throw new DataDirLockedError(error.message);
    throw error;
  }
}

/** Deletes the replica and its WAL files: what a revoked device does with its local data. */
export function deleteReplicaFiles(dataDir: string): void {
  const base = replicaPath(dataDir);
  for (const path of [base, `${base}-wal`, `${base}-shm`]) rmSync(path, { force: true });
}
