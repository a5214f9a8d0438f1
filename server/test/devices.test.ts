import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  asSecondOrg,
  command,
  enroll,
  enrolledDevice,
  memberWithRole,
  ownerOf,
  serverError,
  signIn,
  versions,
} from './support.ts';

const orgA = generateDemoOrg({ attendees: 50 });
const orgB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 50 }), 'Northshore');
let server: TestServer;
let ownerA: string;
let ownerB: string;
let scannerA: string;
let boxOfficeA: string;

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  expect(orgB.org.id).not.toBe(orgA.org.id);
  await seedDemoOrg(server.db.adminPool, orgA);
  await seedDemoOrg(server.db.adminPool, orgB);
  ownerA = (await signIn(server, ownerOf(orgA))).session;
  ownerB = (await signIn(server, ownerOf(orgB))).session;
  scannerA = (await signIn(server, memberWithRole(orgA, 'check_in'))).session;
  boxOfficeA = (await signIn(server, memberWithRole(orgA, 'box_office'))).session;
});

afterAll(async () => {
  await server?.close();
});

describe('enrollment', () => {
  it('returns the device token once; listings never carry it', async () => {
    const device = await enroll(server, ownerA, orgA.org.id, 'Front desk');
    expect(device).toMatchObject({
      orgId: orgA.org.id,
      orgName: orgA.org.name,
      role: 'owner',
      name: 'Front desk',
      // Unless the enrolling console asks for a device without attendee data.
      profile: 'attendees',
    });
    expect(device.deviceToken).toMatch(/^jxd_[A-Za-z0-9_-]{43}$/);

    const again = await enroll(server, ownerA, orgA.org.id, 'Front desk');
    expect(again.deviceId).not.toBe(device.deviceId);
    expect(again.deviceToken).not.toBe(device.deviceToken);

    const listed = await apiClient(server, { session: ownerA }).devices.list.query({ orgId: orgA.org.id });
    const mine = listed.find((entry) => entry.id === device.deviceId);
    expect(mine).toMatchObject({
      name: 'Front desk',
      revokedAt: null,
      lastSeenAt: null,
      profile: 'attendees',
    });
    expect(Object.keys(mine!).sort()).toEqual([
      'enrolledAt',
      'id',
      'lastSeenAt',
      'name',
      'profile',
      'revokedAt',
    ]);
    expect(JSON.stringify(listed)).not.toContain(device.deviceToken);
    expect(JSON.stringify(listed)).not.toContain(device.deviceToken.slice(4));
  });

  it('devices.me answers for the device token alone, without a session', async () => {
    const device = await enroll(server, ownerA, orgA.org.id, 'Gate 2');
    const me = await apiClient(server, { device: device.deviceToken }).devices.me.query();
    expect(me).toEqual({ deviceId: device.deviceId, orgId: orgA.org.id, name: 'Gate 2' });
  });

  it('refuses an unknown or missing device token with reason unknown_device', async () => {
    for (const token of [null, `jxd_${'A'.repeat(43)}`]) {
      const refused = await serverError(apiClient(server, { device: token }).devices.me.query());
      expect(refused).toMatchObject({ code: 'UNAUTHORIZED', reason: 'unknown_device' });
    }
  });

  it('any member role may enroll, and the device reports the enrolling role', async () => {
    const device = await enroll(server, scannerA, orgA.org.id, 'Scanner 1');
    expect(device.role).toBe('check_in');
  });

  it('refuses to enroll into an organization the user is not a member of, as NOT_FOUND', async () => {
    const foreign = await serverError(
      apiClient(server, { session: ownerA }).devices.enroll.mutate({ orgId: orgB.org.id, name: 'Sneaky' }),
    );
    const missing = await serverError(
      apiClient(server, { session: ownerA }).devices.enroll.mutate({ orgId: randomUUID(), name: 'Sneaky' }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    // A real foreign organization reads exactly like one that does not exist.
    expect(foreign.message).toBe(missing.message);
    const count = await server.db.adminPool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM devices WHERE name = 'Sneaky'",
    );
    expect(count.rows[0]!.n).toBe(0);
  });

  it('requires a session and a valid name', async () => {
    const anonymous = await serverError(
      apiClient(server).devices.enroll.mutate({ orgId: orgA.org.id, name: 'No session' }),
    );
    expect(anonymous).toMatchObject({ code: 'UNAUTHORIZED', reason: 'session_invalid' });
    const blank = await serverError(
      apiClient(server, { session: ownerA }).devices.enroll.mutate({ orgId: orgA.org.id, name: '   ' }),
    );
    expect(blank.code).toBe('BAD_REQUEST');
    expect(blank.message).toMatch(/^name: /);
  });
});

describe('revocation', () => {
  it('an owner revokes a device; its next call is FORBIDDEN with reason device_revoked', async () => {
    const device = await enroll(server, ownerA, orgA.org.id, 'Lost tablet');
    const deviceApi = apiClient(server, { session: ownerA, device: device.deviceToken });
    await expect(deviceApi.devices.me.query()).resolves.toMatchObject({ deviceId: device.deviceId });

    const owner = apiClient(server, { session: ownerA });
    await expect(
      owner.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: device.deviceId }),
    ).resolves.toEqual({ revoked: true });

    const me = await serverError(deviceApi.devices.me.query());
    expect(me).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, reason: 'device_revoked' });
    const pull = await serverError(deviceApi.sync.pull.query({ ...versions, cursor: null }));
    expect(pull).toMatchObject({ code: 'FORBIDDEN', reason: 'device_revoked' });
    const push = await serverError(
      deviceApi.sync.push.mutate({
        ...versions,
        commands: [
          {
            seq: 1,
            name: 'updateEvent',
            args: { eventId: orgA.events[0]!.id, patch: { name: 'Stolen' } },
            clientTime: new Date().toISOString(),
          },
        ],
      }),
    );
    expect(push).toMatchObject({ code: 'FORBIDDEN', reason: 'device_revoked' });
    const event = await server.db.adminPool.query<{ name: string }>('SELECT name FROM events WHERE id = $1', [
      orgA.events[0]!.id,
    ]);
    expect(event.rows[0]!.name).not.toBe('Stolen');

    const listed = await owner.devices.list.query({ orgId: orgA.org.id });
    expect(listed.find((entry) => entry.id === device.deviceId)?.revokedAt).toEqual(expect.any(String));

    // Revoking twice is harmless and keeps the first revocation time.
    await owner.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: device.deviceId });
    const relisted = await owner.devices.list.query({ orgId: orgA.org.id });
    expect(relisted.find((entry) => entry.id === device.deviceId)?.revokedAt).toBe(
      listed.find((entry) => entry.id === device.deviceId)?.revokedAt,
    );
  });

  it('the seats a revoked till still holds go back to their quota; what it sold stays sold', async () => {
    const till = await enrolledDevice(server, ownerA, orgA.org.id, 'Stolen till');
    const quotaId = orgA.ticketTypes[0]!.id;
    const quota = async () =>
      (
        await server.db.adminPool.query<{ sold: number; allocated: number; capacity: number }>(
          'SELECT sold, allocated, capacity FROM quotas WHERE id = $1',
          [quotaId],
        )
      ).rows[0]!;
    const before = await quota();
    const shiftId = randomUUID();
    const allocationId = randomUUID();
    const at = new Date().toISOString();
    const pushed = await till.api.sync.push.mutate({
      ...versions,
      commands: [
        command(1, 'openShift', { shiftId, floatCents: 0, openedAt: at }),
        command(2, 'requestAllocation', { allocationId, quotaId, shiftId, seats: 5, at }),
      ],
    });
    expect(pushed.results.map((result) => result.status)).toEqual(['applied', 'applied']);
    expect(await quota()).toMatchObject({ sold: before.sold, allocated: before.allocated + 5 });

    await apiClient(server, { session: ownerA }).devices.revoke.mutate({
      orgId: orgA.org.id,
      deviceId: till.id,
    });
    expect(await quota()).toMatchObject({ sold: before.sold, allocated: before.allocated });
    const allocation = await server.db.adminPool.query(
      'SELECT status, granted, used, returned FROM allocations WHERE id = $1',
      [allocationId],
    );
    expect(allocation.rows[0]).toEqual({ status: 'returned', granted: 5, used: 0, returned: 5 });
  });

  it('a check_in member can neither list nor revoke devices, and learns nothing from trying', async () => {
    const target = await enroll(server, ownerA, orgA.org.id, 'Target');
    const scanner = apiClient(server, { session: scannerA });

    const list = await serverError(scanner.devices.list.query({ orgId: orgA.org.id }));
    const listMissingOrg = await serverError(scanner.devices.list.query({ orgId: randomUUID() }));
    expect(list.code).toBe('NOT_FOUND');
    expect(list.message).toBe(listMissingOrg.message);

    const revoke = await serverError(
      scanner.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: target.deviceId }),
    );
    const revokeMissing = await serverError(
      scanner.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: randomUUID() }),
    );
    expect(revoke.code).toBe('NOT_FOUND');
    expect(revoke.message).toBe(revokeMissing.message);

    await expect(apiClient(server, { device: target.deviceToken }).devices.me.query()).resolves.toMatchObject(
      { deviceId: target.deviceId },
    );
  });

  it('a box_office member cannot manage devices either', async () => {
    const target = await enroll(server, ownerA, orgA.org.id, 'Target 2');
    const boxOffice = apiClient(server, { session: boxOfficeA });
    expect((await serverError(boxOffice.devices.list.query({ orgId: orgA.org.id }))).code).toBe('NOT_FOUND');
    expect(
      (await serverError(boxOffice.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: target.deviceId })))
        .code,
    ).toBe('NOT_FOUND');
    await expect(apiClient(server, { device: target.deviceToken }).devices.me.query()).resolves.toBeDefined();
  });

  it("revoking another organization's device is NOT_FOUND and the device keeps working", async () => {
    const deviceB = await enroll(server, ownerB, orgB.org.id, 'Northshore till');
    const ownerApiA = apiClient(server, { session: ownerA });

    // Named under the caller's own organization: RLS hides org B's row, so nothing is updated.
    const viaOwnOrg = await serverError(
      ownerApiA.devices.revoke.mutate({ orgId: orgA.org.id, deviceId: deviceB.deviceId }),
    );
    expect(viaOwnOrg.code).toBe('NOT_FOUND');
    // Named under org B: the caller is not a member there.
    const viaForeignOrg = await serverError(
      ownerApiA.devices.revoke.mutate({ orgId: orgB.org.id, deviceId: deviceB.deviceId }),
    );
    expect(viaForeignOrg.code).toBe('NOT_FOUND');

    await expect(apiClient(server, { device: deviceB.deviceToken }).devices.me.query()).resolves.toEqual({
      deviceId: deviceB.deviceId,
      orgId: orgB.org.id,
      name: 'Northshore till',
    });
    const row = await server.db.adminPool.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM devices WHERE id = $1',
      [deviceB.deviceId],
    );
    expect(row.rows[0]!.revoked_at).toBeNull();

    // And org A's listing never shows org B's devices.
    const listedA = await ownerApiA.devices.list.query({ orgId: orgA.org.id });
    expect(listedA.map((entry) => entry.id)).not.toContain(deviceB.deviceId);
    const listedB = await apiClient(server, { session: ownerB }).devices.list.query({ orgId: orgB.org.id });
    expect(listedB.map((entry) => entry.id)).toContain(deviceB.deviceId);
  });
});
