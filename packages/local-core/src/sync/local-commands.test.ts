import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@janix/testkit';
import { openReplica, type ReplicaDb } from '../replica/open-replica.ts';
import { createPendingOverlay } from '../replica/pending-overlay.ts';
import { createRecordNotices } from '../replica/record-notices.ts';
import { createOutbox } from './outbox.ts';
import { acceptCommand, type ConsoleActor } from './local-commands.ts';

const actor: ConsoleActor = {
  orgId: '6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f',
  userId: '2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f',
  userName: 'Sam Cashier',
  deviceId: '7e6f5a4b-3c2d-4e1f-8a9b-0c1d2e3f4a5b',
  deviceName: 'Box office 1',
  role: 'box_office',
};
const ids = {
  event: '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d',
  quota: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  shift: '4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c',
  allocation: '5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d',
};
const stamp = { version: 3, updated_at: '2026-12-05T17:00:00.000Z', updated_by: 'Server' };

/** A row as a pull stores it: the server's copy, under any pending write. */
function putServerRow(db: ReplicaDb, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  ).run(...Object.values(row));
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function openConsole(): Promise<{
  db: ReplicaDb;
  accept: (name: 'closeShift' | 'openShift', args: unknown) => ReturnType<typeof acceptCommand>;
}> {
  const dir = makeTempDir('local-commands');
  const db = await openReplica(dir.path);
  cleanup = () => {
    db.close();
    dir.remove();
  };
  const overlay = createPendingOverlay(db);
  const outbox = createOutbox(db, createRecordNotices(db));
  const decider = { overlay, issueTicket: () => null, now: () => new Date('2026-12-05T23:30:00Z') };
  return {
    db,
    accept: (name, args) =>
      acceptCommand(db, decider, outbox, actor, { name, args, clientTime: new Date(), lastAppliedSeq: 0 }),
  };
}

describe('deciding a command on the console', () => {
  it('loads a second round of rows named by the first (a closing shift’s allocations name their quotas)', async () => {
    const { db, accept } = await openConsole();
    putServerRow(db, 'shifts', {
      id: ids.shift,
      device_id: actor.deviceId,
      cashier: actor.userName,
      opened_at: '2026-12-05T17:30:00.000Z',
      float_cents: 5000,
      status: 'open',
      ...stamp,
    });
    putServerRow(db, 'allocations', {
      id: ids.allocation,
      quota_id: ids.quota,
      event_id: ids.event,
      device_id: actor.deviceId,
      shift_id: ids.shift,
      requested: 10,
      granted: 10,
      used: 4,
      returned: 0,
      status: 'granted',
      created_at: '2026-12-05T17:31:00.000Z',
      ...stamp,
    });
    putServerRow(db, 'quotas', {
      id: ids.quota,
      event_id: ids.event,
      name: 'Floor',
      capacity: 100,
      sold: 40,
      allocated: 10,
      ...stamp,
    });

    const accepted = accept('closeShift', {
      shiftId: ids.shift,
      countedCents: 5000,
      closedAt: '2026-12-05T23:30:00Z',
    });
    expect(accepted).toMatchObject({ ok: true, value: { tables: ['shifts', 'allocations', 'quotas'] } });
    const current = (table: string) =>
      db.prepare(`SELECT * FROM ${table}_current`).get() as Record<string, unknown>;
    expect(current('quotas')).toMatchObject({ allocated: 4, sold: 40, pending: 1 });
    expect(current('allocations')).toMatchObject({ returned: 6, status: 'returned', pending: 1 });
    expect(current('shifts')).toMatchObject({ status: 'closed', expected_cents: 5000 });
  });

  it('reads by who acts: a second open shift on this device is refused before it is queued', async () => {
    const { accept } = await openConsole();
    const open = (shiftId: string) =>
      accept('openShift', { shiftId, floatCents: 0, openedAt: '2026-12-05T17:00:00Z' });
    expect(open(ids.shift).ok).toBe(true);
    expect(open(ids.allocation)).toMatchObject({ ok: false, code: 'shift_already_open' });
  });
});
