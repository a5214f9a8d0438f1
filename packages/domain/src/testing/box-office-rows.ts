import type { RowOf } from '../replicated-tables.ts';
import { commandContext } from './command-context.ts';

/**
 * Rows of one event's box office as rules load them, for tests: each factory gives a plausible row and
 * takes what a test is about as overrides. Ids are fixed so failures name the same rows every run.
 */
export const boxOfficeIds = {
  event: '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d',
  otherEvent: '0c8e0b4d-6f2a-4b3c-9d0e-8f7a6b5c4d3e',
  quota: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  otherQuota: '1d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
  adult: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
  child: '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b',
  shift: '4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c',
  allocation: '5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d',
  order: '6b7c8d9e-0f1a-4b2c-9d4e-5f6a7b8c9d0e',
  audit: '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
  movement: '8e9f0a1b-2c3d-4e4f-9a5b-6c7d8e9f0a1b',
  otherDevice: '9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c',
} as const;

/** The device and user that `commandContext()` acts as. */
export const actingDevice = commandContext().actor;

const stamp = { version: 5, updatedAt: '2026-12-05T17:00:00.000Z', updatedBy: 'Office' };
const ids = boxOfficeIds;

export const eventRow = (over: Partial<RowOf<'events'>> = {}): RowOf<'events'> => ({
  id: ids.event,
  name: 'Harbour Jazz Night',
  venue: 'Pier 9',
  startsAt: '2026-12-05T19:00:00.000Z',
  endsAt: '2026-12-05T23:00:00.000Z',
  status: 'on_sale',
  ...stamp,
  ...over,
});

export const quotaRow = (over: Partial<RowOf<'quotas'>> = {}): RowOf<'quotas'> => ({
  id: ids.quota,
  eventId: ids.event,
  name: 'Floor',
  capacity: 100,
  sold: 48,
  allocated: 4,
  ...stamp,
  ...over,
});

export const ticketTypeRow = (over: Partial<RowOf<'ticket_types'>> = {}): RowOf<'ticket_types'> => ({
  id: ids.adult,
  eventId: ids.event,
  quotaId: ids.quota,
  name: 'Adult',
  priceCents: 1200,
  currency: 'EUR',
  taxRateBp: 2000,
  capacity: 100,
  salesStartAt: null,
  salesEndAt: null,
  channels: 'box_office,online',
  ...stamp,
  ...over,
});

export const shiftRow = (over: Partial<RowOf<'shifts'>> = {}): RowOf<'shifts'> => ({
  id: ids.shift,
  deviceId: actingDevice.deviceId,
  cashier: actingDevice.userName,
  openedAt: '2026-12-05T17:30:00.000Z',
  floatCents: 10_000,
  status: 'open',
  closedAt: null,
  countedCents: null,
  expectedCents: null,
  ...stamp,
  ...over,
});

export const orderRow = (over: Partial<RowOf<'orders'>> = {}): RowOf<'orders'> => ({
  id: ids.order,
  eventId: ids.event,
  personId: null,
  code: 'K7QX2M9P',
  channel: 'box_office',
  status: 'paid',
  totalCents: 2400,
  currency: 'EUR',
  createdAt: '2026-12-05T18:10:00.000Z',
  shiftId: ids.shift,
  paymentMethod: 'cash',
  paymentReference: null,
  compReason: null,
  tenderedCents: 3000,
  changeCents: 600,
  taxCents: 400,
  listedTotalCents: 2400,
  refundedAt: null,
  refundReason: null,
  ...stamp,
  ...over,
});

/** Ticket `n` of an order: ids differ per order and number. */
export const ticketRow = (n: number, over: Partial<RowOf<'tickets'>> = {}): RowOf<'tickets'> => {
  const orderId = over.orderId ?? ids.order;
  return {
    id: `${orderId.slice(0, 24)}${String(n).padStart(12, '0')}`,
    orderId,
    eventId: ids.event,
    ticketTypeId: ids.adult,
    personId: null,
    status: 'valid',
    secret: `signed-${n}`,
    priceCents: 1200,
    taxCents: 200,
    allocationId: ids.allocation,
    slot: n,
    ...stamp,
    ...over,
  };
};

export const allocationRow = (over: Partial<RowOf<'allocations'>> = {}): RowOf<'allocations'> => ({
  id: ids.allocation,
  quotaId: ids.quota,
  eventId: ids.event,
  deviceId: actingDevice.deviceId,
  shiftId: ids.shift,
  requested: 10,
  granted: 10,
  used: 3,
  returned: 0,
  status: 'granted',
  createdAt: '2026-12-05T17:31:00.000Z',
  ...stamp,
  ...over,
});

export const auditRow = (over: Partial<RowOf<'order_audit'>> = {}): RowOf<'order_audit'> => ({
  id: ids.audit,
  orderId: ids.order,
  shiftId: ids.shift,
  action: 'refund',
  reason: 'Could not come',
  amountCents: 2400,
  method: 'cash',
  userId: actingDevice.userId,
  userName: actingDevice.userName,
  deviceId: actingDevice.deviceId,
  createdAt: '2026-12-05T19:04:00.000Z',
  ...stamp,
  ...over,
});

export const movementRow = (over: Partial<RowOf<'cash_movements'>> = {}): RowOf<'cash_movements'> => ({
  id: ids.movement,
  shiftId: ids.shift,
  kind: 'paid_in',
  amountCents: 5000,
  reason: 'Change from the bank',
  createdAt: '2026-12-05T18:00:00.000Z',
  ...stamp,
  ...over,
});
