import type { SalesChannel } from '@janix/schemas';
import { defineCommands, updateOf, type LoadedRows } from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import type { RowOf, WriteRowOf } from './replicated-tables.ts';

/**
 * Setting an event up for sale: quotas (the seats several ticket types draw from) and ticket types. The
 * rules keep what the sale rules rely on: a quota never holds fewer seats than it has sold or lent to box
 * offices, a ticket type sells from a quota of its own event, and one event sells in one currency.
 */

const CHANNEL_ORDER: readonly SalesChannel[] = ['box_office', 'online'];

/** The `channels` column: each channel once, always in the same order, so both sides store the same text. */
export function channelsColumn(channels: readonly SalesChannel[]): string {
  return CHANNEL_ORDER.filter((channel) => channels.includes(channel)).join(',');
}

const ok = <T>(value: T): Decision<T> => ({ ok: true, value });

/** The fields a patch sets: an absent field keeps the row's value, an explicit null clears it. */
function setFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function quotaOfEvent(rows: LoadedRows, quotaId: string, eventId: string): Decision<RowOf<'quotas'>> {
  const quota = rows.quotas.get(quotaId);
  if (!quota)
    return rejection('quota_not_found', 'The chosen quota does not exist (it may have been deleted).');
  if (quota.eventId !== eventId) {
    return rejection('quota_other_event', `The quota ${quota.name} belongs to another event.`);
  }
  return ok(quota);
}

function checkSalesWindow(startAt: string | null, endAt: string | null): Decision<null> {
  if (startAt !== null && endAt !== null && Date.parse(endAt) <= Date.parse(startAt)) {
    return rejection('invalid_sales_window', 'Sales must close after they open.');
  }
  return ok(null);
}

/** A sale, a receipt and a shift's takings each add prices up in one currency: an event's ticket types share it. */
function checkCurrency(
  rows: LoadedRows,
  ticketType: { id: string; eventId: string; currency: string },
): Decision<null> {
  const other = [...rows.ticket_types.values()].find(
    (type) =>
      type.eventId === ticketType.eventId &&
      type.id !== ticketType.id &&
      type.currency !== ticketType.currency,
  );
  if (other) {
    return rejection(
      'currency_mismatch',
      `This event's tickets are priced in ${other.currency} (${other.name}), so this ticket type cannot be in ${ticketType.currency}.`,
    );
  }
  return ok(null);
}

/** Seats of a quota that are spoken for: sold, or held by box offices to sell offline. */
function checkCapacity(quota: RowOf<'quotas'>, capacity: number): Decision<null> {
  const taken = quota.sold + quota.allocated;
  if (capacity < taken) {
    return rejection(
      'capacity_below_sold',
      `Capacity ${capacity} is below the ${taken} seats already sold or held by box offices (${quota.sold} sold, ${quota.allocated} held).`,
    );
  }
  return ok(null);
}

/** A ticket type as written: its legacy `capacity` column mirrors its quota's at the time of writing. */
function ticketTypeRow(
  fields: Omit<WriteRowOf<'ticket_types'>, 'capacity' | 'channels'> & { channels: readonly SalesChannel[] },
  quota: RowOf<'quotas'>,
): WriteRowOf<'ticket_types'> {
  return { ...fields, channels: channelsColumn(fields.channels), capacity: quota.capacity };
}

function channelsOfColumn(column: string): SalesChannel[] {
  return CHANNEL_ORDER.filter((channel) => column.split(',').includes(channel));
}

export const eventSetupCommands = defineCommands({
  createQuota: {
    requires: 'events.write',
    reads: (args) => [
      { table: 'events', ids: [args.eventId] },
      { table: 'quotas', ids: [args.quotaId] },
    ],
    decide(rows, args) {
      if (!rows.events.has(args.eventId)) {
        return rejection('event_not_found', 'This event does not exist (it may have been deleted).');
      }
      if (rows.quotas.has(args.quotaId))
        return rejection('already_exists', 'This quota was already created.');
      return ok([
        {
          table: 'quotas',
          op: 'insert',
          row: { id: args.quotaId, eventId: args.eventId, ...args.draft, sold: 0, allocated: 0 },
        },
      ]);
    },
  },

  updateQuota: {
    requires: 'events.write',
    reads: (args) => [{ table: 'quotas', ids: [args.quotaId] }],
    decide(rows, args) {
      const quota = rows.quotas.get(args.quotaId);
      if (!quota)
        return rejection('quota_not_found', 'This quota does not exist (it may have been deleted).');
      if (args.patch.capacity !== undefined) {
        const capacity = checkCapacity(quota, args.patch.capacity);
        if (!capacity.ok) return capacity;
      }
      // Ticket types keep their `capacity` column as written: it is informational, the quota decides.
      return ok([updateOf('quotas', quota, setFields(args.patch))]);
    },
  },

  createTicketType: {
    requires: 'events.write',
    reads: (args) => [
      { table: 'events', ids: [args.eventId] },
      { table: 'quotas', ids: [args.draft.quotaId] },
      { table: 'ticket_types', ids: [args.ticketTypeId] },
      { table: 'ticket_types', column: 'event_id', values: [args.eventId] },
    ],
    decide(rows, args) {
      if (!rows.events.has(args.eventId)) {
        return rejection('event_not_found', 'This event does not exist (it may have been deleted).');
      }
      if (rows.ticket_types.has(args.ticketTypeId)) {
        return rejection('already_exists', 'This ticket type was already created.');
      }
      const quota = quotaOfEvent(rows, args.draft.quotaId, args.eventId);
      if (!quota.ok) return quota;
      const fields = { id: args.ticketTypeId, eventId: args.eventId, ...args.draft };
      const window = checkSalesWindow(fields.salesStartAt, fields.salesEndAt);
      if (!window.ok) return window;
      const currency = checkCurrency(rows, fields);
      if (!currency.ok) return currency;
      return ok([{ table: 'ticket_types', op: 'insert', row: ticketTypeRow(fields, quota.value) }]);
    },
  },

  updateTicketType: {
    requires: 'events.write',
    reads: (args) => [
      { table: 'ticket_types', ids: [args.ticketTypeId] },
      // Moving to another quota is refused while tickets of the type are sold: they stay counted in the old one.
      ...(args.patch.quotaId !== undefined
        ? [{ table: 'tickets' as const, column: 'ticket_type_id', values: [args.ticketTypeId] }]
        : []),
    ],
    readsAfter(rows, args) {
      const current = rows.ticket_types.get(args.ticketTypeId);
      if (!current) return [];
      return [
        { table: 'ticket_types', column: 'event_id', values: [current.eventId] },
        { table: 'quotas', ids: [args.patch.quotaId ?? current.quotaId] },
      ];
    },
    decide(rows, args) {
      const current = rows.ticket_types.get(args.ticketTypeId);
      if (!current) {
        return rejection(
          'ticket_type_not_found',
          'This ticket type does not exist (it may have been deleted).',
        );
      }
      const { version: _version, updatedAt: _at, updatedBy: _by, capacity: _capacity, ...kept } = current;
      const fields = { ...kept, channels: channelsOfColumn(current.channels), ...setFields(args.patch) };
      const quota = quotaOfEvent(rows, fields.quotaId, current.eventId);
      if (!quota.ok) return quota;
      if (fields.quotaId !== current.quotaId) {
        const sold = [...rows.tickets.values()].filter(
          (ticket) => ticket.ticketTypeId === current.id && ticket.status === 'valid',
        ).length;
        if (sold > 0) {
          return rejection(
            'quota_has_sales',
            `${sold} ${current.name} ticket${sold === 1 ? ' is' : 's are'} already sold from its quota, so it cannot move to another one. Create a new ticket type instead.`,
          );
        }
      }
      const window = checkSalesWindow(fields.salesStartAt, fields.salesEndAt);
      if (!window.ok) return window;
      if (fields.currency !== current.currency) {
        const currency = checkCurrency(rows, fields);
        if (!currency.ok) return currency;
      }
      return ok([{ table: 'ticket_types', op: 'update', row: ticketTypeRow(fields, quota.value) }]);
    },
  },
});
