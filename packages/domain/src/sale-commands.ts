import type { Buyer, Payment } from '@janix/schemas';
import {
  defineCommands,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
  type ReadRequest,
} from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import { momentInMessage } from './message-time.ts';
import { orderCodeOf, saleTotals, taxIncluded } from './pricing.ts';
import { ownOpenShift } from './shift-commands.ts';
import type { RowOf, WriteRowOf } from './replicated-tables.ts';

/**
 * Selling at the door without ever overselling (G4). A box-office device sells only seats it holds: an
 * allocation, granted by the server from a quota while the device was online, moves seats from the quota's
 * free pool into `allocated`; each sale moves them on into `sold`. The server's invariant
 * `sold + allocated <= capacity` therefore holds however long a device stays offline, and the database
 * refuses any row that would break it.
 *
 * Each seat of an allocation is a numbered slot whose ticket id and signed secret only the server can make
 * (the organization's signing key never leaves it); a device fetches its slots' secrets while online and an
 * offline sale turns slots into tickets. A stolen or revoked device can therefore never make more valid
 * tickets than it holds slots.
 */

function rowsOf<T extends keyof LoadedRows>(rows: LoadedRows, table: T) {
  return [...rows[table].values()] as Array<RowOf<T>>;
}

function channelsOf(ticketType: RowOf<'ticket_types'>): string[] {
  return ticketType.channels.split(',');
}

/**
 * Whether the sales window is open. Checked where the cashier sells, against the device's clock: a sale
 * made inside the window while offline stays valid when it reaches the server after the window closed
 * (its seats were already held by the device), so the server does not check it again.
 */
function windowRefusal(ticketType: RowOf<'ticket_types'>, now: Date): ReturnType<typeof rejection> | null {
  const at = now.getTime();
  if (ticketType.salesStartAt && at < Date.parse(ticketType.salesStartAt)) {
    return rejection(
      'sales_not_started',
      `Sales of ${ticketType.name} open at ${momentInMessage(ticketType.salesStartAt)}.`,
    );
  }
  if (ticketType.salesEndAt && at > Date.parse(ticketType.salesEndAt)) {
    return rejection(
      'sales_closed',
      `Sales of ${ticketType.name} closed at ${momentInMessage(ticketType.salesEndAt)}.`,
    );
  }
  return null;
}

/** The rows `buyerWrites` needs: the buyer's person by id, and whoever has their email already. */
export function buyerReads(buyer: Buyer | null): ReadRequest[] {
  if (!buyer) return [];
  return [
    { table: 'people', ids: [buyer.personId] },
    ...(buyer.email ? [{ table: 'people' as const, column: 'email', values: [buyer.email] }] : []),
  ];
}

/** The buyer's person: a known one (by email, then by id) or a new row. */
export function buyerWrites(
  rows: LoadedRows,
  buyer: Buyer | null,
): { personId: string | null; writes: CommandWrite[] } {
  if (!buyer) return { personId: null, writes: [] };
  // The same email is the same person: a returning buyer keeps one record (people are unique by email).
  const known =
    (buyer.email && rowsOf(rows, 'people').find((person) => person.email === buyer.email)) ||
    rows.people.get(buyer.personId);
  if (known) return { personId: known.id, writes: [] };
  const person: WriteRowOf<'people'> = {
    id: buyer.personId,
    firstName: buyer.firstName,
    lastName: buyer.lastName,
    email: buyer.email,
    phone: buyer.phone,
    ageRange: buyer.ageRange,
    company: null,
    city: null,
    country: null,
    marketingConsent: false,
  };
  return { personId: buyer.personId, writes: [{ table: 'people', op: 'insert', row: person }] };
}

function paymentColumns(payment: Payment, totalCents: number) {
  return {
    paymentMethod: payment.method,
    paymentReference: payment.method === 'terminal' ? payment.reference : null,
    compReason: payment.method === 'comp' ? payment.reason : null,
    tenderedCents: payment.method === 'cash' ? payment.tenderedCents : null,
    changeCents: payment.method === 'cash' ? payment.tenderedCents - totalCents : null,
  };
}

/** The ticket ids a sale's slots become, as far as this side knows them (a console: codes it has fetched). */
function slotTicketIds(
  args: { eventId: string; slots: Array<{ allocationId: string; slot: number; ticketTypeId: string }> },
  ctx: CommandContext,
): string[] {
  return args.slots.flatMap((slot) => {
    const issued = ctx.issueTicket({ ...slot, eventId: args.eventId });
    return issued ? [issued.ticketId] : [];
  });
}

export interface CheckedLine {
  type: RowOf<'ticket_types'>;
  quantity: number;
  unitPriceCents: number;
}

/**
 * A sale's lines, checked against the event's ticket types: each of this event, once, sold on `channel`, in
 * the sale's currency. `liveChecks` adds what only holds where and when the buyer pays: the sales window is
 * open and the price is the list price (a sale built from a stale screen is refused). Shared by the box
 * office's offline sales and the card payments the server takes.
 */
export function checkSaleLines(
  rows: LoadedRows,
  event: RowOf<'events'>,
  saleLines: ReadonlyArray<{ ticketTypeId: string; quantity: number; unitPriceCents: number }>,
  currency: string,
  now: Date,
  options: { channel: 'box_office' | 'online'; liveChecks: boolean },
): Decision<CheckedLine[]> {
  const where = options.channel === 'box_office' ? 'at the box office' : 'online';
  // Online nobody looks at the date for the buyer; at the door a cashier sells late-comers as the night goes on.
  if (options.channel === 'online' && options.liveChecks && now.getTime() > Date.parse(event.endsAt)) {
    return rejection('event_over', `${event.name} is over: it ended at ${momentInMessage(event.endsAt)}.`);
  }
  const lines: CheckedLine[] = [];
  for (const line of saleLines) {
    const type = rows.ticket_types.get(line.ticketTypeId);
    if (!type || type.eventId !== event.id) {
      return rejection('not_found', 'A ticket type of this sale does not belong to the event.');
    }
    if (lines.some((earlier) => earlier.type.id === type.id)) {
      return rejection('invalid_sale', `${type.name} appears twice in the sale; give it one quantity.`);
    }
    if (!channelsOf(type).includes(options.channel)) {
      return rejection('not_sold_here', `${type.name} is not sold ${where}.`);
    }
    if (type.currency !== currency) {
      return rejection(
        'currency_mismatch',
        `${type.name} is priced in ${type.currency}, not ${currency}. Sync and start the sale again.`,
      );
    }
    if (options.liveChecks) {
      const closed = windowRefusal(type, now);
      if (closed) return closed;
      // The seller charges its own price list; a sale asking otherwise was built from a stale screen.
      if (line.unitPriceCents !== type.priceCents) {
        return rejection('price_changed', `The price of ${type.name} changed; check the sale again.`);
      }
    }
    lines.push({ type, quantity: line.quantity, unitPriceCents: line.unitPriceCents });
  }
  return { ok: true, value: lines };
}

export const saleCommands = defineCommands({
  requestAllocation: {
    requires: 'sales.sell',
    reads: (args) => [
      { table: 'quotas', ids: [args.quotaId] },
      { table: 'shifts', ids: [args.shiftId] },
      { table: 'allocations', ids: [args.allocationId] },
    ],
    decide(rows, args, ctx) {
      const shift = ownOpenShift(rows, args.shiftId, ctx);
      if (!shift.ok) return shift;
      const quota = rows.quotas.get(args.quotaId);
      if (!quota) return rejection('not_found', 'This quota does not exist.');
      if (rows.allocations.has(args.allocationId)) {
        return rejection('already_exists', 'This allocation was already requested.');
      }
      const allocation: WriteRowOf<'allocations'> = {
        id: args.allocationId,
        quotaId: quota.id,
        eventId: quota.eventId,
        deviceId: ctx.actor.deviceId,
        shiftId: args.shiftId,
        requested: args.seats,
        granted: 0,
        used: 0,
        returned: 0,
        status: 'requested',
        createdAt: args.at,
      };
      // Only the server sees the quota as it is now: a console's copy may be stale, so it never grants.
      if (ctx.where === 'console')
        return { ok: true, value: [{ table: 'allocations', op: 'insert', row: allocation }] };
      const free = Math.max(0, quota.capacity - quota.sold - quota.allocated);
      const granted = Math.min(args.seats, free);
      const { id, eventId, name, capacity, sold, allocated } = quota;
      return {
        ok: true,
        value: [
          {
            table: 'allocations',
            op: 'insert',
            row: { ...allocation, granted, status: granted > 0 ? 'granted' : 'refused' },
          },
          ...(granted > 0
            ? [
                {
                  table: 'quotas',
                  op: 'update',
                  row: { id, eventId, name, capacity, sold, allocated: allocated + granted },
                } satisfies CommandWrite,
              ]
            : []),
        ],
      };
    },
  },

  sellTickets: {
    requires: 'sales.sell',
    issuesTickets: true,
    reads: (args, ctx) => {
      const allocationIds = [...new Set(args.slots.map((slot) => slot.allocationId))];
      return [
        { table: 'events', ids: [args.eventId] },
        { table: 'quotas', column: 'event_id', values: [args.eventId] },
        { table: 'ticket_types', column: 'event_id', values: [args.eventId] },
        { table: 'shifts', ids: [args.shiftId] },
        { table: 'orders', ids: [args.orderId] },
        { table: 'allocations', ids: allocationIds },
        // Whether a slot is sold already. The console reads just this sale's slots, by the ticket ids their
        // fetched codes carry: offline, an allocation's pending tickets are hundreds of rows to read per sale.
        // The server would derive those ids by signing, so it reads the allocation's tickets (indexed) instead.
        ctx.where === 'console'
          ? { table: 'tickets', ids: slotTicketIds(args, ctx) }
          : { table: 'tickets', column: 'allocation_id', values: allocationIds },
        ...buyerReads(args.buyer),
      ];
    },
    decide(rows, args, ctx) {
      const event = rows.events.get(args.eventId);
      if (!event) return rejection('not_found', 'This event does not exist.');
      if (event.status !== 'on_sale') {
        return rejection('not_on_sale', `${event.name} is not on sale (${event.status.replace('_', ' ')}).`);
      }
      const shift = ownOpenShift(rows, args.shiftId, ctx);
      if (!shift.ok) return shift;
      if (rows.orders.has(args.orderId))
        return rejection('already_exists', 'This sale was already recorded.');
      if (args.payment.method === 'comp' && !ctx.allows('sales.comp')) {
        return rejection('forbidden', 'Your role cannot hand out free tickets (comps).');
      }

      const checked = checkSaleLines(rows, event, args.lines, args.currency, ctx.now, {
        channel: 'box_office',
        // Where the cashier sells: a sale made offline inside the window and at the console's prices stays
        // valid when it reaches the server later (see windowRefusal).
        liveChecks: ctx.where === 'console',
      });
      if (!checked.ok) return checked;
      const lines = checked.value;

      // Slots: exactly one per ticket, each a fresh seat of a granted allocation this device holds, for the
      // quota its ticket type sells from.
      const wanted = lines.reduce((sum, line) => sum + line.quantity, 0);
      if (args.slots.length !== wanted) {
        return rejection('invalid_sale', `The sale has ${wanted} tickets but ${args.slots.length} seats.`);
      }
      const taken = new Set(rowsOf(rows, 'tickets').map((ticket) => `${ticket.allocationId}:${ticket.slot}`));
      const perType = new Map<string, number>();
      const usedPerAllocation = new Map<string, number>();
      for (const slot of args.slots) {
        const key = `${slot.allocationId}:${slot.slot}`;
        const allocation = rows.allocations.get(slot.allocationId);
        const type = rows.ticket_types.get(slot.ticketTypeId);
        if (!allocation || allocation.deviceId !== ctx.actor.deviceId || allocation.status !== 'granted') {
          return rejection(
            'no_allocation',
            'This device holds no seats for this sale. Request seats while online.',
          );
        }
        if (!type || allocation.quotaId !== type.quotaId || slot.slot >= allocation.granted) {
          return rejection(
            'no_allocation',
            'A seat of this sale is not one this device holds for that ticket type.',
          );
        }
        if (taken.has(key)) return rejection('seat_taken', 'A seat of this sale was already sold.');
        taken.add(key);
        perType.set(type.id, (perType.get(type.id) ?? 0) + 1);
        usedPerAllocation.set(allocation.id, (usedPerAllocation.get(allocation.id) ?? 0) + 1);
      }
      for (const line of lines) {
        if (perType.get(line.type.id) !== line.quantity) {
          return rejection(
            'invalid_sale',
            `The seats of this sale do not match its ${line.type.name} tickets.`,
          );
        }
      }
      for (const [allocationId, used] of usedPerAllocation) {
        const allocation = rows.allocations.get(allocationId)!;
        if (allocation.used + used > allocation.granted - allocation.returned) {
          const left = allocation.granted - allocation.returned - allocation.used;
          return rejection(
            'allocation_exhausted',
            `This device has ${left} seat${left === 1 ? '' : 's'} left of its allocation. Request more while online.`,
          );
        }
      }

      const comp = args.payment.method === 'comp';
      const totals = saleTotals(
        lines.map((line) => ({
          quantity: line.quantity,
          unitPriceCents: line.unitPriceCents,
          taxRateBp: line.type.taxRateBp,
        })),
        comp,
      );
      if (args.payment.method === 'cash' && args.payment.tenderedCents < totals.totalCents) {
        return rejection('cash_short', 'The cash given does not cover the total.');
      }
      const buyer = buyerWrites(rows, args.buyer);

      const tickets: CommandWrite[] = [];
      for (const slot of args.slots) {
        const type = rows.ticket_types.get(slot.ticketTypeId)!;
        const issued = ctx.issueTicket({
          allocationId: slot.allocationId,
          slot: slot.slot,
          eventId: event.id,
          ticketTypeId: type.id,
        });
        if (!issued) {
          return rejection(
            'seats_not_ready',
            'The ticket codes for these seats have not reached this device yet. Connect to the server briefly.',
          );
        }
        const priceCents = comp ? 0 : lines.find((line) => line.type.id === type.id)!.unitPriceCents;
        tickets.push({
          table: 'tickets',
          op: 'insert',
          row: {
            id: issued.ticketId,
            orderId: args.orderId,
            eventId: event.id,
            ticketTypeId: type.id,
            personId: buyer.personId,
            status: 'valid',
            secret: issued.secret,
            priceCents,
            taxCents: taxIncluded(priceCents, type.taxRateBp),
            allocationId: slot.allocationId,
            slot: slot.slot,
          },
        });
      }

      const listedTotalCents = lines.reduce((sum, line) => sum + line.type.priceCents * line.quantity, 0);
      const order: WriteRowOf<'orders'> = {
        id: args.orderId,
        eventId: event.id,
        personId: buyer.personId,
        code: orderCodeOf(args.orderId),
        channel: 'box_office',
        status: 'paid',
        totalCents: totals.totalCents,
        currency: args.currency,
        createdAt: args.soldAt,
        shiftId: args.shiftId,
        ...paymentColumns(args.payment, totals.totalCents),
        taxCents: totals.taxCents,
        listedTotalCents,
        refundedAt: null,
        refundReason: null,
      };

      const allocationWrites: CommandWrite[] = [...usedPerAllocation].map(([allocationId, used]) => {
        const {
          version: _version,
          updatedAt: _at,
          updatedBy: _by,
          ...allocation
        } = rows.allocations.get(allocationId)!;
        return { table: 'allocations', op: 'update', row: { ...allocation, used: allocation.used + used } };
      });
      const soldPerQuota = new Map<string, number>();
      for (const [allocationId, used] of usedPerAllocation) {
        const quotaId = rows.allocations.get(allocationId)!.quotaId;
        soldPerQuota.set(quotaId, (soldPerQuota.get(quotaId) ?? 0) + used);
      }
      const quotaWrites: CommandWrite[] = [];
      for (const [quotaId, sold] of soldPerQuota) {
        const quota = rows.quotas.get(quotaId);
        if (!quota) return rejection('not_found', 'The quota of these seats no longer exists.');
        const { id, eventId, name, capacity } = quota;
        // The seats move from held to sold: the quota's total use does not change.
        quotaWrites.push({
          table: 'quotas',
          op: 'update',
          row: {
            id,
            eventId,
            name,
            capacity,
            sold: quota.sold + sold,
            allocated: Math.max(0, quota.allocated - sold),
          },
        });
      }

      return {
        ok: true,
        value: [
          ...buyer.writes,
          { table: 'orders', op: 'insert', row: order },
          ...tickets,
          ...allocationWrites,
          ...quotaWrites,
        ],
      };
    },
  },
});
