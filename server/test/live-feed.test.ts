import { beforeAll, describe, expect, it } from 'vitest';
import { isLiveHeartbeat, type LiveItem, type OrgRole } from '@janix/schemas';
import { buildApp } from '../src/app.ts';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { startChangeNotifier } from '../src/sync/change-notifier.ts';
import { LIVE_RECHECK_MS, openLiveStreams } from '../src/sync/live-feed.ts';
import type { TestServer } from '../src/testing.ts';
import { feedSuite, sleep } from './feed-fixture.ts';
import {
  apiClient,
  flattenBatches,
  orgHead,
  pullAll,
  serverError,
  versions,
  type ApiClient,
  type PullPage,
} from './support.ts';

/**
 * The live feed: a device at the head of the feed holds one streaming request and gets each commit's page on
 * it, shared with every device at the same position; it ends on time, on revocation, and on shutdown.
 */

const suite = feedSuite();
const { demoB, orgId, freshDevice, push } = suite;
let server: TestServer;
beforeAll(() => {
  server = suite.server;
});

describe('live feed (sync.live)', () => {
  /** A device that has pulled to the head of the feed, and its cursor there. */
  async function deviceAtHead(role: OrgRole = 'check_in') {
    const device = await freshDevice(role);
    const { cursor } = await pullAll(device.api);
    return { ...device, cursor };
  }

  /**
   * Opens a live stream; `next` resolves with the next page (skipping heartbeats), or null once the server
   * ends the stream; `item` with the next item, heartbeats included.
   */
  async function live(api: ApiClient, cursor: string, forMs = 5000, heartbeatMs?: number) {
    const controller = new AbortController();
    const items = await api.sync.live.query(
      { ...versions, cursor, forMs, ...(heartbeatMs ? { heartbeatMs } : {}) },
      { signal: controller.signal },
    );
    const iterator = items[Symbol.asyncIterator]();
    const item = async (): Promise<LiveItem | null> => {
      const step = await iterator.next();
      return step.done ? null : step.value;
    };
    return {
      item,
      next: async (): Promise<PullPage | null> => {
        for (;;) {
          const next = await item();
          if (next === null || !isLiveHeartbeat(next)) return next;
        }
      },
      close: () => controller.abort(),
    };
  }
  const names = (page: PullPage | null) => flattenBatches(page?.batches ?? []).map((row) => row.row.name);

  /** Opens a stream at `cursor` and expects its first page, carrying `name`, within a second. */
  async function expectAtOnce(api: ApiClient, cursor: string, name: string) {
    const started = Date.now();
    const stream = await live(api, cursor);
    try {
      expect(names(await stream.next())).toEqual([name]);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      stream.close();
    }
  }

  it('writes each commit to the open stream within a second, page after page on one request', async () => {
    const { api, cursor } = await deviceAtHead();
    const stream = await live(api, cursor);
    try {
      for (const name of ['Wake up', 'And again']) {
        let answeredAt = 0;
        const next = stream.next().then((page) => {
          answeredAt = Date.now();
          return page;
        });
        await sleep(200);
        expect(answeredAt).toBe(0);
        const pushedAt = Date.now();
        await push(name);
        const page = await next;
        expect(names(page)).toEqual([name]);
        expect(page!.headVersion).toBe(await orgHead(server, orgId));
        expect(answeredAt - pushedAt).toBeLessThan(1000);
      }
    } finally {
      stream.close();
    }
  });

  it('devices at one position all get the same page, each with its own columns', async () => {
    const waiting = await Promise.all([deviceAtHead(), deviceAtHead('owner'), deviceAtHead()]);
    // Same organization and version; a cursor also names the role it was filled for.
    expect(waiting[0]!.cursor).toBe(waiting[2]!.cursor);
    const streams = await Promise.all(waiting.map((device) => live(device.api, device.cursor)));
    try {
      const pages = streams.map((stream) => stream.next());
      await sleep(200);
      await push('Everyone at once');
      const answers = await Promise.all(pages);
      for (const answer of answers) expect(names(answer)).toEqual(['Everyone at once']);
      // The owner's page carries the owner's columns; a check-in device's fewer.
      expect(answers[1]!.batches[0]!.columns.length).toBeGreaterThanOrEqual(
        answers[0]!.batches[0]!.columns.length,
      );
      expect(answers[0]!.cursor).toBe(answers[2]!.cursor);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('with no change, ends when its time is up without a page', async () => {
    const { api, cursor } = await deviceAtHead();
    const started = Date.now();
    const stream = await live(api, cursor, 700);
    const page = await stream.next();
    const elapsed = Date.now() - started;
    expect({ page, atTimeout: elapsed >= 650 && elapsed < 3000 }).toEqual({ page: null, atTimeout: true });
  });

  it('answers at once when the organization is already past the cursor', async () => {
    const { api, cursor } = await deviceAtHead();
    await push('Already moved');
    await expectAtOnce(api, cursor, 'Already moved');
  });

  it('a server process that has heard no notification yet still answers at once when behind', async () => {
    const { token, cursor } = await deviceAtHead();
    await push('While nobody listened');
    const changes = await startChangeNotifier(server.db.appUrl, () => {});
    const app = await buildApp({ ...server.deps, changes }, { logLevel: 'silent' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const other = apiClient({ ...server, url: `http://127.0.0.1:${port}` }, { device: token });
      await expectAtOnce(other, cursor, 'While nobody listened');
    } finally {
      await app.close();
      await changes.close();
    }
  });

  it('a server shutting down ends its open streams at once instead of waiting them out', async () => {
    const { token, cursor } = await deviceAtHead();
    const app = await buildApp(server.deps, { logLevel: 'silent' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const other = apiClient({ ...server, url: `http://127.0.0.1:${port}` }, { device: token });
    const stream = await live(other, cursor, 60_000);
    const ended = stream.next().then(
      (page) => page,
      () => 'ended with an error',
    );
    await sleep(200);
    const started = Date.now();
    await app.close();
    expect(await ended).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("another organization's commits do not wake it", async () => {
    const { api, cursor } = await deviceAtHead();
    const stream = await live(api, cursor, 1000);
    const started = Date.now();
    const next = stream.next();
    await sleep(200);
    const B = demoB.org.id;
    await inTransaction(server.db.adminPool, { orgId: B }, async (client) => {
      const version = await takeOrgVersions(client, B);
      await client.query("UPDATE events SET name = 'Northshore news', version = $2 WHERE id = $1", [
        demoB.events[0]!.id,
        version,
      ]);
    });
    expect({ page: await next, woken: Date.now() - started < 950 }).toEqual({ page: null, woken: false });
  });

  it('a device revoked while streaming gets no page after the next change; it is told it was revoked', async () => {
    const { id, api, cursor } = await deviceAtHead();
    const stream = await live(api, cursor, 10_000);
    try {
      const next = stream.next();
      // Under load the stream's own recheck may refuse it during the sleep below, before it is awaited: that
      // rejection is the expected outcome, not an unhandled one.
      next.catch(() => {});
      await server.db.adminPool.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [id]);
      // Past the window in which the stream trusts its last look at the device.
      await sleep(LIVE_RECHECK_MS + 200);
      await push('After the revocation');
      const refused = await serverError(next);
      expect(refused).toMatchObject({ code: 'FORBIDDEN', reason: 'device_revoked' });
    } finally {
      stream.close();
    }
  });

  it('one device opening 25 streams keeps only the newest open; the older ones end at once', async () => {
    const { id, api, cursor } = await deviceAtHead();
    const streams = [];
    for (let i = 0; i < 25; i += 1) streams.push(await live(api, cursor, 30_000));
    const newest = streams.at(-1)!;
    try {
      const started = Date.now();
      const older = await Promise.all(
        streams.slice(0, -1).map((stream) =>
          stream.next().then(
            (page) => page,
            () => 'failed',
          ),
        ),
      );
      expect({ older, quick: Date.now() - started < 2000 }).toEqual({
        older: Array(24).fill(null),
        quick: true,
      });
      expect(openLiveStreams(id)).toBe(1);
      // The newest still serves its device.
      const next = newest.next();
      await sleep(100);
      await push('Only the newest hears it');
      expect(names(await next)).toEqual(['Only the newest hears it']);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('a quiet stream carries heartbeats when asked for, and no page', async () => {
    const { api, cursor } = await deviceAtHead();
    const started = Date.now();
    const stream = await live(api, cursor, 10_000, 1000);
    try {
      const items = [await stream.item(), await stream.item()];
      const elapsed = Date.now() - started;
      expect(items).toEqual([{ heartbeat: true }, { heartbeat: true }]);
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      expect(elapsed).toBeLessThan(3500);
    } finally {
      stream.close();
    }
  });

  it('a heartbeat does not delay a page: a commit between two still arrives within a second', async () => {
    const { api, cursor } = await deviceAtHead();
    const stream = await live(api, cursor, 10_000, 1000);
    try {
      expect(await stream.item()).toEqual({ heartbeat: true });
      await sleep(300);
      const pushedAt = Date.now();
      const next = stream.next();
      await push('Between heartbeats');
      expect(names(await next)).toEqual(['Between heartbeats']);
      expect(Date.now() - pushedAt).toBeLessThan(1000);
    } finally {
      stream.close();
    }
  });

  it('ends on the server when its client goes away', async () => {
    const { id, api, cursor } = await deviceAtHead();
    const stream = await live(api, cursor, 60_000, 1000);
    await sleep(200);
    expect(openLiveStreams(id)).toBe(1);
    stream.close();
    const closedAt = Date.now();
    while (openLiveStreams(id) > 0 && Date.now() - closedAt < 3000) await sleep(20);
    expect(openLiveStreams(id)).toBe(0);
  });

  it('needs a device', async () => {
    const refused = await serverError(apiClient(server).sync.live.query({ ...versions, cursor: 'c' }));
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', reason: 'unknown_device' });
  });
});
