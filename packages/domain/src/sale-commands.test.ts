import { describe, expect, it } from 'vitest';
import { planCommand, type CommandContext, type CommandWrite } from './commands.ts';
import type { RowOf } from './replicated-tables.ts';
import { commandContext, loadedRows } from './testing/command-context.ts';
import { runCommand } from './testing/run-command.ts';

const ids = {
  event: '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d',
  quota: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  adult: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
  child: '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b',
  shift: '4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c',
  allocation: '5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d',
  order: '6b7c8d9e-0f1a-4b2c-9d4e-5f6a7b8c9d0e',
  person: '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f',
};
const base = commandContext();
const device = base.actor.deviceId;
const stamp = { version: 5, updatedAt: '2026-12-05T17:00:00.000Z', updatedBy: 'Office' };

const event: RowOf<'events'> = {
  id: ids.event,
  name: 'Harbour Jazz Night',
  venue: 'Pier 9',
  startsAt: '2026-12-05T19:00:00.000Z',
  endsAt: '2026-12-05T23:00:00.000Z',
  status: 'on_sale',
  ...stamp,
};
const quota: RowOf<'quotas'> = {
  id: ids.quota,
  eventId: ids.event,
  name: 'Floor',
  capacity: 10,
  sold: 2,
  allocated: 4,
  ...stamp,
};
const ticketType = (id: string, name: string, priceCents: number): RowOf<'ticket_types'> => ({
  id,
  eventId: ids.event,
  quotaId: ids.quota,
  name,
  priceCents,
  currency: 'EUR',
  taxRateBp: 2000,
  capacity: 10,
  salesStartAt: null,
  salesEndAt: '2026-12-05T22:00:00.000Z',
  channels: 'box_office,online',
  ...stamp,
});
const adult = ticketType(ids.adult, 'Adult', 1200);
const child = ticketType(ids.child, 'Child', 600);
const shift: RowOf<'shifts'> = {
  id: ids.shift,
  deviceId: device,
  cashier: 'Sam Cashier',
  openedAt: '2026-12-05T17:30:00.000Z',
  floatCents: 10_000,
  status: 'open',
  closedAt: null,
  countedCents: null,
  expectedCents: null,
  ...stamp,
};
/** Four seats held by this device; slot 0 already sold. */
const allocation: RowOf<'allocations'> = {
  id: ids.allocation,
  quotaId: ids.quota,
  eventId: ids.event,
  deviceId: device,
  shiftId: ids.shift,
  requested: 4,
  granted: 4,
  used: 1,
  returned: 0,
  status: 'granted',
  createdAt: '2026-12-05T17:31:00.000Z',
  ...stamp,
};
const soldTicket: RowOf<'tickets'> = {
  id: '8d9e0f1a-2b3c-4d4e-9f6a-7b8c9d0e1f2a',
  orderId: '9e0f1a2b-3c4d-4e5f-8a7b-8c9d0e1f2a3b',
  eventId: ids.event,
  ticketTypeId: ids.adult,
  personId: null,
  status: 'valid',
  secret: 'signed-0',
  priceCents: 1200,
  taxCents: 200,
  allocationId: ids.allocation,
  slot: 0,
  ...stamp,
};

const issuer: CommandContext['issueTicket'] = (slot) => ({
  ticketId: `00000000-0000-4000-8000-00000000000${slot.slot}`,
  secret: `signed-${slot.slot}-${slot.ticketTypeId.slice(0, 4)}`,
});

function world(overrides: Record<string, unknown[]> = {}) {
  return loadedRows({ ...rows, ...overrides } as Parameters<typeof loadedRows>[0]);
}
const rows = {
  events: [event],
  quotas: [quota],
  ticket_types: [adult, child],
  shifts: [shift],
  allocations: [allocation],
  tickets: [soldTicket],
};

const sale = {
  orderId: ids.order,
  eventId: ids.event,
  shiftId: ids.shift,
  soldAt: '2026-12-05T18:00:00.000Z',
  currency: 'EUR',
  lines: [
    { ticketTypeId: ids.adult, quantity: 1, unitPriceCents: 1200 },
    { ticketTypeId: ids.child, quantity: 1, unitPriceCents: 600 },
  ],
  slots: [
    { allocationId: ids.allocation, slot: 1, ticketTypeId: ids.adult },
    { allocationId: ids.allocation, slot: 2, ticketTypeId: ids.child },
  ],
  buyer: null,
  payment: { method: 'cash', tenderedCents: 2000 },
};

function decide(
  name: 'sellTickets' | 'requestAllocation',
  args: unknown,
  loaded = world(),
  ctx: Partial<CommandContext> = {},
) {
  const planned = planCommand(name, args, { ...base, issueTicket: issuer, ...ctx });
  if (!planned.ok) return planned;
  return planned.value.decide(loaded);
}
const writesOf = (decision: ReturnType<typeof decide>, table: string): CommandWrite[] =>
  decision.ok ? (decision.value as CommandWrite[]).filter((write) => write.table === table) : [];

describe('requestAllocation', () => {
  const request = {
    allocationId: '0f1a2b3c-4d5e-4f6a-8b8c-9d0e1f2a3b4c',
    quotaId: ids.quota,
    shiftId: ids.shift,
    seats: 5,
    at: '2026-12-05T17:45:00.000Z',
  };

  it('on the console only asks: no seats are granted from a copy of the quota that may be stale', () => {
    const decision = decide('requestAllocation', request);
    expect(writesOf(decision, 'allocations')).toMatchObject([
      { op: 'insert', row: { status: 'requested', granted: 0, requested: 5, deviceId: device } },
    ]);
    expect(writesOf(decision, 'quotas')).toEqual([]);
  });

  it('on the server grants what the quota has free and holds it there', () => {
    // capacity 10, sold 2, held 4: 4 are free.
    const decision = decide('requestAllocation', request, world(), { where: 'server' });
    expect(writesOf(decision, 'allocations')).toMatchObject([
      { row: { status: 'granted', granted: 4, requested: 5 } },
    ]);
    expect(writesOf(decision, 'quotas')).toMatchObject([{ op: 'update', row: { allocated: 8, sold: 2 } }]);
  });

  it('a sold-out quota records a refused request and holds nothing', () => {
    const full = world({ quotas: [{ ...quota, sold: 6, allocated: 4 }] });
    const decision = decide('requestAllocation', request, full, { where: 'server' });
    expect(writesOf(decision, 'allocations')).toMatchObject([{ row: { status: 'refused', granted: 0 } }]);
    expect(writesOf(decision, 'quotas')).toEqual([]);
  });

  it("needs this device's open shift", () => {
    const other = world({ shifts: [{ ...shift, deviceId: ids.person }] });
    expect(decide('requestAllocation', request, other)).toMatchObject({
      ok: false,
      code: 'shift_other_device',
    });
    const closed = world({ shifts: [{ ...shift, status: 'closed' }] });
    expect(decide('requestAllocation', request, closed)).toMatchObject({ ok: false, code: 'shift_closed' });
  });
});

describe('sellTickets', () => {
  it('turns held seats into signed tickets, an order with tax and change, and moves the seats to sold', () => {
    const decision = decide('sellTickets', sale);
    expect(decision.ok).toBe(true);
    expect(writesOf(decision, 'orders')).toMatchObject([
      {
        op: 'insert',
        row: {
          id: ids.order,
          code: expect.stringMatching(/^[A-Z2-9]{8}$/),
          channel: 'box_office',
          status: 'paid',
          totalCents: 1800,
          taxCents: 200 + 100,
          paymentMethod: 'cash',
          tenderedCents: 2000,
          changeCents: 200,
          listedTotalCents: 1800,
          shiftId: ids.shift,
          createdAt: sale.soldAt,
        },
      },
    ]);
    expect(writesOf(decision, 'tickets')).toMatchObject([
      { op: 'insert', row: { slot: 1, ticketTypeId: ids.adult, secret: 'signed-1-2d3e', priceCents: 1200 } },
      { op: 'insert', row: { slot: 2, ticketTypeId: ids.child, secret: 'signed-2-3e4f', priceCents: 600 } },
    ]);
    expect(writesOf(decision, 'allocations')).toMatchObject([{ row: { used: 3, granted: 4 } }]);
    // Held 4 → 2, sold 2 → 4: capacity use unchanged, the invariant untouched.
    expect(writesOf(decision, 'quotas')).toMatchObject([{ row: { sold: 4, allocated: 2, capacity: 10 } }]);
  });

  it('refuses more tickets than the device holds seats, with how many are left', () => {
    const nearlyUsed = world({ allocations: [{ ...allocation, used: 3 }] });
    expect(decide('sellTickets', sale, nearlyUsed)).toMatchObject({
      ok: false,
      code: 'allocation_exhausted',
      message: expect.stringContaining('1 seat left'),
    });
    const beyond = { ...sale, slots: [sale.slots[0], { ...sale.slots[1], slot: 4 }] };
    expect(decide('sellTickets', beyond)).toMatchObject({ ok: false, code: 'no_allocation' });
  });

  it('finds a seat sold already through its own reads, on either side', () => {
    // A slot's ticket id is the same whatever type it was sold as; the console reads sold slots by it.
    const slot = { allocationId: ids.allocation, slot: 0, eventId: ids.event, ticketTypeId: ids.adult };
    const sold = { ...soldTicket, id: issuer(slot)!.ticketId };
    const again = { ...sale, slots: [{ ...sale.slots[0], slot: 0 }, sale.slots[1]] };
    for (const where of ['console', 'server'] as const) {
      const ctx = { ...base, issueTicket: issuer, where };
      expect(runCommand('sellTickets', again, { ...rows, tickets: [sold] }, ctx)).toMatchObject({
        ok: false,
        code: 'seat_taken',
      });
      expect(runCommand('sellTickets', sale, { ...rows, tickets: [sold] }, ctx).ok).toBe(true);
    }
  });

  it('never sells a seat twice, nor seats of another device, nor without a granted allocation', () => {
    const twice = { ...sale, slots: [{ ...sale.slots[0], slot: 0 }, sale.slots[1]] };
    expect(decide('sellTickets', twice)).toMatchObject({ ok: false, code: 'seat_taken' });
    const sameTwice = { ...sale, slots: [sale.slots[0], { ...sale.slots[0], ticketTypeId: ids.child }] };
    expect(decide('sellTickets', sameTwice)).toMatchObject({ ok: false, code: 'seat_taken' });
    for (const held of [{ deviceId: ids.person }, { status: 'returned' }, { status: 'requested' }]) {
      const other = world({ allocations: [{ ...allocation, ...held }] });
      expect(decide('sellTickets', sale, other)).toMatchObject({ ok: false, code: 'no_allocation' });
    }
  });

  it('needs the seats’ signed codes on the device', () => {
    expect(decide('sellTickets', sale, world(), { issueTicket: () => null })).toMatchObject({
      ok: false,
      code: 'seats_not_ready',
    });
  });

  it('refuses short cash, and comps to a role that may not give them', () => {
    const short = { ...sale, payment: { method: 'cash', tenderedCents: 1799 } };
    expect(decide('sellTickets', short)).toMatchObject({ ok: false, code: 'cash_short' });
    const comp = { ...sale, payment: { method: 'comp', reason: 'Artist guest list' } };
    expect(decide('sellTickets', comp, world(), { allows: () => false })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    const given = decide('sellTickets', comp);
    expect(writesOf(given, 'orders')).toMatchObject([
      {
        row: {
          totalCents: 0,
          paymentMethod: 'comp',
          compReason: 'Artist guest list',
          listedTotalCents: 1800,
        },
      },
    ]);
    expect(
      writesOf(given, 'tickets').every((write) => (write.row as { priceCents: number }).priceCents === 0),
    ).toBe(true);
  });

  it('a price changed on the server: the console refuses a stale screen, the server keeps what was charged', () => {
    const repriced = world({ ticket_types: [{ ...adult, priceCents: 1500 }, child] });
    expect(decide('sellTickets', sale, repriced)).toMatchObject({ ok: false, code: 'price_changed' });
    const atServer = decide('sellTickets', sale, repriced, { where: 'server' });
    expect(writesOf(atServer, 'orders')).toMatchObject([
      { row: { totalCents: 1800, listedTotalCents: 2100 } },
    ]);
  });

  it('a closed sales window refuses at the door; an offline sale made in time still applies on the server', () => {
    const late = { now: new Date('2026-12-05T22:30:00Z') };
    expect(decide('sellTickets', sale, world(), late)).toMatchObject({
      ok: false,
      code: 'sales_closed',
      message: expect.stringContaining('Adult'),
    });
    expect(decide('sellTickets', sale, world(), { ...late, where: 'server' }).ok).toBe(true);
  });

  it('refuses another currency, an event not on sale, a ticket type not sold at the door and a repeated order', () => {
    expect(decide('sellTickets', { ...sale, currency: 'USD' })).toMatchObject({ code: 'currency_mismatch' });
    expect(decide('sellTickets', sale, world({ events: [{ ...event, status: 'draft' }] }))).toMatchObject({
      code: 'not_on_sale',
    });
    const webOnly = world({ ticket_types: [{ ...adult, channels: 'online' }, child] });
    expect(decide('sellTickets', sale, webOnly)).toMatchObject({ code: 'not_sold_here' });
    const repeated = world({ orders: [{ id: ids.order } as RowOf<'orders'>] });
    expect(decide('sellTickets', sale, repeated)).toMatchObject({ code: 'already_exists' });
  });

  it('seats must match the quantities, type by type', () => {
    const mismatch = { ...sale, slots: [sale.slots[0], { ...sale.slots[1], ticketTypeId: ids.adult }] };
    expect(decide('sellTickets', mismatch)).toMatchObject({ ok: false, code: 'invalid_sale' });
    expect(decide('sellTickets', { ...sale, slots: [sale.slots[0]] })).toMatchObject({
      code: 'invalid_sale',
    });
  });

  it('a buyer becomes a person once: a known email is the same person', () => {
    const buyer = {
      personId: ids.person,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      phone: null,
      ageRange: '35_44',
    };
    const fresh = decide('sellTickets', { ...sale, buyer });
    expect(writesOf(fresh, 'people')).toMatchObject([
      { op: 'insert', row: { id: ids.person, ageRange: '35_44' } },
    ]);
    const known: RowOf<'people'> = {
      id: '1f2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c',
      firstName: 'Ada',
      lastName: 'L.',
      email: 'ada@example.org',
      phone: null,
      ageRange: null,
      company: null,
      city: null,
      country: null,
      marketingConsent: false,
      ...stamp,
    };
    const again = decide('sellTickets', { ...sale, buyer }, world({ people: [known] }));
    expect(writesOf(again, 'people')).toEqual([]);
    expect(writesOf(again, 'orders')).toMatchObject([{ row: { personId: known.id } }]);
  });

  it('reads what it decides on: the event, its quotas and types, the shift, the seats and who holds them', () => {
    const planned = planCommand('sellTickets', sale, base);
    expect(planned.ok && planned.value.reads.map((read) => read.table)).toEqual([
      'events',
      'quotas',
      'ticket_types',
      'shifts',
      'orders',
      'allocations',
      'tickets',
    ]);
  });
});
