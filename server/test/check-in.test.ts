import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import { createTicketKeyStore } from '../src/tickets/signing-keys.ts';
import { deriveTicketId } from '../src/tickets/ticket-ids.ts';
import {
  apiClient,
  command,
  deliveredRows,
  memberWithRole,
  ownerOf,
  pullAll,
  serverError,
  signIn,
  versions,
  type ApiClient,
} from './support.ts';

/**
 * Check-in on the server: scans arrive as facts (never refused, recorded once per scan id), double entries
 * between devices become alerts naming both scans, refunds and returned seats revoke tickets, and a device
 * without attendee data receives what verifies a code and nothing that names a person.
 */
const demo = generateDemoOrg({ seed: 23, attendees: 40 });
const orgId = demo.org.id;
let server: TestServer;
let ownerSession: string;

interface Device {
  id: string;
  api: ApiClient;
  seq: number;
}

async function device(name: string, profile?: 'attendees' | 'no_attendee_data', session = ownerSession) {
  const enrolled = await apiClient(server, { session }).devices.enroll.mutate({
    orgId,
    name,
    ...(profile ? { profile } : {}),
  });
  return {
    id: enrolled.deviceId,
    api: apiClient(server, { session, device: enrolled.deviceToken }),
    seq: 0,
    profile: enrolled.profile,
  };
}

/** Pushes commands in sequence; answers each outcome as 'applied', 'duplicate' or the rejection's code. */
async function push(from: Device, commands: Array<[name: string, args: unknown]>) {
  const result = await from.api.sync.push.mutate({
    ...versions,
    commands: commands.map(([name, args]) => command((from.seq += 1), name, args)),
  });
  return result.results.map((outcome) => (outcome.status === 'rejected' ? outcome.code : outcome.status));
}

async function rows(table: string, where: string, params: unknown[]) {
  const result = await server.db.adminPool.query(`SELECT * FROM ${table} WHERE org_id = $1 AND ${where}`, [
    orgId,
    ...params,
  ]);
  return result.rows as Array<Record<string, unknown>>;
}

const event = demo.events.find((candidate) => candidate.status === 'on_sale')!;
const ticketsOfEvent = demo.tickets.filter((ticket) => ticket.eventId === event.id);
const listId = randomUUID();

/** A list admitting every ticket type of the event at any time, once, unless `over` says otherwise. */
function listDraft(over: { name: string; allowReentry?: boolean }) {
  return {
    ticketTypeIds: [],
    validFrom: null,
    validUntil: null,
    allowReentry: false,
    allowMultipleEntries: false,
    maxEntriesPerDay: null,
    autoCheckoutAt: null,
    timeZone: 'Europe/Berlin',
    ...over,
  };
}

function scan(over: Record<string, unknown> = {}) {
  const ticket = ticketsOfEvent[0]!;
  return {
    scanId: randomUUID(),
    listId,
    ticketId: ticket.id,
    ticketTypeId: ticket.ticketTypeId,
    direction: 'entry',
    outcome: 'admitted',
    code: 'admitted',
    reason: 'Valid ticket',
    scannedAt: '2026-12-05T19:00:00.000Z',
    manual: false,
    rawExcerpt: null,
    ...over,
  };
}

let office: Device;
beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  ownerSession = (await signIn(server, ownerOf(demo))).session;
  office = await device('Office');
  expect(
    await push(office, [
      [
        'createCheckInList',
        {
          listId,
          eventId: event.id,
          draft: listDraft({ name: 'Main entrance' }),
        },
      ],
    ]),
  ).toEqual(['applied']);
});

afterAll(async () => {
  await server?.close();
});

describe('recording scans', () => {
  it('records a scan with the device that made it, once per scan id however often it is pushed', async () => {
    const door = await device('Door 1');
    const fact = scan({ ticketId: ticketsOfEvent[1]!.id, ticketTypeId: ticketsOfEvent[1]!.ticketTypeId });
    expect(await push(door, [['recordScan', fact]])).toEqual(['applied']);
    // The console lost the answer and queued the scan again under a new sequence number.
    expect(await push(door, [['recordScan', fact]])).toEqual(['applied']);
    const stored = await rows('check_ins', 'id = $2', [fact.scanId]);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      list_id: listId,
      event_id: event.id,
      ticket_id: fact.ticketId,
      device_id: door.id,
      device_name: 'Door 1',
      outcome: 'admitted',
      code: 'admitted',
    });
    expect((stored[0]!.scanned_at as Date).toISOString()).toBe(fact.scannedAt);
  });

  it('records failed scans too, naming no ticket and keeping an excerpt of what was read', async () => {
    const door = await device('Door 1');
    const fact = scan({
      ticketId: null,
      ticketTypeId: null,
      outcome: 'refused',
      code: 'invalid_code',
      reason: 'Not a ticket code',
      rawExcerpt: "'); DROP TABLE check_ins; --",
    });
    expect(await push(door, [['recordScan', fact]])).toEqual(['applied']);
    expect(await rows('check_ins', 'id = $2', [fact.scanId])).toEqual([
      expect.objectContaining({ ticket_id: null, raw_excerpt: "'); DROP TABLE check_ins; --" }),
    ]);
  });

  it('never refuses an offline scan: a ticket refunded before the scan arrived is recorded as admitted', async () => {
    const order = demo.orders.find(
      (candidate) =>
        candidate.channel === 'box_office' &&
        candidate.eventId === event.id &&
        demo.tickets.some((ticket) => ticket.orderId === candidate.id),
    )!;
    const ticket = demo.tickets.find((candidate) => candidate.orderId === order.id)!;
    const refund = {
      orderId: order.id,
      auditId: randomUUID(),
      action: 'refund',
      reason: 'Cancelled trip',
      shiftId: null,
      at: new Date().toISOString(),
    };
    expect(await push(office, [['refundOrder', refund]])).toEqual(['applied']);
    // The refund revoked each of the order's tickets, for scanners that hold no tickets.
    const revoked = await rows('ticket_revocations', 'id = $2', [ticket.id]);
    expect(revoked).toEqual([expect.objectContaining({ event_id: event.id, reason: 'refunded' })]);

    const door = await device('Door 3');
    const fact = scan({ ticketId: ticket.id, ticketTypeId: ticket.ticketTypeId });
    expect(await push(door, [['recordScan', fact]])).toEqual(['applied']);
    expect(await rows('check_ins', 'id = $2', [fact.scanId])).toEqual([
      expect.objectContaining({ outcome: 'admitted', ticket_id: ticket.id }),
    ]);
  });
});

describe('double entries', () => {
  it('flags one ticket admitted at two doors while apart: one alert naming both devices and times', async () => {
    const ticket = ticketsOfEvent[2]!;
    const doorA = await device('Door A');
    const doorB = await device('Door B');
    const first = scan({
      ticketId: ticket.id,
      ticketTypeId: ticket.ticketTypeId,
      scannedAt: '2026-12-05T19:02:00.000Z',
    });
    const second = scan({
      ticketId: ticket.id,
      ticketTypeId: ticket.ticketTypeId,
      scannedAt: '2026-12-05T19:05:00.000Z',
    });
    // Door B comes back online first, then Door A, whose scan was earlier.
    expect(await push(doorB, [['recordScan', second]])).toEqual(['applied']);
    expect(await rows('entry_alerts', 'ticket_id = $2', [ticket.id])).toEqual([]);
    expect(await push(doorA, [['recordScan', first]])).toEqual(['applied']);
    // Sent again: the replay finds the same double entry and writes nothing more.
    expect(await push(doorA, [['recordScan', first]])).toEqual(['applied']);

    const alerts = await rows('entry_alerts', 'ticket_id = $2', [ticket.id]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      event_id: event.id,
      list_id: listId,
      first_check_in_id: first.scanId,
      first_device_name: 'Door A',
      second_check_in_id: second.scanId,
      second_device_name: 'Door B',
    });
    expect((alerts[0]!.first_at as Date).toISOString()).toBe(first.scannedAt);
    expect((alerts[0]!.second_at as Date).toISOString()).toBe(second.scannedAt);

    // Every console at the event receives it through the feed, a scanner without attendee data too.
    const scanner = await device('Gate', 'no_attendee_data');
    const pulled = deliveredRows((await pullAll(scanner.api)).pages).filter(
      ({ table }) => table === 'entry_alerts',
    );
    expect(pulled.map(({ row }) => row.second_device_name)).toContain('Door B');
  });

  it('scans of two devices pushed at the same moment still meet: the list is read in turn', async () => {
    const ticket = ticketsOfEvent[3]!;
    const doors = [await device('Door C'), await device('Door D')];
    const facts = doors.map((_, index) =>
      scan({
        ticketId: ticket.id,
        ticketTypeId: ticket.ticketTypeId,
        scannedAt: `2026-12-05T19:1${index}:00.000Z`,
      }),
    );
    const outcomes = await Promise.all(
      doors.map((door, index) => push(door, [['recordScan', facts[index]]])),
    );
    expect(outcomes).toEqual([['applied'], ['applied']]);
    expect(await rows('entry_alerts', 'ticket_id = $2', [ticket.id])).toEqual([
      expect.objectContaining({ first_device_name: 'Door C', second_device_name: 'Door D' }),
    ]);
  });

  it('raises no alert for an exit and a re-entry the list allows', async () => {
    const ticket = ticketsOfEvent[4]!;
    const reentryList = randomUUID();
    expect(
      await push(office, [
        [
          'createCheckInList',
          {
            listId: reentryList,
            eventId: event.id,
            draft: listDraft({ name: 'Garden', allowReentry: true }),
          },
        ],
      ]),
    ).toEqual(['applied']);
    const door = await device('Garden gate');
    const on = { listId: reentryList, ticketId: ticket.id, ticketTypeId: ticket.ticketTypeId };
    expect(
      await push(door, [
        ['recordScan', scan({ ...on, scannedAt: '2026-12-05T19:00:00.000Z' })],
        [
          'recordScan',
          scan({ ...on, direction: 'exit', code: 'exited', scannedAt: '2026-12-05T19:30:00.000Z' }),
        ],
        ['recordScan', scan({ ...on, scannedAt: '2026-12-05T20:00:00.000Z' })],
      ]),
    ).toEqual(['applied', 'applied', 'applied']);
    expect(await rows('entry_alerts', 'ticket_id = $2', [ticket.id])).toEqual([]);
  });
});

describe('device profiles', () => {
  it('a device without attendee data pulls what verifies a code and no tickets, people or orders', async () => {
    // A key with a sealed private half: what must never leave the server.
    const keys = createTicketKeyStore({ pool: server.db.appPool, serverSecret: randomBytes(32) });
    const key = await keys.rotateTicketSigningKey(orgId);
    const sealed = await rows('ticket_signing_keys', 'kid = $2', [key.kid]);
    expect(sealed[0]!.private_key_sealed).toMatch(/^v1\./);

    const scanner = await device(
      'Gate',
      'no_attendee_data',
      (await signIn(server, memberWithRole(demo, 'check_in'))).session,
    );
    expect(scanner.profile).toBe('no_attendee_data');
    const pulled = await pullAll(scanner.api);
    const tables = new Set(deliveredRows(pulled.pages).map(({ table }) => table));
    for (const table of [
      'ticket_signing_keys',
      'ticket_revocations',
      'checkin_lists',
      'check_ins',
      'events',
      'ticket_types',
    ]) {
      expect(tables.has(table as never), table).toBe(true);
    }
    for (const table of ['tickets', 'people', 'orders', 'order_audit']) {
      expect(tables.has(table as never), table).toBe(false);
    }
    const text = JSON.stringify(pulled.pages);
    for (const person of demo.people) if (person.email) expect(text).not.toContain(person.email);
    expect(text).not.toContain(demo.tickets[0]!.secret);

    // Keys carry their public columns only, to this device and to an owner's alike.
    const owner = await device('Owner laptop');
    for (const pages of [pulled.pages, (await pullAll(owner.api)).pages]) {
      const keyBatches = pages
        .flatMap((page) => page.batches)
        .filter((batch) => batch.table === 'ticket_signing_keys');
      expect(keyBatches.length).toBeGreaterThan(0);
      for (const batch of keyBatches) {
        expect(batch.columns).toEqual([
          'id',
          'version',
          'kid',
          'public_key',
          'retired_at',
          'created_at',
          'updated_at',
          'updated_by',
        ]);
      }
      const pageText = JSON.stringify(pages);
      expect(pageText).toContain(key.publicKey);
      expect(pageText).not.toContain('private_key_sealed');
      expect(pageText).not.toContain(String(sealed[0]!.private_key_sealed));
    }
  });

  it('an admin changes a device’s profile; the device must fetch its replica again in the new scope', async () => {
    const till = await device('Side door');
    const before = await pullAll(till.api);
    expect(deliveredRows(before.pages).some(({ table }) => table === 'tickets')).toBe(true);

    const admin = apiClient(server, { session: ownerSession });
    expect(
      await admin.devices.setProfile.mutate({ orgId, deviceId: till.id, profile: 'no_attendee_data' }),
    ).toEqual({
      deviceId: till.id,
      profile: 'no_attendee_data',
    });
    expect((await admin.devices.list.query({ orgId })).find((listed) => listed.id === till.id)).toMatchObject(
      {
        profile: 'no_attendee_data',
      },
    );
    expect(await serverError(till.api.sync.pull.query({ ...versions, cursor: before.cursor }))).toMatchObject(
      {
        code: 'PRECONDITION_FAILED',
        reason: 'must_refetch',
      },
    );
    const after = await pullAll(till.api);
    expect(deliveredRows(after.pages).some(({ table }) => table === 'tickets')).toBe(false);

    // Back to attendee data: again a refetch, and the tickets return.
    await admin.devices.setProfile.mutate({ orgId, deviceId: till.id, profile: 'attendees' });
    expect(await serverError(till.api.sync.pull.query({ ...versions, cursor: after.cursor }))).toMatchObject({
      reason: 'must_refetch',
    });
    expect(deliveredRows((await pullAll(till.api)).pages).some(({ table }) => table === 'tickets')).toBe(
      true,
    );
  });

  it('only a member who manages devices changes a profile, and only in their organization', async () => {
    const till = await device('Back door');
    const scannerSession = (await signIn(server, memberWithRole(demo, 'check_in'))).session;
    const scannerApi = apiClient(server, { session: scannerSession });
    expect(
      await serverError(
        scannerApi.devices.setProfile.mutate({ orgId, deviceId: till.id, profile: 'no_attendee_data' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const admin = apiClient(server, { session: ownerSession });
    expect(
      await serverError(
        admin.devices.setProfile.mutate({ orgId, deviceId: randomUUID(), profile: 'no_attendee_data' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await serverError(
        admin.devices.setProfile.mutate({ orgId, deviceId: till.id, profile: 'everything' as never }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('returned seats', () => {
  it('revokes the unsold slots of an allocation a closing shift returns, by the ids the server derives', async () => {
    const till = await device('Box office 2');
    const shiftId = randomUUID();
    const allocationId = randomUUID();
    const quota = await server.db.adminPool.query<{ id: string; event_id: string }>(
      'SELECT id, event_id FROM quotas WHERE org_id = $1 AND capacity - sold - allocated >= 3 ORDER BY id LIMIT 1',
      [orgId],
    );
    const { id: quotaId, event_id: eventId } = quota.rows[0]!;
    const at = new Date().toISOString();
    expect(
      await push(till, [
        ['openShift', { shiftId, floatCents: 0, openedAt: at }],
        ['requestAllocation', { allocationId, quotaId, shiftId, seats: 3, at }],
      ]),
    ).toEqual(['applied', 'applied']);
    // Slot 1 was sold (its ticket is in the database); slots 0 and 2 never were.
    const sold = deriveTicketId(allocationId, 1);
    const order = demo.orders.find((candidate) => candidate.eventId === eventId)!;
    await inTransaction(server.db.adminPool, { orgId }, async (client) => {
      const version = await takeOrgVersions(client, orgId);
      await client.query(
        `INSERT INTO tickets (org_id, id, order_id, event_id, ticket_type_id, secret, status, allocation_id, slot,
           version)
         VALUES ($1, $2, $3, $4, $5, 'sold-offline', 'valid', $6, 1, $7)`,
        [orgId, sold, order.id, eventId, quotaId, allocationId, version],
      );
    });
    expect(await push(till, [['closeShift', { shiftId, countedCents: 0, closedAt: at }]])).toEqual([
      'applied',
    ]);

    const allocation = (await rows('allocations', 'id = $2', [allocationId]))[0]!;
    const revoked = await rows('ticket_revocations', 'id = ANY($2::uuid[])', [
      [0, 1, 2].map((slot) => deriveTicketId(allocationId, slot)),
    ]);
    expect(revoked.map((row) => row.id).sort()).toEqual(
      [deriveTicketId(allocationId, 0), deriveTicketId(allocationId, 2)].sort(),
    );
    for (const row of revoked) {
      expect(row).toMatchObject({ event_id: eventId, reason: 'returned', version: allocation.version });
    }
  });

  it('revokes the seats a revoked device still held', async () => {
    const till = await device('Lost tablet');
    const shiftId = randomUUID();
    const allocationId = randomUUID();
    const quota = await server.db.adminPool.query<{ id: string }>(
      'SELECT id FROM quotas WHERE org_id = $1 AND capacity - sold - allocated >= 2 ORDER BY id LIMIT 1',
      [orgId],
    );
    const at = new Date().toISOString();
    expect(
      await push(till, [
        ['openShift', { shiftId, floatCents: 0, openedAt: at }],
        ['requestAllocation', { allocationId, quotaId: quota.rows[0]!.id, shiftId, seats: 2, at }],
      ]),
    ).toEqual(['applied', 'applied']);
    await apiClient(server, { session: ownerSession }).devices.revoke.mutate({ orgId, deviceId: till.id });
    const revoked = await rows('ticket_revocations', 'id = ANY($2::uuid[])', [
      [0, 1].map((slot) => deriveTicketId(allocationId, slot)),
    ]);
    expect(revoked).toHaveLength(2);
  });
});
