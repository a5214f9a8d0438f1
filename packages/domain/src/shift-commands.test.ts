import { describe, expect, it } from 'vitest';
import { planCommand } from './commands.ts';
import { commandContext, loadedRows } from './testing/command-context.ts';
import {
  actingDevice,
  allocationRow,
  auditRow,
  boxOfficeIds as ids,
  movementRow,
  orderRow,
  quotaRow,
  shiftRow,
} from './testing/box-office-rows.ts';
import { runCommand, writesOf, type TestDatabase } from './testing/run-command.ts';

const newShift = 'ab1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e';
const otherDevice = commandContext({
  actor: { ...actingDevice, deviceId: ids.otherDevice, deviceName: 'Box office 2' },
});
const closed = shiftRow({
  status: 'closed',
  closedAt: '2026-12-04T23:10:00.000Z',
  countedCents: 100,
  expectedCents: 100,
});

describe('openShift', () => {
  const open = (db: TestDatabase, ctx = commandContext()) =>
    runCommand(
      'openShift',
      { shiftId: newShift, floatCents: 15_000, openedAt: '2026-12-05T17:00:00Z' },
      db,
      ctx,
    );

  it('opens a shift on the acting device, for the signed-in cashier, with its float', () => {
    expect(writesOf(open({ shifts: [closed] }))).toEqual([
      {
        table: 'shifts',
        op: 'insert',
        row: {
          id: newShift,
          deviceId: actingDevice.deviceId,
          cashier: 'Sam Cashier',
          openedAt: '2026-12-05T17:00:00Z',
          floatCents: 15_000,
          status: 'open',
          closedAt: null,
          countedCents: null,
          expectedCents: null,
        },
      },
    ]);
  });

  it('refuses a second open shift on one device, saying whose and since when', () => {
    expect(open({ shifts: [shiftRow()] })).toEqual({
      ok: false,
      code: 'shift_already_open',
      message:
        'This device already has an open shift (Sam Cashier, since 17:30 UTC on 5 Dec 2026). Close it before opening a new one.',
    });
  });

  it('reads the acting device’s shifts, so another device’s open shift does not stand in the way', () => {
    const planned = planCommand(
      'openShift',
      { shiftId: newShift, floatCents: 0, openedAt: '2026-12-05T17:00:00Z' },
      otherDevice,
    );
    expect(planned.ok && planned.value.reads).toContainEqual({
      table: 'shifts',
      column: 'device_id',
      values: [ids.otherDevice],
    });
    expect(open({ shifts: [shiftRow()] }, otherDevice).ok).toBe(true);
  });

  it('refuses an id that exists, and a negative or absurd float before any rule runs', () => {
    expect(
      runCommand(
        'openShift',
        { shiftId: ids.shift, floatCents: 0, openedAt: '2026-12-05T17:00:00Z' },
        { shifts: [closed] },
      ),
    ).toMatchObject({
      ok: false,
      code: 'already_exists',
    });
    for (const floatCents of [-1, 100_000_001, 0.5]) {
      expect(
        runCommand('openShift', { shiftId: newShift, floatCents, openedAt: '2026-12-05T17:00:00Z' }, {}),
      ).toMatchObject({
        ok: false,
        code: 'invalid_args',
      });
    }
  });

  it('needs sales.sell', () => {
    const scanner = commandContext({ allows: (action) => action === 'checkin.scan' });
    expect(planCommand('openShift', {}, scanner)).toMatchObject({ ok: false, code: 'forbidden' });
  });
});

describe('recordCashMovement', () => {
  const args = {
    movementId: ids.movement,
    shiftId: ids.shift,
    kind: 'paid_out',
    amountCents: 2500,
    reason: 'Ice for the bar',
    at: '2026-12-05T20:15:00Z',
  };
  const record = (db: TestDatabase, over: object = {}, ctx = commandContext()) =>
    runCommand('recordCashMovement', { ...args, ...over }, db, ctx);

  it('records the movement in the open shift of this device', () => {
    expect(writesOf(record({ shifts: [shiftRow()] }))).toEqual([
      {
        table: 'cash_movements',
        op: 'insert',
        row: {
          id: ids.movement,
          shiftId: ids.shift,
          kind: 'paid_out',
          amountCents: 2500,
          reason: 'Ice for the bar',
          createdAt: '2026-12-05T20:15:00Z',
        },
      },
    ]);
  });

  it('refuses a missing shift, another device’s shift and a closed shift', () => {
    expect(record({})).toMatchObject({ ok: false, code: 'shift_not_found' });
    expect(record({ shifts: [shiftRow()] }, {}, otherDevice)).toEqual({
      ok: false,
      code: 'shift_other_device',
      message: 'This shift belongs to another till (Sam Cashier); use a shift opened on this device.',
    });
    expect(record({ shifts: [closed] })).toEqual({
      ok: false,
      code: 'shift_closed',
      message: 'This shift was closed at 23:10 UTC on 4 Dec 2026. Open a new shift.',
    });
  });

  it('refuses an id that exists', () => {
    expect(record({ shifts: [shiftRow()], cash_movements: [movementRow()] })).toMatchObject({
      ok: false,
      code: 'already_exists',
    });
  });

  it('refuses zero, negative and absurd amounts and an empty reason before any rule runs', () => {
    for (const over of [
      { amountCents: 0 },
      { amountCents: -500 },
      { amountCents: 100_000_001 },
      { reason: '  ' },
      { kind: 'gift' },
    ]) {
      expect(record({ shifts: [shiftRow()] }, over), JSON.stringify(over)).toMatchObject({
        ok: false,
        code: 'invalid_args',
      });
    }
  });
});

describe('closeShift', () => {
  const secondQuota = quotaRow({ id: ids.otherQuota, name: 'Balcony', capacity: 40, sold: 10, allocated: 6 });
  // float 100.00 + cash sale 24.00 − cash refund 12.00 + paid in 50.00 − paid out 20.00 = 142.00
  const db: TestDatabase = {
    shifts: [shiftRow()],
    orders: [
      orderRow({ totalCents: 2400 }),
      orderRow({ id: ids.audit, totalCents: 3600, paymentMethod: 'terminal' }),
      orderRow({ id: ids.movement, totalCents: 9900, shiftId: newShift }),
    ],
    order_audit: [auditRow({ amountCents: 1200 })],
    cash_movements: [
      movementRow({ amountCents: 5000 }),
      movementRow({ id: ids.allocation, kind: 'paid_out', amountCents: 2000 }),
    ],
    allocations: [
      allocationRow(), // 10 granted, 3 used: 7 go back to the floor
      allocationRow({ id: ids.order, quotaId: ids.otherQuota, granted: 6, used: 6 }),
      allocationRow({ id: ids.otherEvent, granted: 0, status: 'refused' }),
      allocationRow({ id: ids.otherQuota, shiftId: newShift }),
    ],
    quotas: [quotaRow({ allocated: 20 }), secondQuota],
  };
  const close = (rows = db, over: object = {}, ctx = commandContext()) =>
    runCommand(
      'closeShift',
      { shiftId: ids.shift, countedCents: 14_000, closedAt: '2026-12-05T23:30:00Z', ...over },
      rows,
      ctx,
    );

  it('closes the shift with the count and the expected cash, and gives unused seats back', () => {
    expect(writesOf(close())).toEqual([
      {
        table: 'shifts',
        op: 'update',
        row: {
          ...{ id: ids.shift, deviceId: actingDevice.deviceId, cashier: 'Sam Cashier' },
          openedAt: '2026-12-05T17:30:00.000Z',
          floatCents: 10_000,
          status: 'closed',
          closedAt: '2026-12-05T23:30:00Z',
          countedCents: 14_000,
          expectedCents: 14_200,
        },
      },
      {
        table: 'allocations',
        op: 'update',
        row: expect.objectContaining({
          id: ids.allocation,
          granted: 10,
          used: 3,
          returned: 7,
          status: 'returned',
        }),
      },
      {
        table: 'allocations',
        op: 'update',
        row: expect.objectContaining({ id: ids.order, granted: 6, used: 6, returned: 0, status: 'returned' }),
      },
      {
        table: 'quotas',
        op: 'update',
        row: expect.objectContaining({ id: ids.quota, sold: 48, allocated: 13 }),
      },
    ]);
  });

  it('loads the quotas of the shift’s allocations in a second round', () => {
    const planned = planCommand(
      'closeShift',
      { shiftId: ids.shift, countedCents: 0, closedAt: '2026-12-05T23:30:00Z' },
      commandContext(),
    );
    if (!planned.ok) throw new Error(planned.message);
    expect(planned.value.reads.map((read) => read.table)).not.toContain('quotas');
    const first = loadedRows({
      allocations: [
        allocationRow(),
        allocationRow({ id: ids.order, quotaId: ids.otherQuota }),
        allocationRow({ id: ids.audit, quotaId: ids.otherQuota }),
        allocationRow({ id: ids.otherEvent, quotaId: ids.otherEvent, status: 'refused' }),
        allocationRow({ id: ids.movement, quotaId: ids.otherEvent, shiftId: newShift }),
      ],
    });
    expect(planned.value.readsAfter(first)).toEqual([{ table: 'quotas', ids: [ids.quota, ids.otherQuota] }]);
  });

  it('never takes a quota’s held seats below zero', () => {
    const rows = { ...db, quotas: [quotaRow({ allocated: 2 }), secondQuota] };
    const quota = writesOf(close(rows)).find((write) => write.table === 'quotas');
    expect(quota?.row).toMatchObject({ allocated: 0 });
  });

  it('refuses a missing shift, another device’s, a closed one, and a close before the open', () => {
    expect(close({ ...db, shifts: [] })).toMatchObject({ ok: false, code: 'shift_not_found' });
    expect(close(db, {}, otherDevice)).toMatchObject({ ok: false, code: 'shift_other_device' });
    expect(close({ ...db, shifts: [closed] })).toMatchObject({ ok: false, code: 'shift_closed' });
    expect(close(db, { closedAt: '2026-12-05T17:29:59Z' })).toMatchObject({
      ok: false,
      code: 'invalid_times',
    });
  });

  it('refuses a negative or absurd count before any rule runs', () => {
    for (const countedCents of [-1, 100_000_001]) {
      expect(close(db, { countedCents })).toMatchObject({ ok: false, code: 'invalid_args' });
    }
  });
});
