import { receiptLines, type ReceiptLine } from '@janix/documents';
import type { PoolClient } from '../db/pools.ts';

export type OrderEmailKind = 'confirmation' | 'receipt' | 'refund';

/** Everything an order email says, read from the order's rows when it is sent (never copied into a job). */
export interface OrderEmailContent {
  kind: OrderEmailKind;
  /** The buyer's address as the people row holds it now. */
  to: string;
  buyerName: string | null;
  organizationName: string;
  order: {
    code: string;
    status: string;
    totalCents: number;
    taxCents: number;
    currency: string;
    createdAt: Date;
    paymentMethod: string | null;
    /** For a card paid through Janix: the brand and last four digits Stripe reported (nothing more is kept). */
    card: { brand: string; last4: string } | null;
    refundedAt: Date | null;
  };
  event: { name: string; venue: string | null; startsAt: Date };
  /** The zone the event's check-in lists keep (where it takes place); UTC when it has none. */
  timeZone: string;
  lines: ReceiptLine[];
  /** Tickets that admit someone, in sale order, with what their codes carry. */
  validTickets: Array<{ id: string; ticketTypeName: string; secret: string }>;
}

/** Why there is nothing to send, in plain words for the console. */
export type MissingContent = { missing: string };

interface OrderRecord {
  code: string;
  status: string;
  total_cents: number;
  tax_cents: number;
  currency: string;
  created_at: Date;
  payment_method: string | null;
  refunded_at: Date | null;
  card_brand: string | null;
  card_last4: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  event_name: string | null;
  venue: string | null;
  starts_at: Date | null;
  org_name: string;
  time_zone: string | null;
}

/**
 * Reads what an email of `kind` about an order says, inside the sending transaction (row-level security
 * scoped to the organization). The address is read here, at send time: a buyer erased or corrected since the
 * sale is mailed as they are now, or not at all.
 */
export async function loadOrderEmailContent(
  client: PoolClient,
  orgId: string,
  orderId: string,
  kind: OrderEmailKind,
): Promise<OrderEmailContent | MissingContent> {
  const found = await client.query<OrderRecord>(
    `SELECT o.code, o.status, o.total_cents, o.tax_cents, o.currency, o.created_at, o.payment_method,
       o.refunded_at, p.first_name, p.last_name, p.email, e.name AS event_name, e.venue, e.starts_at,
       g.name AS org_name, y.card_brand, y.card_last4,
       (SELECT l.time_zone FROM checkin_lists l WHERE l.org_id = o.org_id AND l.event_id = o.event_id
        ORDER BY l.name, l.id LIMIT 1) AS time_zone
     FROM orders o
     JOIN organizations g ON g.id = o.org_id
     LEFT JOIN people p ON p.org_id = o.org_id AND p.id = o.person_id
     LEFT JOIN events e ON e.org_id = o.org_id AND e.id = o.event_id
     LEFT JOIN payments y ON y.org_id = o.org_id AND y.order_id = o.id
     WHERE o.org_id = $1 AND o.id = $2`,
    [orgId, orderId],
  );
  const order = found.rows[0];
  if (!order) return { missing: 'The order no longer exists.' };
  if (!order.email) return { missing: 'The buyer has no email address on record any more.' };
  const tickets = await client.query<{
    id: string;
    ticket_type_id: string;
    status: string;
    secret: string;
    price_cents: number;
    tax_cents: number;
    type_name: string | null;
    tax_rate_bp: number | null;
  }>(
    `SELECT t.id, t.ticket_type_id, t.status, t.secret, t.price_cents, t.tax_cents, y.name AS type_name,
       y.tax_rate_bp
     FROM tickets t LEFT JOIN ticket_types y ON y.org_id = t.org_id AND y.id = t.ticket_type_id
     WHERE t.org_id = $1 AND t.order_id = $2
     ORDER BY t.allocation_id NULLS LAST, t.slot NULLS LAST, t.id`,
    [orgId, orderId],
  );
  const types = new Map(
    tickets.rows.map((ticket) => [
      ticket.ticket_type_id,
      { name: ticket.type_name ?? 'Ticket', taxRateBp: ticket.tax_rate_bp ?? 0 },
    ]),
  );
  const validTickets = tickets.rows
    .filter((ticket) => ticket.status === 'valid' && ticket.secret)
    .map((ticket) => ({
      id: ticket.id,
      ticketTypeName: types.get(ticket.ticket_type_id)!.name,
      secret: ticket.secret,
    }));
  if (kind === 'confirmation' && validTickets.length === 0) {
    return {
      missing: 'The order has no valid tickets any more (refunded or voided before the email went out).',
    };
  }
  const buyerName = [order.first_name, order.last_name].filter(Boolean).join(' ').trim();
  return {
    kind,
    to: order.email,
    buyerName: buyerName || null,
    organizationName: order.org_name,
    order: {
      code: order.code,
      status: order.status,
      totalCents: order.total_cents,
      taxCents: order.tax_cents,
      currency: order.currency,
      createdAt: order.created_at,
      paymentMethod: order.payment_method,
      card:
        order.card_brand && order.card_last4 ? { brand: order.card_brand, last4: order.card_last4 } : null,
      refundedAt: order.refunded_at,
    },
    event: {
      name: order.event_name ?? '',
      venue: order.venue,
      startsAt: order.starts_at ?? order.created_at,
    },
    timeZone: order.time_zone ?? 'UTC',
    lines: receiptLines(
      tickets.rows.map((ticket) => ({
        ticketTypeId: ticket.ticket_type_id,
        priceCents: ticket.price_cents,
        taxCents: ticket.tax_cents,
      })),
      types,
    ),
    validTickets,
  };
}
