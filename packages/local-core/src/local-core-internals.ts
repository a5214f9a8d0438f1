import type { CommandName, EnrolledDevice, OrgRole } from '@janix/schemas';
import type { BoxOffice } from './box-office/box-office.ts';
import type { AllocationSecrets } from './replica/allocation-secrets.ts';
import type { EventsRepository } from './replica/events-repository.ts';
import type { MetaStore } from './replica/meta-store.ts';
import type { ReplicaDb } from './replica/open-replica.ts';
import type { PendingOverlay } from './replica/pending-overlay.ts';
import type { RecordNotices } from './replica/record-notices.ts';
import type { ServerClient } from './server-client.ts';
import type { Outbox } from './sync/outbox.ts';
import type { SyncEngine } from '@janix/sync';

export interface Replica {
  db: ReplicaDb;
  meta: MetaStore;
  events: EventsRepository;
  overlay: PendingOverlay;
  allocationSecrets: AllocationSecrets;
  outbox: Outbox;
  notices: RecordNotices;
}

/** Why a console's replica was erased: the server revoked the device, or its user chose to start over. */
export type DeviceLossReason = 'device_revoked' | 'device_forgotten';

/**
 * The signed-in user's role in an organization: undefined while the console has not learned their
 * memberships (a session from an older console), null when they are not a member.
 */
export function userRoleIn(
  session: { memberships?: Array<{ orgId: string; role: OrgRole }> | undefined } | null,
  orgId: string,
): OrgRole | null | undefined {
  if (!session?.memberships) return undefined;
  return session.memberships.find((membership) => membership.orgId === orgId)?.role ?? null;
}

/** What the local router needs from the running core; the replica may be replaced when a device is wiped. */
export interface LocalCoreInternals {
  serverUrl: string;
  server: ServerClient;
  replica(): Replica;
  sync(): SyncEngine;
  /** Changes whenever replicated or pending data, or the notices about them, may have changed. */
  revision(): number;
  /**
   * Resolves with the revision once it differs from `after` (at once if it already does), or after
   * `timeoutMs` with it unchanged: a screen waits here instead of polling, and follows a sync at once.
   */
  waitForChange(after: number, timeoutMs: number): Promise<number>;
  /**
   * Per table, a number that changes whenever that table's rows (server or pending) may have changed, so a
   * screen re-reads only what it shows. `notices` stands for the console's own notices.
   */
  tableRevisions(): Record<string, number>;
  /** Selling from this device's allocations, and keeping their signed codes. */
  boxOffice: BoxOffice;
  /** A notice was dismissed: screens that show it should re-read. */
  noticesChanged(): void;
  /** The server said it does not know this device (restored, or another database); nothing was erased. */
  unknownDevice(): boolean;
  /** The last successful sync, from this run or (after a restart) from the replica. */
  lastSyncedAt(): string | null;
  /** The console was just enrolled: start syncing. */
  enrolled(): void;
  /** Erases the replica at the user's request (e.g. to enroll again); says how many unsynced changes went. */
  forgetDevice(): Promise<{ lostChanges: number }>;
  /** Accepts a command locally (effect + outbox in one transaction) or throws the rule's rejection. */
  submit(device: EnrolledDevice, name: CommandName, args: unknown): { seq: number };
  /** Some tables changed outside a sync or a command (secrets fetched): screens reading them re-read. */
  tablesChanged(tables: readonly string[]): void;
}
