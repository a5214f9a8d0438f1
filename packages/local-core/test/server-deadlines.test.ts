import { createServer, connect, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROTOCOL_VERSION, type CommandEnvelope } from '@janix/schemas';
import { createSyncEngine, type SyncEngine, type SyncStorage } from '@janix/sync';
import { DEMO_OWNER_EMAIL, generateDemoOrg } from '@janix/testkit';
import { latestSignInCode, seedDemoOrg, startTestServer, type TestServer } from '@janix/server/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/src/app.ts';
import { REPLICA_SCHEMA_VERSION } from '../src/replica/migrations.ts';
import { createServerClient, type RequestDeadlines } from '../src/server-client.ts';
import { createServerTransport } from '../src/sync/server-transport.ts';

/**
 * A console must never hang on a connection that looks open: a server that accepts and never answers, or a
 * live stream that goes quiet, costs it at most a deadline, after which it says it is offline and recovers
 * once a real server answers again. Real sockets throughout: a TCP proxy in front of a real server can
 * swallow requests (black hole) or freeze every connection it carries (half-open).
 */

const DEADLINE_MS = 1500;

/**
 * Collects garbage every 50 ms while `work` runs: a deadline must not depend on its timer surviving a
 * collection (an `AbortSignal.timeout` inside `AbortSignal.any` does not on Node 20, nodejs/node#57736).
 */
async function underGarbageCollection<T>(work: Promise<T>): Promise<T> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const collecting = setInterval(gc, 50);
  try {
    return await work;
  } finally {
    clearInterval(collecting);
  }
}
const deadlines: RequestDeadlines = {
  default: DEADLINE_MS,
  byPath: { 'sync.push': DEADLINE_MS, 'sync.pull': DEADLINE_MS, 'sync.live': DEADLINE_MS },
};

/** A TCP front for the server: passes connections through, swallows them, or freezes the ones it carries. */
async function tcpFront(targetPort: number) {
  let mode: 'pass' | 'blackHole' = 'pass';
  const carried = new Set<{ client: Socket; upstream: Socket | null }>();
  const server: Server = createServer((client) => {
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    carried.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      carried.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackHole') {
      // Accepts the connection and reads the request, and never says a word.
      client.resume();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(next: 'pass' | 'blackHole') {
      mode = next;
    },
    /** Every connection open now stops carrying bytes either way, and stays open: a half-open link. */
    freeze() {
      for (const { client, upstream } of carried) {
        if (!upstream) continue;
        upstream.unpipe(client);
        client.unpipe(upstream);
        upstream.pause();
        client.pause();
      }
    },
    async close() {
      for (const { client, upstream } of carried) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A replica that only follows the head of the feed: enough for the engine to push, pull and go live. */
function headOnlyStorage(outbox: CommandEnvelope[]): SyncStorage {
  let cursor: string | null = null;
  let knownSeq = 0;
  const acknowledge = (seq: number) => {
    knownSeq = Math.max(knownSeq, seq);
    outbox.splice(0, outbox.filter((entry) => entry.seq <= knownSeq).length);
  };
  return {
    cursor: () => cursor,
    knownSeq: () => knownSeq,
    pendingCommands: (limit) => outbox.slice(0, limit),
    pendingResync: () => [],
    applyPage(page) {
      cursor = page.cursor;
      acknowledge(page.lastAppliedSeq);
    },
    recordPushResult: (lastAppliedSeq) => acknowledge(lastAppliedSeq),
    recordPushFailure: () => {},
    // Agrees with whatever the server counts, so no resync starts: this suite is about time, not rows.
    checksums: () => [],
    beginResync: () => {},
    resetReplica() {
      cursor = null;
    },
    replayPending: () => false,
  };
}

const demo = generateDemoOrg({ attendees: 5 });
let server: TestServer;
/**
 * The same server as a second app that answers Host 127.0.0.1 on any port: requests through the front name
 * the front's port, which the default allowlist (the port the request came in on) would refuse.
 */
let behindFront: FastifyInstance;
let behindFrontPort: number;
let credentials: { sessionToken: () => string; deviceToken: () => string };
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  const anonymous = createServerClient(server.url, { sessionToken: () => null, deviceToken: () => null });
  await anonymous.auth.requestCode.mutate({ email: DEMO_OWNER_EMAIL });
  const { sessionToken } = await anonymous.auth.verifyCode.mutate({
    email: DEMO_OWNER_EMAIL,
    code: await latestSignInCode(server, DEMO_OWNER_EMAIL),
  });
  const signedIn = createServerClient(server.url, {
    sessionToken: () => sessionToken,
    deviceToken: () => null,
  });
  const device = await signedIn.devices.enroll.mutate({ orgId: demo.org.id, name: 'Deadline till' });
  credentials = { sessionToken: () => sessionToken, deviceToken: () => device.deviceToken };
  behindFront = await buildApp(server.deps, { logLevel: 'silent', allowedHosts: ['127.0.0.1'] });
  await behindFront.listen({ host: '127.0.0.1', port: 0 });
  const address = behindFront.server.address();
  behindFrontPort = typeof address === 'object' && address ? address.port : 0;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await behindFront?.close();
  await server?.close();
});

/** A console's engine talking to `url` through the real client, its deadlines shortened for the test. */
function consoleEngine(url: string, outbox: CommandEnvelope[], calls: string[] = []): SyncEngine {
  const recording: typeof fetch = (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(new URL(href).pathname.replace('/trpc/', ''));
    return fetch(input, init);
  };
  const client = createServerClient(url, credentials, recording, deadlines);
  const engine = createSyncEngine({
    storage: headOnlyStorage(outbox),
    transport: createServerTransport(client),
    schemaVersion: REPLICA_SCHEMA_VERSION,
    heartbeatMs: 1000,
    baseRetryMs: 100,
    maxRetryMs: 400,
  });
  cleanups.push(() => engine.stop());
  return engine;
}

const rename = (seq: number, name: string): CommandEnvelope => ({
  seq,
  name: 'updateEvent',
  args: { eventId: demo.events[0]!.id, patch: { name } },
  clientTime: new Date().toISOString(),
});

async function waitUntil(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}

describe('a console facing a server that does not answer', () => {
  it('gives up on a push and a pull at their deadline, says offline, and recovers when the server answers', async () => {
    const front = await tcpFront(behindFrontPort);
    cleanups.push(() => front.close());
    front.setMode('blackHole');
    const outbox = [rename(1, 'Pushed after the silence')];
    const engine = consoleEngine(front.url, outbox);

    let started = Date.now();
    await underGarbageCollection(engine.run());
    const gaveUp = Date.now() - started;
    expect(engine.state).toMatchObject({ online: false, lastError: 'The server did not answer in time.' });
    // The push waits out its deadline; the pull that follows a failed push, at most its own.
    expect(gaveUp).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(gaveUp).toBeLessThan(2 * DEADLINE_MS + 1500);
    expect(outbox).toHaveLength(1);

    // A pull meets the same deadline (nothing to push this time).
    const transport = createServerTransport(createServerClient(front.url, credentials, fetch, deadlines));
    started = Date.now();
    const pull = await underGarbageCollection(
      transport.pull({
        protocolVersion: PROTOCOL_VERSION,
        schemaVersion: REPLICA_SCHEMA_VERSION,
        cursor: null,
      }),
    ).then(
      () => 'answered',
      (error: unknown) => (error as { kind?: string }).kind,
    );
    expect({ pull, inTime: Date.now() - started < DEADLINE_MS + 1500 }).toEqual({
      pull: 'offline',
      inTime: true,
    });

    // The server answers again: the engine, retrying on its own, gets back online and delivers the command.
    front.setMode('pass');
    engine.start();
    await waitUntil(() => engine.state.online === true && outbox.length === 0, 15_000);
    expect(engine.state.lastError).toBeNull();
  });
});

describe('a console whose live stream goes quiet', () => {
  it('abandons the stream within 2.5 heartbeats, runs a full cycle and follows the feed again', async () => {
    const front = await tcpFront(behindFrontPort);
    cleanups.push(() => front.close());
    const calls: string[] = [];
    const engine = consoleEngine(front.url, [], calls);
    engine.start();
    await waitUntil(() => calls.includes('sync.live'), 10_000);
    // Heartbeats flow: the stream stays open well past the watchdog's 2.5 s.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(calls.filter((path) => path === 'sync.live')).toHaveLength(1);

    const frozenAt = Date.now();
    const before = calls.length;
    front.freeze();
    await waitUntil(() => calls.slice(before).includes('sync.pull'), 6000);
    const abandonedAfter = Date.now() - frozenAt;
    expect(abandonedAfter).toBeLessThan(2500 + 1000);
    await waitUntil(() => calls.slice(before).includes('sync.live') && engine.state.online === true, 15_000);
  });
});
