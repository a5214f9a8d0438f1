import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { orderEmailRefusal } from '@janix/domain';
import {
  orderEmailKindSchema,
  orderEmailStatusSchema,
  uuidSchema,
  type OrderEmailKind,
} from '@janix/schemas';
import { enrolledProcedure, localTrpc } from './enrolled-procedure.ts';

/**
 * The emails of an order as the order screen shows them (the confirmation with the tickets, the receipt, a
 * refund notice: whether each went out, how many tries, why not), and the resend button behind it. The
 * server's mail jobs write the delivery status; it arrives here through the feed like any row. A resend is a
 * command: offline it waits in the outbox with its email shown as queued.
 */

const emailRowSchema = z.object({
  id: uuidSchema,
  kind: orderEmailKindSchema,
  status: orderEmailStatusSchema,
  attempts: z.number().int(),
  failureReason: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
  /** 1 while this console's resend has not reached the server. */
  pending: z.number().int(),
});

const KINDS: readonly OrderEmailKind[] = ['confirmation', 'receipt', 'refund'];

export const orderEmailsRouter = localTrpc.router({
  /**
   * The order's emails, newest first, and for each kind whether a resend may be asked for now and, when not,
   * why (no address, nothing of that kind for this order, one already waiting, a role that does not sell).
   */
  list: enrolledProcedure.input(z.object({ orderId: uuidSchema })).query(({ ctx, input }) => {
    const { db, overlay } = ctx.core.replica();
    const order = overlay.current('orders', input.orderId);
    if (!order) throw new TRPCError({ code: 'NOT_FOUND', message: 'This order is not on this console.' });
    const emails = z.array(emailRowSchema).parse(
      db
        .prepare(
          `SELECT id, kind, status, attempts, failure_reason AS failureReason, sent_at AS sentAt,
             created_at AS createdAt, pending
           FROM order_emails_current WHERE order_id = ? ORDER BY created_at DESC, id`,
        )
        .all(input.orderId),
    );
    const buyer = order.personId ? overlay.current('people', order.personId) : undefined;
    const mayResend = ctx.allows('sales.sell');
    const resend = KINDS.map((kind) => {
      const refused =
        orderEmailRefusal(order, kind) ??
        (!buyer?.email ? 'The buyer gave no email address for this order.' : null) ??
        (emails.some((email) => email.kind === kind && email.status === 'queued')
          ? 'This email is already waiting to go out.'
          : null) ??
        (mayResend ? null : 'Your role cannot send order emails on this console.');
      return { kind, allowed: refused === null, reason: refused };
    });
    return {
      emails: emails.map((email) => ({ ...email, pending: email.pending === 1 })),
      resend,
    };
  }),

  /**
   * Sends an order's email of `kind` again, as a new email. `emailId` is made once by the screen: the same
   * request sent twice (a double click, a retry after a lost answer) asks once.
   */
  resend: enrolledProcedure
    .input(z.object({ orderId: uuidSchema, emailId: uuidSchema, kind: orderEmailKindSchema }))
    .mutation(({ ctx, input }) => {
      if (!ctx.allows('sales.sell')) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: 'Your role cannot send order emails on this console.',
        });
      }
      if (!ctx.core.replica().overlay.current('order_emails', input.emailId)) {
        ctx.core.submit(ctx.device, 'resendOrderEmail', { ...input, at: new Date().toISOString() });
      }
      return { emailId: input.emailId };
    }),
});
