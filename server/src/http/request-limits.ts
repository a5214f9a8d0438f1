import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Statuses that refuse a request before its body is read; the connection closes so the body is never drained. */
const REFUSED_BEFORE_BODY = new Set([413, 415, 421]);

/** Answers `status` with a JSON `{ error, message }` and closes the connection instead of reading on. */
export function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).header('connection', 'close').send({ error, message });
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function declaresBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Bounds what a request can make the server read or run, checked in onRequest, before any byte of the body:
 * - only JSON bodies (the tRPC clients send nothing else): multipart, text, octet-stream get 415 unread;
 * - a declared length over the limit gets 413 unread; an undeclared (chunked) one is cut off by Fastify's JSON
 *   parser once it passes the limit;
 * - a tRPC batch carries at most `maxBatchSize` calls (each may hold a pooled connection);
 * and every such refusal closes the connection, so the rest of a large body is not drained.
 */
export function limitRequests(
  app: FastifyInstance,
  limits: {
    bodyLimitBytes: number;
    maxBatchSize: number;
    /** Paths that take an HTML form's post (urlencoded) as well, with their own, smaller limit. */
    forms?: { path: RegExp; limitBytes: number };
  },
): void {
  app.addHook('onRequest', async (request, reply) => {
    const url = new URL(request.url, 'http://server');
    if (declaresBody(request)) {
      const type = request.headers['content-type'] ?? '';
      const form =
        !!limits.forms?.path.test(url.pathname) && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
      if (!form && !/^application\/json\s*(;|$)/i.test(type)) {
        return refuse(reply, 415, 'unsupported_media_type', 'Request bodies must be application/json.');
      }
      const limit = form ? limits.forms!.limitBytes : limits.bodyLimitBytes;
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > limit) {
        return refuse(
          reply,
          413,
          'payload_too_large',
          `The request body is ${length} bytes; the limit is ${limit}.`,
        );
      }
    }
    if (url.pathname.startsWith('/trpc/') && url.searchParams.get('batch') === '1') {
      // Decoded as the router will see it: %2C separates calls too.
      const path = url.pathname.slice('/trpc/'.length);
      const calls = (safeDecode(path) ?? path).split(',').length;
      if (calls > limits.maxBatchSize) {
        return reply.code(400).send({
          error: 'batch_too_large',
          message: `A batch may carry at most ${limits.maxBatchSize} calls; this one carries ${calls}.`,
        });
      }
    }
    return undefined;
  });
  // Fastify's own refusals (a chunked body past the limit) close the connection too.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (REFUSED_BEFORE_BODY.has(reply.statusCode)) reply.header('connection', 'close');
    return payload;
  });
}
