import { createPageShelf, type ShelfBudget } from './page-shelf.ts';

/**
 * An initial sync is a chain of snapshot pages, each asked for with the cursor the previous one returned.
 * Reading the next page as soon as one is answered lets Postgres work on it while this process serialises
 * the answer and the console stores it, instead of everyone taking turns. The page is read exactly as it
 * would be when asked for (its own transaction; the feed after the snapshot catches up on anything that
 * changed meanwhile), so serving it early changes nothing but the wait.
 *
 * What waits to be taken is bounded by count and by rows: past the row budget the oldest pages go first
 * (their device most likely went away), and a page nobody took in time is dropped even if no later request
 * comes to sweep it.
 */
export const READ_AHEAD_BUDGET: ShelfBudget = { entries: 64, rows: 50_000 };
const KEEP_MS = 30_000;

interface Pending {
  page: Promise<unknown>;
  expires: number;
}

export function createSnapshotReadAhead(
  now: () => number = Date.now,
  budget: ShelfBudget = READ_AHEAD_BUDGET,
) {
  const shelf = createPageShelf<Pending>(budget);
  return {
    /** Starts reading the page a device will most likely ask for next. */
    start<T>(key: string, load: () => Promise<T>): void {
      if (shelf.get(key)) return;
      shelf.sweep((entry) => entry.expires < now());
      if (shelf.size >= budget.entries) return;
      const entry: Pending = { page: load(), expires: now() + KEEP_MS };
      // Nobody may ever ask for it; its failure must not surface unless someone does.
      shelf.put(key, entry, { dropFailure: false });
      // Dropped when its time is up, even if no later request sweeps it (the timer must not hold the process).
      setTimeout(() => {
        if (shelf.get(key) === entry) shelf.forget(key);
      }, KEEP_MS + 1000).unref();
    },
    /** The page read ahead for this request, once; null when there is none. */
    take<T>(key: string): Promise<T> | null {
      const entry = shelf.get(key);
      if (!entry) return null;
      shelf.forget(key);
      return entry.expires >= now() ? (entry.page as Promise<T>) : null;
    },
    /** What waits to be taken now (for tests and diagnostics). */
    held: shelf.held,
  };
}
export type SnapshotReadAhead = ReturnType<typeof createSnapshotReadAhead>;
