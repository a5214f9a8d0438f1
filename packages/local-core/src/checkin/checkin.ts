import { randomUUID } from 'node:crypto';
import {
  codeRefusal,
  decideScan,
  type GateTicket,
  type ScanCode,
  type ScanTone,
  type ScanVerdict,
} from '@janix/domain';
import type { EnrolledDevice } from '@janix/schemas';
import type { ReplicaDb } from '../replica/open-replica.ts';
import { createGateLookup, type CheckInListView, type GateLookup, type TicketRow } from './gate-lookup.ts';
import type { TalliedScan } from './list-tally.ts';
import { rawExcerptOf, readScannedText } from './scanned-text.ts';

export type ScanDirection = 'entry' | 'exit';

/** Who the verdict is about, as far as this device knows (no names on a device that holds no attendee data). */
export interface ScanAttendee {
  name: string | null;
  ticketType: string | null;
  orderCode: string | null;
}

/** What the check-in screen shows for one scan: the verdict, its reason, and whom it concerns. */
export interface ScanResult {
  scanId: string;
  outcome: 'admitted' | 'refused';
  tone: ScanTone;
  code: ScanCode;
  reason: string;
  attendee: ScanAttendee | null;
  scannedAt: string;
}

export interface CheckInDeps {
  db: ReplicaDb;
  /** The core's per-table revision (moves whenever a pull, a replay or a command touched the table). */
  revisionOf(table: string): number | undefined;
  /** Queues the scan fact through the one write path (rule, pending row and outbox in one transaction). */
  submit(device: EnrolledDevice, name: 'recordScan', args: unknown): void;
  /** A scan was recorded; `revisionBefore` is the `check_ins` revision from before it (see list-tally.ts). */
  recorded(listId: string, scan: TalliedScan, revisionBefore: number | undefined): void;
  now(): Date;
}

/** The text a reason may hold (the recordScan schema's limit). */
const MAX_REASON = 200;

/** The start of a text, never splitting a character in two (a lone surrogate is no storable text). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > max) break;
    kept += character;
  }
  return kept;
}

/** A revocation's reason as the gate's ticket status. */
function revokedStatus(reason: string): GateTicket['status'] {
  return reason === 'refunded' ? 'refunded' : reason === 'void' ? 'void' : 'revoked';
}

/** A replica ticket's status as the gate sees it; a status the gate does not know never admits. */
function ticketStatus(status: string): GateTicket['status'] {
  return status === 'valid' || status === 'refunded' || status === 'void' ? status : 'revoked';
}

/** What a scanned code named: a ticket to judge, or a refusal of the code itself. */
type Found =
  | { kind: 'ticket'; ticket: GateTicket; row: TicketRow | null }
  | { kind: 'refused'; verdict: ScanVerdict; ticketId: string | null; ticketTypeId: string | null };

/**
 * The console's check-in: a scanned text or a ticket picked by hand becomes a verdict, reached offline from the
 * replica by the domain's rules (`decideScan`), and a scan fact queued for the server in the same call. Each
 * scan is a few indexed reads, at most one Ed25519 verification, and one commit: the door waits for it.
 */
export function createCheckIn(deps: CheckInDeps) {
  const lookup: GateLookup = createGateLookup(deps.db, deps.revisionOf);
  const { statements } = lookup;
  // Scan facts commit with synchronous=NORMAL: in WAL mode the commit reaches the operating system before the
  // verdict is shown, so it survives the console crashing or being killed; only a power cut in the moment
  // before the next checkpoint (run once the scan has answered, see checkpointAfterCommand) can lose the
  // last scans. The flush synchronous=FULL waits for costs more than the whole verdict (p99 of ~1 ms and
  // more on a laptop disk against a 0.5 ms budget), and a lost scan loses a record of a door decision
  // already made, never a sale or a seat. Everything else the console commits stays FULL.
  const relaxed = deps.db.prepare('PRAGMA synchronous = NORMAL');
  const strict = deps.db.prepare('PRAGMA synchronous = FULL');

  /** What a scanned text names. */
  function find(text: string): Found {
    const read = readScannedText(text);
    if (read.kind !== 'code') {
      return { kind: 'refused', verdict: codeRefusal('invalid_code'), ticketId: null, ticketTypeId: null };
    }
    const verified = lookup.verifier().verify(read.code);
    if (verified.ok) {
      const { ticketId, eventId, ticketTypeId } = verified.payload;
      const row = statements.ticketById.get(ticketId) ?? null;
      // A device without attendee data holds no tickets: the signature and the revocations are all it can
      // know, and all it is meant to check, so a genuine code is no "not synced yet" to it.
      const known = row !== null || !lookup.holdsTickets();
      return { kind: 'ticket', row, ticket: gateTicket(row, { ticketId, eventId, ticketTypeId }, known) };
    }
    if (verified.reason !== 'malformed') {
      // Another organization's code names a key this one does not have; a forged one fails its signature.
      const code =
        verified.reason === 'unknown_key' || verified.reason === 'retired_key'
          ? verified.reason
          : 'invalid_code';
      return { kind: 'refused', verdict: codeRefusal(code), ticketId: null, ticketTypeId: null };
    }
    // Not a signed code: perhaps a random secret of a ticket issued before signing (looked up in the replica).
    const byId = statements.ticketIdBySecret.get(read.code);
    const row = byId ? statements.ticketById.get(byId.id) : undefined;
    if (!row) {
      return { kind: 'refused', verdict: codeRefusal('unknown_ticket'), ticketId: null, ticketTypeId: null };
    }
    return { kind: 'ticket', row, ticket: gateTicket(row, null, true) };
  }

  /** The ticket the rules judge: the replica's row when there is one, else what the signed code says. */
  function gateTicket(
    row: TicketRow | null,
    signed: { ticketId: string; eventId: string; ticketTypeId: string } | null,
    known: boolean,
  ): GateTicket {
    const ticketId = row?.id ?? signed!.ticketId;
    const revoked = statements.revocation.get(ticketId);
    const status = row ? ticketStatus(row.status) : 'valid';
    const eventId = row?.event_id ?? signed!.eventId;
    const ticketTypeId = row?.ticket_type_id ?? signed!.ticketTypeId;
    return {
      ticketId,
      eventId,
      ticketTypeId,
      // A refund reaches a device that holds the ticket as its status, and every device as a revocation.
      status: revoked && status === 'valid' ? revokedStatus(revoked.reason) : status,
      known,
      ticketTypeName: lookup.typeName(eventId, ticketTypeId),
    };
  }

  function attendeeOf(found: Found): ScanAttendee | null {
    if (found.kind !== 'ticket') return null;
    const { ticket, row } = found;
    return {
      name: lookup.personName(row?.person_id ?? null),
      ticketType: ticket.ticketTypeName ?? null,
      orderCode: lookup.orderCode(row?.order_id ?? null),
    };
  }

  function judge(
    device: EnrolledDevice,
    list: CheckInListView,
    found: Found,
    direction: ScanDirection,
    manual: boolean,
    rawText: string | null,
  ): ScanResult {
    const now = deps.now();
    const verdict =
      found.kind === 'refused'
        ? found.verdict
        : decideScan({
            list,
            ticket: found.ticket,
            history: lookup.history(found.ticket.ticketId, list.id),
            direction,
            now,
          });
    const scanId = randomUUID();
    const scannedAt = now.toISOString();
    const reason = cut(verdict.reason, MAX_REASON);
    const args = {
      scanId,
      listId: list.id,
      ticketId: found.kind === 'ticket' ? found.ticket.ticketId : found.ticketId,
      ticketTypeId: found.kind === 'ticket' ? found.ticket.ticketTypeId : found.ticketTypeId,
      direction,
      outcome: verdict.outcome,
      code: verdict.code,
      reason,
      scannedAt,
      manual,
      // Kept for a code that named no ticket, so a reader of the log can tell a stray barcode from an attack.
      rawExcerpt: found.kind === 'refused' && rawText !== null ? rawExcerptOf(rawText) || null : null,
    };
    const revisionBefore = deps.revisionOf('check_ins');
    relaxed.run();
    try {
      deps.submit(device, 'recordScan', args);
    } finally {
      strict.run();
    }
    deps.recorded(list.id, args, revisionBefore);
    return {
      scanId,
      outcome: verdict.outcome,
      tone: verdict.tone,
      code: verdict.code,
      reason,
      attendee: attendeeOf(found),
      scannedAt,
    };
  }

  return {
    lookup,

    /** A scanned text at a list's door: any text at all; what is no ticket is refused and recorded as such. */
    scan(device: EnrolledDevice, list: CheckInListView, text: string, direction: ScanDirection): ScanResult {
      return judge(device, list, find(text), direction, false, text);
    },

    /** A ticket picked by hand after a search; one this device does not hold is refused as unknown. */
    checkIn(
      device: EnrolledDevice,
      list: CheckInListView,
      ticketId: string,
      direction: ScanDirection,
    ): ScanResult {
      const row = statements.ticketById.get(ticketId);
      const found: Found = row
        ? { kind: 'ticket', row, ticket: gateTicket(row, null, true) }
        : {
            kind: 'refused',
            verdict: codeRefusal('unknown_ticket'),
            ticketId,
            ticketTypeId: null,
          };
      return judge(device, list, found, direction, true, null);
    },
  };
}
export type CheckIn = ReturnType<typeof createCheckIn>;
