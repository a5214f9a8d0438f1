/** What a shelf may hold at once: pages are up to 10 000 rows, so a count of pages alone is no bound. */
export interface ShelfBudget {
  entries: number;
  rows: number;
}

/** Rows and tombstones of a feed page: what its memory grows with. */
export function feedPageRows(page: unknown): number {
  const { batches, tombstones } = (page ?? {}) as {
    batches?: Array<{ rows?: unknown[] }>;
    tombstones?: Array<{ ids?: unknown[] }>;
  };
  let rows = 0;
  for (const batch of batches ?? []) rows += batch.rows?.length ?? 0;
  for (const tombstone of tombstones ?? []) rows += tombstone.ids?.length ?? 0;
  return Math.max(1, rows);
}

/**
 * Pages read for later, by key, oldest first, bounded by count and by the rows of the pages once read (a read
 * in flight counts as a page, its rows once it lands). Past the budget the oldest go first: their readers
 * most likely went away. A page larger than the whole budget is not kept once read.
 */
export function createPageShelf<E extends { page: Promise<unknown> }>(budget: ShelfBudget) {
  const entries = new Map<string, { entry: E; rows: number }>();
  let heldRows = 0;

  function forget(key: string): void {
    const held = entries.get(key);
    if (!held) return;
    entries.delete(key);
    heldRows -= held.rows;
  }

  function trim(): void {
    while (entries.size > budget.entries || heldRows > budget.rows) forget(entries.keys().next().value!);
  }

  return {
    get: (key: string): E | undefined => entries.get(key)?.entry,
    get size() {
      return entries.size;
    },
    /** Shelves `entry` under `key` (replacing what was there), as the newest; a failed read is dropped if asked. */
    put(key: string, entry: E, options: { dropFailure: boolean }): void {
      forget(key);
      const held = { entry, rows: 0 };
      entries.set(key, held);
      entry.page.then(
        (value) => {
          if (entries.get(key) !== held) return;
          held.rows = feedPageRows(value);
          heldRows += held.rows;
          trim();
        },
        () => {
          if (options.dropFailure && entries.get(key) === held) forget(key);
        },
      );
      trim();
    },
    forget,
    /** Drops every entry `stale` says is past use. */
    sweep(stale: (entry: E) => boolean): void {
      for (const [key, held] of entries) if (stale(held.entry)) forget(key);
    },
    held: () => ({ entries: entries.size, rows: heldRows }),
  };
}
