import { initTRPC, TRPCError } from '@trpc/server';
import { randomUUID } from 'node:crypto';
import { z, ZodError } from 'zod';
import {
  deviceNameSchema,
  deviceProfileSchema,
  emailSchema,
  eventDraftSchema,
  eventPatchSchema,
  requestCodeInputSchema,
  uuidSchema,
  verifyCodeInputSchema,
} from '@janix/schemas';
import { userRoleIn, type LocalCoreInternals } from './local-core-internals.ts';
import { describeServerError } from './server-client.ts';
import { eventSetupRouter, salesReportRouter } from './event-setup-router.ts';
import { boxOfficeRouter } from './box-office-router.ts';
import { printingRouter } from './printing-router.ts';
import { checkInRouter } from './checkin-router.ts';
import { orgDevicesRouter } from './org-devices-router.ts';
import { paymentsRouter } from './payments-router.ts';
import { orderEmailsRouter } from './order-emails-router.ts';

const t = initTRPC.context<{ core: LocalCoreInternals }>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      message:
        cause instanceof ZodError
          ? cause.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')
          : shape.message,
    };
  },
});

/** Re-throws a server failure as a local error with the server's message, or "offline" when unreachable. */
function fromServer(error: unknown): never {
  const info = describeServerError(error);
  if (!info.answered) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The Janix server cannot be reached. Check the network.',
    });
  }
  const code = (info.code ?? 'BAD_REQUEST') as TRPCError['code'];
  throw new TRPCError({ code, message: info.message });
}

/** A count for the UI: NaN or a missing number (JSON null) must never reach a screen as "null B". */
/** How long a `changes` long poll is held without a change (well inside any HTTP timeout on the way). */
export const CHANGE_WAIT_MS = 20_000;

const finiteOrZero = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

const enrolled = t.procedure.use(({ ctx, next }) => {
  const device = ctx.core.replica().meta.get('device');
  if (!device) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Enroll this console first.' });
  return next({ ctx: { ...ctx, device } });
});

/** The router the console's UI talks to, in Electron over a MessagePort and in the browser over HTTP. */
export const localRouter = t.router({
  status: t.procedure.query(({ ctx }) => {
    const { meta, outbox, notices } = ctx.core.replica();
    const session = meta.get('session');
    const device = meta.get('device');
    const sync = ctx.core.sync().state;
    const progress = sync.progress;
    const noticeCounts = notices.counts();
    return {
      serverUrl: ctx.core.serverUrl,
      online: sync.online,
      user: session?.user ?? null,
      device: device
        ? {
            id: device.deviceId,
            name: device.name,
            orgId: device.orgId,
            orgName: device.orgName,
            role: device.role,
            /** 'no_attendee_data': a door that verifies codes by their signature alone and shows no names. */
            profile: device.profile ?? 'attendees',
            /**
             * The signed-in user's role in this organization (null: not a member; undefined: not known yet).
             * Screens offer what both this and the device's role allow.
             */
            userRole: userRoleIn(session, device.orgId),
          }
        : null,
      sync: {
        syncing: sync.syncing,
        pending: outbox.count(),
        lastSyncedAt: ctx.core.lastSyncedAt(),
        lastError: sync.lastError,
        updateRequired: sync.updateRequired,
        signInRequired: sync.signInRequired,
        unknownDevice: ctx.core.unknownDevice(),
        rejectionCount: outbox.rejections().length,
        /** Rejections the user has not dismissed yet: the header does not say "All changes synced" over them. */
        unseenRejections: noticeCounts.rejected,
        overwrittenNotices: noticeCounts.overwritten,
        progress: progress
          ? {
              phase: progress.phase,
              rowsReceived: finiteOrZero(progress.rowsReceived),
              bytesReceived: finiteOrZero(progress.bytesReceived),
              rowsRemaining: finiteOrZero(progress.rowsRemaining),
              etaMs: progress.etaMs !== null && Number.isFinite(progress.etaMs) ? progress.etaMs : null,
            }
          : null,
        checksumMismatches: sync.checksumMismatches,
      },
      notice: meta.get('notice'),
      revision: ctx.core.revision(),
      /** Per replicated table (and `notices`), a number that changes when its rows may have changed. */
      tables: ctx.core.tableRevisions(),
    };
  }),
  /**
   * A long poll: answers with the core's revision as soon as it differs from `after` (a sync landed rows, a
   * command was queued, a notice came), or after about 20 s unchanged. The shell re-reads its status then,
   * so screens follow a change within milliseconds rather than at the next status poll.
   */
  changes: t.procedure
    .input(z.object({ after: z.number().int().nonnegative() }))
    .query(({ ctx, input }) => ctx.core.waitForChange(input.after, CHANGE_WAIT_MS)),

  auth: t.router({
    requestCode: t.procedure.input(requestCodeInputSchema).mutation(async ({ ctx, input }) => {
      try {
        return await ctx.core.server.auth.requestCode.mutate(input);
      } catch (error) {
        fromServer(error);
      }
    }),
    verifyCode: t.procedure.input(verifyCodeInputSchema).mutation(async ({ ctx, input }) => {
      try {
        const result = await ctx.core.server.auth.verifyCode.mutate(input);
        const { meta } = ctx.core.replica();
        meta.set('session', { token: result.sessionToken, user: result.user });
        // Screens follow the user's role, offline too: learn it now, while the server is reachable.
        const memberships = await ctx.core.server.auth.me
          .query()
          .then((me) => me.memberships)
          .catch(() => undefined);
        if (memberships) meta.set('session', { token: result.sessionToken, user: result.user, memberships });
        return { user: result.user };
      } catch (error) {
        fromServer(error);
      }
    }),
    memberships: t.procedure.query(async ({ ctx }) => {
      const { meta } = ctx.core.replica();
      if (!meta.get('session')) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
      try {
        const { memberships } = await ctx.core.server.auth.me.query();
        const session = meta.get('session');
        if (session) meta.set('session', { ...session, memberships });
        return memberships;
      } catch (error) {
        fromServer(error);
      }
    }),
    signOut: t.procedure.mutation(async ({ ctx }) => {
      await ctx.core.server.auth.signOut.mutate().catch(() => {
        // Offline sign-out still forgets the session locally; the server expires it on its own.
      });
      ctx.core.replica().meta.delete('session');
      return { signedOut: true as const };
    }),
  }),

  device: t.router({
    enroll: t.procedure
      // A door that should hold no attendee data (profile 'no_attendee_data') says so when it enrolls.
      .input(z.object({ orgId: uuidSchema, name: deviceNameSchema, profile: deviceProfileSchema.optional() }))
      .mutation(async ({ ctx, input }) => {
        const { meta } = ctx.core.replica();
        if (meta.get('device'))
          throw new TRPCError({ code: 'CONFLICT', message: 'This console is already enrolled.' });
        if (!meta.get('session')) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
        try {
          const device = await ctx.core.server.devices.enroll.mutate(input);
          meta.set('device', device);
          meta.delete('notice');
          ctx.core.enrolled();
          return { deviceId: device.deviceId, orgName: device.orgName, name: device.name };
        } catch (error) {
          fromServer(error);
        }
      }),
    dismissNotice: t.procedure.mutation(({ ctx }) => {
      ctx.core.replica().meta.delete('notice');
      return { dismissed: true as const };
    }),
    /**
     * Erases this console's replica so it can be enrolled again (e.g. after the server stopped knowing it).
     * Unsynced changes go with it, so the caller must say how many it expects to lose: a change queued since
     * the user confirmed is never erased by surprise.
     */
    forget: t.procedure
      .input(z.object({ expectedLostChanges: z.number().int().nonnegative() }))
      .mutation(async ({ ctx, input }) => {
        if (!ctx.core.replica().meta.get('device'))
          throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'This console is not enrolled.' });
        const pending = ctx.core.replica().outbox.count();
        if (pending !== input.expectedLostChanges) {
          throw new TRPCError({
            code: 'CONFLICT',
            message: `${pending} changes are waiting to sync now, not ${input.expectedLostChanges}: confirm again.`,
          });
        }
        return ctx.core.forgetDevice();
      }),
  }),

  notices: t.router({
    /** Per-record notices: refused changes and edits another console overwrote, newest first. */
    list: enrolled.query(({ ctx }) => ctx.core.replica().notices.list()),
    dismiss: enrolled.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => {
      const dismissed = ctx.core.replica().notices.dismiss(input.id);
      if (dismissed) ctx.core.noticesChanged();
      return { dismissed };
    }),
  }),

  events: t.router({
    list: enrolled.query(({ ctx }) => ctx.core.replica().events.list()),
    get: enrolled.input(z.object({ id: uuidSchema })).query(({ ctx, input }) => {
      const { events } = ctx.core.replica();
      const event = events.get(input.id);
      if (!event) throw new TRPCError({ code: 'NOT_FOUND', message: 'Event not found.' });
      return { ...event, ticketTypes: events.ticketTypes(input.id) };
    }),
    create: enrolled.input(z.object({ draft: eventDraftSchema })).mutation(({ ctx, input }) => {
      const eventId = randomUUID();
      ctx.core.submit(ctx.device, 'createEvent', { eventId, draft: input.draft });
      return { id: eventId };
    }),
    update: enrolled
      .input(z.object({ id: uuidSchema, patch: eventPatchSchema }))
      .mutation(({ ctx, input }) => {
        ctx.core.submit(ctx.device, 'updateEvent', { eventId: input.id, patch: input.patch });
        return { id: input.id };
      }),
  }),

  setup: eventSetupRouter,
  salesReport: salesReportRouter,
  boxOffice: boxOfficeRouter,
  printing: printingRouter,
  checkin: checkInRouter,
  /** The organization's devices (online only); `device` is this console's own enrolment. */
  orgDevices: orgDevicesRouter,
  /** Card payments (online only, through the server and Stripe) and the organization's card readers. */
  payments: paymentsRouter,
  /** An order's emails and their delivery, and asking for one again. */
  orderEmails: orderEmailsRouter,

  sync: t.router({
    now: t.procedure.mutation(async ({ ctx }) => {
      await ctx.core.sync().run();
      return { online: ctx.core.sync().state.online };
    }),
    rejections: enrolled.query(({ ctx }) => ctx.core.replica().outbox.rejections()),
  }),

  devMailbox: t.router({
    list: t.procedure.input(z.object({ to: emailSchema.optional() })).query(async ({ ctx, input }) => {
      try {
        return await ctx.core.server.devMailbox.list.query(input);
      } catch (error) {
        fromServer(error);
      }
    }),
  }),
});

export type LocalRouter = typeof localRouter;
