import type { ChangeNotifier } from './change-notifier.ts';
import { createPageShelf, type ShelfBudget } from './page-shelf.ts';

interface Entry {
  /** The newest committed version known when the page was read: the page is at least this fresh. */
  knownHead: number;
  page: Promise<unknown>;
}

/** What the cache may hold at once (a few large pages, or many small ones). */
export const SHARED_PAGES_BUDGET: ShelfBudget = { entries: 512, rows: 20_000 };

/**
 * One commit wakes every live device of an organization at once, all holding the same cursor. Each would
 * read the same feed page; this reads it once and hands the same page to all of them.
 *
 * A page read in one snapshot after version K committed is a correct answer for any request made while K is
 * still the newest version this process knows of (a commit it has not heard of yet may be missing, exactly
 * as if the request had come a moment earlier; the device's cursor simply ends before it). Versions this
 * process commits itself are published before the push answers, so a device never reads a page older than
 * its own push.
 *
 * The cache is bounded by rows, not only by pages: the oldest cursors (the ones nobody waits at any more)
 * go first. A read in flight is shared whatever its size.
 */
export function createSharedFeedPages(
  changes: Pick<ChangeNotifier, 'latest'>,
  budget: ShelfBudget = SHARED_PAGES_BUDGET,
) {
  const shelf = createPageShelf<Entry>(budget);
  return {
    read<T>(orgId: string, key: string, load: () => Promise<T>): Promise<T> {
      const known = changes.latest(orgId);
      // Without a version to compare with, a remembered page could be stale: read afresh.
      if (known === undefined) return load();
      const fullKey = `${orgId}|${key}`;
      const entry = shelf.get(fullKey);
      if (entry && entry.knownHead >= known) return entry.page as Promise<T>;
      const page = load();
      // A failed read (must refetch, a dropped connection) is not remembered.
      shelf.put(fullKey, { knownHead: known, page }, { dropFailure: true });
      return page;
    },
    /** What the cache holds now (for tests and diagnostics). */
    held: shelf.held,
  };
}
export type SharedFeedPages = ReturnType<typeof createSharedFeedPages>;
