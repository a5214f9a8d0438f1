import { describe, expect, it, vi } from 'vitest';
import {
  MAX_BODY_BYTES,
  createBridgeFetch,
  fromSerializedRequest,
  fromSerializedResponse,
  isBridgePath,
  serializedRequestSchema,
  serializedResponseSchema,
  toSerializedRequest,
  toSerializedResponse,
  utf8ByteLength,
  type JanixBridge,
  type SerializedResponse,
} from './bridge';

const validRequest = {
  id: 'r1',
  method: 'POST',
  path: '/trpc/event.create',
  headers: { 'content-type': 'application/json' },
  body: '{"name":"x"}',
};

describe('serializedRequestSchema', () => {
  it('accepts a well-formed POST and GET', () => {
    expect(serializedRequestSchema.safeParse(validRequest).success).toBe(true);
    const get = { ...validRequest, method: 'GET', path: '/trpc/a,b?batch=1&input=%7B%7D', body: null };
    expect(serializedRequestSchema.safeParse(get).success).toBe(true);
  });

  it.each([
    '/admin',
    '/trpc',
    'trpc/x',
    '//evil.com/trpc/x',
    'http://evil.com/trpc/x',
    '/trpc/../admin',
    '/trpc/%2e%2e/admin',
    '/trpc/%2E%2E/%2e%2e/etc/passwd',
    '/trpc/..\\admin',
    '/trpc/x#fragment',
    '',
  ])('rejects the path %j', (path) => {
    expect(serializedRequestSchema.safeParse({ ...validRequest, path }).success).toBe(false);
  });

  it.each(['DELETE', 'PUT', 'HEAD', 'OPTIONS', 'get', 'post', '', 1])('rejects the method %j', (method) => {
    expect(serializedRequestSchema.safeParse({ ...validRequest, method }).success).toBe(false);
  });

  it('caps the body at 1 MiB of UTF-8, not of UTF-16 units', () => {
    const atCap = 'a'.repeat(MAX_BODY_BYTES);
    expect(serializedRequestSchema.safeParse({ ...validRequest, body: atCap }).success).toBe(true);
    expect(serializedRequestSchema.safeParse({ ...validRequest, body: atCap + 'a' }).success).toBe(false);
    const twoByteChars = 'é'.repeat(MAX_BODY_BYTES / 2 + 1);
    expect(twoByteChars.length).toBeLessThan(MAX_BODY_BYTES);
    expect(serializedRequestSchema.safeParse({ ...validRequest, body: twoByteChars }).success).toBe(false);
  });

  it('rejects a GET that carries a body', () => {
    const get = { ...validRequest, method: 'GET', body: '' };
    expect(serializedRequestSchema.safeParse(get).success).toBe(false);
  });

  it.each([
    ['CRLF in a value', { 'x-a': 'b\r\nset-cookie: x' }],
    ['NUL in a value', { 'x-a': 'b\0' }],
    ['a space in a name', { 'x a': 'b' }],
    ['a colon in a name', { 'x:a': 'b' }],
    ['a non-string value', { 'x-a': 1 }],
    ['an oversized value', { 'x-a': 'v'.repeat(8 * 1024 + 1) }],
    ['too many headers', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-${i}`, 'v']))],
  ])('rejects headers with %s', (_label, headers) => {
    expect(serializedRequestSchema.safeParse({ ...validRequest, headers }).success).toBe(false);
  });

  it.each([
    ['null', null],
    ['a string', 'GET /trpc/x'],
    ['a number', 42],
    ['an array', [validRequest]],
    ['a missing id', { ...validRequest, id: undefined }],
    ['an empty id', { ...validRequest, id: '' }],
    ['an object id', { ...validRequest, id: { toString: () => 'r1' } }],
    ['an oversized id', { ...validRequest, id: 'i'.repeat(129) }],
    ['an unknown key', { ...validRequest, extra: true }],
    [
      'a __proto__ key',
      JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(validRequest).slice(1)}`),
    ],
    ['a non-string body', { ...validRequest, body: { a: 1 } }],
  ])('rejects %s', (_label, message) => {
    expect(serializedRequestSchema.safeParse(message).success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('isBridgePath', () => {
  it('accepts paths that stay under /trpc/ after normalisation', () => {
    expect(isBridgePath('/trpc/a/../b')).toBe(true);
    expect(isBridgePath('/trpc/x?input=%2e%2e')).toBe(true);
  });
});

describe('utf8ByteLength', () => {
  it.each(['', 'ascii', 'é', '€', '😀', 'a😀b€é', '\ud800', 'x\udc00y', '\ud800\ud800'])(
    'matches Buffer.byteLength for %j',
    (text) => {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    },
  );
});

describe('toSerializedRequest', () => {
  it('keeps only the path and query of relative and absolute URLs', async () => {
    expect(await toSerializedRequest('/trpc/a?batch=1')).toEqual({
      method: 'GET',
      path: '/trpc/a?batch=1',
      headers: {},
      body: null,
    });
    const absolute = await toSerializedRequest(new URL('app://janix/trpc/b?x=1'));
    expect(absolute.path).toBe('/trpc/b?x=1');
  });

  it('reads string and non-string bodies and lower-cases header names', async () => {
    const post = await toSerializedRequest('/trpc/m', {
      method: 'post',
      headers: { 'Content-Type': 'application/json', 'X-Trace': 't' },
      body: '{"a":1}',
    });
    expect(post).toEqual({
      method: 'POST',
      path: '/trpc/m',
      headers: { 'content-type': 'application/json', 'x-trace': 't' },
      body: '{"a":1}',
    });
    const form = await toSerializedRequest('/trpc/m', {
      method: 'POST',
      body: new URLSearchParams({ a: 'b c' }),
    });
    expect(form.body).toBe('a=b+c');
    expect(form.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('accepts a Request and lets init override it', async () => {
    const source = new Request('http://anything/trpc/q', { method: 'POST', body: 'payload' });
    expect(await toSerializedRequest(source)).toMatchObject({
      method: 'POST',
      path: '/trpc/q',
      body: 'payload',
    });
    const overridden = await toSerializedRequest(new Request('http://anything/trpc/q'), {
      headers: { 'x-a': '1' },
    });
    expect(overridden.headers).toEqual({ 'x-a': '1' });
  });

  it('refuses methods the bridge does not carry', async () => {
    await expect(toSerializedRequest('/trpc/x', { method: 'DELETE' })).rejects.toThrow(TypeError);
  });
});

describe('request and response round trip', () => {
  it('rebuilds the request on the core side with the core origin', async () => {
    const request = fromSerializedRequest(serializedRequestSchema.parse(validRequest));
    expect(request.url).toBe('http://core.local/trpc/event.create');
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.text()).toBe('{"name":"x"}');
  });

  it('serializes a response and rebuilds an equivalent one', async () => {
    const original = new Response('{"result":1}', {
      status: 201,
      headers: { 'content-type': 'application/json' },
    });
    const serialized = await toSerializedResponse('r1', original);
    expect(serializedResponseSchema.parse(serialized)).toEqual({
      id: 'r1',
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"result":1}',
    });
    const rebuilt = fromSerializedResponse(serialized);
    expect(rebuilt.status).toBe(201);
    expect(await rebuilt.json()).toEqual({ result: 1 });
  });

  it('drops the body of null-body statuses instead of throwing', async () => {
    const rebuilt = fromSerializedResponse({ id: 'r', status: 204, headers: {}, body: '' });
    expect(rebuilt.status).toBe(204);
    expect(rebuilt.body).toBeNull();
  });

  it.each([99, 100, 600, 1.5])('rejects the response status %j', (status) => {
    expect(serializedResponseSchema.safeParse({ id: 'r', status, headers: {}, body: null }).success).toBe(
      false,
    );
  });
});

describe('createBridgeFetch', () => {
  function fakeBridge(answer: (req: Parameters<JanixBridge['request']>[0]) => Promise<SerializedResponse>) {
    const request = vi.fn(answer);
    return { bridge: { request } satisfies JanixBridge, request };
  }

  it('sends the serialized request and returns a real Response', async () => {
    const { bridge, request } = fakeBridge(async () => ({
      id: 'x',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '[{"result":{"data":1}}]',
    }));
    const response = await createBridgeFetch(bridge)('/trpc/a?batch=1&input=%7B%7D');
    expect(request).toHaveBeenCalledWith({
      method: 'GET',
      path: '/trpc/a?batch=1&input=%7B%7D',
      headers: {},
      body: null,
    });
    expect(response.ok).toBe(true);
    expect(await response.json()).toEqual([{ result: { data: 1 } }]);
  });

  it('refuses a request the core would reject, before crossing the bridge', async () => {
    const { bridge, request } = fakeBridge(async () => ({ id: '', status: 200, headers: {}, body: null }));
    await expect(createBridgeFetch(bridge)('/admin')).rejects.toThrow(/invalid request/);
    await expect(
      createBridgeFetch(bridge)('/trpc/x', { method: 'POST', body: 'a'.repeat(MAX_BODY_BYTES + 1) }),
    ).rejects.toThrow(/invalid request/);
    expect(request).not.toHaveBeenCalled();
  });

  it('rejects with the abort reason when the signal fires first', async () => {
    const { bridge } = fakeBridge(() => new Promise(() => {}));
    const controller = new AbortController();
    const pending = createBridgeFetch(bridge)('/trpc/slow', { signal: controller.signal });
    controller.abort(new Error('unmounted'));
    await expect(pending).rejects.toThrow('unmounted');
  });

  it('does not call the bridge for an already aborted signal', async () => {
    const { bridge, request } = fakeBridge(() => new Promise(() => {}));
    await expect(createBridgeFetch(bridge)('/trpc/x', { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(request).not.toHaveBeenCalled();
  });

  it('propagates a bridge failure such as a timeout', async () => {
    const { bridge } = fakeBridge(() => Promise.reject(new Error('janixBridge: timed out')));
    await expect(createBridgeFetch(bridge)('/trpc/x')).rejects.toThrow('timed out');
  });

  it('rejects a malformed answer from the bridge', async () => {
    const { bridge } = fakeBridge(async () => ({ id: 'x', status: 42, headers: {}, body: null }));
    await expect(createBridgeFetch(bridge)('/trpc/x')).rejects.toThrow();
  });
});
