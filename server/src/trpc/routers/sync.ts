import { pullInputSchema, pushInputSchema, waitForChangeInputSchema } from '@janix/schemas';
import { pullChanges } from '../../sync/pull.ts';
import { inTransaction } from '../../db/org-transaction.ts';
import { pushCommands } from '../../sync/push.ts';
import { assertSupportedVersions } from '../../sync/versions.ts';
import { router } from '../init.ts';
import { deviceProcedure, roleIn } from '../procedures.ts';
import { sessionProcedure } from '../procedures.ts';
import { ReasonedError } from '../init.ts';

/** Commands up from an enrolled device on behalf of its signed-in member; a commit-ordered change feed down. */
export const syncRouter = router({
  push: sessionProcedure
    .unstable_concat(deviceProcedure)
    .input(pushInputSchema)
    .mutation(async ({ ctx, input }) => {
      assertSupportedVersions(input);
      const role = await roleIn(ctx.deps.pool, ctx.user.id, ctx.device.orgId);
      if (!role) {
        throw new ReasonedError({
          code: 'FORBIDDEN',
          reason: 'session_invalid',
          message: 'The signed-in user is no longer a member of this organization.',
        });
      }
      return pushCommands(
        ctx.deps.pool,
        { deviceId: ctx.device.id, orgId: ctx.device.orgId, userId: ctx.user.id, role },
        input.commands,
        ctx.deps.now,
      );
    }),

  pull: deviceProcedure.input(pullInputSchema).query(async ({ ctx, input }) => {
    assertSupportedVersions(input);
    return pullChanges(ctx.deps.pool, ctx.device, input);
  }),

  /** Long poll: answers as soon as the organization commits past `after`, or at the timeout. */
  waitForChange: deviceProcedure.input(waitForChangeInputSchema).query(async ({ ctx, input, signal }) => {
    const current = await inTransaction(ctx.deps.pool, { orgId: ctx.device.orgId }, (client) =>
      client.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [
        ctx.device.orgId,
      ]),
    );
    const now = current.rows[0]?.version ?? 0;
    if (now > input.after) return { version: now };
    const version = await ctx.deps.changes.waitForChange(
      ctx.device.orgId,
      input.after,
      input.timeoutMs,
      signal,
    );
    return { version: version ?? now };
  }),
});
