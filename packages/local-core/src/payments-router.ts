import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { paymentStateOf, type OrgAction } from '@janix/domain';
import {
  cardRefundInputSchema,
  readerLocationSchema,
  registerReaderInputSchema,
  uuidSchema,
  type CardAvailability,
} from '@janix/schemas';
import { boxOfficeQueries, saleInputSchema } from './box-office-router.ts';
import { enrolledProcedure, localTrpc } from './enrolled-procedure.ts';
import type { LocalCoreInternals } from './local-core-internals.ts';
import { describeServerError } from './server-client.ts';

/**
 * Card payments from this console, through the server (it alone talks to Stripe): online only. The screen
 * makes the payment's id (and the refund's), so a double click or a retry after a lost answer is one charge.
 * The payment's progress (waiting for the card, declined, paid…) also reaches every console through the feed
 * (table payments); `get` asks the server directly. Offline, every call says what to do instead.
 */

export const CARD_NEEDS_NETWORK = 'Card payments need the network: take cash or use the external terminal.';

/** A server failure as a local error with the server's words, or "card needs the network" when unreachable. */
function fromServer(error: unknown): never {
  const info = describeServerError(error);
  if (!info.answered) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: CARD_NEEDS_NETWORK });
  throw new TRPCError({ code: (info.code ?? 'BAD_REQUEST') as TRPCError['code'], message: info.message });
}

async function viaServer<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return fromServer(error);
  }
}

function allowedTo(action: OrgAction, message: string) {
  return enrolledProcedure.use(({ ctx, next }) => {
    if (!ctx.allows(action)) throw new TRPCError({ code: 'FORBIDDEN', message });
    return next();
  });
}

const seller = allowedTo('sales.sell', 'Your role cannot take card payments.');
const refunder = allowedTo('sales.refund', 'Your role cannot refund.');
const manager = allowedTo('devices.manage', 'Only an owner or admin manages the card readers.');

/** The till's open shift, as the server must know it: changes still waiting to sync go up first. */
async function openShiftOnServer(core: LocalCoreInternals, deviceId: string): Promise<string | null> {
  const shift = boxOfficeQueries(core).openShift(deviceId);
  if (shift && core.replica().outbox.count() > 0) await core.sync().run();
  return shift?.id ?? null;
}

const startInputSchema = saleInputSchema.omit({ payment: true }).extend({
  /** Made once per charge by the screen. */
  paymentId: uuidSchema,
  /** On this till's reader, or a Checkout link shown as a QR (where there is no reader). */
  method: z.enum(['reader', 'checkout_link']),
});

export const paymentsRouter = localTrpc.router({
  /** Whether this till can take cards now and on which reader; offline or without Stripe, why not. */
  availability: seller.query(async ({ ctx }): Promise<CardAvailability> => {
    try {
      return await ctx.core.server.payments.availability.query();
    } catch (error) {
      const info = describeServerError(error);
      if (!info.answered) return { available: false, reason: CARD_NEEDS_NETWORK, reader: null };
      return fromServer(error);
    }
  }),

  /**
   * Charges a sale by card: the cart as the sale screen has it (prices from this console's list, this till's
   * open shift); the server holds the seats and asks Stripe. Answers with the payment's state.
   */
  start: seller.input(startInputSchema).mutation(async ({ ctx, input }) => {
    const queries = boxOfficeQueries(ctx.core);
    const types = new Map(queries.saleTicketTypes(input.eventId).map((type) => [type.id, type]));
    const lines = input.lines.map((line) => {
      const type = types.get(line.ticketTypeId);
      if (!type) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'A ticket type of this sale is not sold here.' });
      }
      return { ...line, unitPriceCents: type.priceCents, currency: type.currency };
    });
    const currency = lines[0]!.currency;
    const shiftId = await openShiftOnServer(ctx.core, ctx.device.deviceId).catch(() => fromServer(undefined));
    if (!shiftId) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: 'No shift is open on this device. Open a shift first.',
      });
    }
    return viaServer(() =>
      ctx.core.server.payments.start.mutate({
        paymentId: input.paymentId,
        orderId: input.orderId,
        method: input.method,
        cart: {
          eventId: input.eventId,
          shiftId,
          currency,
          lines: lines.map(({ ticketTypeId, quantity, unitPriceCents }) => ({
            ticketTypeId,
            quantity,
            unitPriceCents,
          })),
          // The server keeps one person per email address; a new buyer gets a new id.
          buyer: input.buyer ? { ...input.buyer, personId: randomUUID() } : null,
        },
      }),
    );
  }),

  /** Stops a payment (the buyer walked away); too late if the card was already taken. */
  cancel: seller
    .input(z.object({ paymentId: uuidSchema }))
    .mutation(({ ctx, input }) => viaServer(() => ctx.core.server.payments.cancel.mutate(input))),

  /** The payment as the server has it now (the feed brings the same, a moment later). */
  get: seller
    .input(z.object({ paymentId: uuidSchema }))
    .query(({ ctx, input }) => viaServer(() => ctx.core.server.payments.get.query(input))),

  /** The card payment of an order as this console's replica holds it (offline too); null if none. */
  forOrder: enrolledProcedure.input(z.object({ orderId: uuidSchema })).query(({ ctx, input }) => {
    const { db, overlay } = ctx.core.replica();
    const found = db
      .prepare('SELECT id FROM payments_current WHERE order_id = ? ORDER BY created_at DESC LIMIT 1')
      .get(input.orderId) as { id: string } | undefined;
    const row = found ? overlay.current('payments', found.id) : undefined;
    return row ? paymentStateOf(row) : null;
  }),

  /**
   * Gives a card payment's money back through Stripe (all that is left, or `amountCents`); the order is
   * refunded as a cash refund is (tickets revoked, seats back, audited). The refund id is the screen's.
   */
  refund: refunder.input(cardRefundInputSchema.omit({ shiftId: true })).mutation(async ({ ctx, input }) => {
    // The till's open shift, if any, is named in the audit; no cash moves.
    const shiftId = await openShiftOnServer(ctx.core, ctx.device.deviceId).catch(() => fromServer(undefined));
    return viaServer(() => ctx.core.server.payments.refund.mutate({ ...input, shiftId }));
  }),

  readers: localTrpc.router({
    /** The organization's readers as the replica holds them, with the till each is assigned to. */
    list: enrolledProcedure.query(({ ctx }) =>
      (
        ctx.core
          .replica()
          .db.prepare(`SELECT id FROM card_readers_current WHERE status = 'active' ORDER BY label, id`)
          .all() as Array<{ id: string }>
      ).map(({ id }) => {
        const reader = ctx.core.replica().overlay.current('card_readers', id)!;
        return {
          id: reader.id,
          label: reader.label,
          deviceId: reader.deviceId,
          deviceType: reader.deviceType,
          serialNumber: reader.serialNumber,
          thisConsole: reader.deviceId === ctx.device.deviceId,
        };
      }),
    ),
    /** Registers a reader by the code it shows; the organization's first one needs its address. */
    register: manager
      .input(
        registerReaderInputSchema.extend({
          /** Absent: this console. */
          deviceId: uuidSchema.nullable().optional(),
          location: readerLocationSchema.optional(),
        }),
      )
      .mutation(({ ctx, input }) =>
        viaServer(() =>
          ctx.core.server.payments.readers.register.mutate({
            ...input,
            deviceId: input.deviceId === undefined ? ctx.device.deviceId : input.deviceId,
          }),
        ),
      ),
    /** Assigns a reader to a till (null: to none); the till's previous reader is unassigned. */
    assign: manager
      .input(z.object({ readerId: uuidSchema, deviceId: uuidSchema.nullable() }))
      .mutation(({ ctx, input }) => viaServer(() => ctx.core.server.payments.readers.assign.mutate(input))),
    remove: manager
      .input(z.object({ readerId: uuidSchema }))
      .mutation(({ ctx, input }) => viaServer(() => ctx.core.server.payments.readers.remove.mutate(input))),
  }),
});
