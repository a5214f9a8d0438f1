import type { OrderEmailKind } from '@janix/schemas';
import { defineCommands } from './commands.ts';
import { rejection } from './decision.ts';
import type { RowOf } from './replicated-tables.ts';

/**
 * Asking for an order's email again (the buyer lost it, or it failed and the address is now corrected). The
 * email is a new order_emails row, queued: the server's mail jobs send it (under a key of its own, so it does
 * go out again, once) and report its delivery on that row. Offline, the row waits in the outbox with the
 * command like any other write.
 */

/** Whether an order's state calls for an email of this kind, and why not when it does not. */
export function orderEmailRefusal(order: RowOf<'orders'>, kind: OrderEmailKind): string | null {
  const undone = order.status === 'refunded' || order.status === 'void';
  switch (kind) {
    case 'confirmation':
      return order.status === 'paid' ? null : 'Only a paid order has tickets to send.';
    case 'receipt':
      if (order.status !== 'paid' && !undone) return 'This order was never paid, so it has no receipt.';
      return order.totalCents > 0 && order.paymentMethod !== 'comp'
        ? null
        : 'Nothing was paid for this order, so it has no receipt.';
    case 'refund':
      return undone ? null : 'This order was not refunded or voided.';
  }
}

export const orderEmailCommands = defineCommands({
  resendOrderEmail: {
    // Whoever sells mails tickets and receipts (and holds the buyers' contact data for it).
    requires: 'sales.sell',
    reads: (args) => [
      { table: 'orders', ids: [args.orderId] },
      { table: 'order_emails', column: 'order_id', values: [args.orderId] },
      { table: 'order_emails', ids: [args.emailId] },
    ],
    readsAfter(rows, args) {
      const personId = rows.orders.get(args.orderId)?.personId;
      return personId ? [{ table: 'people', ids: [personId] }] : [];
    },
    decide(rows, args) {
      if (rows.order_emails.has(args.emailId)) {
        return rejection('already_exists', 'This email was already asked for.');
      }
      const order = rows.orders.get(args.orderId);
      if (!order) return rejection('order_not_found', 'This order was not found.');
      const refused = orderEmailRefusal(order, args.kind);
      if (refused) return rejection('not_applicable', refused);
      const buyer = order.personId ? rows.people.get(order.personId) : undefined;
      if (!buyer?.email) {
        return rejection('no_email', 'The buyer gave no email address for this order.');
      }
      const waiting = [...rows.order_emails.values()].some(
        (email) => email.orderId === order.id && email.kind === args.kind && email.status === 'queued',
      );
      if (waiting) return rejection('already_queued', 'This email is already waiting to go out.');
      return {
        ok: true,
        value: [
          {
            table: 'order_emails',
            op: 'insert',
            row: {
              id: args.emailId,
              orderId: order.id,
              kind: args.kind,
              status: 'queued',
              attempts: 0,
              failureReason: null,
              providerMessageId: null,
              sentAt: null,
              createdAt: args.at,
            },
          },
        ],
      };
    },
  },
});
