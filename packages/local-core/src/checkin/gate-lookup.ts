import { ticketTypeIdsOfColumn, type GateList, type PastScan } from '@janix/domain';
import {
  createTicketSecretVerifier,
  type TicketSecretVerifier,
  type TicketVerificationKey,
} from '@janix/domain/ticket-secrets';
import type { ReplicaDb } from '../replica/open-replica.ts';

/** A ticket row as the gate needs it (the replica's current view: server rows with pending writes over them). */
export interface TicketRow {
  id: string;
  event_id: string;
  ticket_type_id: string;
  person_id: string | null;
  order_id: string | null;
  status: string;
}

interface ListRow {
  id: string;
  event_id: string;
  name: string;
  ticket_type_ids: string;
  valid_from: string | null;
  valid_until: string | null;
  allow_reentry: number;
  allow_multiple_entries: number;
  max_entries_per_day: number | null;
  auto_checkout_at: string | null;
  time_zone: string;
  pending: number;
}

/** A check-in list as the gate and the list screens use it. */
export interface CheckInListView extends GateList {
  name: string;
  pending: boolean;
}

export function listOf(row: ListRow): CheckInListView {
  return {
    id: row.id,
    eventId: row.event_id,
    name: row.name,
    ticketTypeIds: ticketTypeIdsOfColumn(row.ticket_type_ids),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    allowReentry: Boolean(row.allow_reentry),
    allowMultipleEntries: Boolean(row.allow_multiple_entries),
    maxEntriesPerDay: row.max_entries_per_day,
    autoCheckoutAt: row.auto_checkout_at,
    timeZone: row.time_zone,
    pending: Boolean(row.pending),
  };
}

const LIST_COLUMNS = `id, event_id, name, ticket_type_ids, valid_from, valid_until, allow_reentry,
  allow_multiple_entries, max_entries_per_day, auto_checkout_at, time_zone, pending`;

function prepare(db: ReplicaDb) {
  return {
    list: db.prepare<[string], ListRow>(`SELECT ${LIST_COLUMNS} FROM checkin_lists_current WHERE id = ?`),
    listsOfEvent: db.prepare<[string], ListRow>(
      `SELECT ${LIST_COLUMNS} FROM checkin_lists_current WHERE event_id = ? ORDER BY name, id`,
    ),
    typeNames: db.prepare<[string], { id: string; name: string }>(
      'SELECT id, name FROM ticket_types_current WHERE event_id = ?',
    ),
    typeName: db.prepare<[string], { name: string }>('SELECT name FROM ticket_types_current WHERE id = ?'),
    // Written by the server alone, never by a command: the server's rows are the whole set.
    keys: db.prepare<[], { kid: string; public_key: string; retired_at: string | null }>(
      'SELECT kid, public_key, retired_at FROM ticket_signing_keys',
    ),
    ticketById: db.prepare<[string], TicketRow>(
      'SELECT id, event_id, ticket_type_id, person_id, order_id, status FROM tickets_current WHERE id = ?',
    ),
    // Random (legacy) secrets come from the server only; a ticket this console sold carries a signed one.
    ticketIdBySecret: db.prepare<[string], { id: string }>('SELECT id FROM tickets WHERE secret = ? LIMIT 1'),
    revocation: db.prepare<[string], { reason: string }>(
      'SELECT reason FROM ticket_revocations_current WHERE id = ?',
    ),
    history: db.prepare<
      [string, string],
      {
        id: string;
        direction: 'entry' | 'exit';
        outcome: 'admitted' | 'refused';
        scanned_at: string;
        device_name: string;
      }
    >(
      // By the ticket's index, whatever the list holds (`+list_id` keeps SQLite from walking the list's scans
      // in time order instead: offline, a door's list grows by one pending row a scan). The rules sort.
      `SELECT id, direction, outcome, scanned_at, device_name FROM check_ins_current
       WHERE ticket_id = ? AND +list_id = ?`,
    ),
    person: db.prepare<[string], { first_name: string | null; last_name: string | null }>(
      'SELECT first_name, last_name FROM people_current WHERE id = ?',
    ),
    orderCode: db.prepare<[string], { code: string }>('SELECT code FROM orders_current WHERE id = ?'),
    anyTicket: db.prepare<[], { held: number }>(
      'SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM tickets_pending) AS held',
    ),
  };
}

/**
 * The replica reads of the gate, prepared once per replica, with what rarely changes cached until its table
 * does: the lists, the ticket type names, and the verifier built from the organization's public keys (each
 * key's KeyObject is made once, on its first verification). `revisionOf(table)` is the core's per-table
 * revision, which moves whenever a pull, a replay or a command touched that table.
 */
export function createGateLookup(db: ReplicaDb, revisionOf: (table: string) => number | undefined) {
  const statements = prepare(db);

  let lists = { revision: -1 as number | undefined, byId: new Map<string, CheckInListView | null>() };
  let types = { revision: -1 as number | undefined, byEvent: new Map<string, Map<string, string>>() };
  let keys: { revision: number | undefined; verifier: TicketSecretVerifier } | null = null;
  let tickets: { revision: number | undefined; held: boolean } | null = null;

  return {
    statements,

    list(listId: string): CheckInListView | null {
      const revision = revisionOf('checkin_lists');
      if (lists.revision !== revision) lists = { revision, byId: new Map() };
      let list = lists.byId.get(listId);
      if (list === undefined) {
        const row = statements.list.get(listId);
        list = row ? listOf(row) : null;
        lists.byId.set(listId, list);
      }
      return list;
    },

    listsOfEvent(eventId: string): CheckInListView[] {
      return statements.listsOfEvent.all(eventId).map(listOf);
    },

    /** The names of an event's ticket types by id. */
    typeNames(eventId: string): Map<string, string> {
      const revision = revisionOf('ticket_types');
      if (types.revision !== revision) types = { revision, byEvent: new Map() };
      let names = types.byEvent.get(eventId);
      if (!names) {
        names = new Map(statements.typeNames.all(eventId).map((type) => [type.id, type.name]));
        types.byEvent.set(eventId, names);
      }
      return names;
    },

    typeName(eventId: string, typeId: string): string | null {
      return this.typeNames(eventId).get(typeId) ?? statements.typeName.get(typeId)?.name ?? null;
    },

    verifier(): TicketSecretVerifier {
      const revision = revisionOf('ticket_signing_keys');
      if (!keys || keys.revision !== revision) {
        const known: TicketVerificationKey[] = statements.keys.all().map((key) => ({
          kid: key.kid,
          publicKey: key.public_key,
          retiredAt: key.retired_at,
        }));
        keys = { revision, verifier: createTicketSecretVerifier(known) };
      }
      return keys.verifier;
    },

    /**
     * Whether this replica holds tickets at all. A device in the 'no_attendee_data' profile holds none (an
     * admin may switch a device's profile after it enrolled, and the replica follows, not the enrollment record).
     */
    holdsTickets(): boolean {
      const revision = revisionOf('tickets');
      if (!tickets || tickets.revision !== revision) {
        tickets = { revision, held: statements.anyTicket.get()?.held === 1 };
      }
      return tickets.held;
    },

    history(ticketId: string, listId: string): PastScan[] {
      return statements.history.all(ticketId, listId).map((scan) => ({
        id: scan.id,
        direction: scan.direction,
        outcome: scan.outcome,
        scannedAt: scan.scanned_at,
        deviceName: scan.device_name,
      }));
    },

    personName(personId: string | null): string | null {
      if (!personId) return null;
      const person = statements.person.get(personId);
      if (!person) return null;
      const name = [person.first_name, person.last_name].filter(Boolean).join(' ');
      return name || null;
    },

    orderCode(orderId: string | null): string | null {
      return orderId ? (statements.orderCode.get(orderId)?.code ?? null) : null;
    },
  };
}
export type GateLookup = ReturnType<typeof createGateLookup>;
