import { TRPCError } from '@trpc/server';
import { pullInputSchema, pushInputSchema } from '@janix/schemas';
import { pullChanges, waitForFeed } from '../../sync/pull.ts';
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
        (version) => ctx.deps.changes.publish(ctx.device.orgId, version),
      );
    }),

  /** A page of the feed; with `waitMs`, a device at the head waits for the next commit first (long poll). */
  pull: deviceProcedure.input(pullInputSchema).query(async ({ ctx, input, signal }) => {
    assertSupportedVersions(input);
    await waitForFeed(ctx.deps.pool, ctx.deps.changes, ctx.device, input, signal);
    if (signal?.aborted)
      throw new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'The device stopped waiting.' });
    return pullChanges(ctx.deps.pool, ctx.pages, ctx.device, input);
  }),
});
