import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, DEFAULT_HTTP_TIMEOUTS } from '../src/app.ts';
import { hostAllowlist, isLoopbackAddress } from '../src/http/allowed-hosts.ts';
import type { TestServer } from '../src/testing.ts';
import { feedSuite, sleep } from './feed-fixture.ts';
import { flattenBatches, pullAll, versions } from './support.ts';

/**
 * Requests built to exhaust the server: huge or endless bodies of every type, giant batches, trickled headers,
 * and pages on someone else's host name. Each is refused early and cheaply; a long live stream is not.
 */

const suite = feedSuite();
let server: TestServer;
let port: number;
/** The server side of every connection, to see how much of a body the server actually read. */
const accepted: Socket[] = [];

beforeAll(() => {
  server = suite.server;
  port = Number(new URL(server.url).port);
  server.app.server.on('connection', (socket: Socket) => accepted.push(socket));
});

const MiB = 1024 * 1024;

interface RawOutcome {
  /** The status line and headers the server answered with ('' when it answered nothing). */
  head: string;
  body: string;
  /** Milliseconds from the first byte sent to the first byte of the answer. */
  answeredAfterMs: number;
  /** Bytes the server read from this connection. */
  serverBytesRead: number;
  /** Bytes of the body the client managed to hand to its socket before the server closed it. */
  bodyBytesWritten: number;
}

/**
 * Sends `head` and then up to `bodyBytes` of filler in 1 MiB chunks as fast as the socket takes them, the way
 * a flooding client would, until the server answers and closes or the whole body is sent.
 */
async function rawRequest(head: string, bodyBytes: number, chunked = false): Promise<RawOutcome> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = performance.now();
  let answer = '';
  let answeredAt = 0;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    if (!answeredAt) answeredAt = performance.now();
    answer += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void ended.then(() => (closed = true));
  socket.write(head);
  const chunk = Buffer.alloc(MiB, 'a');
  let written = 0;
  while (written < bodyBytes && !closed) {
    const piece = chunked
      ? Buffer.concat([Buffer.from(`${MiB.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    const flushed = socket.write(piece);
    written += MiB;
    if (!flushed) {
      await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), ended, sleep(2000)]);
    }
    if (answeredAt && !closed) await Promise.race([ended, sleep(500)]);
  }
  await Promise.race([ended, sleep(5000)]);
  const serverSide = accepted.find((candidate) => candidate.remotePort === socket.localPort);
  socket.destroy();
  const [headPart = '', bodyPart = ''] = answer.split('\r\n\r\n');
  return {
    head: headPart,
    body: bodyPart,
    answeredAfterMs: answeredAt ? answeredAt - started : Infinity,
    serverBytesRead: serverSide?.bytesRead ?? Infinity,
    bodyBytesWritten: written,
  };
}

const host = () => `Host: 127.0.0.1:${port}\r\n`;

describe('bodies are capped before they are read', () => {
  it('a 64 MiB multipart POST to auth.requestCode is refused with 415 before its body is read', async () => {
    const outcome = await rawRequest(
      `POST /trpc/auth.requestCode HTTP/1.1\r\n${host()}Content-Type: multipart/form-data; boundary=x\r\n` +
        `Content-Length: ${64 * MiB}\r\n\r\n`,
      64 * MiB,
    );
    expect(outcome.head).toMatch(/^HTTP\/1\.1 415 /);
    expect(outcome.head.toLowerCase()).toContain('connection: close');
    expect(outcome.body).toContain('application/json');
    expect(outcome.answeredAfterMs).toBeLessThan(1000);
    // The kernel buffers a few MiB on either side; the server itself read nowhere near 64 MiB.
    expect(outcome.serverBytesRead).toBeLessThan(8 * MiB);
    expect(outcome.bodyBytesWritten).toBeLessThan(64 * MiB);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['octet-stream', 'application/octet-stream'],
    ['urlencoded', 'application/x-www-form-urlencoded'],
    ['no content type', null],
  ])('a large %s body is refused with 415 unread', async (_label, type) => {
    const outcome = await rawRequest(
      `POST /trpc/auth.requestCode HTTP/1.1\r\n${host()}${type ? `Content-Type: ${type}\r\n` : ''}` +
        `Content-Length: ${16 * MiB}\r\n\r\n`,
      16 * MiB,
    );
    expect(outcome.head).toMatch(/^HTTP\/1\.1 415 /);
    expect(outcome.serverBytesRead).toBeLessThan(8 * MiB);
  });

  it('a JSON body declared larger than 1 MiB is refused with 413 unread', async () => {
    const outcome = await rawRequest(
      `POST /trpc/auth.requestCode HTTP/1.1\r\n${host()}Content-Type: application/json\r\n` +
        `Content-Length: ${64 * MiB}\r\n\r\n`,
      64 * MiB,
    );
    expect(outcome.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.answeredAfterMs).toBeLessThan(1000);
    expect(outcome.serverBytesRead).toBeLessThan(8 * MiB);
  });

  it('a chunked JSON body with no length is cut off once it passes 1 MiB', async () => {
    const outcome = await rawRequest(
      `POST /trpc/auth.requestCode HTTP/1.1\r\n${host()}Content-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
      64 * MiB,
      true,
    );
    expect(outcome.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.serverBytesRead).toBeLessThan(8 * MiB);
  });

  it('a chunked octet-stream is refused with 415 before its first chunk is read', async () => {
    const outcome = await rawRequest(
      `POST /trpc/auth.requestCode HTTP/1.1\r\n${host()}Content-Type: application/octet-stream\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
      32 * MiB,
      true,
    );
    expect(outcome.head).toMatch(/^HTTP\/1\.1 415 /);
    expect(outcome.serverBytesRead).toBeLessThan(8 * MiB);
  });

  it('an ordinary JSON call still works', async () => {
    const response = await fetch(`${server.url}/trpc/auth.requestCode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ email: 'bounds@janix.test' }),
    });
    expect(response.status).toBe(200);
  });
});

describe('a tRPC batch is capped', () => {
  const batchPath = (calls: number) => Array.from({ length: calls }, () => 'auth.me').join(',');

  it('a GET batch of 200 calls is refused with 400 and a clear message, before any call runs', async () => {
    const inputs = encodeURIComponent(JSON.stringify({}));
    const response = await fetch(`${server.url}/trpc/${batchPath(200)}?batch=1&input=${inputs}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'batch_too_large',
      message: 'A batch may carry at most 20 calls; this one carries 200.',
    });
  });

  it('a POST batch of 200 mutations, and one whose commas are percent-encoded, are refused too', async () => {
    const body = JSON.stringify(
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [i, { email: `batch-${i}@janix.test` }])),
    );
    const names = Array.from({ length: 200 }, () => 'auth.requestCode');
    for (const path of [names.join(','), names.join('%2C')]) {
      const response = await fetch(`${server.url}/trpc/${path}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
    }
    const queued = await server.db.adminPool.query(
      "SELECT 1 FROM sign_in_requests WHERE email LIKE 'batch-%@janix.test'",
    );
    expect(queued.rowCount).toBe(0);
  });

  it('a batch of 20 is served', async () => {
    const response = await fetch(
      `${server.url}/trpc/${batchPath(20)}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`,
    );
    // Every call answers UNAUTHORIZED (no session), but the batch itself ran.
    const answers = (await response.json()) as unknown[];
    expect(answers).toHaveLength(20);
  });
});

describe('HTTP timeouts bound slow clients, not long answers', () => {
  it('the server has header, request and keep-alive timeouts', () => {
    expect(server.app.server.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersMs);
    expect(server.app.server.requestTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.requestMs);
    expect(server.app.server.keepAliveTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.keepAliveMs);
  });

  it('a client trickling its headers, or stalling its body, is cut off', async () => {
    const app = await buildApp(server.deps, {
      logLevel: 'silent',
      timeouts: { headersMs: 500, requestMs: 1500 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const slowPort = typeof address === 'object' && address ? address.port : 0;
    try {
      const cutAfter = async (first: string, trickle: string | null) => {
        const socket = connect(slowPort, '127.0.0.1');
        socket.on('error', () => {});
        // Read (and drop) the answer, or the server's end of the connection is never noticed.
        socket.resume();
        const started = performance.now();
        const closed = new Promise<number>((resolve) =>
          socket.once('close', () => resolve(performance.now() - started)),
        );
        socket.write(first);
        const timer = trickle ? setInterval(() => socket.write(trickle), 100) : null;
        const after = await Promise.race([closed, sleep(8000).then(() => Infinity)]);
        if (timer) clearInterval(timer);
        socket.destroy();
        return after;
      };
      // Slowloris: one header byte every 100 ms, forever.
      expect(
        await cutAfter(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\nX-Slow: `, 'a'),
      ).toBeLessThan(4000);
      // A body that never comes.
      expect(
        await cutAfter(
          `POST /trpc/auth.requestCode HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email"',
          null,
        ),
      ).toBeLessThan(5000);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('a live stream runs past 60 s (longer than every request timeout) and still delivers', async () => {
    const { api } = await suite.freshDevice('check_in');
    const { cursor } = await pullAll(api);
    const controller = new AbortController();
    const pages = await api.sync.live.query(
      { ...versions, cursor, forMs: 75_000 },
      { signal: controller.signal },
    );
    const iterator = pages[Symbol.asyncIterator]();
    try {
      await sleep(62_000);
      await suite.push('After a minute');
      // Heartbeats may come first (they keep proxies from cutting an idle stream); the page follows.
      let next = await iterator.next();
      while (!next.done && 'heartbeat' in next.value) next = await iterator.next();
      expect(next.done).toBe(false);
      const page = next.done || 'heartbeat' in next.value ? null : next.value;
      expect(flattenBatches(page?.batches ?? []).map((row) => row.row.name)).toEqual(['After a minute']);
    } finally {
      controller.abort();
    }
  }, 90_000);
});

describe('DNS rebinding: only the allowed host names are answered', () => {
  function get(path: string, hostHeader: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path, headers: { host: hostHeader } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  it('a page on another name that resolves to 127.0.0.1 is refused with 421, /health included', async () => {
    for (const path of ['/health', '/trpc/auth.me', '/trpc/devMailbox.list?input=%7B%7D']) {
      const refused = await get(path, `rebind.attacker.example:${port}`);
      expect(refused.status).toBe(421);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'host_not_allowed' });
      expect(JSON.parse(refused.body).message).toMatch(/ALLOWED_HOSTS/);
    }
    expect((await get('/health', `127.0.0.1.nip.io:${port}`)).status).toBe(421);
    expect((await get('/health', `localhost:${port + 1}`)).status).toBe(421);
    expect((await get('/health', 'localhost')).status).toBe(421);
  });

  it('the loopback names on the listening port are answered', async () => {
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get('/health', name)).status).toBe(200);
    }
  });

  it('ALLOWED_HOSTS replaces the default; a server beyond loopback answers IP literals but no other name', () => {
    const configured = hostAllowlist({
      allowedHosts: ['janix.example.com', 'admin.example.com:8443'],
      listenHost: '0.0.0.0',
    });
    expect(configured.allows('janix.example.com', 4000)).toBe(true);
    expect(configured.allows('janix.example.com:443', 4000)).toBe(true);
    expect(configured.allows('admin.example.com:8443', 4000)).toBe(true);
    expect(configured.allows('admin.example.com', 4000)).toBe(false);
    expect(configured.allows('127.0.0.1:4000', 4000)).toBe(false);
    expect(configured.allows(undefined, 4000)).toBe(false);

    const lan = hostAllowlist({ listenHost: '0.0.0.0' });
    expect(lan.allows('192.168.1.20:4000', 4000)).toBe(true);
    expect(lan.allows('[fe80::1]:4000', 4000)).toBe(true);
    expect(lan.allows('box-office.local:4000', 4000)).toBe(false);
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
  });
});
