import { liveInputSchema, pullInputSchema, pushInputSchema } from '@janix/schemas';
import { liveFeed } from '../../sync/live-feed.ts';
import { pullChanges } from '../../sync/pull.ts';
import { pushCommands } from '../../sync/push.ts';
import { assertSupportedVersions } from '../../sync/versions.ts';
import { router } from '../init.ts';
import { deviceProcedure, sessionProcedure } from '../procedures.ts';

/** Commands up from an enrolled device on behalf of its signed-in member; a commit-ordered change feed down. */
export const syncRouter = router({
  push: sessionProcedure
    .unstable_concat(deviceProcedure)
    .input(pushInputSchema)
    .mutation(async ({ ctx, input }) => {
      assertSupportedVersions(input);
      return pushCommands(
        ctx.deps.pool,
        { deviceId: ctx.device.id, orgId: ctx.device.orgId, userId: ctx.user.id },
        input.commands,
        ctx.deps.now,
        (version) => ctx.deps.changes.publish(ctx.device.orgId, version),
        // Which command and attempt, and the SQLSTATE: never its arguments or the error text.
        (failure) => ctx.log.warn({ commandFailure: failure }, 'a command failed on the server'),
        async (client, orgId) => {
          const issuer = await ctx.deps.tickets.createTicketIssuer(client, orgId);
          return (slot) => issuer.issue(slot);
        },
      );
    }),

  /** One page of the feed (snapshot first for a new replica), read in one snapshot of the database. */
  pull: deviceProcedure.input(pullInputSchema).query(async ({ ctx, input }) => {
    assertSupportedVersions(input);
    return pullChanges(ctx.deps.pool, ctx.pages, ctx.device, input);
  }),

  /** Live pages for a device at the head of the feed, streamed (JSON lines) as its organization commits. */
  live: deviceProcedure.input(liveInputSchema).query(async function* ({ ctx, input, signal }) {
    assertSupportedVersions(input);
    const ended = signal ? AbortSignal.any([signal, ctx.closing]) : ctx.closing;
    yield* liveFeed(ctx.deps, ctx.pages, ctx.deviceToken, ctx.device, input, ended);
  }),
});
