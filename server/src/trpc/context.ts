import type { TicketKeyStore } from '../tickets/signing-keys.ts';
import type { PaymentServices } from '../payments/payment-services.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { CodeHasher, SignInRequests } from '../auth/sign-in-codes.ts';
import type { Pool } from '../db/pools.ts';
import type { DevMailbox } from '../mail/mailer.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import type { PullPageSources } from '../sync/pull.ts';

export interface ServerDeps {
  pool: Pool;
  /** Sign-in codes are made and mailed by a job; a request only queues it. */
  signIn: SignInRequests & CodeHasher;
  /** Present only when mail goes to the development mailbox (development, no mail provider). */
  devMailbox: DevMailbox | null;
  now: () => Date;
  changes: ChangeNotifier;
  /** The organizations' ticket signing keys: only the server signs tickets. */
  tickets: TicketKeyStore;
  /** Card payments through Stripe (unavailable, with the reason, without Stripe keys). */
  payments: PaymentServices;
}

export interface Context {
  deps: ServerDeps;
  pages: PullPageSources;
  /** Aborted when the server starts shutting down: long-lived responses end. */
  closing: AbortSignal;
  sessionToken: string | null;
  deviceToken: string | null;
  /** What the caller sent in x-janix-dev-mailbox; only the per-run secret opens the dev mailbox. */
  devMailboxSecret: string | null;
  /** The request's logger (redacts secrets; log no personal data through it). */
  log: Pick<FastifyBaseLogger, 'warn'>;
  /** Per-client-address limiter for sign-in; true when this request may proceed. */
  allowSignInAttempt: () => Promise<boolean>;
}

/** The one value of a header, or null when absent or repeated (a repeated credential is not trusted). */
export function singleHeader(header: string | string[] | undefined): string | null {
  return typeof header === 'string' ? header : null;
}

export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S{1,200})$/);
  return match?.[1] ?? null;
}
