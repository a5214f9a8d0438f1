import { createTRPCClient, httpBatchStreamLink, httpLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@janix/server';

export interface Credentials {
  sessionToken: () => string | null;
  deviceToken: () => string | null;
}

/**
 * The console's client of the Janix server. Unbatched on purpose: the live stream must never hold other calls
 * hostage in a shared batch. Counts response bytes for sync progress.
 */
export function createServerClient(
  serverUrl: string,
  credentials: Credentials,
  fetchImpl: typeof fetch = fetch,
) {
  const traffic = { bytesReceived: 0 };
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetchImpl(input, init);
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
    return { answered: false, reason: null, code: null, message: 'The server cannot be reached.' };
  }
  return {
    answered: false,
    reason: null,
    code: null,
    message: error instanceof Error ? error.message : String(error),
  };
}
