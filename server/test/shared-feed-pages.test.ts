import { describe, expect, it } from 'vitest';
import { createSharedFeedPages } from '../src/sync/shared-feed-pages.ts';

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
});
