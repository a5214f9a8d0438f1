import { closeSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';

export class PidLockError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock file holds: the holder's pid, and whatever it wants a refused newcomer to learn. */
export interface PidLockContent {
  pid: number;
  [detail: string]: unknown;
}

function readLock(path: string): PidLockContent | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed === 'number') return { pid: parsed }; // A bare pid.
    const pid = (parsed as { pid?: unknown } | null)?.pid;
    return typeof pid === 'number' ? (parsed as PidLockContent) : null;
  } catch {
    return null;
  }
}

/** The content of a lock whose process is alive, or null (no lock, or one left by a process that is gone). */
export function readLiveLock(path: string): PidLockContent | null {
  const held = readLock(path);
  return held && Number.isInteger(held.pid) && held.pid > 0 && isAlive(held.pid) ? held : null;
}

/**
 * Takes a lock file (created 0600) naming this process, with `details` beside the pid. A lock whose process
 * is alive is refused with `refusal(holder)`; one left by a process that is gone (a crash, kill -9) is taken
 * over. Returns the release function, which removes the file only while it still names this process.
 */
export function acquirePidLock(
  path: string,
  details: Record<string, unknown>,
  refusal: (holder: PidLockContent) => string,
): () => void {
  const content = JSON.stringify({ ...details, pid: process.pid });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readLock(path)?.pid === process.pid) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLiveLock(path);
    if (holder) throw new PidLockError(refusal(holder));
    rmSync(path, { force: true }); // Left behind by a process that is gone (or half-written): take it over.
  }
  throw new PidLockError(`Could not take the lock ${path}; try again.`);
}
