import { z } from 'zod';
import { commandEnvelopeSchema } from './commands.ts';

/** Bumped when the wire format changes incompatibly; the server refuses versions it does not speak. */
// 2: live changes stream down `sync.live` (JSON lines) instead of the `waitForChange` poke.
export const PROTOCOL_VERSION = 2;

export const versionHeaderSchema = z.object({
  protocolVersion: z.number().int().positive(),
  schemaVersion: z.number().int().positive(),
});

export const MAX_PUSH_BATCH = 100;

export const pushInputSchema = versionHeaderSchema.extend({
  commands: z.array(commandEnvelopeSchema).min(1).max(MAX_PUSH_BATCH),
});
export type PushInput = z.infer<typeof pushInputSchema>;

export const pushResultSchema = z.object({
  lastAppliedSeq: z.number().int().nonnegative(),
  results: z.array(
    z.discriminatedUnion('status', [
      z.object({ seq: z.number().int(), status: z.literal('applied') }),
      z.object({ seq: z.number().int(), status: z.literal('duplicate') }),
      z.object({
        seq: z.number().int(),
        status: z.literal('rejected'),
        code: z.string(),
        message: z.string(),
      }),
    ]),
  ),
});
export type PushResult = z.infer<typeof pushResultSchema>;

export const replicatedTableNameSchema = z.enum([
  'events',
  'quotas',
  'ticket_types',
  'people',
  'shifts',
  'orders',
  'tickets',
  'allocations',
  'cash_movements',
  'order_audit',
  'ticket_signing_keys',
  'checkin_lists',
  'check_ins',
  'entry_alerts',
  'ticket_revocations',
  'card_readers',
  'payments',
  'order_emails',
]);
export type ReplicatedTableName = z.infer<typeof replicatedTableNameSchema>;

export const pullInputSchema = versionHeaderSchema.extend({
  /** Opaque position issued by the server; null starts an initial sync. */
  cursor: z.string().min(1).max(4096).nullable(),
  limit: z.number().int().min(1).max(10_000).default(2000),
  /** The highest command sequence whose outcome this device already holds; later rejections come back. */
  knownSeq: z.number().int().nonnegative().default(0),
  /** Ask for per-table checksums when the page reaches the head of the feed. */
  checksums: z.boolean().default(false),
  /** Reload these tables from a snapshot (after a checksum mismatch) while keeping the feed position. */
  resync: z.array(replicatedTableNameSchema).max(replicatedTableNameSchema.options.length).optional(),
});
export type PullInput = z.input<typeof pullInputSchema>;

/**
 * The live feed: a device at the head of the feed holds one streaming request, and the server writes each
 * new page to it as its organization commits, for up to `forMs`; then the device opens another.
 */
export const liveInputSchema = versionHeaderSchema.extend({
  ...pullInputSchema.pick({ limit: true, knownSeq: true }).shape,
  cursor: z.string().min(1).max(4096),
  forMs: z.number().int().min(0).max(120_000).default(55_000),
  /**
   * Write a heartbeat after this long without a page, so the console can tell a quiet stream from a dead
   * connection. Optional: a console that does not ask gets none (the wire stays as protocol 2 had it).
   */
  heartbeatMs: z.number().int().min(1000).max(60_000).optional(),
});
export type LiveInput = z.input<typeof liveInputSchema>;

/** Rows of one table in column order; the column list is the device role's (other columns stay empty). */
export const tableBatchSchema = z.object({
  table: replicatedTableNameSchema,
  columns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
});
export type TableBatch = z.infer<typeof tableBatchSchema>;

export const tableChecksumSchema = z.object({
  table: replicatedTableNameSchema,
  count: z.number().int().nonnegative(),
  versionSum: z.number().int().nonnegative(),
});
export type TableChecksum = z.infer<typeof tableChecksumSchema>;

export const rejectionRecordSchema = z.object({
  seq: z.number().int(),
  name: z.string(),
  code: z.string(),
  message: z.string(),
  rejectedAt: z.string(),
});

export const pullResultSchema = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  /** The organization's newest version when this page was read. */
  headVersion: z.number().int().nonnegative(),
  lastAppliedSeq: z.number().int().nonnegative(),
  rejections: z.array(rejectionRecordSchema),
  batches: z.array(tableBatchSchema),
  tombstones: z.array(z.object({ table: replicatedTableNameSchema, ids: z.array(z.string()) })),
  /** Present when asked for and the page reached the head of the feed. */
  checksums: z.array(tableChecksumSchema).nullable(),
  /** Rows still to come; null when unchanged from the last estimate minus what arrived since. */
  progress: z.object({
    phase: z.enum(['snapshot', 'feed']),
    remainingRows: z.number().int().nonnegative().nullable(),
  }),
});
export type PullResult = z.infer<typeof pullResultSchema>;

/** Written on a quiet live stream every `heartbeatMs`: nothing changed, and the connection is alive. */
export const liveHeartbeatSchema = z.object({ heartbeat: z.literal(true) });
export type LiveHeartbeat = z.infer<typeof liveHeartbeatSchema>;

/** What a live stream carries: pages as the organization commits, heartbeats in between. */
export const liveItemSchema = z.union([liveHeartbeatSchema, pullResultSchema]);
export type LiveItem = z.infer<typeof liveItemSchema>;

export function isLiveHeartbeat(item: LiveItem): item is LiveHeartbeat {
  return 'heartbeat' in item;
}
