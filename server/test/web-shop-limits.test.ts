import { describe, expect, it } from 'vitest';
import { webShopSuite } from './web-shop-fixture.ts';

/** The shop is public: one client address may start only so many checkouts a minute, and load so many pages. */
const suite = webShopSuite({ checkoutsPerMinute: 3 });

describe.skipIf(!suite.available)('web shop limits', () => {
  it('answers a client past its checkouts of the minute with a page saying so, holding nothing', async () => {
    const event = await suite.newEvent([{ capacity: 50 }]);
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await suite.checkout(event, 1));
    expect(answers.map((answer) => answer.status)).toEqual([303, 303, 303, 429, 429]);
    expect(answers[3]!.html).toContain('Too many requests came from your connection.');
    expect(await suite.quota(event.types[0]!.quotaId)).toMatchObject({ allocated: 3 });

    // Its pages have a limit of their own (ten times as many).
    const pages = await Promise.all(Array.from({ length: 31 }, () => suite.page(event.eventId)));
    expect(pages.filter((page) => page.status === 429)).toHaveLength(1);
    const limited = pages.find((page) => page.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
