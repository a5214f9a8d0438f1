import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PUSH_BATCH } from '@janix/schemas';
import {
  apiClient,
  command,
  eventDraft,
  memberWithRole,
  rename,
  serverError,
  signIn,
  versions,
} from './support.ts';
import {
  demo,
  deviceState,
  event,
  eventIds,
  freshDevice,
  headVersion,
  ownerSession,
  server,
  useSyncServer,
} from './sync-fixture.ts';

useSyncServer();

describe('push', () => {
  it('applies a batch exactly once; the same batch again is all duplicate', async () => {
    const { id, api } = await freshDevice();
    const batch = [
      rename(1, eventIds[0]!, 'Once'),
      rename(2, eventIds[1]!, 'Twice'),
      rename(3, eventIds[0]!, 'Thrice'),
    ];
    const before = await headVersion();
    const first = await api.sync.push.mutate({ ...versions, commands: batch });
    expect(first).toEqual({
      lastAppliedSeq: 3,
      results: [
        { seq: 1, status: 'applied' },
        { seq: 2, status: 'applied' },
        { seq: 3, status: 'applied' },
      ],
    });
    // One version per applied command.
    expect(await headVersion()).toBe(before + 3);
    const afterFirst = await event(eventIds[0]!);
    expect(afterFirst).toEqual({ name: 'Thrice', version: before + 3 });

    const again = await api.sync.push.mutate({ ...versions, commands: batch });
    expect(again).toEqual({
      lastAppliedSeq: 3,
      results: [
        { seq: 1, status: 'duplicate' },
        { seq: 2, status: 'duplicate' },
        { seq: 3, status: 'duplicate' },
      ],
    });
    expect(await headVersion()).toBe(before + 3);
    expect(await event(eventIds[0]!)).toEqual(afterFirst);
    expect((await deviceState(id)).results).toHaveLength(3);

    // A retry overlapping the applied prefix applies only the new tail.
    const overlap = await api.sync.push.mutate({
      ...versions,
      commands: [rename(3, eventIds[0]!, 'Thrice'), rename(4, eventIds[2]!, 'Fourth')],
    });
    expect(overlap.results).toEqual([
      { seq: 3, status: 'duplicate' },
      { seq: 4, status: 'applied' },
    ]);
    expect(overlap.lastAppliedSeq).toBe(4);
    expect(await headVersion()).toBe(before + 4);
  });

  it('a gap (first seq = last + 2) is a CONFLICT naming the expected seq, and applies nothing', async () => {
    const { id, api } = await freshDevice();
    const before = await event(eventIds[3]!);
    const gap = await serverError(
      api.sync.push.mutate({ ...versions, commands: [rename(2, eventIds[3]!, 'Too early')] }),
    );
    expect(gap).toMatchObject({ code: 'CONFLICT', httpStatus: 409, reason: 'sequence_gap' });
    expect(gap.details).toMatchObject({ expectedSeq: 1 });
    expect(await event(eventIds[3]!)).toEqual(before);
    expect(await deviceState(id)).toEqual({ lastSeq: 0, results: [] });

    await api.sync.push.mutate({ ...versions, commands: [rename(1, eventIds[3]!, 'On time')] });
    const later = await serverError(
      api.sync.push.mutate({ ...versions, commands: [rename(3, eventIds[3]!, 'Skipped one')] }),
    );
    expect(later.details).toMatchObject({ expectedSeq: 2 });
    expect((await event(eventIds[3]!))!.name).toBe('On time');
  });

  it('a batch with non-consecutive seqs is BAD_REQUEST and applies nothing', async () => {
    const { id, api } = await freshDevice();
    const before = await event(eventIds[4]!);
    for (const seqs of [
      [1, 3],
      [2, 1],
      [1, 1],
      [1, 2, 4],
    ]) {
      const refused = await serverError(
        api.sync.push.mutate({
          ...versions,
          commands: seqs.map((seq) => rename(seq, eventIds[4]!, `Batch ${seqs.join(',')}`)),
        }),
      );
      expect(refused.code, seqs.join(',')).toBe('BAD_REQUEST');
    }
    expect(await event(eventIds[4]!)).toEqual(before);
    expect(await deviceState(id)).toEqual({ lastSeq: 0, results: [] });
  });

  it('a rejected command advances the high-water mark and the next command still applies', async () => {
    const { id, api } = await freshDevice();
    const target = eventIds[2]!;
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        command(1, 'updateEvent', {
          eventId: target,
          patch: { startsAt: '2026-12-05T23:00:00Z', endsAt: '2026-12-05T19:00:00Z' },
        }),
        rename(2, target, 'Valid after invalid'),
      ],
    });
    expect(result.lastAppliedSeq).toBe(2);
    expect(result.results[0]).toMatchObject({ seq: 1, status: 'rejected', code: 'invalid_times' });
    expect(result.results[1]).toEqual({ seq: 2, status: 'applied' });
    expect((await event(target))!.name).toBe('Valid after invalid');

    // Rejected alone in its batch, then the following batch applies: never wedged.
    const missing = await api.sync.push.mutate({ ...versions, commands: [rename(3, randomUUID(), 'Ghost')] });
    expect(missing.results[0]).toMatchObject({ seq: 3, status: 'rejected', code: 'not_found' });
    const badArgs = await api.sync.push.mutate({
      ...versions,
      commands: [command(4, 'updateEvent', { eventId: 'not-a-uuid', patch: {} })],
    });
    expect(badArgs.results[0]).toMatchObject({ seq: 4, status: 'rejected', code: 'invalid_args' });
    if (badArgs.results[0]!.status === 'rejected') expect(badArgs.results[0]!.message).toMatch(/^eventId: /);
    const next = await api.sync.push.mutate({ ...versions, commands: [rename(5, target, 'Still moving')] });
    expect(next).toEqual({ lastAppliedSeq: 5, results: [{ seq: 5, status: 'applied' }] });

    expect(await deviceState(id)).toEqual({
      lastSeq: 5,
      results: [
        { seq: 1, status: 'rejected', code: 'invalid_times' },
        { seq: 2, status: 'applied', code: null },
        { seq: 3, status: 'rejected', code: 'not_found' },
        { seq: 4, status: 'rejected', code: 'invalid_args' },
        { seq: 5, status: 'applied', code: null },
      ],
    });

    // Rejections come back with the feed, after the seq the device says it already knows.
    const all = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 0 });
    expect(all.lastAppliedSeq).toBe(5);
    expect(all.rejections.map((r) => [r.seq, r.name, r.code])).toEqual([
      [1, 'updateEvent', 'invalid_times'],
      [3, 'updateEvent', 'not_found'],
      [4, 'updateEvent', 'invalid_args'],
    ]);
    for (const rejection of all.rejections) {
      expect(rejection.message.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(rejection.rejectedAt))).toBe(false);
    }
    const afterOne = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 1 });
    expect(afterOne.rejections.map((r) => r.seq)).toEqual([3, 4]);
    const afterAll = await api.sync.pull.query({ ...versions, cursor: null, knownSeq: 5 });
    expect(afterAll.rejections).toEqual([]);

    // Another device of the same organization never sees this device's rejections.
    const other = await freshDevice();
    expect((await other.api.sync.pull.query({ ...versions, cursor: null })).rejections).toEqual([]);
  });

  it('a role without events.write gets each command rejected as forbidden, and the queue moves on', async () => {
    const session = (await signIn(server, memberWithRole(demo, 'box_office'))).session;
    const { api } = await freshDevice(session);
    const before = await event(eventIds[5]!);
    const result = await api.sync.push.mutate({
      ...versions,
      commands: [
        rename(1, eventIds[5]!, 'Box office edit'),
        command(2, 'createEvent', { eventId: randomUUID(), draft: eventDraft() }),
      ],
    });
    expect(result.lastAppliedSeq).toBe(2);
    expect(result.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'forbidden',
      'forbidden',
    ]);
    expect(await event(eventIds[5]!)).toEqual(before);
  });

  it('a device clock hours off changes nothing: sequence and commit order decide, not client time', async () => {
    const { api } = await freshDevice();
    const other = await freshDevice();
    const target = eventIds[1]!;
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const before = await headVersion();
    // The first device's clock is 6 hours fast; the second's 6 hours slow, and it pushes last.
    await api.sync.push.mutate({
      ...versions,
      commands: [{ ...rename(1, target, 'Fast clock'), clientTime: at(6) }],
    });
    await other.api.sync.push.mutate({
      ...versions,
      commands: [{ ...rename(1, target, 'Slow clock, later commit'), clientTime: at(-6) }],
    });
    expect(await event(target)).toEqual({ name: 'Slow clock, later commit', version: before + 2 });
    // The server stamps its own time on the row; the device's time is kept only as a record of the command.
    const stamped = await server.db.adminPool.query<{ updated_at: Date }>(
      'SELECT updated_at FROM events WHERE id = $1',
      [target],
    );
    expect(Math.abs(stamped.rows[0]!.updated_at.getTime() - Date.now())).toBeLessThan(60_000);
    const recorded = await server.db.adminPool.query<{ client_time: Date }>(
      'SELECT client_time FROM command_results WHERE device_id = $1',
      [other.id],
    );
    expect(Date.now() - recorded.rows[0]!.client_time.getTime()).toBeGreaterThan(5.9 * 3_600_000);
  });

  it(`refuses more than ${MAX_PUSH_BATCH} commands in one batch`, async () => {
    const { id, api } = await freshDevice();
    const commands = Array.from({ length: MAX_PUSH_BATCH + 1 }, (_, i) =>
      rename(i + 1, eventIds[0]!, `Bulk ${i}`),
    );
    const refused = await serverError(api.sync.push.mutate({ ...versions, commands }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/^commands: /);
    expect((await deviceState(id)).lastSeq).toBe(0);

    const exactly = await api.sync.push.mutate({ ...versions, commands: commands.slice(0, MAX_PUSH_BATCH) });
    expect(exactly.lastAppliedSeq).toBe(MAX_PUSH_BATCH);
  });

  it('refuses a body over 1 MiB with HTTP 413, before doing any work', async () => {
    const device = await freshDevice();
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${ownerSession}`,
      'x-janix-device': `Bearer ${device.token}`,
    };
    const body = (padding: number) =>
      JSON.stringify({
        ...versions,
        commands: [
          { ...rename(1, eventIds[0]!, 'Huge'), args: { eventId: eventIds[0], pad: 'x'.repeat(padding) } },
        ],
      });
    const tooBig = await server.app.inject({
      method: 'POST',
      url: '/trpc/sync.push',
      headers,
      payload: body(1024 * 1024 + 10),
    });
    expect(tooBig.statusCode).toBe(413);
    expect((await deviceState(device.id)).lastSeq).toBe(0);

    // Just under the limit is read and handled normally.
    const underLimit = await server.app.inject({
      method: 'POST',
      url: '/trpc/sync.push',
      headers,
      payload: body(1024 * 1024 - 2048),
    });
    expect(underLimit.statusCode).toBe(200);
    expect((await deviceState(device.id)).lastSeq).toBe(1);
  });

  it('requires both a session and a device', async () => {
    const device = await freshDevice();
    const noSession = apiClient(server, { device: device.token });
    const noDevice = apiClient(server, { session: ownerSession });
    const input = { ...versions, commands: [rename(1, eventIds[0]!, 'Nobody')] };
    expect(await serverError(noSession.sync.push.mutate(input))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'session_invalid',
    });
    expect(await serverError(noDevice.sync.push.mutate(input))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
    });
  });
});

describe('versions', () => {
  it.each([
    ['push', 'protocolVersion', 99],
    ['push', 'schemaVersion', 99],
    ['pull', 'protocolVersion', 99],
    ['pull', 'schemaVersion', 99],
    // Schema version 1 consoles speak the row-per-change feed this server no longer serves.
    ['push', 'schemaVersion', 1],
    ['pull', 'schemaVersion', 1],
    // Schema version 2 replicas have no columns for who changed an event last (updated_at, updated_by).
    ['push', 'schemaVersion', 2],
    ['pull', 'schemaVersion', 2],
  ] as const)(
    '%s with %s %i is PRECONDITION_FAILED with reason update_required',
    async (procedure, field, value) => {
      const { id, api } = await freshDevice();
      const header = { ...versions, [field]: value };
      const call =
        procedure === 'push'
          ? api.sync.push.mutate({ ...header, commands: [rename(1, eventIds[0]!, 'From the future')] })
          : api.sync.pull.query({ ...header, cursor: null });
      const refused = await serverError(call);
      expect(refused).toMatchObject({
        code: 'PRECONDITION_FAILED',
        httpStatus: 412,
        reason: 'update_required',
      });
      expect(refused.details).toMatchObject({ protocolVersion: versions.protocolVersion });
      expect((await deviceState(id)).lastSeq).toBe(0);
    },
  );
});
