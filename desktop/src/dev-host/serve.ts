// The dev host: the console in a plain browser, without Electron. One loopback HTTP server forwards /trpc/*
// to the local core (what the Electron bridge does over a MessagePort) and serves the built renderer.
import { createReadStream, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCore } from '@janix/local-core';
import { RENDERER_CSP } from '../main/security.ts';
import { contentTypeFor } from '../main/renderer-content-types.ts';
import { MAX_BODY_BYTES } from '../shared/bridge.ts';
import { consoleUrlWithSecret, LAUNCH_SECRET_HEADER } from '../shared/launch-secret.ts';
import { hasLaunchSecret, isAllowedHost, isAllowedTrpcRequest } from './request-guards.ts';
import { isInsideRoot, resolveStaticFile } from './static-files.ts';

export interface DevHostCore {
  fetch: LocalCore['fetch'];
  close: LocalCore['close'];
}

export interface DevHostConfig {
  core: DevHostCore;
  /** Absolute path of the built renderer (desktop/dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only; the guards assume it. */
  host?: '127.0.0.1';
  /** This launch's secret: /trpc answers only requests that carry it (see shared/launch-secret.ts). */
  launchSecret: string;
  log?: (line: string) => void;
}

export interface DevHost {
  url: string;
  /** The URL to open: `url` with the launch secret in its fragment. */
  consoleUrl: string;
  port: number;
  /** Stops accepting requests, then closes the core it was given. */
  close(): Promise<void>;
}

// Connection-level headers describe this hop, not the request the core sees.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** IncomingMessage → fetch `Request`, addressed to the origin the browser used. */
export async function toFetchRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readBody(req) : null;
  // Concatenated, not resolved: `//other.host/...` must not become another origin.
  return new Request(new URL(`${origin}${req.url ?? '/'}`), {
    method,
    headers,
    body: body && body.length > 0 ? new Uint8Array(body) : null,
  });
}

/** fetch `Response` → ServerResponse, streaming the body. */
export async function sendFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  }
  res.end();
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

function isFile(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}

export async function createDevHost(config: DevHostConfig): Promise<DevHost> {
  const { core, rendererDir } = config;
  const host = config.host ?? '127.0.0.1';
  const log = config.log ?? (() => {});
  let port = config.port;
  let rootReal: string | null = null;
  try {
    rootReal = await realpath(rendererDir);
  } catch {
    log(`the renderer is not built (${rendererDir} is missing): run \`npx vite build\` in desktop/`);
  }

  async function serveTrpc(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
    const allowed = isAllowedTrpcRequest(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        secFetchSite: req.headers['sec-fetch-site'] as string | undefined,
      },
      port,
    );
    if (!allowed) return sendText(res, 403, 'Forbidden: cross-origin request');
    if (!hasLaunchSecret(req.headers[LAUNCH_SECRET_HEADER], config.launchSecret)) {
      return sendText(
        res,
        403,
        'Forbidden: open the console from the link it printed at launch (Console: http://127.0.0.1:PORT/#launch=…)',
      );
    }
    if (req.method !== 'GET' && req.method !== 'POST') return sendText(res, 405, 'Method not allowed');
    let request: Request;
    try {
      request = await toFetchRequest(req, origin);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendText(res, 413, 'Request body too large');
      throw error;
    }
    await sendFetchResponse(await core.fetch(request), res);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    if (!rootReal) return sendText(res, 503, 'The console is not built: run `npx vite build` in desktop/');
    const resolution = resolveStaticFile(rootReal, pathname, isFile);
    if (resolution.kind === 'bad-request') return sendText(res, 400, 'Bad request');
    if (resolution.kind === 'not-found') return sendText(res, 404, 'Not found');
    // A symlink inside the build could still point outside it.
    const real = await realpath(resolution.filePath).catch(() => null);
    if (!real || !isInsideRoot(rootReal, real)) return sendText(res, 404, 'Not found');
    const isHtml = real.endsWith('.html');
    res.writeHead(200, {
      'content-type': contentTypeFor(real),
      'content-length': statSync(real).size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(isHtml ? { 'content-security-policy': RENDERER_CSP, 'referrer-policy': 'no-referrer' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve, reject) => {
      createReadStream(real).on('error', reject).on('end', resolve).pipe(res);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req.headers.host, port))
      return sendText(res, 403, 'Forbidden: unexpected Host header');
    const origin = `http://${req.headers.host!.toLowerCase()}`;
    const target = req.url ?? '/';
    if (!target.startsWith('/')) return sendText(res, 400, 'Bad request');
    // The raw target, not a parsed URL: the parser would fold `/..` segments before the checks see them.
    const pathname = target.split('?', 1)[0]!.split('#', 1)[0]!;
    if (pathname === '/trpc' || pathname.startsWith('/trpc/')) return serveTrpc(req, res, origin);
    return serveStatic(req, res, pathname);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        `${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    consoleUrl: consoleUrlWithSecret(`http://${host}:${port}`, config.launchSecret),
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await core.close();
      })();
      return closing;
    },
  };
}
