import { lastAutoCheckout, scanTone, type ScanCode, type ScanTone } from '@janix/domain';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { CheckInListView, GateLookup } from './gate-lookup.ts';

/** Manual search needs this many characters: fewer match half the audience. */
export const MIN_SEARCH_LENGTH = 3;
const MAX_SEARCH_ROWS = 50;
/** People a name or email search looks at before narrowing to the list's event. */
const MAX_MATCHING_PEOPLE = 2000;

export interface SearchHit {
  ticketId: string;
  name: string | null;
  orderCode: string | null;
  ticketType: string | null;
  status: string;
  inside: boolean;
  lastScanAt: string | null;
}

export interface RecentScan {
  scanId: string;
  outcome: 'admitted' | 'refused';
  tone: ScanTone;
  code: ScanCode;
  reason: string;
  direction: 'entry' | 'exit';
  manual: boolean;
  attendee: { name: string | null; ticketType: string | null; orderCode: string | null } | null;
  scannedAt: string;
  deviceName: string;
  rawExcerpt: string | null;
  pending: boolean;
}

export interface EntryAlert {
  id: string;
  listId: string;
  ticketId: string;
  name: string | null;
  firstDeviceName: string;
  firstAt: string;
  secondDeviceName: string;
  secondAt: string;
  createdAt: string;
}

/** LIKE with the user's text taken literally. */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface TicketHitRow {
  id: string;
  order_id: string | null;
  ticket_type_id: string;
  person_id: string | null;
  status: string;
}

/**
 * What the check-in screens read besides the verdict: lists, manual search, recent scans, counts and the
 * double-entry alerts. All offline, from the replica's current views (server rows with pending ones over them).
 */
export function createCheckInQueries(db: ReplicaDb, lookup: GateLookup) {
  const statements = {
    peopleMatching: db.prepare<[string, string, number], { id: string }>(
      `SELECT id FROM people_current
       WHERE (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ? ESCAPE '\\'
          OR email LIKE ? ESCAPE '\\' LIMIT ?`,
    ),
    ordersMatching: db.prepare<[string, number], { id: string }>(
      `SELECT id FROM orders_current WHERE code LIKE ? ESCAPE '\\' LIMIT ?`,
    ),
    ticketsOfPeople: db.prepare<[string, string, number], TicketHitRow>(
      `SELECT id, order_id, ticket_type_id, person_id, status FROM tickets_current
       WHERE event_id = ? AND person_id IN (SELECT value FROM json_each(?)) LIMIT ?`,
    ),
    ticketsOfOrders: db.prepare<[string, string, number], TicketHitRow>(
      `SELECT id, order_id, ticket_type_id, person_id, status FROM tickets_current
       WHERE event_id = ? AND order_id IN (SELECT value FROM json_each(?)) LIMIT ?`,
    ),
    lastScans: db.prepare<[string, string], { ticket_id: string; direction: string; at: string }>(
      `SELECT ticket_id, direction, max(scanned_at) AS at FROM check_ins_current
       WHERE list_id = ? AND outcome = 'admitted' AND ticket_id IN (SELECT value FROM json_each(?))
       GROUP BY ticket_id`,
    ),
    recent: db.prepare<
      [string, number],
      {
        id: string;
        ticket_id: string | null;
        ticket_type_id: string | null;
        event_id: string;
        direction: 'entry' | 'exit';
        outcome: 'admitted' | 'refused';
        code: ScanCode;
        reason: string;
        manual: number;
        scanned_at: string;
        device_name: string;
        raw_excerpt: string | null;
        pending: number;
      }
    >(
      `SELECT id, ticket_id, ticket_type_id, event_id, direction, outcome, code, reason, manual, scanned_at,
         device_name, raw_excerpt, pending
       FROM check_ins_current WHERE list_id = ? ORDER BY scanned_at DESC, id DESC LIMIT ?`,
    ),
    alerts: db.prepare<
      [string],
      {
        id: string;
        list_id: string;
        ticket_id: string;
        first_device_name: string;
        first_at: string;
        second_device_name: string;
        second_at: string;
        created_at: string;
      }
    >(
      `SELECT id, list_id, ticket_id, first_device_name, first_at, second_device_name, second_at, created_at
       FROM entry_alerts_current WHERE event_id = ? ORDER BY created_at DESC, id DESC LIMIT 200`,
    ),
  };

  /** Whether a ticket whose latest admitted scan is this one is inside now (the auto checkout counts them out). */
  const insideBy = (list: CheckInListView, now: Date) => {
    const checkout = lastAutoCheckout(list, now);
    return (last: { direction: string; at: string } | undefined) =>
      last !== undefined &&
      last.direction === 'entry' &&
      (checkout === null || Date.parse(last.at) >= checkout);
  };

  const ticketName = (ticketId: string | null) =>
    ticketId ? lookup.personName(lookup.statements.ticketById.get(ticketId)?.person_id ?? null) : null;

  return {
    lists(eventId: string) {
      const names = lookup.typeNames(eventId);
      return lookup.listsOfEvent(eventId).map((list) => ({
        ...list,
        ticketTypes: list.ticketTypeIds.map((id) => ({ id, name: names.get(id) ?? null })),
      }));
    },

    /** Tickets of the list's event by name, email (where this device holds it) or order code. */
    search(list: CheckInListView, query: string, now: Date): SearchHit[] {
      const text = query.trim();
      if (text.length < MIN_SEARCH_LENGTH) return [];
      const like = likeOf(text);
      const people = statements.peopleMatching.all(like, like, MAX_MATCHING_PEOPLE).map((row) => row.id);
      const orders = statements.ordersMatching.all(like, MAX_MATCHING_PEOPLE).map((row) => row.id);
      const found = new Map<string, TicketHitRow>();
      for (const row of [
        ...statements.ticketsOfOrders.all(list.eventId, JSON.stringify(orders), MAX_SEARCH_ROWS),
        ...statements.ticketsOfPeople.all(list.eventId, JSON.stringify(people), MAX_SEARCH_ROWS),
      ]) {
        if (found.size >= MAX_SEARCH_ROWS) break;
        found.set(row.id, row);
      }
      const last = new Map(
        statements.lastScans
          .all(list.id, JSON.stringify([...found.keys()]))
          .map((row) => [row.ticket_id, row]),
      );
      const inside = insideBy(list, now);
      return [...found.values()].map((row) => ({
        ticketId: row.id,
        name: lookup.personName(row.person_id),
        orderCode: lookup.orderCode(row.order_id),
        ticketType: lookup.typeName(list.eventId, row.ticket_type_id),
        status: row.status,
        inside: inside(last.get(row.id)),
        lastScanAt: last.get(row.id)?.at ?? null,
      }));
    },

    recent(list: CheckInListView, limit: number): RecentScan[] {
      return statements.recent.all(list.id, limit).map((row) => {
        const ticket = row.ticket_id ? lookup.statements.ticketById.get(row.ticket_id) : undefined;
        return {
          scanId: row.id,
          outcome: row.outcome,
          tone: scanTone(row.outcome, row.code),
          code: row.code,
          reason: row.reason,
          direction: row.direction,
          manual: Boolean(row.manual),
          attendee: row.ticket_id
            ? {
                name: lookup.personName(ticket?.person_id ?? null),
                ticketType: row.ticket_type_id ? lookup.typeName(row.event_id, row.ticket_type_id) : null,
                orderCode: lookup.orderCode(ticket?.order_id ?? null),
              }
            : null,
          scannedAt: row.scanned_at,
          deviceName: row.device_name,
          rawExcerpt: row.raw_excerpt,
          pending: Boolean(row.pending),
        };
      });
    },

    alerts(eventId: string): EntryAlert[] {
      return statements.alerts.all(eventId).map((row) => ({
        id: row.id,
        listId: row.list_id,
        ticketId: row.ticket_id,
        name: ticketName(row.ticket_id),
        firstDeviceName: row.first_device_name,
        firstAt: row.first_at,
        secondDeviceName: row.second_device_name,
        secondAt: row.second_at,
        createdAt: row.created_at,
      }));
    },
  };
}
export type CheckInQueries = ReturnType<typeof createCheckInQueries>;
