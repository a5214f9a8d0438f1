import type { Pool } from '../db/pools.ts';
import type { Mailer, DevMailboxMessage } from '../mail/mailer.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import type { SharedFeedPages } from '../sync/shared-feed-pages.ts';
import type { SnapshotReadAhead } from '../sync/snapshot-read-ahead.ts';

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
  /** Where pull pages come from besides a fresh read: shared by devices at one position, or read ahead. */
  pages: { shared: SharedFeedPages; readAhead: SnapshotReadAhead };
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
