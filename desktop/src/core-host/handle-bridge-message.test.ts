import { describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES, serializedResponseSchema } from '../shared/bridge';
import { handleBridgeMessage, type BridgeTarget } from './handle-bridge-message';

function echoCore(): BridgeTarget & { fetch: ReturnType<typeof vi.fn> } {
  return {
    fetch: vi.fn(async (request: Request) => {
      const body = request.method === 'GET' ? null : await request.text();
      return Response.json(
        { url: request.url, method: request.method, type: request.headers.get('content-type'), body },
        { headers: { 'x-core': 'yes' } },
      );
    }),
  };
}

const valid = {
  id: 'req-1',
  method: 'POST',
  path: '/trpc/event.create?batch=1',
  headers: { 'content-type': 'application/json' },
  body: '{"0":{"name":"x"}}',
};

describe('handleBridgeMessage', () => {
  it('rebuilds the request on the core origin and serializes the answer under the same id', async () => {
    const core = echoCore();
    const response = await handleBridgeMessage(core, valid);
    expect(serializedResponseSchema.parse(response)).toMatchObject({ id: 'req-1', status: 200 });
    expect(response.headers['x-core']).toBe('yes');
    expect(JSON.parse(response.body ?? '')).toEqual({
      url: 'http://core.local/trpc/event.create?batch=1',
      method: 'POST',
      type: 'application/json',
      body: '{"0":{"name":"x"}}',
    });
  });

  it.each([
    ['a path outside /trpc/', { ...valid, path: '/admin' }, 'req-1'],
    ['an encoded traversal', { ...valid, path: '/trpc/%2e%2e/admin' }, 'req-1'],
    ['a protocol-relative path', { ...valid, path: '//evil.example/trpc/x' }, 'req-1'],
    ['an oversized body', { ...valid, body: 'x'.repeat(MAX_BODY_BYTES + 1) }, 'req-1'],
    ['a bad method', { ...valid, method: 'DELETE' }, 'req-1'],
    ['a header injection', { ...valid, headers: { 'x-a': 'b\r\nx-b: c' } }, 'req-1'],
    ['a missing id', { ...valid, id: undefined }, ''],
    ['an id that is not a string', { ...valid, id: 7 }, ''],
    ['an oversized id', { ...valid, id: 'i'.repeat(10_000) }, ''],
    ['null', null, ''],
    ['a string', 'POST /trpc/x', ''],
    ['an array', [valid], ''],
  ])('answers 400 to %s without calling the core', async (_label, message, expectedId) => {
    const core = echoCore();
    const response = await handleBridgeMessage(core, message);
    expect(serializedResponseSchema.parse(response)).toMatchObject({ id: expectedId, status: 400 });
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: 'invalid bridge request' });
    expect(core.fetch).not.toHaveBeenCalled();
  });

  it('answers 500 when the core throws, and keeps the id', async () => {
    const core: BridgeTarget = { fetch: () => Promise.reject(new Error('disk full')) };
    const response = await handleBridgeMessage(core, valid);
    expect(response).toMatchObject({ id: 'req-1', status: 500 });
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'local core failed', detail: 'disk full' });
  });

  it('answers 500 when the core returns something that is not a Response', async () => {
    const core = { fetch: async () => ({ status: 200 }) } as unknown as BridgeTarget;
    expect(await handleBridgeMessage(core, valid)).toMatchObject({ id: 'req-1', status: 500 });
  });

  it('passes non-2xx answers of the core through unchanged', async () => {
    const core: BridgeTarget = { fetch: async () => new Response('{"error":"nope"}', { status: 404 }) };
    expect(await handleBridgeMessage(core, valid)).toMatchObject({ status: 404, body: '{"error":"nope"}' });
  });
});
