// createDevHost against a stand-in core: the real core is tested in @janix/local-core, here only the
// HTTP plumbing and the guards matter. Requests go through node:http so raw paths and Host headers reach
// the server exactly as written.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevHost, type DevHost } from './serve.ts';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const LAUNCH_SECRET = 'launch-secret-of-this-test-run';
const withSecret = { 'x-janix-launch': LAUNCH_SECRET };

describe('createDevHost', () => {
  let tmp: string;
  let host: DevHost;
  const seen: { method: string; url: string; body: string; contentType: string | null }[] = [];
  let coreClosed = false;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'dev-host-'));
    const rendererDir = path.join(tmp, 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Janix</title>');
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(rendererDir, 'assets', 'app.css'), 'body{}');
    writeFileSync(path.join(tmp, 'secret.txt'), 'top secret');
    host = await createDevHost({
      rendererDir,
      port: 0,
      launchSecret: LAUNCH_SECRET,
      core: {
        async fetch(req) {
          const body = await req.text();
          seen.push({ method: req.method, url: req.url, body, contentType: req.headers.get('content-type') });
          return new Response(JSON.stringify({ echo: body, path: new URL(req.url).pathname }), {
            status: 200,
            headers: { 'content-type': 'application/json', 'x-core': 'yes' },
          });
        },
        async close() {
          coreClosed = true;
        },
      },
    });
  });

  afterAll(async () => {
    await host.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and reports its url, with the launch secret in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}`);
    expect(host.consoleUrl).toBe(`http://127.0.0.1:${host.port}/#launch=${LAUNCH_SECRET}`);
    expect(host.port).toBeGreaterThan(0);
  });

  it('refuses a local process without the launch secret, even one that sends no Origin', async () => {
    const before = seen.length;
    const attempts: Record<string, string>[] = [
      {},
      { 'x-janix-launch': 'guessed' },
      { 'x-janix-launch': `${LAUNCH_SECRET}x` },
    ];
    for (const headers of attempts) {
      const read = await request(host.port, { path: '/trpc/status', headers });
      expect(read.status).toBe(403);
      const write = await request(host.port, {
        method: 'POST',
        path: '/trpc/auth.signOut',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      expect(write.status).toBe(403);
    }
    expect(seen.length).toBe(before);
    // The page itself (no secret needed) still loads, so it can say how to get in.
    expect((await request(host.port, { path: '/' })).status).toBe(200);
  });

  it('forwards tRPC GETs with their query string', async () => {
    const res = await request(host.port, { path: '/trpc/status?batch=1&input=%7B%7D', headers: withSecret });
    expect(res.status).toBe(200);
    expect(res.headers['x-core']).toBe('yes');
    expect(JSON.parse(res.body)).toEqual({ echo: '', path: '/trpc/status' });
    expect(seen.at(-1)).toMatchObject({
      method: 'GET',
      url: `http://127.0.0.1:${host.port}/trpc/status?batch=1&input=%7B%7D`,
    });
  });

  it('forwards tRPC POSTs with their body', async () => {
    const body = JSON.stringify({ 0: { email: 'demo@janix.test' } });
    const res = await request(host.port, {
      method: 'POST',
      path: '/trpc/auth.requestCode?batch=1',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${host.port}`, ...withSecret },
      body,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ echo: body, path: '/trpc/auth.requestCode' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body, contentType: 'application/json' });
  });

  it('refuses a tRPC request from another origin without reaching the core', async () => {
    const before = seen.length;
    const res = await request(host.port, {
      method: 'POST',
      path: '/trpc/auth.signOut',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json', ...withSecret },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it('refuses a foreign Host header (DNS rebinding) on every path', async () => {
    for (const p of ['/', '/trpc/status']) {
      const res = await request(host.port, { path: p, headers: { host: `evil.example:${host.port}` } });
      expect(res.status).toBe(403);
    }
  });

  it('refuses oversized bodies', async () => {
    const res = await request(host.port, {
      method: 'POST',
      path: '/trpc/events.create',
      headers: { 'content-type': 'application/json', ...withSecret },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
  });

  it('serves index.html, assets with their content types, and index.html for client routes', async () => {
    const index = await request(host.port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.body).toContain('<title>Janix</title>');

    const js = await request(host.port, { path: '/assets/app.js?v=1' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');

    const css = await request(host.port, { path: '/assets/app.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');

    const route = await request(host.port, { path: '/events' });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Janix</title>');

    expect((await request(host.port, { path: '/assets/missing.js' })).status).toBe(404);
  });

  it.each(['/../secret.txt', '/../../etc/passwd', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt'])(
    'does not serve %s',
    async (p) => {
      const res = await request(host.port, { path: p });
      expect(res.status).toBe(400);
      expect(res.body).not.toContain('top secret');
      expect(res.body).not.toContain('root:');
    },
  );

  it('closes the core when it closes', async () => {
    const other = await createDevHost({
      rendererDir: tmp,
      port: 0,
      launchSecret: LAUNCH_SECRET,
      core: { fetch: async () => new Response(null), close: async () => void (coreClosed = true) },
    });
    await other.close();
    expect(coreClosed).toBe(true);
    await expect(request(other.port, { path: '/' })).rejects.toThrow();
  });
});
