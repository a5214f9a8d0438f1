import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { orderCodeOf, shiftReport, type OrgAction } from '@janix/domain';
import {
  buyerSchema,
  centsSchema,
  int4Schema,
  MAX_ALLOCATION_SEATS,
  MAX_TICKETS_PER_SALE,
  paymentSchema,
  storableTextSchema,
  uuidSchema,
} from '@janix/schemas';
import { SaleRefused } from './box-office/box-office.ts';
import { enrolledProcedure, localTrpc } from './enrolled-procedure.ts';
import type { LocalCoreInternals } from './local-core-internals.ts';
import { receiptLines, shiftCurrency } from './printing-documents.ts';
import { createBoxOfficeQueries, type BoxOfficeQueries } from './replica/box-office-queries.ts';
import { DEFAULT_SALE_PREFERENCES, salePreferencesSchema } from './sale-preferences.ts';

/**
 * The box office of this console: selling, shifts (X and Z reports), orders and refunds. Writes go through
 * the domain rules (`ctx.core.submit`, or the box office for sales); every write takes its id from the
 * screen, so sending the same request twice (a double click, a retry after a lost answer) records it once.
 */

const queriesByReplica = new WeakMap<object, BoxOfficeQueries>();
/** The queries of the current replica (a wiped device gets a new one). */
export function boxOfficeQueries(core: LocalCoreInternals): BoxOfficeQueries {
  const replica = core.replica();
  let queries = queriesByReplica.get(replica);
  if (!queries) {
    queries = createBoxOfficeQueries(
      () => replica.db,
      () => replica.overlay,
    );
    queriesByReplica.set(replica, queries);
  }
  return queries;
}

/** A refusal of the box office (no seats, no shift) as an error with its message for the cashier. */
function refused(error: unknown): never {
  if (error instanceof SaleRefused) {
    throw new TRPCError({
      code: error.code === 'no_open_shift' ? 'PRECONDITION_FAILED' : 'BAD_REQUEST',
      message: error.message,
      cause: error,
    });
  }
  throw error;
}

function requireAllowed(allows: (action: OrgAction) => boolean, action: OrgAction, message: string) {
  if (!allows(action)) throw new TRPCError({ code: 'FORBIDDEN', message });
}

const reasonSchema = storableTextSchema.trim().min(1, 'a reason is required').max(500, 'reason is too long');

export const saleInputSchema = z.object({
  /** Made once per sale by the screen: the same sale sent twice is recorded once. */
  orderId: uuidSchema,
  eventId: uuidSchema,
  lines: z
    .array(
      z.object({
        ticketTypeId: uuidSchema,
        quantity: int4Schema
          .min(1, 'must be at least 1')
          .max(MAX_TICKETS_PER_SALE, 'is more than one sale holds'),
      }),
    )
    .min(1, 'choose at least one ticket')
    .max(20),
  buyer: buyerSchema.omit({ personId: true }).nullable(),
  payment: paymentSchema,
});

/** Where a ticket type's sales window stands now, as the sale screen marks it. */
function windowState(type: { salesStartAt: string | null; salesEndAt: string | null }, now: Date) {
  if (type.salesStartAt && now.getTime() < Date.parse(type.salesStartAt)) return 'not_started' as const;
  if (type.salesEndAt && now.getTime() > Date.parse(type.salesEndAt)) return 'closed' as const;
  return 'open' as const;
}

function openShiftOrRefuse(queries: BoxOfficeQueries, deviceId: string) {
  const shift = queries.openShift(deviceId);
  if (!shift) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'No shift is open on this device. Open a shift first.',
    });
  }
  return shift;
}

/** A shift's X or Z report and the currency it counts in; null for a shift this device does not have. */
export function shiftReportOf(queries: BoxOfficeQueries, shiftId: string) {
  const rows = queries.shiftRows(shiftId);
  return rows ? { report: shiftReport(rows), currency: shiftCurrency(rows) } : null;
}

export const boxOfficeRouter = localTrpc.router({
  preferences: enrolledProcedure.query(
    ({ ctx }) => ctx.core.replica().meta.get('salePreferences') ?? DEFAULT_SALE_PREFERENCES,
  ),
  setPreferences: enrolledProcedure.input(salePreferencesSchema.partial()).mutation(({ ctx, input }) => {
    const { meta } = ctx.core.replica();
    const next = salePreferencesSchema.parse({ ...meta.get('salePreferences'), ...input });
    meta.set('salePreferences', next);
    return next;
  }),

  /** The currency amounts are typed in before a shift has sold anything (its float, say). */
  currency: enrolledProcedure.query(({ ctx }) => boxOfficeQueries(ctx.core).mainCurrency() ?? 'EUR'),

  /** Events on sale now. */
  saleEvents: enrolledProcedure.query(({ ctx }) => boxOfficeQueries(ctx.core).saleEvents()),

  /** An event's box-office ticket types and the seats this device holds for each quota. */
  catalog: enrolledProcedure.input(z.object({ eventId: uuidSchema })).query(({ ctx, input }) => {
    const queries = boxOfficeQueries(ctx.core);
    const now = new Date();
    const held = new Map(
      ctx.core.boxOffice.heldSeats(ctx.device.deviceId, input.eventId).map((seats) => [seats.quotaId, seats]),
    );
    return {
      ticketTypes: queries
        .saleTicketTypes(input.eventId)
        .map((type) => ({ ...type, window: windowState(type, now) })),
      quotas: queries.quotas(input.eventId).map((quota) => ({
        quotaId: quota.id,
        name: quota.name,
        left: held.get(quota.id)?.left ?? 0,
        awaitingCodes: held.get(quota.id)?.awaitingCodes ?? 0,
        requested: held.get(quota.id)?.requested ?? 0,
      })),
    };
  }),

  requestSeats: enrolledProcedure
    .input(z.object({ quotaId: uuidSchema, seats: int4Schema.min(1).max(MAX_ALLOCATION_SEATS) }))
    .mutation(({ ctx, input }) => {
      try {
        return ctx.core.boxOffice.requestSeats(ctx.device, input.quotaId, input.seats);
      } catch (error) {
        refused(error);
      }
    }),

  sell: enrolledProcedure.input(saleInputSchema).mutation(({ ctx, input }) => {
    const queries = boxOfficeQueries(ctx.core);
    const code = orderCodeOf(input.orderId);
    if (queries.exists('orders', input.orderId)) return { orderId: input.orderId, code, repeated: true };
    try {
      ctx.core.boxOffice.sell(ctx.device, input, input.orderId);
    } catch (error) {
      refused(error);
    }
    const { meta } = ctx.core.replica();
    if (meta.get('salePreferences')?.lastEventId !== input.eventId) {
      meta.set('salePreferences', {
        ...(meta.get('salePreferences') ?? DEFAULT_SALE_PREFERENCES),
        lastEventId: input.eventId,
      });
    }
    return { orderId: input.orderId, code, repeated: false };
  }),

  shifts: localTrpc.router({
    /** This device's open shift and its X report (the numbers so far), or null. */
    current: enrolledProcedure.query(({ ctx }) => {
      const queries = boxOfficeQueries(ctx.core);
      const shift = queries.openShift(ctx.device.deviceId);
      return shift ? { shift, ...shiftReportOf(queries, shift.id)! } : null;
    }),
    /** A shift's report: X while open, Z once closed. */
    report: enrolledProcedure.input(z.object({ shiftId: uuidSchema })).query(({ ctx, input }) => {
      const report = shiftReportOf(boxOfficeQueries(ctx.core), input.shiftId);
      if (!report) throw new TRPCError({ code: 'NOT_FOUND', message: 'This shift is not on this device.' });
      return report;
    }),
    closed: enrolledProcedure.query(({ ctx }) =>
      boxOfficeQueries(ctx.core).closedShifts(ctx.device.deviceId),
    ),
    open: enrolledProcedure
      .input(z.object({ shiftId: uuidSchema, floatCents: centsSchema }))
      .mutation(({ ctx, input }) => {
        if (!boxOfficeQueries(ctx.core).exists('shifts', input.shiftId)) {
          ctx.core.submit(ctx.device, 'openShift', { ...input, openedAt: new Date().toISOString() });
        }
        return { shiftId: input.shiftId };
      }),
    cashMovement: enrolledProcedure
      .input(
        z.object({
          movementId: uuidSchema,
          kind: z.enum(['paid_in', 'paid_out']),
          amountCents: centsSchema.min(1, 'must be more than zero'),
          reason: reasonSchema,
        }),
      )
      .mutation(({ ctx, input }) => {
        const queries = boxOfficeQueries(ctx.core);
        if (queries.exists('cash_movements', input.movementId)) return { movementId: input.movementId };
        const shift = openShiftOrRefuse(queries, ctx.device.deviceId);
        ctx.core.submit(ctx.device, 'recordCashMovement', {
          ...input,
          shiftId: shift.id,
          at: new Date().toISOString(),
        });
        return { movementId: input.movementId };
      }),
    /**
     * Closes the shift with the cash the cashier counted (without having seen what was expected); the rule
     * stores the expected amount and returns the seats the shift still held. Closing a closed shift again
     * (a double submit) answers as the first did.
     */
    close: enrolledProcedure
      .input(z.object({ shiftId: uuidSchema, countedCents: centsSchema }))
      .mutation(({ ctx, input }) => {
        const shift = ctx.core.replica().overlay.current('shifts', input.shiftId);
        if (shift?.status !== 'closed') {
          ctx.core.submit(ctx.device, 'closeShift', { ...input, closedAt: new Date().toISOString() });
        }
        return { shiftId: input.shiftId };
      }),
  }),

  orders: localTrpc.router({
    search: enrolledProcedure
      .input(z.object({ text: z.string().max(200) }))
      .query(({ ctx, input }) => boxOfficeQueries(ctx.core).searchOrders(input.text)),
    get: enrolledProcedure.input(z.object({ orderId: uuidSchema })).query(({ ctx, input }) => {
      const bundle = boxOfficeQueries(ctx.core).order(input.orderId);
      if (!bundle) throw new TRPCError({ code: 'NOT_FOUND', message: 'This order is not on this console.' });
      const { order, buyer, event, pending } = bundle;
      return {
        order: { ...order, pending: pending.order },
        eventName: event?.name ?? null,
        buyer: buyer
          ? { firstName: buyer.firstName, lastName: buyer.lastName, email: buyer.email, phone: buyer.phone }
          : null,
        cashier: bundle.shift?.cashier ?? null,
        lines: receiptLines(bundle),
        tickets: bundle.tickets.map((ticket) => ({
          id: ticket.id,
          ticketTypeName: bundle.ticketTypes.get(ticket.ticketTypeId)?.name ?? 'Ticket',
          status: ticket.status,
          priceCents: ticket.priceCents,
          pending: pending.tickets.has(ticket.id),
        })),
        audit: bundle.audit.map((row) => ({
          id: row.id,
          action: row.action,
          reason: row.reason,
          amountCents: row.amountCents,
          method: row.method,
          userName: row.userName,
          deviceId: row.deviceId,
          /** The device's name when it is this one (other devices are known here by id only). */
          deviceName: row.deviceId === ctx.device.deviceId ? ctx.device.name : null,
          at: row.createdAt,
          pending: pending.audit.has(row.id),
        })),
      };
    }),
    /**
     * Refunds or voids an order with the reason given. A cash refund is paid from this device's open shift;
     * the rule refuses what cannot be undone here (card payments, a void from another shift).
     */
    refund: enrolledProcedure
      .input(
        z.object({
          orderId: uuidSchema,
          /** Made once per refund by the screen, like a sale's order id. */
          auditId: uuidSchema,
          action: z.enum(['refund', 'void']),
          reason: reasonSchema,
        }),
      )
      .mutation(({ ctx, input }) => {
        requireAllowed(ctx.allows, 'sales.refund', 'Your role cannot refund or void orders on this console.');
        const queries = boxOfficeQueries(ctx.core);
        if (!queries.exists('order_audit', input.auditId)) {
          ctx.core.submit(ctx.device, 'refundOrder', {
            ...input,
            shiftId: queries.openShift(ctx.device.deviceId)?.id ?? null,
            at: new Date().toISOString(),
          });
        }
        return { orderId: input.orderId };
      }),
  }),
});
