import type { RowOf } from '../replicated-tables.ts';
import { boxOfficeIds } from './box-office-rows.ts';

/** Rows of one event's check-in, for tests; fixed ids so failures name the same rows every run. */
export const checkInIds = {
  list: 'e1a2b3c4-d5e6-4f70-8a91-b2c3d4e5f601',
  otherList: 'e2b3c4d5-e6f7-4a81-9b02-c3d4e5f6a702',
  ticket: 'f1a2b3c4-d5e6-4f70-8a91-b2c3d4e5f611',
  scan: 'c0a1b2c3-d4e5-4f60-8a71-b2c3d4e5f621',
  otherScan: 'c1b2c3d4-e5f6-4a70-9b81-c2d3e4f5a622',
} as const;

const stamp = { version: 7, updatedAt: '2026-12-05T17:00:00.000Z', updatedBy: 'Office' };

export const checkInListRow = (over: Partial<RowOf<'checkin_lists'>> = {}): RowOf<'checkin_lists'> => ({
  id: checkInIds.list,
  eventId: boxOfficeIds.event,
  name: 'Main entrance',
  ticketTypeIds: '[]',
  validFrom: null,
  validUntil: null,
  allowReentry: false,
  allowMultipleEntries: false,
  maxEntriesPerDay: null,
  autoCheckoutAt: null,
  timeZone: 'Europe/Berlin',
  ...stamp,
  ...over,
});

export const checkInRow = (over: Partial<RowOf<'check_ins'>> = {}): RowOf<'check_ins'> => ({
  id: checkInIds.otherScan,
  listId: checkInIds.list,
  eventId: boxOfficeIds.event,
  ticketId: checkInIds.ticket,
  ticketTypeId: boxOfficeIds.adult,
  direction: 'entry',
  outcome: 'admitted',
  code: 'admitted',
  reason: 'Valid ticket',
  deviceId: boxOfficeIds.otherDevice,
  deviceName: 'Door 2',
  scannedAt: '2026-12-05T18:02:00.000Z',
  manual: false,
  rawExcerpt: null,
  ...stamp,
  ...over,
});
