import { randomUUID } from 'node:crypto';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import {
  PROTOCOL_VERSION,
  type CommandEnvelope,
  type CommandName,
  type EnrolledDevice,
} from '@janix/schemas';
import type { DemoOrg } from '@janix/testkit';
import type { AppRouter } from '../src/trpc/router.ts';
import { latestSignInCode, type TestServer } from '../src/testing.ts';

/** Shared helpers for the server suites (not a test file itself). */

export interface Credentials {
  session?: string | null;
  device?: string | null;
}

export function apiClient(server: TestServer, credentials: Credentials = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${server.url}/trpc`,
        headers() {
          const headers: Record<string, string> = {};
          if (credentials.session) headers.authorization = `Bearer ${credentials.session}`;
          if (credentials.device) headers['x-janix-device'] = `Bearer ${credentials.device}`;
          return headers;
        },
      }),
    ],
  });
}
export type ApiClient = ReturnType<typeof apiClient>;

export interface ServerError {
  message: string;
  code: string | undefined;
  httpStatus: number | undefined;
  reason: string | null | undefined;
  details: Record<string, unknown> | null | undefined;
  zodError: { fieldErrors: Record<string, string[] | undefined> } | null | undefined;
}

/** Awaits a call that must fail with a tRPC error and returns what the server said. */
export async function serverError(call: Promise<unknown>): Promise<ServerError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error.data ?? {}) as {
      code?: string;
      httpStatus?: number;
      reason?: string | null;
      details?: Record<string, unknown> | null;
      zodError?: ServerError['zodError'];
    };
    return {
      message: error.message,
      code: data.code,
      httpStatus: data.httpStatus,
      reason: data.reason,
      details: data.details,
      zodError: data.zodError,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome)}`);
}

export async function signIn(
  server: TestServer,
  email: string,
): Promise<{ session: string; userId: string }> {
  const api = apiClient(server);
  await api.auth.requestCode.mutate({ email });
  const code = await latestSignInCode(server, email);
  const result = await api.auth.verifyCode.mutate({ email, code });
  return { session: result.sessionToken, userId: result.user.id };
}

export async function enroll(
  server: TestServer,
  session: string,
  orgId: string,
  name = `Till ${randomUUID().slice(0, 8)}`,
): Promise<EnrolledDevice> {
  return apiClient(server, { session }).devices.enroll.mutate({ orgId, name });
}

export const versions = { protocolVersion: PROTOCOL_VERSION, schemaVersion: 1 } as const;

export function command(seq: number, name: CommandName, args: unknown): CommandEnvelope {
  return { seq, name, args, clientTime: new Date().toISOString() };
}

export function rename(seq: number, eventId: string, name: string): CommandEnvelope {
  return command(seq, 'updateEvent', { eventId, patch: { name } });
}

export function eventDraft(name = 'Test night') {
  return {
    name,
    venue: 'Pier 9',
    startsAt: '2026-12-05T19:00:00Z',
    endsAt: '2026-12-05T23:00:00Z',
    status: 'draft' as const,
  };
}

/**
 * A second demo organization that can live next to the first in one database: its own slug, name and
 * user addresses (users.email is unique across the platform).
 */
export function asSecondOrg(demo: DemoOrg, label: string): DemoOrg {
  return {
    ...demo,
    org: { ...demo.org, name: `${label} Festival`, slug: label.toLowerCase() },
    users: demo.users.map((user) => ({
      ...user,
      email: user.email.replace('@', `+${label.toLowerCase()}@`),
    })),
  };
}

export function ownerOf(demo: DemoOrg): string {
  return demo.users.find((user) => user.role === 'owner')!.email;
}

export function memberWithRole(demo: DemoOrg, role: DemoOrg['users'][number]['role']): string {
  return demo.users.find((user) => user.role === role)!.email;
}

/** Polls until `check` holds, failing after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type PullPage = Awaited<ReturnType<ApiClient['sync']['pull']['query']>>;

/** Pages through the change feed from `cursor` until `hasMore` is false. */
export async function pullAll(
  api: ApiClient,
  options: { cursor?: string | null; limit?: number; knownSeq?: number } = {},
): Promise<{ pages: PullPage[]; cursor: string }> {
  const pages: PullPage[] = [];
  let cursor = options.cursor ?? null;
  for (let i = 0; i < 1000; i += 1) {
    const page = await api.sync.pull.query({
      ...versions,
      cursor,
      limit: options.limit ?? 1000,
      knownSeq: options.knownSeq ?? 0,
    });
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) return { pages, cursor };
  }
  throw new Error('the change feed never ended');
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: ServerError };

/** Runs a call that may fail, so a test can assert on several outcomes before failing. */
export async function attempt<T>(call: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error: await serverError(Promise.reject(error)) };
  }
}
