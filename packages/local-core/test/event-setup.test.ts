import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDemoOrg, type DemoOrder } from '@janix/testkit';
import { consoleSuite, signInAndEnroll } from './console-fixtures.ts';
import { openLocalCore, type LocalCore } from '../src/index.ts';

const demo = generateDemoOrg({ attendees: 60 });
const suite = consoleSuite(demo);

async function newConsole(name: string): Promise<LocalCore> {
  const core = await openLocalCore({
    dataDir: suite.dataDir('console'),
    serverUrl: suite.server.url,
    autoSync: false,
  });
  suite.defer(() => core.close());
  await signInAndEnroll(core, suite.server, name);
  await core.syncNow();
  return core;
}

/** Changes orders on the server as another till would, at a version of the organization like every write. */
async function setOrderStatus(order: DemoOrder, status: 'refunded' | 'void'): Promise<void> {
  const client = await suite.server.db.adminPool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ version: string }>('SELECT take_org_versions($1, 1) AS version', [
      demo.org.id,
    ]);
    await client.query('UPDATE orders SET status = $1, version = $2 WHERE org_id = $3 AND id = $4', [
      status,
      rows[0]!.version,
      demo.org.id,
      order.id,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const onSale = demo.events.filter((event) => event.status === 'on_sale');

describe('event setup through the local router', () => {
  it('creates a quota and two ticket types on one console and shows them on another', async () => {
    const first = await newConsole('Office 1');
    const second = await newConsole('Office 2');
    const eventId = onSale[0]!.id;

    const create = { quotaId: randomUUID(), eventId, draft: { name: 'Standing floor', capacity: 400 } };
    const quota = await first.caller.setup.createQuota(create);
    // Sent again (a double click, a retry after a lost answer): the same quota, nothing new queued.
    const pending = (await first.caller.status()).sync.pending;
    expect(await first.caller.setup.createQuota(create)).toEqual({ id: quota.id, repeated: true });
    expect((await first.caller.status()).sync.pending).toBe(pending);
    const draft = {
      quotaId: quota.id,
      currency: 'EUR',
      taxRateBp: 2000,
      salesStartAt: null,
      salesEndAt: '2026-12-01T18:00:00+01:00',
      channels: ['box_office', 'online'] as const,
    };
    const adult = await first.caller.setup.createTicketType({
      ticketTypeId: randomUUID(),
      eventId,
      draft: { ...draft, name: 'Standing adult', priceCents: 1250, channels: [...draft.channels] },
    });
    const child = await first.caller.setup.createTicketType({
      ticketTypeId: randomUUID(),
      eventId,
      draft: { ...draft, name: 'Standing child', priceCents: 800, channels: ['box_office'] },
    });

    const before = await first.caller.setup.get({ eventId });
    expect(before.quotas.find((q) => q.id === quota.id)).toMatchObject({
      name: 'Standing floor',
      capacity: 400,
      sold: 0,
      allocated: 0,
      free: 400,
      ticketTypeCount: 2,
      pending: true,
    });
    expect(before.ticketTypes.find((type) => type.id === child.id)).toMatchObject({ pending: true });

    await first.syncNow();
    expect((await first.caller.status()).sync.pending).toBe(0);
    const confirmed = await first.caller.setup.get({ eventId });
    expect(confirmed.quotas.find((q) => q.id === quota.id)?.pending).toBe(false);

    await second.syncNow();
    const seen = await second.caller.setup.get({ eventId });
    expect(seen.currency).toBe('EUR');
    expect(seen.quotas.find((q) => q.id === quota.id)).toMatchObject({ name: 'Standing floor', free: 400 });
    expect(seen.ticketTypes.find((type) => type.id === adult.id)).toEqual({
      id: adult.id,
      quotaId: quota.id,
      name: 'Standing adult',
      priceCents: 1250,
      currency: 'EUR',
      taxRateBp: 2000,
      salesStartAt: null,
      salesEndAt: '2026-12-01T17:00:00.000Z',
      channels: ['box_office', 'online'],
      pending: false,
    });
    expect(seen.ticketTypes.find((type) => type.id === child.id)).toMatchObject({
      name: 'Standing child',
      priceCents: 800,
      channels: ['box_office'],
    });

    // An edit on the second console comes back to the first.
    await second.caller.setup.updateTicketType({
      ticketTypeId: child.id,
      patch: { priceCents: 750, channels: ['box_office', 'online'] },
    });
    await second.caller.setup.updateQuota({ quotaId: quota.id, patch: { capacity: 450 } });
    await second.syncNow();
    await first.syncNow();
    const edited = await first.caller.setup.get({ eventId });
    expect(edited.ticketTypes.find((type) => type.id === child.id)).toMatchObject({
      priceCents: 750,
      channels: ['box_office', 'online'],
      pending: false,
    });
    expect(edited.quotas.find((q) => q.id === quota.id)).toMatchObject({ capacity: 450, free: 450 });
  });

  it('refuses what the rules refuse, with their message, and queues nothing', async () => {
    const core = await newConsole('Office 3');
    const eventId = onSale[1]!.id;
    const setup = await core.caller.setup.get({ eventId });
    const soldQuota = setup.quotas.find((quota) => quota.sold > 0)!;
    await expect(
      core.caller.setup.updateQuota({ quotaId: soldQuota.id, patch: { capacity: 0 } }),
    ).rejects.toThrow(`Capacity 0 is below the ${soldQuota.sold} seats already sold`);
    await expect(
      core.caller.setup.createTicketType({
        ticketTypeId: randomUUID(),
        eventId,
        draft: {
          quotaId: soldQuota.id,
          name: 'Priced in pounds',
          priceCents: 1000,
          currency: 'GBP',
          taxRateBp: 0,
          salesStartAt: null,
          salesEndAt: null,
          channels: ['online'],
        },
      }),
    ).rejects.toThrow("This event's tickets are priced in EUR");
    await expect(
      core.caller.setup.createQuota({ quotaId: randomUUID(), eventId, draft: { name: '  ', capacity: 10 } }),
    ).rejects.toThrow('the quota needs a name');
    expect((await core.caller.status()).sync.pending).toBe(0);
  });
});

describe('sales report', () => {
  it('totals the replica by event, ticket type and channel, leaving refunds and voids out of sales', async () => {
    const event = onSale[2]!;
    const orders = demo.orders.filter((order) => order.eventId === event.id);
    const [refunded, voided] = orders;
    await setOrderStatus(refunded!, 'refunded');
    await setOrderStatus(voided!, 'void');
    const core = await newConsole('Office 4');

    const paid = orders.filter((order) => order !== refunded && order !== voided);
    const ticketsOf = (order: DemoOrder) => demo.tickets.filter((ticket) => ticket.orderId === order.id);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

    const report = await core.caller.salesReport.get({ eventId: event.id });
    expect(report.currencies).toEqual(['EUR']);
    expect(report.byEvent).toEqual([
      {
        eventId: event.id,
        eventName: event.name,
        currency: 'EUR',
        orders: paid.length,
        tickets: sum(paid.map((order) => ticketsOf(order).length)),
        grossCents: sum(paid.map((order) => order.totalCents)),
        taxCents: 0,
      },
    ]);
    expect(report.refunds).toEqual([
      {
        eventId: event.id,
        eventName: event.name,
        currency: 'EUR',
        orders: 1,
        amountCents: refunded!.totalCents,
      },
    ]);
    expect(report.voidedOrders).toBe(1);

    // Demo tickets carry no price of their own: each order's total goes to its (one) ticket type.
    const types = demo.ticketTypes.filter((type) => type.eventId === event.id);
    const expectedTypes = types
      .map((type) => {
        const sold = paid.filter((order) => ticketsOf(order)[0]!.ticketTypeId === type.id);
        return {
          ticketTypeId: type.id,
          ticketTypeName: type.name,
          tickets: sum(sold.map((order) => ticketsOf(order).length)),
          grossCents: sum(sold.map((order) => order.totalCents)),
        };
      })
      .filter((type) => type.tickets > 0);
    expect(
      report.byTicketType.map(({ ticketTypeId, ticketTypeName, tickets, grossCents }) => ({
        ticketTypeId,
        ticketTypeName,
        tickets,
        grossCents,
      })),
    ).toEqual(expect.arrayContaining(expectedTypes));
    expect(report.byTicketType).toHaveLength(expectedTypes.length);

    for (const channel of ['box_office', 'online'] as const) {
      const inChannel = paid.filter((order) => order.channel === channel);
      expect(report.byChannel.find((row) => row.channel === channel) ?? null).toEqual(
        inChannel.length
          ? {
              channel,
              currency: 'EUR',
              orders: inChannel.length,
              tickets: sum(inChannel.map((order) => ticketsOf(order).length)),
              grossCents: sum(inChannel.map((order) => order.totalCents)),
            }
          : null,
      );
    }

    expect(sum(report.slots.map((slot) => slot.grossCents))).toBe(sum(paid.map((order) => order.totalCents)));
    const first = [...paid].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0]!;
    expect(report.slots[0]!.at).toBe(Math.floor(Date.parse(first.createdAt) / 900_000) * 900);

    const everything = await core.caller.salesReport.get({ eventId: null });
    expect(sum(everything.byEvent.map((row) => row.orders))).toBe(demo.orders.length - 2);
    expect(sum(everything.byEvent.map((row) => row.grossCents))).toBe(
      sum(demo.orders.map((order) => order.totalCents)) - refunded!.totalCents - voided!.totalCents,
    );
    expect(sum(everything.byTicketType.map((row) => row.grossCents))).toBe(
      sum(everything.byEvent.map((row) => row.grossCents)),
    );
  });
});
