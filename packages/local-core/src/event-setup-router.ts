import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { boxOfficeCommandArgs, uuidSchema } from '@janix/schemas';
import { enrolledProcedure as enrolled, localTrpc as t } from './enrolled-procedure.ts';
import type { LocalCoreInternals } from './local-core-internals.ts';
import { readEventSetup } from './replica/event-setup-queries.ts';
import { readSalesReport } from './replica/sales-report-queries.ts';

const eventExists = (core: LocalCoreInternals, eventId: string): void => {
  if (!core.replica().events.get(eventId)) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'Event not found.' });
  }
};

/**
 * Setting an event up for sale: its quotas and ticket types. Writes go through the domain rules like every
 * command (a refusal comes back with the rule's message); ids are made here so a retry never duplicates.
 */
export const eventSetupRouter = t.router({
  get: enrolled.input(z.object({ eventId: uuidSchema })).query(({ ctx, input }) => {
    eventExists(ctx.core, input.eventId);
    return readEventSetup(ctx.core.replica().db, input.eventId);
  }),
  // Ids come from the screen, made once per form: a create sent again (a double click, a retry after a lost
  // answer) finds its row and records nothing new.
  createQuota: enrolled.input(boxOfficeCommandArgs.createQuota).mutation(({ ctx, input }) => {
    if (ctx.core.replica().overlay.current('quotas', input.quotaId))
      return { id: input.quotaId, repeated: true };
    ctx.core.submit(ctx.device, 'createQuota', input);
    return { id: input.quotaId, repeated: false };
  }),
  updateQuota: enrolled.input(boxOfficeCommandArgs.updateQuota).mutation(({ ctx, input }) => {
    ctx.core.submit(ctx.device, 'updateQuota', input);
    return { id: input.quotaId };
  }),
  createTicketType: enrolled.input(boxOfficeCommandArgs.createTicketType).mutation(({ ctx, input }) => {
    if (ctx.core.replica().overlay.current('ticket_types', input.ticketTypeId)) {
      return { id: input.ticketTypeId, repeated: true };
    }
    ctx.core.submit(ctx.device, 'createTicketType', input);
    return { id: input.ticketTypeId, repeated: false };
  }),
  updateTicketType: enrolled.input(boxOfficeCommandArgs.updateTicketType).mutation(({ ctx, input }) => {
    ctx.core.submit(ctx.device, 'updateTicketType', input);
    return { id: input.ticketTypeId };
  }),
});

/** Sales totals for the dashboard, for whoever may read orders (the console holds no orders otherwise). */
export const salesReportRouter = t.router({
  get: enrolled.input(z.object({ eventId: uuidSchema.nullable() })).query(({ ctx, input }) => {
    if (!ctx.allows('orders.read')) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not include sales figures.' });
    }
    if (input.eventId !== null) eventExists(ctx.core, input.eventId);
    return readSalesReport(ctx.core.replica().db, input.eventId);
  }),
});
