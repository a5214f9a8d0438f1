import {
  defineCommands,
  updateOf,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
} from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import { momentInMessage } from './message-time.ts';
import type { RowOf } from './replicated-tables.ts';
import { ownOpenShift } from './shift-commands.ts';

/**
 * Undoing a sale. A void undoes a mistake moments later, from the same drawer; a refund gives the money back
 * (later, perhaps at another till). Either way the order's valid tickets stop being valid at once (check-in
 * refuses them, and so does a scanner holding only the revocations), their seats go back to their quotas, and
 * an audit row says who did it, where and why.
 *
 * Money paid through a provider goes back through it: a console's `refundOrder` undoes only what the box office
 * took itself (cash, a standalone terminal, comps). A card payment is refunded by the server, online, through
 * Stripe first; the order is then refunded by this same rule (`decideRefund` with `paidBack: 'provider'`), so
 * its tickets, seats and audit go exactly as a cash refund's do.
 */

type Refusal = ReturnType<typeof rejection>;

/** Where the money goes back: the box office itself, or the payment provider (already done by the server). */
export type PaidBack = 'here' | 'provider';

function refusal(order: RowOf<'orders'>, paidBack: PaidBack): Refusal | null {
  if (order.status === 'refunded' || order.status === 'void') {
    const what = order.status === 'refunded' ? 'refunded' : 'voided';
    const when = order.refundedAt ? ` at ${momentInMessage(order.refundedAt)}` : '';
    return rejection(`already_${what}`, `This order was already ${what}${when}.`);
  }
  if (order.status !== 'paid') {
    return rejection('order_not_paid', 'This order was never paid, so there is nothing to give back.');
  }
  // Orders paid online before payment methods were recorded were paid through the provider too.
  const byProvider =
    order.paymentMethod === 'card' || (order.paymentMethod === null && order.channel === 'online');
  if (byProvider && paidBack === 'here') {
    return rejection(
      'card_refund_unavailable',
      'A card payment is refunded to the card, through the payment provider: use the refund to card (it needs the network).',
    );
  }
  if (!byProvider && paidBack === 'provider') {
    return rejection('not_paid_by_card', 'This order was not paid by card: refund it at the box office.');
  }
  return null;
}

/** Cash moves through a drawer: a refund is paid from an open one, a void only from the one that took it. */
function drawerRefusal(
  order: RowOf<'orders'>,
  args: { action: 'refund' | 'void'; shiftId: string | null },
): Refusal | null {
  if (order.paymentMethod !== 'cash') return null;
  if (args.action === 'refund' && args.shiftId === null) {
    return rejection(
      'shift_required',
      'A cash refund is paid from the till: open a shift on this device first.',
    );
  }
  if (args.action === 'void' && args.shiftId !== order.shiftId) {
    return rejection(
      'void_other_shift',
      'A cash sale can only be voided in the shift that took it (the money went into that drawer). Refund it instead.',
    );
  }
  return null;
}

/** Each quota gets back one seat per ticket that stops being valid; sold never goes below zero. */
function seatsBack(rows: LoadedRows, tickets: RowOf<'tickets'>[]): CommandWrite[] {
  const perQuota = new Map<string, number>();
  for (const ticket of tickets) {
    // A ticket type that is gone leaves its quota as it is: counting a seat too many never oversells.
    const quotaId = rows.ticket_types.get(ticket.ticketTypeId)?.quotaId;
    if (quotaId) perQuota.set(quotaId, (perQuota.get(quotaId) ?? 0) + 1);
  }
  const writes: CommandWrite[] = [];
  for (const [quotaId, seats] of perQuota) {
    const quota = rows.quotas.get(quotaId);
    if (quota) writes.push(updateOf('quotas', quota, { sold: Math.max(0, quota.sold - seats) }));
  }
  return writes;
}

export const refundCommands = defineCommands({
  refundOrder: {
    requires: 'sales.refund',
    reads: (args) => [
      { table: 'orders', ids: [args.orderId] },
      { table: 'tickets', column: 'order_id', values: [args.orderId] },
      { table: 'order_audit', ids: [args.auditId] },
      ...(args.shiftId ? [{ table: 'shifts' as const, ids: [args.shiftId] }] : []),
    ],
    // The quotas the seats go back to, through the tickets' types: known once the order names its event.
    readsAfter(rows, args) {
      const order = rows.orders.get(args.orderId);
      if (!order) return [];
      return [
        { table: 'ticket_types', column: 'event_id', values: [order.eventId] },
        { table: 'quotas', column: 'event_id', values: [order.eventId] },
        // A ticket revoked already (by the server, say) keeps its first revocation.
        { table: 'ticket_revocations', ids: [...rows.tickets.keys()] },
      ];
    },
    decide: (rows, args, ctx) => decideRefund(rows, args, ctx, 'here'),
  },
});

export interface RefundArgs {
  orderId: string;
  auditId: string;
  action: 'refund' | 'void';
  reason: string;
  shiftId: string | null;
  at: string;
}

/**
 * The refund or void of an order, from the rows `refundOrder` reads. `paidBack` says where the money went back:
 * 'here' for the box office's own money (a card payment is refused), 'provider' once the server has refunded
 * a card payment through Stripe (only a card payment, and no drawer is involved).
 */
export function decideRefund(
  rows: LoadedRows,
  args: RefundArgs,
  ctx: CommandContext,
  paidBack: PaidBack,
): Decision<CommandWrite[]> {
  const order = rows.orders.get(args.orderId);
  if (!order) return rejection('order_not_found', 'This order was not found.');
  const refused = refusal(order, paidBack) ?? drawerRefusal(order, args);
  if (refused) return refused;
  if (args.shiftId !== null) {
    const shift = ownOpenShift(rows, args.shiftId, ctx);
    if (!shift.ok) return shift;
  }
  if (rows.order_audit.has(args.auditId)) {
    return rejection('already_exists', 'This refund was already recorded.');
  }

  const status = args.action === 'refund' ? 'refunded' : 'void';
  const undone = [...rows.tickets.values()].filter(
    (ticket) => ticket.orderId === order.id && ticket.status === 'valid',
  );
  return {
    ok: true,
    value: [
      updateOf('orders', order, { status, refundedAt: args.at, refundReason: args.reason }),
      ...undone.map((ticket) => updateOf('tickets', ticket, { status })),
      // What a scanner that holds no tickets checks: the revoked ones.
      ...undone
        .filter((ticket) => !rows.ticket_revocations.has(ticket.id))
        .map((ticket): CommandWrite => ({
          table: 'ticket_revocations',
          op: 'insert',
          row: { id: ticket.id, eventId: ticket.eventId, reason: status, revokedAt: args.at },
        })),
      ...seatsBack(rows, undone),
      auditWrite(args, ctx, {
        action: args.action,
        amountCents: order.paymentMethod === 'comp' ? 0 : order.totalCents,
        method: order.paymentMethod,
      }),
    ],
  };
}

/** The audit line of a refund or void: who, where, when, why, and how much went back how. */
export function auditWrite(
  args: Pick<RefundArgs, 'orderId' | 'auditId' | 'shiftId' | 'reason' | 'at'>,
  ctx: CommandContext,
  what: { action: 'refund' | 'void' | 'partial_refund'; amountCents: number; method: string | null },
): CommandWrite {
  return {
    table: 'order_audit',
    op: 'insert',
    row: {
      id: args.auditId,
      orderId: args.orderId,
      shiftId: args.shiftId,
      reason: args.reason,
      ...what,
      userId: ctx.actor.userId,
      userName: ctx.actor.userName,
      deviceId: ctx.actor.deviceId,
      createdAt: args.at,
    },
  };
}
