import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import { command, enrolledDevice, ownerOf, signIn, versions } from './support.ts';

/**
 * What a rule reads beyond its arguments, on the server: the acting device (opening a shift reads that
 * device's shifts) and a second round of rows named by the first (the quotas a closing shift's allocations
 * return seats to, the quotas of a refunded order's event).
 */
const demo = generateDemoOrg({ seed: 11, attendees: 40 });
const orgId = demo.org.id;
let server: TestServer;
let session: string;

type Device = Awaited<ReturnType<typeof enrolledDevice>>;

async function push(device: Device, commands: Array<[name: string, args: unknown]>, firstSeq = 1) {
  const result = await device.api.sync.push.mutate({
    ...versions,
    commands: commands.map(([name, args], index) => command(firstSeq + index, name, args)),
  });
  return result.results.map((outcome) => (outcome.status === 'rejected' ? outcome.code : outcome.status));
}

async function row(table: string, id: string) {
  const result = await server.db.adminPool.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  return result.rows[0] as Record<string, unknown>;
}

/** A demo quota with room for `seats` more. */
async function roomyQuota(seats: number): Promise<string> {
  const result = await server.db.adminPool.query<{ id: string }>(
    'SELECT id FROM quotas WHERE org_id = $1 AND capacity - sold - allocated >= $2 ORDER BY id LIMIT 1',
    [orgId, seats],
  );
  return result.rows[0]!.id;
}

const at = () => new Date().toISOString();

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  session = (await signIn(server, ownerOf(demo))).session;
});

afterAll(async () => {
  await server?.close();
});

describe('reads that depend on who acts', () => {
  it('one open shift per device: the second is refused on that device only', async () => {
    const till = await enrolledDevice(server, session, orgId);
    const other = await enrolledDevice(server, session, orgId);
    const open = (shiftId: string) =>
      ['openShift', { shiftId, floatCents: 10_000, openedAt: at() }] as [string, unknown];
    expect(await push(till, [open(randomUUID())])).toEqual(['applied']);
    expect(await push(till, [open(randomUUID())], 2)).toEqual(['shift_already_open']);
    expect(await push(other, [open(randomUUID())])).toEqual(['applied']);
  });
});

describe('a second round of reads', () => {
  it('closing a shift gives the unused seats of its allocations back to their quotas', async () => {
    const till = await enrolledDevice(server, session, orgId);
    const shiftId = randomUUID();
    const allocationId = randomUUID();
    const quotaId = await roomyQuota(5);
    const before = await row('quotas', quotaId);
    expect(
      await push(till, [
        ['openShift', { shiftId, floatCents: 5000, openedAt: at() }],
        ['requestAllocation', { allocationId, quotaId, shiftId, seats: 5, at: at() }],
      ]),
    ).toEqual(['applied', 'applied']);
    expect(await row('quotas', quotaId)).toMatchObject({ allocated: Number(before.allocated) + 5 });

    // A batch of its own: the allocation is in the database, and only the second round finds its quota.
    expect(await push(till, [['closeShift', { shiftId, countedCents: 5000, closedAt: at() }]], 3)).toEqual([
      'applied',
    ]);
    expect(await row('shifts', shiftId)).toMatchObject({
      status: 'closed',
      expected_cents: 5000,
      counted_cents: 5000,
    });
    expect(await row('allocations', allocationId)).toMatchObject({
      status: 'returned',
      returned: 5,
      used: 0,
    });
    expect(await row('quotas', quotaId)).toMatchObject({ allocated: before.allocated, sold: before.sold });
  });

  it('in one batch with the request, the seats go back too (the request read the quota itself)', async () => {
    const till = await enrolledDevice(server, session, orgId);
    const shiftId = randomUUID();
    const allocationId = randomUUID();
    const quotaId = await roomyQuota(3);
    const before = await row('quotas', quotaId);
    expect(
      await push(till, [
        ['openShift', { shiftId, floatCents: 0, openedAt: at() }],
        ['requestAllocation', { allocationId, quotaId, shiftId, seats: 3, at: at() }],
        ['closeShift', { shiftId, countedCents: 0, closedAt: at() }],
      ]),
    ).toEqual(['applied', 'applied', 'applied']);
    expect(await row('allocations', allocationId)).toMatchObject({ status: 'returned', returned: 3 });
    expect(await row('quotas', quotaId)).toMatchObject({ allocated: before.allocated });
  });

  it('a refund finds the quotas of the order’s event and gives its seats back', async () => {
    const till = await enrolledDevice(server, session, orgId);
    const order = demo.orders.find((candidate) => candidate.channel === 'box_office')!;
    const tickets = demo.tickets.filter((ticket) => ticket.orderId === order.id);
    const quotaId = tickets[0]!.ticketTypeId; // each demo ticket type sells from a quota of the same id
    const before = await row('quotas', quotaId);
    const auditId = randomUUID();
    expect(
      await push(till, [
        [
          'refundOrder',
          { orderId: order.id, auditId, action: 'refund', reason: 'Cancelled trip', shiftId: null, at: at() },
        ],
      ]),
    ).toEqual(['applied']);
    expect(await row('orders', order.id)).toMatchObject({
      status: 'refunded',
      refund_reason: 'Cancelled trip',
    });
    for (const ticket of tickets)
      expect(await row('tickets', ticket.id)).toMatchObject({ status: 'refunded' });
    expect(await row('quotas', quotaId)).toMatchObject({ sold: Number(before.sold) - tickets.length });
    expect(await row('order_audit', auditId)).toMatchObject({
      action: 'refund',
      amount_cents: order.totalCents,
    });
  });
});
