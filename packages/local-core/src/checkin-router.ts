import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { checkInListDraftSchema, scanDirectionSchema, uuidSchema } from '@janix/schemas';
import { createCheckIn, type CheckIn } from './checkin/checkin.ts';
import { createCheckInQueries, type CheckInQueries } from './checkin/checkin-queries.ts';
import type { CheckInListView } from './checkin/gate-lookup.ts';
import { createListTallies, type ListTallies } from './checkin/list-tally.ts';
import { enrolledProcedure as enrolled, localTrpc as t } from './enrolled-procedure.ts';
import type { LocalCoreInternals } from './local-core-internals.ts';

export type { ScanResult, ScanAttendee } from './checkin/checkin.ts';
export type { EntryAlert, RecentScan, SearchHit } from './checkin/checkin-queries.ts';
export type { ListCounts } from './checkin/list-tally.ts';

/**
 * Check-in at a door, all offline from the replica: the verdict on a scanned text or a ticket picked by hand
 * (recorded as a scan fact through the one write path in the same call), manual search, recent scans, live
 * counts, double-entry alerts, and the lists themselves. Screens re-read by the revisions of 'check_ins',
 * 'entry_alerts' and 'checkin_lists' (`status.tables`).
 */

interface Gate {
  checkIn: CheckIn;
  queries: CheckInQueries;
  tallies: ListTallies;
}
const gates = new WeakMap<object, Gate>();
/** The gate of the current replica, made once (its statements prepared, its caches empty); a wiped device gets a new one. */
function gateOf(core: LocalCoreInternals): Gate {
  const replica = core.replica();
  let gate = gates.get(replica);
  if (!gate) {
    const revisionOf = (table: string) => core.tableRevisions()[table];
    // The tallies are told of each scan the gate records, and ask it whether this replica holds tickets.
    let tallies: ListTallies | null = null;
    const checkIn = createCheckIn({
      db: replica.db,
      revisionOf,
      submit: (device, name, args) => core.submit(device, name, args),
      recorded: (listId, scan, revisionBefore) => tallies?.recorded(listId, scan, revisionBefore),
      now: () => new Date(),
    });
    tallies = createListTallies(replica.db, revisionOf, () => checkIn.lookup.holdsTickets());
    gate = { checkIn, queries: createCheckInQueries(replica.db, checkIn.lookup), tallies };
    gates.set(replica, gate);
  }
  return gate;
}

function listOrThrow(gate: Gate, listId: string): CheckInListView {
  const list = gate.checkIn.lookup.list(listId);
  if (!list)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'This check-in list is not on this console.' });
  return list;
}

const mayScan = enrolled.use(({ ctx, next }) => {
  if (!ctx.allows('checkin.scan')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role cannot check people in on this console.' });
  }
  return next();
});

const listInput = z.object({ listId: uuidSchema });

export const checkInRouter = t.router({
  /** An event's check-in lists, with the names of the ticket types each admits (none named: all of them). */
  lists: enrolled
    .input(z.object({ eventId: uuidSchema }))
    .query(({ ctx, input }) => gateOf(ctx.core).queries.lists(input.eventId)),

  /**
   * Creates a list (no listId, or one not on this console yet: the screen makes the id once per form, so a
   * create sent twice is one list) or updates one. The rule refuses with its reason (e.g. a window that
   * closes before it opens, a ticket type of another event).
   */
  saveList: enrolled
    .input(checkInListDraftSchema.extend({ listId: uuidSchema.optional(), eventId: uuidSchema }))
    .mutation(({ ctx, input }) => {
      const { listId: given, eventId, ...draft } = input;
      const listId = given ?? randomUUID();
      const existing = ctx.core.replica().overlay.current('checkin_lists', listId);
      if (existing) {
        if (existing.eventId !== eventId) {
          throw new TRPCError({ code: 'BAD_REQUEST', message: 'This list belongs to another event.' });
        }
        ctx.core.submit(ctx.device, 'updateCheckInList', { listId, patch: draft });
      } else {
        ctx.core.submit(ctx.device, 'createCheckInList', { listId, eventId, draft });
      }
      return { listId };
    }),

  /**
   * The verdict on a scanned text: any text at all (a scanner may send anything). What is no ticket of this
   * organization is refused with a reason and recorded as a failed scan, never an error.
   */
  scan: mayScan
    .input(listInput.extend({ text: z.string(), direction: scanDirectionSchema.default('entry') }))
    .mutation(({ ctx, input }) => {
      const gate = gateOf(ctx.core);
      return gate.checkIn.scan(ctx.device, listOrThrow(gate, input.listId), input.text, input.direction);
    }),

  /** A ticket checked in (or out) by hand after a search: the same rules and the same record, marked manual. */
  checkIn: mayScan
    .input(listInput.extend({ ticketId: uuidSchema, direction: scanDirectionSchema.default('entry') }))
    .mutation(({ ctx, input }) => {
      const gate = gateOf(ctx.core);
      return gate.checkIn.checkIn(
        ctx.device,
        listOrThrow(gate, input.listId),
        input.ticketId,
        input.direction,
      );
    }),

  /** Tickets of the list's event by name, email (where this device holds it) or order code; 3+ characters. */
  search: enrolled.input(listInput.extend({ query: z.string().max(200) })).query(({ ctx, input }) => {
    const gate = gateOf(ctx.core);
    return gate.queries.search(listOrThrow(gate, input.listId), input.query, new Date());
  }),

  /** The latest scans of the list from every device, newest first. */
  recent: enrolled
    .input(listInput.extend({ limit: z.number().int().min(1).max(200).default(20) }))
    .query(({ ctx, input }) => {
      const gate = gateOf(ctx.core);
      return gate.queries.recent(listOrThrow(gate, input.listId), input.limit);
    }),

  /** Checked in, inside now, total admitted by the list, and entries and exits per quarter hour. */
  counts: enrolled.input(listInput).query(({ ctx, input }) => {
    const gate = gateOf(ctx.core);
    return gate.tallies.counts(listOrThrow(gate, input.listId), new Date());
  }),

  /** Double entries the server found at this event (every console sees them through the feed), newest first. */
  alerts: enrolled
    .input(z.object({ eventId: uuidSchema }))
    .query(({ ctx, input }) => gateOf(ctx.core).queries.alerts(input.eventId)),
});
