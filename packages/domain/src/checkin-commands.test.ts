import { describe, expect, it } from 'vitest';
import { planCommand, type CommandWrite } from './commands.ts';
import { commandContext } from './testing/command-context.ts';
import { actingDevice, boxOfficeIds as ids, eventRow, ticketTypeRow } from './testing/box-office-rows.ts';
import { checkInIds, checkInListRow, checkInRow } from './testing/checkin-rows.ts';
import { runCommand, writesOf, type TestDatabase } from './testing/run-command.ts';
import { gateListOf, ticketTypeIdsColumn } from './checkin-commands.ts';

const newList = 'e3c4d5e6-f7a8-4b92-8c13-d4e5f6a7b803';
const db: TestDatabase = {
  events: [eventRow(), eventRow({ id: ids.otherEvent, name: 'Other night' })],
  ticket_types: [
    ticketTypeRow(),
    ticketTypeRow({ id: ids.child, name: 'Child' }),
    ticketTypeRow({ id: ids.quota, eventId: ids.otherEvent, name: 'Elsewhere' }),
  ],
  checkin_lists: [checkInListRow()],
};
const draft = {
  name: 'VIP door',
  ticketTypeIds: [ids.child, ids.adult],
  validFrom: '2026-12-05T17:00:00Z',
  validUntil: '2026-12-05T23:00:00Z',
  allowReentry: true,
  allowMultipleEntries: false,
  maxEntriesPerDay: 3,
  autoCheckoutAt: '04:00',
  timeZone: 'Europe/Berlin',
};
const server = commandContext({ where: 'server' });
const rowsOf = (writes: CommandWrite[], table: CommandWrite['table']) =>
  writes.filter((write) => write.table === table).map((write) => write.row);

describe('createCheckInList', () => {
  const create = (over: object = {}, rows = db) =>
    runCommand('createCheckInList', { listId: newList, eventId: ids.event, draft, ...over }, rows);

  it('writes the list with its ticket types as a sorted JSON array', () => {
    expect(writesOf(create())).toEqual([
      {
        table: 'checkin_lists',
        op: 'insert',
        row: {
          id: newList,
          eventId: ids.event,
          ...draft,
          ticketTypeIds: JSON.stringify([ids.adult, ids.child].sort()),
        },
      },
    ]);
  });

  it('refuses a missing event, a list that exists, and ticket types that are not the event’s', () => {
    expect(create({ eventId: '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d' })).toMatchObject({
      ok: false,
      code: 'event_not_found',
    });
    expect(create({ listId: checkInIds.list })).toMatchObject({ ok: false, code: 'already_exists' });
    expect(create({ draft: { ...draft, ticketTypeIds: [ids.quota] } })).toEqual({
      ok: false,
      code: 'ticket_type_other_event',
      message: 'The ticket type Elsewhere belongs to another event.',
    });
    expect(create({ draft: { ...draft, ticketTypeIds: [newList] } })).toMatchObject({
      ok: false,
      code: 'ticket_type_not_found',
    });
    expect(create({ draft: { ...draft, validUntil: draft.validFrom } })).toMatchObject({
      ok: false,
      code: 'invalid_time_window',
    });
  });

  it('validates its arguments hard', () => {
    const bad: Array<[string, object]> = [
      ['a zone that is none', { timeZone: 'Mars/Olympus' }],
      ['an offset for a zone', { timeZone: '+01:00' }],
      ['a time past 23:59', { autoCheckoutAt: '24:00' }],
      ['a time without its leading zero', { autoCheckoutAt: '4:00' }],
      ['no entries a day', { maxEntriesPerDay: 0 }],
      ['too many entries a day', { maxEntriesPerDay: 101 }],
      ['a fractional limit', { maxEntriesPerDay: 1.5 }],
      ['a ticket type that is no uuid', { ticketTypeIds: ['adult'] }],
      ['a ticket type twice', { ticketTypeIds: [ids.adult, ids.adult] }],
      ['no name', { name: '  ' }],
      ['a date without an offset', { validFrom: '2026-12-05 18:00' }],
    ];
    for (const [what, over] of bad) {
      expect(create({ draft: { ...draft, ...over } }), what).toMatchObject({
        ok: false,
        code: 'invalid_args',
      });
    }
    expect(create({ draft: { ...draft, timeZone: 'America/Argentina/Buenos_Aires' } }).ok).toBe(true);
    for (const timeZone of ['UTC', 'EST5EDT', 'Etc/GMT-14', 'America/Indiana/Indianapolis']) {
      expect(create({ draft: { ...draft, timeZone } }).ok, timeZone).toBe(true);
    }
  });

  it('needs events.write', () => {
    const scanner = commandContext({ allows: (action) => action === 'checkin.scan' });
    expect(
      planCommand('createCheckInList', { listId: newList, eventId: ids.event, draft }, scanner),
    ).toMatchObject({ ok: false, code: 'forbidden' });
  });
});

describe('updateCheckInList', () => {
  const update = (patch: object, rows = db) =>
    runCommand('updateCheckInList', { listId: checkInIds.list, patch }, rows);

  it('changes what the patch names and keeps the rest', () => {
    const [write] = writesOf(
      update({ allowReentry: true, ticketTypeIds: [ids.child], autoCheckoutAt: null }),
    );
    expect(write).toEqual({
      table: 'checkin_lists',
      op: 'update',
      row: {
        id: checkInIds.list,
        eventId: ids.event,
        name: 'Main entrance',
        ticketTypeIds: JSON.stringify([ids.child]),
        validFrom: null,
        validUntil: null,
        allowReentry: true,
        allowMultipleEntries: false,
        maxEntriesPerDay: null,
        autoCheckoutAt: null,
        timeZone: 'Europe/Berlin',
      },
    });
  });

  it('refuses a missing list, another event’s ticket type and a window that closes before it opens', () => {
    expect(runCommand('updateCheckInList', { listId: newList, patch: {} }, db)).toMatchObject({
      ok: false,
      code: 'list_not_found',
    });
    expect(update({ ticketTypeIds: [ids.quota] })).toMatchObject({
      ok: false,
      code: 'ticket_type_other_event',
    });
    const open = { ...db, checkin_lists: [checkInListRow({ validFrom: '2026-12-05T17:00:00.000Z' })] };
    expect(update({ validUntil: '2026-12-05T16:00:00Z' }, open)).toMatchObject({
      ok: false,
      code: 'invalid_time_window',
    });
  });
});

describe('recordScan', () => {
  const scanArgs = {
    scanId: checkInIds.scan,
    listId: checkInIds.list,
    ticketId: checkInIds.ticket,
    ticketTypeId: ids.adult,
    direction: 'entry',
    outcome: 'admitted',
    code: 'admitted',
    reason: 'Valid ticket',
    scannedAt: '2026-12-05T18:05:00Z',
    manual: false,
    rawExcerpt: null,
  };
  const record = (over: object = {}, rows: TestDatabase = db, ctx = commandContext()) =>
    runCommand('recordScan', { ...scanArgs, ...over }, rows, ctx);
  const earlier = checkInRow();
  const withEarlier: TestDatabase = { ...db, check_ins: [earlier] };
  // What the server writes when this device's scan meets the earlier one of Door 2.
  const alert = {
    id: checkInIds.scan,
    eventId: ids.event,
    listId: checkInIds.list,
    ticketId: checkInIds.ticket,
    firstCheckInId: earlier.id,
    firstDeviceName: 'Door 2',
    firstAt: earlier.scannedAt,
    secondCheckInId: checkInIds.scan,
    secondDeviceName: actingDevice.deviceName,
    secondAt: '2026-12-05T18:05:00Z',
    createdAt: server.now.toISOString(),
  };

  it('records the scan as the device decided it, with the device that made it and the list’s event', () => {
    expect(writesOf(record())).toEqual([
      {
        table: 'check_ins',
        op: 'insert',
        row: {
          id: checkInIds.scan,
          listId: checkInIds.list,
          eventId: ids.event,
          ticketId: checkInIds.ticket,
          ticketTypeId: ids.adult,
          direction: 'entry',
          outcome: 'admitted',
          code: 'admitted',
          reason: 'Valid ticket',
          deviceId: actingDevice.deviceId,
          deviceName: actingDevice.deviceName,
          scannedAt: '2026-12-05T18:05:00Z',
          manual: false,
          rawExcerpt: null,
        },
      },
    ]);
  });

  it('never refuses a well-formed fact: an admitted entry of a refunded ticket scanned offline is recorded', () => {
    const refunded = { ...withEarlier, tickets: [] };
    for (const ctx of [commandContext(), server]) {
      expect(rowsOf(writesOf(record({ code: 'admitted' }, refunded, ctx)), 'check_ins')).toHaveLength(1);
    }
    // A failed scan names no ticket and keeps an excerpt of what was read.
    const failed = record({
      ticketId: null,
      ticketTypeId: null,
      outcome: 'refused',
      code: 'invalid_code',
      reason: 'Not a ticket code',
      rawExcerpt: "'; DROP TABLE tickets; --",
    });
    expect(rowsOf(writesOf(failed), 'check_ins')[0]).toMatchObject({ ticketId: null, outcome: 'refused' });
  });

  it('writes nothing for a scan id it has recorded already (a retried push)', () => {
    const recorded = { ...db, check_ins: [checkInRow({ id: checkInIds.scan })] };
    expect(record({}, recorded)).toEqual({ ok: true, value: [] });
    expect(record({}, recorded, server)).toEqual({ ok: true, value: [] });
  });

  it('refuses a list that does not exist', () => {
    expect(record({ listId: newList })).toMatchObject({ ok: false, code: 'list_not_found' });
  });

  it('on the server, alerts on an entry the rules would have refused, naming both scans', () => {
    const writes = writesOf(record({}, withEarlier, server));
    expect(rowsOf(writes, 'entry_alerts')).toEqual([alert]);
  });

  it('on the server, alerts on the later entry when the earlier scan arrives late', () => {
    const writes = writesOf(record({ scannedAt: '2026-12-05T18:00:00Z' }, withEarlier, server));
    expect(rowsOf(writes, 'entry_alerts')).toEqual([
      expect.objectContaining({
        id: earlier.id,
        firstCheckInId: checkInIds.scan,
        firstDeviceName: actingDevice.deviceName,
        secondCheckInId: earlier.id,
        secondDeviceName: 'Door 2',
      }),
    ]);
  });

  it('writes no alert where the rules allow the entry, for exits and refusals, or on a console', () => {
    const reentry = { ...withEarlier, checkin_lists: [checkInListRow({ allowMultipleEntries: true })] };
    const otherList = { ...db, check_ins: [checkInRow({ listId: checkInIds.otherList })] };
    const otherTicket = { ...db, check_ins: [checkInRow({ ticketId: newList })] };
    const cases: Array<[string, object, TestDatabase, ReturnType<typeof commandContext>]> = [
      ['multiple entries allowed', {}, reentry, server],
      ['the earlier entry was on another list', {}, otherList, server],
      ['the earlier entry was another ticket', {}, otherTicket, server],
      ['an exit', { direction: 'exit', code: 'exited' }, withEarlier, server],
      ['a refused entry', { outcome: 'refused', code: 'already_inside' }, withEarlier, server],
      ['a console (it sees only its own part)', {}, withEarlier, commandContext()],
    ];
    for (const [what, over, rows, ctx] of cases) {
      expect(rowsOf(writesOf(record(over, rows, ctx)), 'entry_alerts'), what).toEqual([]);
    }
  });

  it('writes an alert once: a replay that finds it again leaves it', () => {
    const stored = { ...alert, version: 9, updatedAt: '2026-12-05T18:06:00.000Z', updatedBy: 'Box office 1' };
    const alerted: TestDatabase = { ...withEarlier, entry_alerts: [stored] };
    // The check-in itself is missing here (as if the alert were written by another path): only it is written.
    expect(writesOf(record({}, alerted, server)).map((write) => write.table)).toEqual(['check_ins']);
  });

  it('reads the ticket’s other scans only on the server, and the list before them', () => {
    const console = planCommand('recordScan', scanArgs, commandContext());
    const onServer = planCommand('recordScan', scanArgs, server);
    if (!console.ok || !onServer.ok) throw new Error('planned');
    expect(console.value.reads).toEqual([
      { table: 'checkin_lists', ids: [checkInIds.list] },
      { table: 'check_ins', ids: [checkInIds.scan] },
    ]);
    expect(onServer.value.reads).toEqual([
      ...console.value.reads,
      { table: 'check_ins', column: 'ticket_id', values: [checkInIds.ticket] },
      { table: 'entry_alerts', column: 'ticket_id', values: [checkInIds.ticket] },
    ]);
  });

  it('validates its arguments hard and needs checkin.scan', () => {
    const bad: Array<[string, object]> = [
      ['a scan id that is no uuid', { scanId: 'scan-1' }],
      ['a direction there is not', { direction: 'sideways' }],
      ['an outcome there is not', { outcome: 'maybe' }],
      ['a code there is not', { code: 'welcome' }],
      ['a reason over 200 characters', { reason: 'x'.repeat(201) }],
      ['an excerpt over 64 characters', { rawExcerpt: 'x'.repeat(65) }],
      ['an excerpt with control characters', { rawExcerpt: 'ab\u001bc' }],
      ['an excerpt with NUL', { rawExcerpt: 'ab\u0000' }],
      ['a time without an offset', { scannedAt: '2026-12-05 18:05' }],
    ];
    for (const [what, over] of bad) {
      expect(record(over), what).toMatchObject({ ok: false, code: 'invalid_args' });
    }
    expect(record({ reason: 'x'.repeat(200), rawExcerpt: 'x'.repeat(64) }).ok).toBe(true);
    const cashier = commandContext({ allows: (action) => action === 'sales.sell' });
    expect(planCommand('recordScan', scanArgs, cashier)).toMatchObject({ ok: false, code: 'forbidden' });
  });
});

describe('list rows as the rules read them', () => {
  it('parses the ticket types, and reads an unreadable column as admitting no type', () => {
    expect(
      gateListOf(checkInListRow({ ticketTypeIds: ticketTypeIdsColumn([ids.child, ids.adult]) })),
    ).toEqual(
      expect.objectContaining({ ticketTypeIds: [ids.adult, ids.child].sort(), timeZone: 'Europe/Berlin' }),
    );
    expect(gateListOf(checkInListRow({ ticketTypeIds: 'not json' })).ticketTypeIds).toEqual(['unreadable']);
    expect(gateListOf(checkInListRow({ ticketTypeIds: '{"a":1}' })).ticketTypeIds).toEqual(['unreadable']);
  });
});
