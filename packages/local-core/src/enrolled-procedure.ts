import { initTRPC, TRPCError } from '@trpc/server';
import { consoleAllows, type OrgAction } from '@janix/domain';
import { userRoleIn, type LocalCoreInternals } from './local-core-internals.ts';

/**
 * The builder of routers mounted inside the local router. Once mounted, their procedures run under the local
 * router's configuration (its error formatter included), so they only need the same context.
 */
export const localTrpc = initTRPC.context<{ core: LocalCoreInternals }>().create();

/** A procedure of an enrolled console: its device, and what the device's and the user's roles allow. */
export const enrolledProcedure = localTrpc.procedure.use(({ ctx, next }) => {
  const { meta } = ctx.core.replica();
  const device = meta.get('device');
  if (!device) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Enroll this console first.' });
  const userRole = userRoleIn(meta.get('session'), device.orgId);
  const allows = (action: OrgAction) => consoleAllows({ role: device.role, userRole }, action);
  return next({ ctx: { ...ctx, device, allows } });
});
