/**
 * An initial sync is a chain of snapshot pages, each asked for with the cursor the previous one returned.
 * Reading the next page as soon as one is answered lets Postgres work on it while this process serialises
 * the answer and the console stores it, instead of everyone taking turns. The page is read exactly as it
 * would be when asked for (its own transaction; the feed after the snapshot catches up on anything that
 * changed meanwhile), so serving it early changes nothing but the wait.
 */
const MAX_PENDING = 64;
const KEEP_MS = 30_000;

interface Pending<T> {
  page: Promise<T>;
  expires: number;
}

export function createSnapshotReadAhead(now: () => number = Date.now) {
  const pending = new Map<string, Pending<unknown>>();
  return {
    /** Starts reading the page a device will most likely ask for next. */
    start<T>(key: string, load: () => Promise<T>): void {
      if (pending.has(key)) return;
      for (const [staleKey, entry] of pending) if (entry.expires < now()) pending.delete(staleKey);
      if (pending.size >= MAX_PENDING) return;
      const page = load();
      // Nobody may ever ask for it; its failure must not surface unless someone does.
      page.catch(() => {});
      pending.set(key, { page, expires: now() + KEEP_MS });
    },
    /** The page read ahead for this request, once; null when there is none. */
    take<T>(key: string): Promise<T> | null {
      const entry = pending.get(key);
      if (!entry) return null;
      pending.delete(key);
      return entry.expires >= now() ? (entry.page as Promise<T>) : null;
    },
  };
}
export type SnapshotReadAhead = ReturnType<typeof createSnapshotReadAhead>;
