import type { CheckInListDraft } from '@janix/schemas';
import { defineCommands, updateOf, type CommandWrite } from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import { findDoubleEntries, type GateList, type PastScan, type ScanDirection } from './checkin-rules.ts';
import type { RowOf, WriteRowOf } from './replicated-tables.ts';

/**
 * Check-in lists (what an entrance admits) and scans. A scan is a fact: the device already let the person in
 * or turned them away, perhaps hours ago while offline, so recording it is never refused. On the server, an
 * admitted entry is replayed with the ticket's other scans on the list through the door's rules
 * (checkin-rules.ts); an entry those rules would have refused becomes an alert naming both scans.
 */

const ok = <T>(value: T): Decision<T> => ({ ok: true, value });

/** The `ticket_type_ids` column: the ids as a JSON array, sorted, so both sides store the same text. */
export function ticketTypeIdsColumn(ids: readonly string[]): string {
  return JSON.stringify([...new Set(ids.map((id) => id.toLowerCase()))].sort());
}

/** The column read back; anything unreadable admits no type rather than every type. */
export function ticketTypeIdsOfColumn(column: string): string[] {
  try {
    const ids: unknown = JSON.parse(column);
    if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) return ids as string[];
  } catch {
    // fall through
  }
  return ['unreadable'];
}

/** A list row as the door's rules read it. */
export function gateListOf(row: RowOf<'checkin_lists'>): GateList {
  return {
    id: row.id,
    eventId: row.eventId,
    ticketTypeIds: ticketTypeIdsOfColumn(row.ticketTypeIds),
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    allowReentry: row.allowReentry,
    allowMultipleEntries: row.allowMultipleEntries,
    maxEntriesPerDay: row.maxEntriesPerDay,
    autoCheckoutAt: row.autoCheckoutAt,
    timeZone: row.timeZone,
  };
}

/** A check-in row as an earlier scan the rules replay. */
export function pastScanOf(row: RowOf<'check_ins'>): PastScan {
  return {
    id: row.id,
    direction: row.direction as ScanDirection,
    outcome: row.outcome === 'admitted' ? 'admitted' : 'refused',
    scannedAt: row.scannedAt,
    deviceName: row.deviceName,
  };
}

function listColumns(draft: CheckInListDraft): Omit<WriteRowOf<'checkin_lists'>, 'id' | 'eventId'> {
  return { ...draft, ticketTypeIds: ticketTypeIdsColumn(draft.ticketTypeIds) };
}

function checkList(
  draft: CheckInListDraft,
  eventId: string,
  ticketTypes: ReadonlyMap<string, RowOf<'ticket_types'>>,
): Decision<null> {
  if (
    draft.validFrom !== null &&
    draft.validUntil !== null &&
    Date.parse(draft.validUntil) <= Date.parse(draft.validFrom)
  ) {
    return rejection('invalid_time_window', 'The list must close after it opens.');
  }
  for (const id of draft.ticketTypeIds) {
    const type = ticketTypes.get(id);
    if (!type)
      return rejection(
        'ticket_type_not_found',
        'A chosen ticket type does not exist (it may have been deleted).',
      );
    if (type.eventId !== eventId) {
      return rejection('ticket_type_other_event', `The ticket type ${type.name} belongs to another event.`);
    }
  }
  return ok(null);
}

/** Whether the server should replay this scan for double entries (the console cannot: it sees only its part). */
const replays = (args: { direction: string; outcome: string; ticketId: string | null }, where: string) =>
  where === 'server' && args.direction === 'entry' && args.outcome === 'admitted' && args.ticketId !== null;

export const checkInCommands = defineCommands({
  createCheckInList: {
    requires: 'events.write',
    reads: (args) => [
      { table: 'events', ids: [args.eventId] },
      { table: 'checkin_lists', ids: [args.listId] },
      { table: 'ticket_types', ids: args.draft.ticketTypeIds },
    ],
    decide(rows, args) {
      if (!rows.events.has(args.eventId)) {
        return rejection('event_not_found', 'This event does not exist (it may have been deleted).');
      }
      if (rows.checkin_lists.has(args.listId))
        return rejection('already_exists', 'This check-in list was already created.');
      const checked = checkList(args.draft, args.eventId, rows.ticket_types);
      if (!checked.ok) return checked;
      return ok([
        {
          table: 'checkin_lists',
          op: 'insert',
          row: { id: args.listId, eventId: args.eventId, ...listColumns(args.draft) },
        },
      ]);
    },
  },

  updateCheckInList: {
    requires: 'events.write',
    reads: (args) => [
      { table: 'checkin_lists', ids: [args.listId] },
      { table: 'ticket_types', ids: args.patch.ticketTypeIds ?? [] },
    ],
    decide(rows, args) {
      const current = rows.checkin_lists.get(args.listId);
      if (!current) {
        return rejection('list_not_found', 'This check-in list does not exist (it may have been deleted).');
      }
      const patch = Object.fromEntries(
        Object.entries(args.patch).filter(([, value]) => value !== undefined),
      ) as Partial<CheckInListDraft>;
      const draft: CheckInListDraft = {
        name: current.name,
        ticketTypeIds: ticketTypeIdsOfColumn(current.ticketTypeIds),
        validFrom: current.validFrom,
        validUntil: current.validUntil,
        allowReentry: current.allowReentry,
        allowMultipleEntries: current.allowMultipleEntries,
        maxEntriesPerDay: current.maxEntriesPerDay,
        autoCheckoutAt: current.autoCheckoutAt,
        timeZone: current.timeZone,
        ...patch,
      };
      // Ticket types already on the list were checked when they were chosen; only newly named ones are read.
      const checked = checkList(
        { ...draft, ticketTypeIds: patch.ticketTypeIds ?? [] },
        current.eventId,
        rows.ticket_types,
      );
      if (!checked.ok) return checked;
      return ok([updateOf('checkin_lists', current, listColumns(draft))]);
    },
  },

  recordScan: {
    requires: 'checkin.scan',
    // The list is read (and on the server locked) before the ticket's scans: two devices' scans of one list
    // are recorded one after the other, so the later one's replay sees the earlier one.
    reads: (args, ctx) => [
      { table: 'checkin_lists', ids: [args.listId] },
      { table: 'check_ins', ids: [args.scanId] },
      ...(replays(args, ctx.where) && args.ticketId
        ? [
            { table: 'check_ins' as const, column: 'ticket_id', values: [args.ticketId] },
            { table: 'entry_alerts' as const, column: 'ticket_id', values: [args.ticketId] },
          ]
        : []),
    ],
    decide(rows, args, ctx) {
      const list = rows.checkin_lists.get(args.listId);
      if (!list) {
        return rejection('list_not_found', 'This check-in list does not exist (it may have been deleted).');
      }
      // The same scan sent again (a retry after a lost answer): it is recorded already.
      if (rows.check_ins.has(args.scanId)) return ok([]);
      const scan: WriteRowOf<'check_ins'> = {
        id: args.scanId,
        listId: list.id,
        eventId: list.eventId,
        ticketId: args.ticketId,
        ticketTypeId: args.ticketTypeId,
        direction: args.direction,
        outcome: args.outcome,
        code: args.code,
        reason: args.reason,
        deviceId: ctx.actor.deviceId,
        deviceName: ctx.actor.deviceName,
        scannedAt: args.scannedAt,
        manual: args.manual,
        rawExcerpt: args.rawExcerpt,
      };
      const writes: CommandWrite[] = [{ table: 'check_ins', op: 'insert', row: scan }];
      if (!replays(args, ctx.where)) return ok(writes);

      const history = [...rows.check_ins.values()]
        .filter((row) => row.ticketId === args.ticketId && row.listId === list.id && row.id !== scan.id)
        .map(pastScanOf);
      const doubles = findDoubleEntries({
        list: gateListOf(list),
        history,
        scan: {
          id: scan.id,
          direction: args.direction,
          outcome: args.outcome,
          scannedAt: args.scannedAt,
          deviceName: ctx.actor.deviceName,
        },
      });
      for (const { first, second } of doubles) {
        // One alert per refused entry, named by it: a replay that finds it again writes nothing.
        if (rows.entry_alerts.has(second.id)) continue;
        writes.push({
          table: 'entry_alerts',
          op: 'insert',
          row: {
            id: second.id,
            eventId: list.eventId,
            listId: list.id,
            ticketId: args.ticketId!,
            firstCheckInId: first.id,
            firstDeviceName: first.deviceName,
            firstAt: first.scannedAt,
            secondCheckInId: second.id,
            secondDeviceName: second.deviceName,
            secondAt: second.scannedAt,
            createdAt: ctx.now.toISOString(),
          },
        });
      }
      return ok(writes);
    },
  },
});
