import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SerializedRequest } from '../shared/bridge';
import { createBridgeClient, type BridgePortLike } from './bridge-client';

/** A port whose far end is the test: it records what was sent and lets the test answer. */
function fakePort() {
  const sent: SerializedRequest[] = [];
  const port: BridgePortLike & { closed: boolean } = {
    closed: false,
    onmessage: null,
    postMessage: (message) => sent.push(message),
    close() {
      this.closed = true;
    },
  };
  const answer = (data: unknown) => port.onmessage?.({ data } as MessageEvent);
  return { port, sent, answer };
}

const get = { method: 'GET', path: '/trpc/ping', headers: {}, body: null } as const;

afterEach(() => {
  vi.useRealTimers();
});

describe('createBridgeClient', () => {
  it('queues requests until main hands over a port, then sends them with fresh ids', async () => {
    const client = createBridgeClient();
    const first = client.request(get);
    const second = client.request({ ...get, path: '/trpc/pong' });
    const { port, sent, answer } = fakePort();
    client.usePort(port);
    expect(sent.map((request) => request.path)).toEqual(['/trpc/ping', '/trpc/pong']);
    expect(new Set(sent.map((request) => request.id)).size).toBe(2);
    answer({ id: sent[1]?.id, status: 200, headers: {}, body: 'pong' });
    answer({ id: sent[0]?.id, status: 200, headers: {}, body: 'ping' });
    expect(await first).toMatchObject({ body: 'ping' });
    expect(await second).toMatchObject({ body: 'pong' });
  });

  it('works over a real MessageChannel', async () => {
    const client = createBridgeClient();
    const { port1, port2 } = new MessageChannel();
    port2.onmessage = ({ data }) =>
      port2.postMessage({ id: data.id, status: 200, headers: {}, body: `core saw ${data.path}` });
    client.usePort(port1);
    try {
      expect(await client.request(get)).toMatchObject({ status: 200, body: 'core saw /trpc/ping' });
    } finally {
      port1.close();
      port2.close();
    }
  });

  it.each([
    ['a path outside /trpc/', { ...get, path: '/admin' }],
    ['a bad method', { ...get, method: 'DELETE' }],
    ['an unknown key', { ...get, extra: 'x' }],
    ['null', null],
    ['a string', '/trpc/ping'],
  ])('rejects %s without sending anything', async (_label, req) => {
    const client = createBridgeClient();
    const { port, sent } = fakePort();
    client.usePort(port);
    await expect(client.request(req as never)).rejects.toThrow(TypeError);
    expect(sent).toEqual([]);
  });

  it('replaces an id chosen by the page with its own, so the page cannot hijack another answer', async () => {
    const client = createBridgeClient();
    const { port, sent, answer } = fakePort();
    client.usePort(port);
    const first = client.request(get);
    const second = client.request({ ...get, id: sent[0]?.id } as never);
    expect(sent[1]?.id).not.toBe(sent[0]?.id);
    answer({ id: sent[0]?.id, status: 200, headers: {}, body: 'first' });
    answer({ id: sent[1]?.id, status: 200, headers: {}, body: 'second' });
    expect(await first).toMatchObject({ body: 'first' });
    expect(await second).toMatchObject({ body: 'second' });
  });

  it('times out, ignores the late answer, and never sends a request that timed out while queued', async () => {
    vi.useFakeTimers();
    const client = createBridgeClient({ timeoutMs: 30_000 });
    const queued = client.request(get);
    const queuedOutcome = expect(queued).rejects.toThrow(/within 30000 ms/);
    await vi.advanceTimersByTimeAsync(30_000);
    await queuedOutcome;

    const { port, sent, answer } = fakePort();
    client.usePort(port);
    expect(sent).toEqual([]);

    const late = client.request(get);
    const lateOutcome = expect(late).rejects.toThrow(/within 30000 ms/);
    await vi.advanceTimersByTimeAsync(30_000);
    await lateOutcome;
    expect(() => answer({ id: sent[0]?.id, status: 200, headers: {}, body: null })).not.toThrow();
  });

  it('ignores malformed and unknown answers', async () => {
    vi.useFakeTimers();
    const client = createBridgeClient({ timeoutMs: 1_000 });
    const { port, sent, answer } = fakePort();
    client.usePort(port);
    const pending = client.request(get);
    answer('garbage');
    answer({ id: 'unknown', status: 200, headers: {}, body: null });
    answer({ id: sent[0]?.id, status: 'ok' });
    answer({ id: sent[0]?.id, status: 200, headers: {}, body: 'real' });
    expect(await pending).toMatchObject({ body: 'real' });
  });

  it('on a new port, closes the old one and fails what was in flight on it', async () => {
    const client = createBridgeClient();
    const old = fakePort();
    client.usePort(old.port);
    const inFlight = client.request(get);
    const replacement = fakePort();
    client.usePort(replacement.port);
    expect(old.port.closed).toBe(true);
    await expect(inFlight).rejects.toThrow(/restarted/);
    const after = client.request(get);
    expect(replacement.sent).toHaveLength(1);
    replacement.answer({ id: replacement.sent[0]?.id, status: 200, headers: {}, body: 'ok' });
    expect(await after).toMatchObject({ body: 'ok' });
  });
});
