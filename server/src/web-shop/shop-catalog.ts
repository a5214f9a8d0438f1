import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';

/**
 * What the public event page shows: an event on sale, and its ticket types sold online whose sales window is
 * open now, with what is left of each one's quota (neither sold nor held; a quota shared by several types
 * leaves each the same seats).
 */

export interface ShopTicketType {
  id: string;
  name: string;
  priceCents: number;
  currency: string;
  remaining: number;
}

export interface ShopEvent {
  orgId: string;
  id: string;
  name: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  /** The zone its times are shown in: its check-in lists' (the venue's), else UTC. */
  timeZone: string;
  /** It has ended: nothing is sold online any more (the domain refuses it too). */
  over: boolean;
  /** On sale online now; none once it is over. */
  ticketTypes: ShopTicketType[];
}

/** The organization selling this event, when it is on sale; null for anything else (unknown, draft, cancelled). */
export async function shopEventOrg(pool: Pool, eventId: string): Promise<string | null> {
  const found = await pool.query<{ org_id: string | null }>('SELECT shop_event_org($1) AS org_id', [eventId]);
  return found.rows[0]?.org_id ?? null;
}

export async function loadShopEvent(pool: Pool, orgId: string, eventId: string, now: Date) {
  return inTransaction(pool, { orgId }, async (client): Promise<ShopEvent | null> => {
    const events = await client.query<{
      name: string;
      venue: string;
      starts_at: Date;
      ends_at: Date;
      time_zone: string | null;
    }>(
      `SELECT e.name, e.venue, e.starts_at, e.ends_at,
         (SELECT l.time_zone FROM checkin_lists l WHERE l.org_id = e.org_id AND l.event_id = e.id
          ORDER BY l.name, l.id LIMIT 1) AS time_zone
       FROM events e WHERE e.id = $1 AND e.status = 'on_sale'`,
      [eventId],
    );
    const event = events.rows[0];
    if (!event) return null;
    const over = event.ends_at.getTime() < now.getTime();
    const types = await client.query<{
      id: string;
      name: string;
      price_cents: number;
      currency: string;
      remaining: number;
    }>(
      `SELECT t.id, t.name, t.price_cents, t.currency,
         GREATEST(0, q.capacity - q.sold - q.allocated) AS remaining
       FROM ticket_types t JOIN quotas q ON q.org_id = t.org_id AND q.id = t.quota_id
       WHERE t.event_id = $1 AND 'online' = ANY (string_to_array(t.channels, ','))
         AND (t.sales_start_at IS NULL OR t.sales_start_at <= $2)
         AND (t.sales_end_at IS NULL OR t.sales_end_at >= $2)
       ORDER BY t.price_cents, t.name, t.id`,
      [eventId, now],
    );
    return {
      orgId,
      id: eventId,
      name: event.name,
      venue: event.venue,
      startsAt: event.starts_at.toISOString(),
      endsAt: event.ends_at.toISOString(),
      timeZone: event.time_zone ?? 'UTC',
      over,
      ticketTypes: (over ? [] : types.rows).map((type) => ({
        id: type.id,
        name: type.name,
        priceCents: type.price_cents,
        currency: type.currency,
        remaining: type.remaining,
      })),
    };
  });
}
