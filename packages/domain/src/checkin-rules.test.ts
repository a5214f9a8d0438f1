import { describe, expect, it } from 'vitest';
import {
  codeRefusal,
  decideScan,
  findDoubleEntries,
  gateTime,
  lastAutoCheckout,
  type GateList,
  type GateTicket,
  type PastScan,
  type ScanDirection,
  type ScanVerdict,
  wallClockAt,
} from './checkin-rules.ts';

const EVENT = '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d';
const ADULT = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';
const VIP = '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b';

// Berlin is UTC+1 in December: 18:30Z is 19:30 at the door.
const list = (over: Partial<GateList> = {}): GateList => ({
  id: 'a1000000-0000-4000-8000-000000000001',
  eventId: EVENT,
  ticketTypeIds: [],
  validFrom: null,
  validUntil: null,
  allowReentry: false,
  allowMultipleEntries: false,
  maxEntriesPerDay: null,
  autoCheckoutAt: null,
  timeZone: 'Europe/Berlin',
  ...over,
});
const ticket = (over: Partial<GateTicket> = {}): GateTicket => ({
  ticketId: 'b1000000-0000-4000-8000-000000000001',
  eventId: EVENT,
  ticketTypeId: ADULT,
  status: 'valid',
  known: true,
  ...over,
});
let scanNumber = 0;
const scan = (scannedAt: string, over: Partial<PastScan> & { direction?: ScanDirection } = {}): PastScan => ({
  id: `c1000000-0000-4000-8000-${String((scanNumber += 1)).padStart(12, '0')}`,
  direction: 'entry',
  outcome: 'admitted',
  scannedAt,
  deviceName: 'Door 2',
  ...over,
});

const NOW = '2026-12-05T18:30:00Z';
const verdict = (
  over: {
    list?: Partial<GateList>;
    ticket?: Partial<GateTicket>;
    history?: PastScan[];
    direction?: ScanDirection;
    now?: string;
  } = {},
): ScanVerdict =>
  decideScan({
    list: list(over.list),
    ticket: ticket(over.ticket),
    history: over.history ?? [],
    direction: over.direction ?? 'entry',
    now: new Date(over.now ?? NOW),
  });

const green = (code: string, reason: string) => ({ outcome: 'admitted', tone: 'green', code, reason });
const red = (code: string, reason: string) => ({ outcome: 'refused', tone: 'red', code, reason });

describe('decideScan', () => {
  const entered = scan('2026-12-05T18:02:00Z');
  const left = scan('2026-12-05T18:20:00Z', { direction: 'exit', deviceName: 'Door 1' });

  const cases: Array<[string, Parameters<typeof verdict>[0], ReturnType<typeof green>]> = [
    ['admits a valid ticket on its first entry', {}, green('admitted', 'Valid ticket')],
    [
      'admits a genuine code of a ticket this device has not synced yet, in amber',
      { ticket: { known: false } },
      {
        outcome: 'admitted',
        tone: 'amber',
        code: 'admitted_unsynced',
        reason: 'Valid ticket (not synced to this device yet)',
      },
    ],
    [
      'refuses a ticket for another event',
      { ticket: { eventId: VIP } },
      red('wrong_event', 'Ticket for another event'),
    ],
    ['refuses a refunded ticket', { ticket: { status: 'refunded' } }, red('refunded', 'Refunded ticket')],
    ['refuses a voided ticket', { ticket: { status: 'void' } }, red('void', 'Voided ticket')],
    [
      'refuses a revoked ticket',
      { ticket: { status: 'revoked', known: false } },
      red('revoked', 'Ticket revoked: no longer valid'),
    ],
    [
      'refuses a ticket type the list does not admit, naming the type',
      { list: { ticketTypeIds: [ADULT] }, ticket: { ticketTypeId: VIP, ticketTypeName: 'VIP' } },
      red('wrong_list', 'Not valid for this entrance (VIP)'),
    ],
    [
      'refuses a ticket type the list does not admit, without a name when none is known',
      { list: { ticketTypeIds: [ADULT] }, ticket: { ticketTypeId: VIP } },
      red('wrong_list', 'Not valid for this entrance'),
    ],
    [
      'admits a type the list names',
      { list: { ticketTypeIds: [VIP, ADULT] } },
      green('admitted', 'Valid ticket'),
    ],
    [
      'refuses before the window opens, in the list’s local time',
      { list: { validFrom: '2026-12-05T17:00:00Z' }, now: '2026-12-05T16:59:00Z' },
      red('not_yet_valid', 'Only valid after 18:00'),
    ],
    [
      'names the date when the window opens another day',
      { list: { validFrom: '2026-12-06T17:00:00Z' } },
      red('not_yet_valid', 'Only valid after 18:00 on 6 Dec'),
    ],
    [
      'names the year when it differs too',
      { list: { validFrom: '2027-01-01T17:00:00Z' } },
      red('not_yet_valid', 'Only valid after 18:00 on 1 Jan 2027'),
    ],
    [
      'admits at the very moment the window opens',
      { list: { validFrom: NOW } },
      green('admitted', 'Valid ticket'),
    ],
    [
      'refuses after the window closes',
      { list: { validUntil: '2026-12-05T22:00:00Z' }, now: '2026-12-05T22:00:01Z' },
      red('expired', 'Only valid until 23:00'),
    ],
    [
      'words times 24-hour, past midnight as 00:05',
      { list: { validUntil: '2026-12-05T23:05:00Z' }, now: '2026-12-06T01:00:00Z' },
      red('expired', 'Only valid until 00:05'),
    ],
    [
      'refuses someone already inside, saying when and where they entered',
      { history: [entered] },
      red('already_inside', 'Already entered at 19:02 at Door 2'),
    ],
    [
      'words the earlier entry in the list’s zone',
      { history: [entered], list: { timeZone: 'America/New_York' } },
      red('already_inside', 'Already entered at 13:02 at Door 2'),
    ],
    [
      'refuses re-entry after an exit when the list does not allow it',
      { history: [left, entered] },
      red('no_reentry', 'No re-entry: entered at 19:02 at Door 2, left at 19:20'),
    ],
    [
      'admits re-entry after an exit when allowed',
      { history: [entered, left], list: { allowReentry: true } },
      green('admitted', 'Valid ticket'),
    ],
    [
      'still refuses someone inside when only re-entry is allowed',
      { history: [entered], list: { allowReentry: true } },
      red('already_inside', 'Already entered at 19:02 at Door 2'),
    ],
    [
      'admits again without an exit when multiple entries are allowed',
      { history: [entered, scan('2026-12-05T18:10:00Z')], list: { allowMultipleEntries: true } },
      green('admitted', 'Valid ticket'),
    ],
    [
      'ignores refused scans: they let nobody in',
      { history: [scan('2026-12-05T18:02:00Z', { outcome: 'refused' })] },
      green('admitted', 'Valid ticket'),
    ],
    [
      'refuses once the daily limit is reached',
      {
        history: [entered, scan('2026-12-05T18:10:00Z')],
        list: { allowMultipleEntries: true, maxEntriesPerDay: 2 },
      },
      red('daily_limit', 'Entered 2 times today: the limit is 2'),
    ],
    [
      'words a limit of one',
      { history: [entered, left], list: { allowReentry: true, maxEntriesPerDay: 1 } },
      red('daily_limit', 'Entered once today: the limit is 1'),
    ],
    [
      'counts days in the list’s zone: 00:30 in Berlin is today although it is yesterday in UTC',
      {
        history: [scan('2026-12-04T23:30:00Z'), scan('2026-12-05T01:00:00Z', { direction: 'exit' })],
        list: { allowReentry: true, maxEntriesPerDay: 1 },
      },
      red('daily_limit', 'Entered once today: the limit is 1'),
    ],
    [
      'and 23:30 in Berlin the day before is yesterday',
      {
        history: [scan('2026-12-04T22:30:00Z'), scan('2026-12-04T22:45:00Z', { direction: 'exit' })],
        list: { allowReentry: true, maxEntriesPerDay: 1 },
      },
      green('admitted', 'Valid ticket'),
    ],
    [
      'admits a day pass again the next day although re-entry is not allowed',
      {
        history: [scan('2026-12-04T19:00:00Z')],
        list: { maxEntriesPerDay: 1, autoCheckoutAt: '04:00' },
      },
      green('admitted', 'Valid ticket'),
    ],
    [
      'counts someone who entered before the auto checkout as gone: re-entry allowed',
      { history: [scan('2026-12-04T20:00:00Z')], list: { allowReentry: true, autoCheckoutAt: '03:00' } },
      green('admitted', 'Valid ticket'),
    ],
    [
      'counts someone who entered before the auto checkout as gone: no re-entry, saying when they were counted out',
      {
        history: [scan('2026-12-04T20:00:00Z', { deviceName: 'Door 1' })],
        list: { autoCheckoutAt: '03:00' },
      },
      red('no_reentry', 'No re-entry: entered at 21:00 on 4 Dec at Door 1, left at 03:00'),
    ],
    [
      'keeps someone who entered after today’s auto checkout inside',
      { history: [scan('2026-12-05T02:30:00Z')], list: { allowReentry: true, autoCheckoutAt: '03:00' } },
      red('already_inside', 'Already entered at 03:30 at Door 2'),
    ],
    [
      'before today’s auto checkout, yesterday’s is the one that counts',
      {
        history: [scan('2026-12-04T20:00:00Z')],
        list: { allowReentry: true, autoCheckoutAt: '03:00' },
        now: '2026-12-05T01:00:00Z',
      },
      red('already_inside', 'Already entered at 21:00 on 4 Dec at Door 2'),
    ],
    ['lets someone inside leave', { history: [entered], direction: 'exit' }, green('exited', 'Checked out')],
    [
      'lets someone inside leave although the ticket was refunded meanwhile',
      { history: [entered], direction: 'exit', ticket: { status: 'refunded' } },
      green('exited', 'Checked out'),
    ],
    [
      'refuses an exit of someone not inside',
      { history: [entered, left], direction: 'exit' },
      red('not_inside', 'Not checked in here: nothing to check out'),
    ],
    [
      'refuses an exit of someone the auto checkout already counted out',
      { history: [scan('2026-12-04T20:00:00Z')], direction: 'exit', list: { autoCheckoutAt: '03:00' } },
      red('not_inside', 'Not checked in here: nothing to check out'),
    ],
    [
      'refuses an exit with another event’s ticket',
      { history: [entered], direction: 'exit', ticket: { eventId: VIP } },
      red('wrong_event', 'Ticket for another event'),
    ],
    [
      'checks the ticket before the time window: a refunded ticket is refunded at any hour',
      { ticket: { status: 'refunded' }, list: { validFrom: '2026-12-06T17:00:00Z' } },
      red('refunded', 'Refunded ticket'),
    ],
    [
      'checks the time window before presence',
      { history: [entered], list: { validUntil: '2026-12-05T18:00:00Z' } },
      red('expired', 'Only valid until 19:00'),
    ],
  ];

  for (const [name, input, expected] of cases) {
    it(name, () => expect(verdict(input)).toEqual(expected));
  }

  it('orders history by time, not by the order it arrived in', () => {
    const history = [left, entered].reverse();
    expect(verdict({ history })).toEqual(verdict({ history: [left, entered] }));
    expect(verdict({ history }).code).toBe('no_reentry');
  });

  it('never throws on a zone it does not know (read as UTC)', () => {
    expect(verdict({ history: [entered], list: { timeZone: 'Mars/Olympus' } })).toEqual(
      red('already_inside', 'Already entered at 18:02 at Door 2'),
    );
  });
});

describe('gateTime and lastAutoCheckout', () => {
  it('words moments as the door sees them', () => {
    const now = new Date('2026-12-05T18:30:00Z');
    expect(gateTime('2026-12-05T18:02:00Z', 'Europe/Berlin', now)).toBe('19:02');
    // 18:30Z is already midnight in Kolkata (UTC+5:30): 23:32 there was yesterday.
    expect(gateTime('2026-12-05T18:02:00Z', 'Asia/Kolkata', now)).toBe('23:32 on 5 Dec');
    expect(gateTime('2026-12-05T18:02:00Z', 'Asia/Kolkata', new Date('2026-12-05T18:20:00Z'))).toBe('23:32');
    expect(gateTime('2026-12-04T18:02:00Z', 'Europe/Berlin', now)).toBe('19:02 on 4 Dec');
    expect(gateTime('not a time', 'Europe/Berlin', now)).toBe('an unknown time');
  });

  it("reads each zone's wall clock right when zones and minutes alternate (the per-zone minute cache)", () => {
    const at = Date.UTC(2026, 11, 6, 18, 59, 30);
    for (let round = 0; round < 3; round += 1) {
      expect(wallClockAt(at, 'Europe/Berlin')).toEqual({
        year: 2026,
        month: 12,
        day: 6,
        hour: 19,
        minute: 59,
      });
      expect(wallClockAt(at, 'Asia/Kolkata')).toMatchObject({ day: 7, hour: 0, minute: 29 });
      expect(wallClockAt(at + 30_000, 'Europe/Berlin')).toMatchObject({ day: 6, hour: 20, minute: 0 });
    }
    // Before 1972 offsets had seconds (Monrovia −0:44:30): two instants of one UTC minute show two local ones.
    const monrovia = Date.UTC(1960, 0, 1, 12, 0, 0);
    expect(wallClockAt(monrovia, 'Africa/Monrovia')).toMatchObject({ hour: 11, minute: 15 });
    expect(wallClockAt(monrovia + 40_000, 'Africa/Monrovia')).toMatchObject({ hour: 11, minute: 16 });
  });

  it('finds the last auto checkout across a daylight-saving change', () => {
    // Berlin moves to UTC+2 at 02:00 on 29 March 2026: 04:00 that day is 02:00Z, the day before 03:00Z.
    const berlin = list({ autoCheckoutAt: '04:00' });
    expect(lastAutoCheckout(berlin, new Date('2026-03-29T10:00:00Z'))).toBe(
      Date.parse('2026-03-29T02:00:00Z'),
    );
    expect(lastAutoCheckout(berlin, new Date('2026-03-29T01:00:00Z'))).toBe(
      Date.parse('2026-03-28T03:00:00Z'),
    );
    expect(lastAutoCheckout(berlin, new Date('2026-03-29T02:00:00Z'))).toBe(
      Date.parse('2026-03-29T02:00:00Z'),
    );
    expect(lastAutoCheckout(list(), new Date(NOW))).toBeNull();
  });

  it('words the refusals found before the rules see a ticket', () => {
    expect(codeRefusal('invalid_code')).toEqual(red('invalid_code', 'Not a ticket code'));
    for (const code of ['unknown_key', 'retired_key', 'unknown_ticket'] as const) {
      expect(codeRefusal(code)).toMatchObject({ outcome: 'refused', tone: 'red', code });
    }
  });
});

describe('findDoubleEntries', () => {
  const doorA = (at: string, over: Partial<PastScan> = {}) => scan(at, { deviceName: 'Door A', ...over });
  const doorB = (at: string, over: Partial<PastScan> = {}) => scan(at, { deviceName: 'Door B', ...over });
  const pairs = (found: ReturnType<typeof findDoubleEntries>) =>
    found.map(({ first, second, code }) => [first.id, second.id, code]);

  it('flags an entry admitted while the holder was already inside, naming both scans', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const b = doorB('2026-12-05T18:05:00Z');
    const found = findDoubleEntries({ list: list(), history: [a], scan: b });
    expect(found).toEqual([{ first: a, second: b, code: 'already_inside' }]);
  });

  it('flags the later entry when the earlier scan arrives late (its device was offline longer)', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const b = doorB('2026-12-05T18:05:00Z');
    expect(pairs(findDoubleEntries({ list: list(), history: [b], scan: a }))).toEqual([
      [a.id, b.id, 'already_inside'],
    ]);
  });

  it('finds nothing when the rules allowed the second entry', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const out = doorA('2026-12-05T18:03:00Z', { direction: 'exit' });
    const b = doorB('2026-12-05T18:05:00Z');
    expect(findDoubleEntries({ list: list({ allowReentry: true }), history: [a, out], scan: b })).toEqual([]);
    expect(findDoubleEntries({ list: list({ allowMultipleEntries: true }), history: [a], scan: b })).toEqual(
      [],
    );
    const overnight = doorA('2026-12-04T20:00:00Z');
    expect(
      findDoubleEntries({
        list: list({ allowReentry: true, autoCheckoutAt: '03:00' }),
        history: [overnight],
        scan: b,
      }),
    ).toEqual([]);
    // …but re-entry after an exit where the list forbids it is one.
    expect(pairs(findDoubleEntries({ list: list(), history: [a, out], scan: b }))).toEqual([
      [a.id, b.id, 'no_reentry'],
    ]);
  });

  it('flags entries past the daily limit', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const b = doorB('2026-12-05T18:05:00Z');
    const c = doorA('2026-12-05T18:10:00Z');
    const limited = list({ allowMultipleEntries: true, maxEntriesPerDay: 2 });
    expect(pairs(findDoubleEntries({ list: limited, history: [a, b], scan: c }))).toEqual([
      [b.id, c.id, 'daily_limit'],
    ]);
  });

  it('reports each refused entry once: entries already refused without the new scan were reported before', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const b = doorB('2026-12-05T18:05:00Z');
    const early = doorB('2026-12-05T17:55:00Z');
    // b was already a double entry of a; the late-arriving early scan makes a one too, and only that is new.
    expect(pairs(findDoubleEntries({ list: list(), history: [a, b], scan: early }))).toEqual([
      [early.id, a.id, 'already_inside'],
    ]);
  });

  it('ignores exits, refused scans and the scan itself in its history', () => {
    const a = doorA('2026-12-05T18:00:00Z');
    const exit = doorB('2026-12-05T18:05:00Z', { direction: 'exit' });
    const turnedAway = doorB('2026-12-05T18:05:00Z', { outcome: 'refused' });
    expect(findDoubleEntries({ list: list(), history: [a], scan: exit })).toEqual([]);
    expect(findDoubleEntries({ list: list(), history: [a], scan: turnedAway })).toEqual([]);
    expect(findDoubleEntries({ list: list(), history: [a, a], scan: a })).toEqual([]);
    expect(
      findDoubleEntries({
        list: list(),
        history: [doorA('2026-12-05T18:00:00Z', { outcome: 'refused' })],
        scan: doorB('2026-12-05T18:05:00Z'),
      }),
    ).toEqual([]);
  });
});
