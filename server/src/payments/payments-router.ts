import { TRPCError } from '@trpc/server';
import { actorAllows, type OrgAction } from '@janix/domain';
import {
  assignReaderInputSchema,
  cardRefundInputSchema,
  paymentIdInputSchema,
  registerReaderInputSchema,
  startCardPaymentInputSchema,
} from '@janix/schemas';
import { z } from 'zod';
import { uuidSchema } from '@janix/schemas';
import { router } from '../trpc/init.ts';
import { deviceProcedure, roleIn, sessionProcedure } from '../trpc/procedures.ts';
import { PaymentRefused, type PaymentActor } from './card-payments.ts';

/**
 * Card payments as a console asks for them, online only: its signed-in member on its enrolled device, both of
 * whose roles must allow the action (as for a pushed command). A refusal carries its code in `cause` and
 * its words in the message; nothing of a card ever goes in or out.
 */

/** What a refusal's code means in tRPC's terms. */
function errorOf(refused: PaymentRefused): TRPCError {
  const code: TRPCError['code'] =
    refused.code === 'not_found'
      ? 'NOT_FOUND'
      : refused.code === 'card_unavailable' || refused.code === 'stripe_unavailable'
        ? 'PRECONDITION_FAILED'
        : refused.code === 'sold_out' || refused.code === 'already_exists'
          ? 'CONFLICT'
          : 'BAD_REQUEST';
  return new TRPCError({ code, message: refused.message, cause: refused });
}

async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PaymentRefused) throw errorOf(error);
    throw error;
  }
}

const member = sessionProcedure.unstable_concat(deviceProcedure);

/** The member on this device, if both their roles allow `action`; "not found" otherwise (no leaks). */
function acting(action: OrgAction) {
  return member.use(async ({ ctx, next }) => {
    const userRole = await roleIn(ctx.deps.pool, ctx.user.id, ctx.device.orgId);
    if (!userRole || !actorAllows({ userRole, deviceRole: ctx.device.role }, action)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not allow this.' });
    }
    const actor: PaymentActor = {
      orgId: ctx.device.orgId,
      userId: ctx.user.id,
      userName: ctx.user.displayName,
      deviceId: ctx.device.id,
      deviceName: ctx.device.name,
    };
    return next({ ctx: { ...ctx, actor } });
  });
}

const seller = acting('sales.sell');
const refunder = acting('sales.refund');
const manager = acting('devices.manage');

export const paymentsRouter = router({
  /** Whether this till can take cards now (and on which reader), or why not. */
  availability: seller.query(({ ctx }) => answer(ctx.deps.payments.cards.availability(ctx.actor))),

  /** Starts a card payment on this till's reader, or as a Checkout link for the buyer's phone. */
  start: seller
    .input(startCardPaymentInputSchema)
    .mutation(({ ctx, input }) => answer(ctx.deps.payments.cards.start(ctx.actor, input))),

  cancel: seller
    .input(paymentIdInputSchema)
    .mutation(({ ctx, input }) => answer(ctx.deps.payments.cards.cancel(ctx.actor, input.paymentId))),

  get: seller
    .input(paymentIdInputSchema)
    .query(({ ctx, input }) => answer(ctx.deps.payments.cards.get(ctx.actor, input.paymentId))),

  /** Gives a card payment's money back through Stripe; the order is refunded as a cash refund is. */
  refund: refunder
    .input(cardRefundInputSchema)
    .mutation(({ ctx, input }) => answer(ctx.deps.payments.cards.refund(ctx.actor, input))),

  readers: router({
    register: manager
      .input(registerReaderInputSchema)
      .mutation(({ ctx, input }) =>
        answer(ctx.deps.payments.readers.register(ctx.actor.orgId, ctx.actor.deviceName, input)),
      ),
    assign: manager
      .input(assignReaderInputSchema)
      .mutation(({ ctx, input }) =>
        answer(
          ctx.deps.payments.readers.assign(
            ctx.actor.orgId,
            ctx.actor.deviceName,
            input.readerId,
            input.deviceId,
          ),
        ),
      ),
    remove: manager
      .input(z.object({ readerId: uuidSchema }))
      .mutation(({ ctx, input }) =>
        answer(ctx.deps.payments.readers.remove(ctx.actor.orgId, ctx.actor.deviceName, input.readerId)),
      ),
  }),
});
