import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite } from './console-fixtures.ts';
import {
  createList,
  openDoor,
  SCANNER_EMAIL,
  sellOne,
  soldAndRefunded,
  ticketsOf,
} from './checkin-fixtures.ts';

const demo = generateDemoOrg({ seed: 909, attendees: 60 });
const suite = consoleSuite(demo);
const event = demo.events[0]!;
// After the suite's server is seeded: the seeder writes each ticket's signed secret into `demo`.
let eventTickets: ReturnType<typeof ticketsOf> = [];
beforeAll(() => {
  eventTickets = ticketsOf(demo, event.id);
});

describe('check-in: two doors offline', () => {
  it('admits at both doors while cut off, then flags the double entry on both, with counts and recent scans', async () => {
    const office = (await openDoor(suite, 'Office')).core;
    const listId = await createList(office, event.id);
    const door1 = await openDoor(suite, 'Door 1', { email: SCANNER_EMAIL });
    const door2 = await openDoor(suite, 'Door 2', { email: SCANNER_EMAIL });
    expect((await door1.core.caller.checkin.lists({ eventId: event.id })).map((list) => list.id)).toContain(
      listId,
    );
    const [ticket, other] = eventTickets;

    door1.network.set(false);
    door2.network.set(false);
    const first = await door1.core.caller.checkin.scan({ listId, text: ticket!.secret });
    expect(first).toMatchObject({
      outcome: 'admitted',
      tone: 'green',
      code: 'admitted',
      // A scanner's role holds names but no orders: the name shows, the order code cannot.
      attendee: { name: ticket!.name, ticketType: expect.any(String), orderCode: null },
    });
    // The same code again at the same door (with the Enter a wedge scanner sends): refused, saying when and where.
    const again = await door1.core.caller.checkin.scan({ listId, text: `${ticket!.secret}\r\n` });
    expect(again).toMatchObject({ outcome: 'refused', tone: 'red', code: 'already_inside' });
    expect(again.reason).toMatch(/^Already entered at \d\d:\d\d at Door 1$/);
    // The other door, cut off too, cannot know: it admits.
    expect(await door2.core.caller.checkin.scan({ listId, text: ticket!.secret })).toMatchObject({
      outcome: 'admitted',
      code: 'admitted',
    });

    // Entry and exit on a list without re-entry.
    const out = { listId, text: other!.secret, direction: 'exit' as const };
    expect(await door1.core.caller.checkin.scan(out)).toMatchObject({
      outcome: 'refused',
      code: 'not_inside',
    });
    expect(await door1.core.caller.checkin.scan({ listId, text: other!.secret })).toMatchObject({
      code: 'admitted',
    });
    expect(await door1.core.caller.checkin.scan(out)).toMatchObject({ outcome: 'admitted', code: 'exited' });
    const back = await door1.core.caller.checkin.scan({ listId, text: other!.secret });
    expect(back).toMatchObject({ outcome: 'refused', code: 'no_reentry' });
    expect(back.reason).toMatch(/^No re-entry: entered at \d\d:\d\d at Door 1, left at \d\d:\d\d$/);
    expect(await door1.core.caller.status()).toMatchObject({ sync: { pending: 6 } });

    door1.network.set(true);
    door2.network.set(true);
    await door1.core.syncNow();
    await door2.core.syncNow();
    await door1.core.syncNow();
    for (const door of [door1, door2]) {
      expect((await door.core.caller.status()).sync).toMatchObject({ pending: 0, rejectionCount: 0 });
      expect(await door.core.caller.checkin.alerts({ eventId: event.id })).toEqual([
        expect.objectContaining({
          listId,
          ticketId: ticket!.id,
          name: ticket!.name,
          firstDeviceName: 'Door 1',
          secondDeviceName: 'Door 2',
        }),
      ]);
    }
    // The office console sees it too, through the feed like everyone at the event.
    await office.syncNow();
    expect(await office.caller.checkin.alerts({ eventId: event.id })).toHaveLength(1);

    // Every scan, from both doors, newest first; failed ones too.
    const recent = await door1.core.caller.checkin.recent({ listId, limit: 50 });
    expect(recent).toHaveLength(7);
    expect(recent.filter((scan) => scan.deviceName === 'Door 2')).toEqual([
      expect.objectContaining({ outcome: 'admitted', code: 'admitted', pending: false }),
    ]);
    expect(recent.map((scan) => scan.scannedAt)).toEqual(
      recent
        .map((scan) => scan.scannedAt)
        .sort()
        .reverse(),
    );

    // One holder inside (admitted twice), the other gone and not coming back.
    const counts = await door2.core.caller.checkin.counts({ listId });
    expect(counts).toMatchObject({ checkedIn: 2, inside: 1, total: eventTickets.length });
    expect(counts.timeline.reduce((sum, bucket) => sum + bucket.entries, 0)).toBe(3);
    expect(counts.timeline.reduce((sum, bucket) => sum + bucket.exits, 0)).toBe(1);
    for (const bucket of counts.timeline) expect(Date.parse(bucket.at) % (15 * 60_000)).toBe(0);

    // The server holds every scan as its device recorded it.
    const { rows } = await suite.server.db.adminPool.query<{ device_name: string; n: number }>(
      'SELECT device_name, count(*)::int AS n FROM check_ins WHERE list_id = $1 GROUP BY device_name ORDER BY 1',
      [listId],
    );
    expect(rows).toEqual([
      { device_name: 'Door 1', n: 6 },
      { device_name: 'Door 2', n: 1 },
    ]);
  });
});

describe('check-in: rules of the list', () => {
  it('refuses before the list opens and after it closes, with the time in the list’s zone', async () => {
    const office = (await openDoor(suite, 'Office 2')).core;
    const inTwoHours = new Date(Date.now() + 2 * 3600_000);
    const later = await createList(office, event.id, {
      name: 'Late door',
      validFrom: inTwoHours.toISOString(),
    });
    const hhmm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(inTwoHours);
    const refused = await office.caller.checkin.scan({ listId: later, text: eventTickets[2]!.secret });
    expect(refused).toMatchObject({ outcome: 'refused', tone: 'red', code: 'not_yet_valid' });
    expect(refused.reason).toMatch(new RegExp(`^Only valid after ${hhmm}( on .*)?$`));

    const closed = await createList(office, event.id, {
      name: 'Early door',
      validFrom: null,
      validUntil: new Date(Date.now() - 3600_000).toISOString(),
    });
    expect(await office.caller.checkin.scan({ listId: closed, text: eventTickets[2]!.secret })).toMatchObject(
      {
        code: 'expired',
        reason: expect.stringMatching(/^Only valid until \d\d:\d\d/),
      },
    );

    // A list for one ticket type refuses the others, naming the type.
    const [vip, ...rest] = demo.ticketTypes.filter((type) => type.eventId === event.id);
    const vipOnly = await createList(office, event.id, { name: 'VIP door', ticketTypeIds: [vip!.id] });
    const notVip = eventTickets.find((ticket) => ticket.ticketTypeId !== vip!.id);
    if (rest.length && notVip) {
      const type = demo.ticketTypes.find((candidate) => candidate.id === notVip.ticketTypeId)!;
      expect(await office.caller.checkin.scan({ listId: vipOnly, text: notVip.secret })).toMatchObject({
        code: 'wrong_list',
        reason: `Not valid for this entrance (${type.name})`,
      });
    }
    // A ticket of another event of the organization: genuine, but not for this door.
    const elsewhere = demo.tickets.find((ticket) => ticket.eventId !== event.id)!;
    expect(await office.caller.checkin.scan({ listId: vipOnly, text: elsewhere.secret })).toMatchObject({
      code: 'wrong_event',
      outcome: 'refused',
    });

    // The list editor: a window that closes before it opens is the rule's refusal, shown as such.
    await expect(
      office.caller.checkin.saveList({
        listId: later,
        eventId: event.id,
        name: 'Late door',
        ticketTypeIds: [],
        validFrom: inTwoHours.toISOString(),
        validUntil: new Date(Date.now()).toISOString(),
        allowReentry: true,
        allowMultipleEntries: false,
        maxEntriesPerDay: 2,
        autoCheckoutAt: '04:00',
        timeZone: 'Europe/Berlin',
      }),
    ).rejects.toThrow('The list must close after it opens.');
    await office.caller.checkin.saveList({
      listId: later,
      eventId: event.id,
      name: 'Late door (re-entry)',
      ticketTypeIds: [],
      validFrom: null,
      validUntil: null,
      allowReentry: true,
      allowMultipleEntries: false,
      maxEntriesPerDay: 2,
      autoCheckoutAt: '04:00',
      timeZone: 'Europe/Berlin',
    });
    const saved = (await office.caller.checkin.lists({ eventId: event.id })).find(
      (list) => list.id === later,
    );
    expect(saved).toMatchObject({ name: 'Late door (re-entry)', allowReentry: true, maxEntriesPerDay: 2 });
    // The edited list decides the next scan at once (its cached copy followed the change).
    expect(await office.caller.checkin.scan({ listId: later, text: eventTickets[2]!.secret })).toMatchObject({
      code: 'admitted',
    });
  });

  it('admits a genuine sale the door has not synced yet in amber, and refuses a refunded ticket', async () => {
    const till = (await openDoor(suite, 'Till')).core;
    const listId = await createList(till, event.id);
    // The till's first sale makes the organization's signing key; the door syncs after it (and the refund).
    const refunded = await soldAndRefunded(till, event.id);
    const door = await openDoor(suite, 'Door 3', { email: SCANNER_EMAIL });
    expect(await door.core.caller.checkin.scan({ listId, text: refunded.secret })).toMatchObject({
      outcome: 'refused',
      code: 'refunded',
      reason: 'Refunded ticket',
    });

    // Sold after the door last synced, and the door is cut off: the signature vouches for it, nothing else can.
    const fresh = await sellOne(till, event.id);
    door.network.set(false);
    expect(await door.core.caller.checkin.scan({ listId, text: fresh.secret })).toMatchObject({
      outcome: 'admitted',
      tone: 'amber',
      code: 'admitted_unsynced',
      attendee: { name: null, ticketType: expect.any(String) },
    });
    expect(await door.core.caller.checkin.scan({ listId, text: fresh.secret })).toMatchObject({
      code: 'already_inside',
    });
    // Offline, the refusal stands: it comes from the replica.
    expect(await door.core.caller.checkin.scan({ listId, text: refunded.secret })).toMatchObject({
      code: 'refunded',
    });
    expect(await door.core.caller.checkin.counts({ listId })).toMatchObject({ checkedIn: 1, inside: 1 });
    // The counts follow this door's own scans as they are made (added to the kept tally, not counted again).
    await door.core.caller.checkin.scan({ listId, text: fresh.secret, direction: 'exit' });
    const after = await door.core.caller.checkin.counts({ listId });
    expect(after).toMatchObject({ checkedIn: 1, inside: 0 });
    expect(after.timeline.reduce((sum, bucket) => sum + bucket.entries + bucket.exits, 0)).toBe(2);
  });

  it('finds a ticket by name or order code and checks it in by hand', async () => {
    const office = (await openDoor(suite, 'Office 3')).core;
    const listId = await createList(office, event.id, { name: 'Side door' });
    const door = await openDoor(suite, 'Door 4', { email: SCANNER_EMAIL });
    const wanted = eventTickets.find((ticket) => ticket.person && ticket.person.lastName.length >= 3)!;
    expect(await door.core.caller.checkin.search({ listId, query: 'ab' })).toEqual([]);
    const hits = await door.core.caller.checkin.search({
      listId,
      query: wanted.person!.lastName.toUpperCase(),
    });
    const hit = hits.find((candidate) => candidate.ticketId === wanted.id);
    expect(hit).toMatchObject({ name: wanted.name, status: 'valid', inside: false, lastScanAt: null });
    // Searching only the list's event: a holder's tickets for other events are not offered here.
    expect(hits.every((candidate) => eventTickets.some((ticket) => ticket.id === candidate.ticketId))).toBe(
      true,
    );

    door.network.set(false);
    const manual = await door.core.caller.checkin.checkIn({ listId, ticketId: wanted.id });
    expect(manual).toMatchObject({ outcome: 'admitted', code: 'admitted', attendee: { name: wanted.name } });
    const after = await door.core.caller.checkin.search({ listId, query: wanted.person!.lastName });
    expect(after.find((candidate) => candidate.ticketId === wanted.id)).toMatchObject({
      inside: true,
      lastScanAt: manual.scannedAt,
    });
    expect((await door.core.caller.checkin.recent({ listId }))[0]).toMatchObject({
      scanId: manual.scanId,
      manual: true,
      pending: true,
      deviceName: 'Door 4',
    });

    // The office holds orders: there a ticket is found by its order code too.
    const order = demo.orders.find((candidate) => candidate.id === wanted.orderId)!;
    const byCode = await office.caller.checkin.search({ listId, query: order.code.slice(0, 6) });
    expect(byCode.map((candidate) => candidate.ticketId)).toContain(wanted.id);
    expect(byCode.find((candidate) => candidate.ticketId === wanted.id)?.orderCode).toBe(order.code);
  });
});
