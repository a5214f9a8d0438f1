import { z } from 'zod';
import { commandEnvelopeSchema } from './commands.ts';
import { eventRowSchema, ticketTypeRowSchema } from './events.ts';

/** Bumped when the wire format changes incompatibly; the server refuses versions it does not speak. */
export const PROTOCOL_VERSION = 1;

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

/** Opaque to clients: the org's commit-ordered version they have seen, as a decimal string. */
export const cursorSchema = z.string().regex(/^\d{1,19}$/, 'malformed cursor');

export const pullInputSchema = versionHeaderSchema.extend({
  cursor: cursorSchema.nullable(),
  limit: z.number().int().min(1).max(5000).default(1000),
  /** The highest command sequence whose outcome this device already holds; later rejections come back. */
  knownSeq: z.number().int().nonnegative().default(0),
});
export type PullInput = z.infer<typeof pullInputSchema>;

export const changeSchema = z.discriminatedUnion('table', [
  z.object({ table: z.literal('events'), row: eventRowSchema }),
  z.object({ table: z.literal('ticket_types'), row: ticketTypeRowSchema }),
]);
export type Change = z.infer<typeof changeSchema>;

export const pullResultSchema = z.object({
  changes: z.array(changeSchema),
  cursor: cursorSchema,
  hasMore: z.boolean(),
  lastAppliedSeq: z.number().int().nonnegative(),
  rejections: z.array(
    z.object({
      seq: z.number().int(),
      name: z.string(),
      code: z.string(),
      message: z.string(),
      rejectedAt: z.string(),
    }),
  ),
});
export type PullResult = z.infer<typeof pullResultSchema>;
