import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { deviceProfileSchema, uuidSchema } from '@janix/schemas';
import { enrolledProcedure, localTrpc } from './enrolled-procedure.ts';
import { describeServerError } from './server-client.ts';

/**
 * The organization's devices, as an owner or admin manages them: their list, their profile (whether they hold
 * attendee data) and their revocation. Online only: this is the server's record of the devices, not a replica.
 */

const manager = enrolledProcedure.use(({ ctx, next }) => {
  if (!ctx.allows('devices.manage')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner or admin manages the devices.' });
  }
  return next();
});

/** A server failure as a local error with the server's message, or "needs the server" when unreachable. */
function fromServer(error: unknown): never {
  const info = describeServerError(error);
  if (!info.answered) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: `Managing devices needs the server. ${info.message} Check the network.`,
    });
  }
  throw new TRPCError({ code: (info.code ?? 'BAD_REQUEST') as TRPCError['code'], message: info.message });
}

const deviceInput = z.object({ deviceId: uuidSchema });

export const orgDevicesRouter = localTrpc.router({
  /** Every device of this console's organization, oldest enrolment first; `thisConsole` marks this one. */
  list: manager.query(async ({ ctx }) => {
    try {
      const devices = await ctx.core.server.devices.list.query({ orgId: ctx.device.orgId });
      return devices.map((device) => ({ ...device, thisConsole: device.id === ctx.device.deviceId }));
    } catch (error) {
      fromServer(error);
    }
  }),

  /**
   * Revokes a device: its pushes are refused from now on and it erases its replica (unsynced changes included)
   * the next time it reaches the server. Never this console: that would erase the data under its user.
   */
  revoke: manager.input(deviceInput).mutation(async ({ ctx, input }) => {
    if (input.deviceId === ctx.device.deviceId) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message:
          'This is the console you are using: revoking it would erase its data. Revoke it from another console.',
      });
    }
    try {
      return await ctx.core.server.devices.revoke.mutate({
        orgId: ctx.device.orgId,
        deviceId: input.deviceId,
      });
    } catch (error) {
      fromServer(error);
    }
  }),

  /**
   * Whether a device holds attendee data. The device fetches its replica again on its next sync, dropping
   * tickets, people and orders when it may no longer hold them.
   */
  setProfile: manager
    .input(deviceInput.extend({ profile: deviceProfileSchema }))
    .mutation(async ({ ctx, input }) => {
      try {
        const result = await ctx.core.server.devices.setProfile.mutate({ orgId: ctx.device.orgId, ...input });
        if (input.deviceId === ctx.device.deviceId) {
          // This console's own status names its profile: keep it in step.
          ctx.core.replica().meta.set('device', { ...ctx.device, profile: input.profile });
        }
        return result;
      } catch (error) {
        fromServer(error);
      }
    }),
});
