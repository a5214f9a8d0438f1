import { z } from 'zod';
import { deviceProfileSchema, orgRoleSchema, replicatedTableNameSchema } from '@janix/schemas';

/**
 * The pull position, opaque to consoles. `o` and `r` are the organization and the role it was issued for. `v` is the organization version the replica is complete up to
 * (commit-ordered, so nothing committed later can sort before it). While `snap` is present the replica is
 * still loading a snapshot of the listed tables, walking each by id; the feed then resumes after `v`.
 */
const cursorSchema = z.object({
  o: z.uuid(),
  /** The role whose scope the replica was filled with: a device whose role changed must refetch. */
  r: orgRoleSchema,
  /** The device profile it was filled for (absent: 'attendees'); a device whose profile changed must refetch. */
  p: deviceProfileSchema.optional(),
  v: z.number().int().nonnegative(),
  snap: z
    .object({
      tables: z.array(replicatedTableNameSchema).min(1),
      after: z.uuid().nullable(),
    })
    .optional(),
});
export type FeedCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Returns null for anything that is not a cursor this server issued (the caller answers "must refetch"). */
export function decodeCursor(encoded: string): FeedCursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
