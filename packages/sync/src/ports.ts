import type {
  CommandEnvelope,
  LiveInput,
  LiveItem,
  PullInput,
  PullResult,
  PushInput,
  PushResult,
  ReplicatedTableName,
  TableChecksum,
} from '@janix/schemas';

/**
 * What the engine needs from the replica. Every write is one atomic transaction on the device, so a
 * crash between two calls leaves a state the next cycle continues from.
 */
export interface SyncStorage {
  cursor(): string | null;
  /** The device's command high-water mark as last seen from the server. */
  knownSeq(): number;
  pendingCommands(limit: number): CommandEnvelope[];
  /** Tables whose local rows were discarded after a checksum mismatch and await a snapshot. */
  pendingResync(): ReplicatedTableName[];
  /** Rows, tombstones, rejections, acknowledgements and the new cursor, together. */
  applyPage(page: PullResult, resyncRequested: boolean): void;
  /**
   * Records a push outcome: rejections into the history, and the queue trimmed to the server's high-water
   * mark. Pending overlays stay until the next pull brings the server's rows (no flicker).
   */
  recordPushResult(lastAppliedSeq: number, rejections: PullResult['rejections']): void;
  recordPushFailure(seqs: number[], message: string): void;
  /** Count and version sum per table over the rows received from the server (not pending overlays). */
  checksums(tables: ReplicatedTableName[]): TableChecksum[];
  beginResync(tables: ReplicatedTableName[]): void;
  /** Forget every server row and the cursor (the server cannot continue from it); keep the outbox. */
  resetReplica(): void;
  /** Lay still-pending commands over the server rows again; false when there was nothing to lay or clear. */
  replayPending(): boolean;
}

export type SyncFailureKind =
  | 'offline'
  | 'device_revoked'
  | 'unknown_device'
  | 'update_required'
  | 'must_refetch'
  | 'session_invalid'
  | 'sequence_gap'
  | 'server';

/** A transport failure, classified; the engine decides what to do from `kind` alone. */
export class SyncTransportError extends Error {
  readonly kind: SyncFailureKind;
  constructor(kind: SyncFailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface SyncTransport {
  push(input: PushInput): Promise<PushResult>;
  pull(input: PullInput): Promise<{ result: PullResult; bytes: number }>;
  /**
   * Pages as the organization commits them (and heartbeats between them, when asked for), streamed until the
   * server ends the stream or `signal` aborts.
   */
  live(input: LiveInput, signal: AbortSignal): AsyncIterable<LiveItem>;
}
