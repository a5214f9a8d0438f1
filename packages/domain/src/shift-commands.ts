import {
  defineCommands,
  updateOf,
  type CommandContext,
  type CommandWrite,
  type LoadedRows,
} from './commands.ts';
import { rejection, type Decision } from './decision.ts';
import { momentInMessage } from './message-time.ts';
import type { RowOf } from './replicated-tables.ts';
import { expectedCashCents } from './shift-report.ts';

/**
 * A shift is one cashier's cash drawer session on one device: opened with a float, closed with a count. A
 * device has at most one open shift (the database enforces it too), and only the device that opened a shift
 * records cash in it, refunds from it or closes it: the drawer is at that till.
 */

/** The shift a command of this device works in: it must exist, be this device's, and still be open. */
export function ownOpenShift(
  rows: LoadedRows,
  shiftId: string,
  ctx: CommandContext,
): Decision<RowOf<'shifts'>> {
  const shift = rows.shifts.get(shiftId);
  if (!shift) return rejection('shift_not_found', 'This shift does not exist. Open a shift first.');
  if (shift.deviceId !== ctx.actor.deviceId) {
    return rejection(
      'shift_other_device',
      `This shift belongs to another till (${shift.cashier}); use a shift opened on this device.`,
    );
  }
  if (shift.status !== 'open') {
    const closed = shift.closedAt ? ` at ${momentInMessage(shift.closedAt)}` : '';
    return rejection('shift_closed', `This shift was closed${closed}. Open a new shift.`);
  }
  return { ok: true, value: shift };
}

/**
 * Seats the device still holds from the shift's allocations go back to their quotas: a closed till sells
 * nothing more, and other tills (or the web shop) may sell them.
 */
function returnAllocations(rows: LoadedRows, shift: RowOf<'shifts'>): CommandWrite[] {
  const writes: CommandWrite[] = [];
  const backPerQuota = new Map<string, number>();
  for (const allocation of rows.allocations.values()) {
    if (allocation.shiftId !== shift.id || allocation.status !== 'granted') continue;
    const returned = Math.max(0, allocation.granted - allocation.used);
    writes.push(updateOf('allocations', allocation, { returned, status: 'returned' }));
    const back = Math.max(0, returned - allocation.returned);
    backPerQuota.set(allocation.quotaId, (backPerQuota.get(allocation.quotaId) ?? 0) + back);
  }
  for (const [quotaId, back] of backPerQuota) {
    const quota = rows.quotas.get(quotaId);
    if (!quota || back === 0) continue;
    writes.push(updateOf('quotas', quota, { allocated: Math.max(0, quota.allocated - back) }));
  }
  return writes;
}

export const shiftCommands = defineCommands({
  openShift: {
    requires: 'sales.sell',
    // The device's own shifts: whether one is still open decides.
    reads: (args, ctx) => [
      { table: 'shifts', ids: [args.shiftId] },
      { table: 'shifts', column: 'device_id', values: [ctx.actor.deviceId] },
    ],
    decide(rows, args, ctx) {
      if (rows.shifts.has(args.shiftId)) return rejection('already_exists', 'This shift was already opened.');
      const open = [...rows.shifts.values()].find(
        (shift) => shift.deviceId === ctx.actor.deviceId && shift.status === 'open',
      );
      if (open) {
        return rejection(
          'shift_already_open',
          `This device already has an open shift (${open.cashier}, since ${momentInMessage(open.openedAt)}). Close it before opening a new one.`,
        );
      }
      return {
        ok: true,
        value: [
          {
            table: 'shifts',
            op: 'insert',
            row: {
              id: args.shiftId,
              deviceId: ctx.actor.deviceId,
              cashier: ctx.actor.userName,
              openedAt: args.openedAt,
              floatCents: args.floatCents,
              status: 'open',
              closedAt: null,
              countedCents: null,
              expectedCents: null,
            },
          },
        ],
      };
    },
  },

  recordCashMovement: {
    requires: 'sales.sell',
    reads: (args) => [
      { table: 'shifts', ids: [args.shiftId] },
      { table: 'cash_movements', ids: [args.movementId] },
    ],
    decide(rows, args, ctx) {
      const shift = ownOpenShift(rows, args.shiftId, ctx);
      if (!shift.ok) return shift;
      if (rows.cash_movements.has(args.movementId)) {
        return rejection('already_exists', 'This cash movement was already recorded.');
      }
      return {
        ok: true,
        value: [
          {
            table: 'cash_movements',
            op: 'insert',
            row: {
              id: args.movementId,
              shiftId: args.shiftId,
              kind: args.kind,
              amountCents: args.amountCents,
              reason: args.reason,
              createdAt: args.at,
            },
          },
        ],
      };
    },
  },

  closeShift: {
    requires: 'sales.sell',
    reads: (args) => [
      { table: 'shifts', ids: [args.shiftId] },
      { table: 'orders', column: 'shift_id', values: [args.shiftId] },
      { table: 'order_audit', column: 'shift_id', values: [args.shiftId] },
      { table: 'cash_movements', column: 'shift_id', values: [args.shiftId] },
      { table: 'allocations', column: 'shift_id', values: [args.shiftId] },
    ],
    // The quotas the shift's unused seats go back to, known only once its allocations are loaded.
    readsAfter(rows, args) {
      const quotaIds = [...rows.allocations.values()]
        .filter((allocation) => allocation.shiftId === args.shiftId && allocation.status === 'granted')
        .map((allocation) => allocation.quotaId);
      return quotaIds.length ? [{ table: 'quotas', ids: [...new Set(quotaIds)] }] : [];
    },
    decide(rows, args, ctx) {
      const open = ownOpenShift(rows, args.shiftId, ctx);
      if (!open.ok) return open;
      const shift = open.value;
      if (Date.parse(args.closedAt) < Date.parse(shift.openedAt)) {
        return rejection(
          'invalid_times',
          `A shift cannot close before it opened (${momentInMessage(shift.openedAt)}). Check this device's clock.`,
        );
      }
      const expectedCents = expectedCashCents({
        shift,
        orders: rows.orders.values(),
        audits: rows.order_audit.values(),
        cashMovements: rows.cash_movements.values(),
      });
      return {
        ok: true,
        value: [
          updateOf('shifts', shift, {
            status: 'closed',
            closedAt: args.closedAt,
            countedCents: args.countedCents,
            expectedCents,
          }),
          ...returnAllocations(rows, shift),
        ],
      };
    },
  },
});
