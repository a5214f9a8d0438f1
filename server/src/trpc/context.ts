import type { Pool } from '../db/pools.ts';
import type { Mailer, DevMailboxMessage } from '../mail/mailer.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import type { PullPageSources } from '../sync/pull.ts';

export interface ServerDeps {
  pool: Pool;
  mailer: Mailer;
  /** Present only when mail goes to the development mailbox. */
  devMailbox: { list(to?: string): Promise<DevMailboxMessage[]> } | null;
  now: () => Date;
  changes: ChangeNotifier;
}

export interface Context {
  deps: ServerDeps;
  pages: PullPageSources;
  /** Aborted when the server starts shutting down: long-lived responses end. */
  closing: AbortSignal;
  sessionToken: string | null;
  deviceToken: string | null;
  /** Per-client-address limiter for sign-in; true when this request may proceed. */
  allowSignInAttempt: () => Promise<boolean>;
}

export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S{1,200})$/);
  return match?.[1] ?? null;
}
