/// <reference lib="dom" />
// The renderer reaches the local core only through this bridge, so its shapes are the security boundary
// between web content and the process that owns the replica. Everything crossing it is plain JSON-like
// data (structured-clone friendly) and is validated on the core side before it becomes a Request.
import * as z from 'zod';

/** Name of the object the preload exposes on `window`. */
export const BRIDGE_GLOBAL_NAME = 'janixBridge';
export const BRIDGE_TIMEOUT_MS = 30_000;
/** Origin given to requests rebuilt in the core host; only their path and query come from the renderer. */
export const CORE_ORIGIN = 'http://core.local';
export const BRIDGE_PATH_PREFIX = '/trpc/';
export const MAX_BODY_BYTES = 1024 * 1024;
// Batched tRPC GETs carry their input in the query string, so the path gets the same budget as a body.
export const MAX_PATH_LENGTH = 1024 * 1024;
const MAX_HEADER_COUNT = 64;
const MAX_HEADER_VALUE_LENGTH = 8 * 1024;
const MAX_ID_LENGTH = 128;

// RFC 9110 token: anything else makes `new Headers()` throw inside the core host.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
// CR, LF and NUL would let a value smuggle a second header.
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** UTF-8 length of a string without encoding it (TextEncoder would copy up to the whole body). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether `path` stays under /trpc/ once a URL parser has normalised it: `/trpc/../admin`, `/trpc/..%2f`
 * tricks and backslashes are all resolved by the parser before the prefix is checked.
 */
export function isBridgePath(path: string): boolean {
  if (!path.startsWith(BRIDGE_PATH_PREFIX)) return false;
  let url: URL;
  try {
    url = new URL(path, CORE_ORIGIN);
  } catch {
    return false;
  }
  return url.origin === CORE_ORIGIN && url.pathname.startsWith(BRIDGE_PATH_PREFIX) && url.hash === '';
}

const bridgeIdSchema = z.string().min(1).max(MAX_ID_LENGTH);

const headersSchema = z
  .record(
    z.string().regex(HEADER_NAME, 'invalid header name'),
    z
      .string()
      .max(MAX_HEADER_VALUE_LENGTH)
      .refine((value) => !HEADER_VALUE_FORBIDDEN.test(value), 'invalid header value'),
  )
  .refine((headers) => Object.keys(headers).length <= MAX_HEADER_COUNT, 'too many headers');

export const serializedRequestSchema = z
  .strictObject({
    id: bridgeIdSchema,
    method: z.enum(['GET', 'POST']),
    path: z.string().max(MAX_PATH_LENGTH).refine(isBridgePath, `path must stay under ${BRIDGE_PATH_PREFIX}`),
    headers: headersSchema,
    body: z
      .string()
      // Each UTF-16 unit is at least one UTF-8 byte, so the cheap length check rejects huge bodies first.
      .refine(
        (body) => body.length <= MAX_BODY_BYTES && utf8ByteLength(body) <= MAX_BODY_BYTES,
        `body exceeds ${MAX_BODY_BYTES} bytes`,
      )
      .nullable(),
  })
  .refine((request) => request.method !== 'GET' || request.body === null, {
    message: 'GET requests cannot have a body',
    path: ['body'],
  });
export type SerializedRequest = z.infer<typeof serializedRequestSchema>;

// Responses come from our own core, so they are not size-capped; the schema guards the renderer against a
// malformed message rather than a hostile one.
export const serializedResponseSchema = z.strictObject({
  id: z.string().max(MAX_ID_LENGTH),
  // The range `new Response()` accepts.
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
});
export type SerializedResponse = z.infer<typeof serializedResponseSchema>;

/** What the preload exposes on `window.janixBridge`. */
export interface JanixBridge {
  request(req: Omit<SerializedRequest, 'id'>): Promise<SerializedResponse>;
}

declare global {
  interface Window {
    /** Present only inside the Electron shell; the browser build talks HTTP instead. */
    readonly janixBridge?: JanixBridge;
  }
}

function headersToRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/**
 * Turns fetch arguments into a bridge request. Only the path and query of the URL are kept: the bridge has a
 * single destination, so relative URLs (`/trpc/...`) and absolute ones are treated alike. Bodies of any
 * `BodyInit` kind are read as text through `Request`, which also supplies the matching content-type.
 */
export async function toSerializedRequest(
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Omit<SerializedRequest, 'id'>> {
  const request =
    input instanceof Request
      ? new Request(input, init)
      : new Request(new URL(String(input), CORE_ORIGIN), init);
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new TypeError(`janixBridge supports GET and POST only, not ${method}`);
  }
  const url = new URL(request.url);
  return {
    method,
    path: url.pathname + url.search,
    headers: headersToRecord(request.headers),
    body: request.body === null ? null : await request.text(),
  };
}

/** Rebuilds the request inside the core host. Call it on a message that passed `serializedRequestSchema`. */
export function fromSerializedRequest(request: SerializedRequest): Request {
  return new Request(new URL(request.path, CORE_ORIGIN), {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
}

export async function toSerializedResponse(id: string, response: Response): Promise<SerializedResponse> {
  return {
    id,
    status: response.status,
    headers: headersToRecord(response.headers),
    body: response.body === null ? null : await response.text(),
  };
}

// `new Response()` throws if these statuses are given a body, even an empty one.
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export function fromSerializedResponse(response: SerializedResponse): Response {
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : response.body, {
    status: response.status,
    headers: response.headers,
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function rejectOnAbort<T>(pending: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return pending;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A `fetch` for tRPC's `httpBatchLink({ fetch })` that goes over the bridge. Aborting rejects the caller's
 * promise at once; the core still finishes the call, and its late answer is ignored.
 */
export function createBridgeFetch(bridge: JanixBridge): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) throw abortReason(signal);
    const request = await toSerializedRequest(input, init);
    // Same checks the core host applies, so a bad call fails here with a readable message instead of a 400.
    const checked = serializedRequestSchema.safeParse({ ...request, id: 'renderer-check' });
    if (!checked.success) {
      throw new TypeError(`janixBridge: invalid request: ${z.prettifyError(checked.error)}`);
    }
    if (signal?.aborted) throw abortReason(signal);
    const response = await rejectOnAbort(bridge.request(request), signal);
    return fromSerializedResponse(serializedResponseSchema.parse(response));
  };
}
