import { createTRPCClient, httpBatchStreamLink, httpLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@janix/server';

export interface Credentials {
  sessionToken: () => string | null;
  deviceToken: () => string | null;
  /** `npm start`'s per-run dev mailbox secret (JANIX_DEV_MAILBOX_SECRET); absent elsewhere. */
  devMailboxSecret?: () => string | null;
}

/**
 * How long the console waits for the server, per procedure, in milliseconds. A call past its deadline is
 * aborted and counts as the server being unreachable (the sync engine backs off and retries), so a
 * half-open connection or a server that accepts and never answers cannot stall a console that looks
 * connected. The live stream's deadline covers only its opening; the stream itself is watched by its
 * heartbeats (see the sync engine).
 */
export interface RequestDeadlines {
  /** Any procedure not named below. */
  default: number;
  byPath: Record<string, number>;
}

export const REQUEST_DEADLINES: RequestDeadlines = {
  default: 20_000,
  byPath: {
    'sync.push': 30_000,
    // A page is up to 10 000 rows; on a slow link that takes a while to come down.
    'sync.pull': 60_000,
    'sync.live': 20_000,
    'devices.enroll': 30_000,
  },
};

/** The procedure a tRPC request URL calls (`…/trpc/sync.pull?input=…` → `sync.pull`). */
function procedureOf(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * The `fetch` that gives every request its deadline, composed with the caller's own signal (an abort by the
 * caller still aborts at once). The deadline covers the whole exchange, body included, except for the live
 * stream, whose deadline ends once its response has begun.
 *
 * One controller, held by its own timer: Node 20 garbage-collects an `AbortSignal.timeout` inside an
 * `AbortSignal.any` before it fires (nodejs/node#57736), which left a request with no deadline at all.
 */
function withDeadlines(fetchImpl: typeof fetch, deadlines: RequestDeadlines): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const procedure = procedureOf(url);
    const ms = deadlines.byPath[procedure] ?? deadlines.default;
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`No answer to ${procedure} in ${ms} ms.`, 'TimeoutError')),
      ms,
    );
    // Firing after the exchange is over aborts nothing; the timer must not hold the process open.
    timer.unref();
    const caller = init?.signal;
    if (caller) {
      const follow = () => deadline.abort(caller.reason);
      if (caller.aborted) follow();
      else caller.addEventListener('abort', follow, { once: true });
    }
    const response = await fetchImpl(input, { ...init, signal: deadline.signal }).catch((error: unknown) => {
      clearTimeout(timer);
      throw error;
    });
    if (procedure === 'sync.live') clearTimeout(timer);
    return response;
  };
}

/**
 * The console's client of the Janix server. Unbatched on purpose: the live stream must never hold other calls
 * hostage in a shared batch. Counts response bytes for sync progress. Every call has a deadline
 * (`REQUEST_DEADLINES`).
 */
export function createServerClient(
  serverUrl: string,
  credentials: Credentials,
  fetchImpl: typeof fetch = fetch,
  deadlines: RequestDeadlines = REQUEST_DEADLINES,
) {
  const traffic = { bytesReceived: 0 };
  const timedFetch = withDeadlines(fetchImpl, deadlines);
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await timedFetch(input, init);
    traffic.bytesReceived += Number(response.headers.get('content-length') ?? 0);
    return response;
  };
  const http = {
    url: `${serverUrl.replace(/\/$/, '')}/trpc`,
    fetch: countingFetch,
    headers() {
      const headers: Record<string, string> = {};
      const session = credentials.sessionToken();
      const device = credentials.deviceToken();
      if (session) headers.authorization = `Bearer ${session}`;
      if (device) headers['x-janix-device'] = `Bearer ${device}`;
      const devMailbox = credentials.devMailboxSecret?.();
      if (devMailbox) headers['x-janix-dev-mailbox'] = devMailbox;
      return headers;
    },
  };
  const client = createTRPCClient<AppRouter>({
    links: [
      // The live feed streams its pages (JSON lines) over one long request; everything else is one call each.
      splitLink({
        condition: (op) => op.path === 'sync.live',
        true: httpBatchStreamLink({ ...http, maxItems: 1 }),
        false: httpLink(http),
      }),
    ],
  });
  return Object.assign(client, { traffic });
}
export type ServerClient = ReturnType<typeof createServerClient>;

export interface ServerErrorInfo {
  /** The server answered (as opposed to the network failing). */
  answered: boolean;
  reason: string | null;
  code: string | null;
  message: string;
}

/** Separates "the server said no" (with its reason) from "we could not reach it". */
export function describeServerError(error: unknown): ServerErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; reason?: string | null } | undefined;
    if (data?.code) {
      return { answered: true, reason: data.reason ?? null, code: data.code, message: error.message };
    }
    const timedOut = error.cause instanceof Error && error.cause.name === 'TimeoutError';
    return {
      answered: false,
      reason: null,
      code: null,
      message: timedOut ? 'The server did not answer in time.' : 'The server cannot be reached.',
    };
  }
  return {
    answered: false,
    reason: null,
    code: null,
    message: error instanceof Error ? error.message : String(error),
  };
}
