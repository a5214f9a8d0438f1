import { describe, expect, it } from 'vitest';
import { createSharedFeedPages, SHARED_PAGES_BUDGET } from '../src/sync/shared-feed-pages.ts';

function notifier() {
  const latest = new Map<string, number>();
  return {
    latest: (orgId: string) => latest.get(orgId),
    set: (orgId: string, v: number) => latest.set(orgId, v),
  };
}

describe('shared feed pages', () => {
  it('reads a page once for every device asking at the same position while no newer commit is known', async () => {
    const changes = notifier();
    changes.set('org', 7);
    const pages = createSharedFeedPages(changes);
    let reads = 0;
    const load = async () => `page ${++reads}`;
    const answers = await Promise.all([1, 2, 3].map(() => pages.read('org', 'check_in|6', load)));
    expect(answers).toEqual(['page 1', 'page 1', 'page 1']);
    // Another role or position is another page; another organization never shares.
    expect(await pages.read('org', 'owner|6', load)).toBe('page 2');
    changes.set('other', 7);
    expect(await pages.read('other', 'check_in|6', load)).toBe('page 3');
  });

  it('reads again once a newer commit is known, and never remembers a failed read', async () => {
    const changes = notifier();
    changes.set('org', 7);
    const pages = createSharedFeedPages(changes);
    let reads = 0;
    const load = async () => `page ${++reads}`;
    expect(await pages.read('org', 'k', load)).toBe('page 1');
    changes.set('org', 8);
    expect(await pages.read('org', 'k', load)).toBe('page 2');
    expect(await pages.read('org', 'k', load)).toBe('page 2');

    await expect(
      pages.read('org', 'failing', async () => {
        throw new Error('must refetch');
      }),
    ).rejects.toThrow('must refetch');
    expect(await pages.read('org', 'failing', load)).toBe('page 3');
  });

  it('without a known version to compare with, always reads afresh', async () => {
    const pages = createSharedFeedPages(notifier());
    let reads = 0;
    const load = async () => ++reads;
    await pages.read('org', 'k', load);
    await pages.read('org', 'k', load);
    expect(reads).toBe(2);
  });

  it('holds at most its row budget however many distinct large pages pass through it', async () => {
    const changes = notifier();
    changes.set('org', 7);
    const pages = createSharedFeedPages(changes);
    // 600 cursors of 5 000-row pages: 3 million rows if the cache kept every entry it may count.
    const largePage = (n: number) => ({
      cursor: `c${n}`,
      batches: [{ table: 'events', columns: ['id'], rows: Array.from({ length: 5000 }, (_, i) => [i]) }],
      tombstones: [],
    });
    let peak = 0;
    for (let n = 0; n < 600; n += 1) {
      await pages.read('org', `owner|${n}|10000|false`, async () => largePage(n));
      peak = Math.max(peak, pages.held().rows);
    }
    expect(peak).toBeLessThanOrEqual(SHARED_PAGES_BUDGET.rows);
    expect(pages.held().entries).toBeLessThanOrEqual(SHARED_PAGES_BUDGET.rows / 5000);
    // The newest pages are still shared; the oldest were let go and are read again.
    let reads = 0;
    const load = async () => {
      reads += 1;
      return largePage(-1);
    };
    await pages.read('org', 'owner|599|10000|false', load);
    expect(reads).toBe(0);
    await pages.read('org', 'owner|0|10000|false', load);
    expect(reads).toBe(1);
  });

  it('shares a page larger than the whole budget while it is read, and does not keep it', async () => {
    const changes = notifier();
    changes.set('org', 7);
    const pages = createSharedFeedPages(changes, { entries: 512, rows: 100 });
    let reads = 0;
    const load = async () => {
      reads += 1;
      return { batches: [{ rows: Array.from({ length: 500 }, () => [1]) }], tombstones: [] };
    };
    const [first, second] = await Promise.all([pages.read('org', 'k', load), pages.read('org', 'k', load)]);
    expect(first).toBe(second);
    expect(pages.held()).toEqual({ entries: 0, rows: 0 });
    await pages.read('org', 'k', load);
    expect(reads).toBe(2);
  });
});
