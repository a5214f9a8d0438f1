import type { ChangeNotifier } from './change-notifier.ts';

interface Entry<T> {
  /** The newest committed version known when the page was read: the page is at least this fresh. */
  knownHead: number;
  page: Promise<T>;
}

const MAX_ENTRIES = 512;

/**
 * One commit wakes every live device of an organization at once, all holding the same cursor. Each would
 * read the same feed page; this reads it once and hands the same page to all of them.
 *
 * A page read in one snapshot after version K committed is a correct answer for any request made while K is
 * still the newest version this process knows of (a commit it has not heard of yet may be missing, exactly
 * as if the request had come a moment earlier; the device's cursor simply ends before it). Versions this
 * process commits itself are published before the push answers, so a device never reads a page older than
 * its own push.
 */
export function createSharedFeedPages(changes: Pick<ChangeNotifier, 'latest'>) {
  const entries = new Map<string, Entry<unknown>>();
  return {
    read<T>(orgId: string, key: string, load: () => Promise<T>): Promise<T> {
      const known = changes.latest(orgId);
      // Without a version to compare with, a remembered page could be stale: read afresh.
      if (known === undefined) return load();
      const fullKey = `${orgId}|${key}`;
      const entry = entries.get(fullKey);
      if (entry && entry.knownHead >= known) return entry.page as Promise<T>;
      const page = load();
      const fresh: Entry<unknown> = { knownHead: known, page };
      entries.delete(fullKey);
      entries.set(fullKey, fresh);
      // A failed read (must refetch, a dropped connection) is not remembered.
      page.catch(() => {
        if (entries.get(fullKey) === fresh) entries.delete(fullKey);
      });
      // Insertion order is age order: the oldest cursors are the ones nobody is waiting at any more.
      while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      return page;
    },
  };
}
export type SharedFeedPages = ReturnType<typeof createSharedFeedPages>;
