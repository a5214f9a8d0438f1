import type { ScanCode } from '@janix/schemas';

/**
 * The door's rules, written once: the console decides each scan with them offline, and the server replays a
 * ticket's scans through them to find double entries (two devices, each admitting while cut off from the
 * other). Pure and synchronous; times are worded in the list's time zone, 24-hour, the same on both sides.
 */

export type ScanDirection = 'entry' | 'exit';
export type ScanTone = 'green' | 'amber' | 'red';
export type { ScanCode };

export interface ScanVerdict {
  outcome: 'admitted' | 'refused';
  tone: ScanTone;
  code: ScanCode;
  /** Plain language for the operator: "Already entered at 19:02 at Door 2". */
  reason: string;
}

/** A check-in list as the rules read it (the `checkin_lists` row, its JSON array parsed). */
export interface GateList {
  id: string;
  eventId: string;
  /** Empty: every ticket type of the event. */
  ticketTypeIds: string[];
  validFrom: string | null;
  validUntil: string | null;
  allowReentry: boolean;
  allowMultipleEntries: boolean;
  maxEntriesPerDay: number | null;
  /** 'HH:MM' in `timeZone`. */
  autoCheckoutAt: string | null;
  timeZone: string;
}

export interface GateTicket {
  ticketId: string;
  eventId: string;
  ticketTypeId: string;
  status: 'valid' | 'refunded' | 'void' | 'revoked';
  /** The ticket is in this device's replica (false: a genuine signed code of a sale not synced yet). */
  known: boolean;
  /** Named in a wrong-list refusal when given: "Not valid for this entrance (VIP)". */
  ticketTypeName?: string | null;
}

/** An earlier scan of the same ticket on the same list, from any device. */
export interface PastScan {
  id: string;
  direction: ScanDirection;
  outcome: 'admitted' | 'refused';
  scannedAt: string;
  deviceName: string;
}

export interface ScanInput {
  list: GateList;
  ticket: GateTicket;
  history: readonly PastScan[];
  direction: ScanDirection;
  now: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A zone's wall clock, as numbers (month 1–12, hour 0–23). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

// Building a formatter costs far more than using one, and a door decides thousands of scans in one zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** 1972-01-01T00:00:00Z: the last offsets in seconds (e.g. Liberia's −0:44:30) ended then. */
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1972, 0, 1);
const lastMinutes = new Map<string, { minute: number; clock: WallClock }>();

/**
 * The wall clock in a zone, as numbers: only numeric parts are taken from Intl and the words are ours, so
 * two ICU builds word a reason alike. A zone this runtime does not know reads as UTC (the schema refuses
 * one at the door, but a rule never throws).
 */
export function wallClockAt(at: number, timeZone: string): WallClock {
  // A door asks for the same minute over and over ("today", the times in its reasons): formatToParts costs
  // more than a whole signature check, so each zone keeps the minute it read last. Since 1972 every zone's
  // offset is whole minutes, so one UTC minute is one wall-clock minute; earlier instants are read each time.
  const minute = Math.floor(at / 60_000);
  const cached = at >= WHOLE_MINUTE_OFFSETS_SINCE ? lastMinutes.get(timeZone) : undefined;
  if (cached?.minute === minute) return cached.clock;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = formatterFor(timeZone);
  } catch {
    formatter = formatterFor('UTC');
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const clock: WallClock = Object.freeze({
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
  });
  if (at >= WHOLE_MINUTE_OFFSETS_SINCE) lastMinutes.set(timeZone, { minute, clock });
  return clock;
}

function dayKey(parts: WallClock): number {
  return parts.year * 10_000 + parts.month * 100 + parts.day;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A moment as the door sees it: "19:02" today, "19:02 on 6 Dec" another day, with the year when that differs
 * too. "Today" is the day of `now` in the list's zone.
 */
export function gateTime(iso: string, timeZone: string, now: Date): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'an unknown time';
  const local = wallClockAt(at, timeZone);
  const today = wallClockAt(now.getTime(), timeZone);
  const clock = `${pad(local.hour)}:${pad(local.minute)}`;
  if (dayKey(local) === dayKey(today)) return clock;
  const date = `${local.day} ${MONTHS[local.month - 1]}`;
  return local.year === today.year ? `${clock} on ${date}` : `${clock} on ${date} ${local.year}`;
}

/** The instant a zone's wall clock shows the given date and time (the later one when it shows it twice). */
export function instantAt(parts: WallClock, timeZone: string): number {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  // The zone's offset at a guess, then at the corrected guess: right across a daylight-saving change.
  let at = wall;
  for (let i = 0; i < 2; i += 1) {
    const shown = wallClockAt(at, timeZone);
    const shownWall = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute);
    at += wall - shownWall;
  }
  return at;
}

/** The last moment at or before `now` when the list counted everyone out, or null without auto checkout. */
export function lastAutoCheckout(list: GateList, now: Date): number | null {
  const match = list.autoCheckoutAt ? /^(\d\d):(\d\d)$/.exec(list.autoCheckoutAt) : null;
  if (!match) return null;
  const today = wallClockAt(now.getTime(), list.timeZone);
  const clock = { hour: Number(match[1]), minute: Number(match[2]) };
  const todays = instantAt({ ...today, ...clock }, list.timeZone);
  if (todays <= now.getTime()) return todays;
  // Yesterday's: noon today minus a day lands on yesterday's date whatever the zone's offset.
  const yesterday = wallClockAt(
    instantAt({ ...today, hour: 12, minute: 0 }, list.timeZone) - 86_400_000,
    list.timeZone,
  );
  return instantAt({ ...yesterday, ...clock }, list.timeZone);
}

function byTime(a: PastScan, b: PastScan): number {
  return Date.parse(a.scannedAt) - Date.parse(b.scannedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Where a ticket stands on a list after its admitted scans, at `now`. */
interface Presence {
  /** The entry that put the holder inside, if they are inside now. */
  inside: PastScan | null;
  /** The latest admitted entry at all. */
  lastEntry: PastScan | null;
  /** When they last left: an exit's time, or the auto checkout that counted them out. */
  leftAt: number | null;
  entriesToday: number;
}

function presence(list: GateList, history: readonly PastScan[], now: Date): Presence {
  const admitted = history.filter((scan) => scan.outcome === 'admitted').sort(byTime);
  const checkout = lastAutoCheckout(list, now);
  const today = dayKey(wallClockAt(now.getTime(), list.timeZone));
  let inside: PastScan | null = null;
  let lastEntry: PastScan | null = null;
  let leftAt: number | null = null;
  let entriesToday = 0;
  for (const scan of admitted) {
    const at = Date.parse(scan.scannedAt);
    if (scan.direction === 'entry') {
      inside = scan;
      lastEntry = scan;
      if (dayKey(wallClockAt(at, list.timeZone)) === today) entriesToday += 1;
    } else {
      inside = null;
      leftAt = at;
    }
  }
  // An entry before the last auto checkout counts as an exit at that moment.
  if (inside && checkout !== null && Date.parse(inside.scannedAt) < checkout) {
    inside = null;
    leftAt = Math.max(leftAt ?? checkout, checkout);
  }
  return { inside, lastEntry, leftAt, entriesToday };
}

/** A scan's colour: amber for a genuine code the device could not look up, red for every refusal. */
export function scanTone(outcome: ScanVerdict['outcome'], code: ScanCode): ScanTone {
  if (outcome !== 'admitted') return 'red';
  return code === 'admitted_unsynced' ? 'amber' : 'green';
}

const admitted = (code: 'admitted' | 'exited' | 'admitted_unsynced', reason: string): ScanVerdict => ({
  outcome: 'admitted',
  tone: scanTone('admitted', code),
  code,
  reason,
});
const refused = (code: ScanCode, reason: string): ScanVerdict => ({
  outcome: 'refused',
  tone: scanTone('refused', code),
  code,
  reason,
});

/** The plain-language reason of a refusal found before any list rule: the code itself could not be trusted. */
const codeRefusals = {
  invalid_code: 'Not a ticket code',
  unknown_key:
    'Code signed with a key this device does not know: forged, from another organizer, or from a key made since this device last synced',
  retired_key: 'Code signed with a retired key: no longer valid',
  unknown_ticket: 'Unknown ticket',
} as const;

/** The verdict for a code refused before the rules see a ticket (unreadable, forged, unknown). */
export function codeRefusal(code: keyof typeof codeRefusals): ScanVerdict {
  return refused(code, codeRefusals[code]);
}

/**
 * Why an entry is refused by what came before it (already inside, no re-entry, daily limit), or null. The
 * part of the rules the server's replay needs: the ticket and the time window were the device's to judge.
 */
function entryRefusal(list: GateList, history: readonly PastScan[], now: Date): ScanVerdict | null {
  const state = presence(list, history, now);
  if (state.inside && !list.allowMultipleEntries) {
    return refused(
      'already_inside',
      `Already entered at ${gateTime(state.inside.scannedAt, list.timeZone, now)} at ${state.inside.deviceName}`,
    );
  }
  // With a daily limit a ticket is good for each day (a festival pass): re-entry is about today's entries.
  const earlier = list.maxEntriesPerDay === null || state.entriesToday > 0 ? state.lastEntry : null;
  if (!state.inside && earlier && !list.allowReentry && !list.allowMultipleEntries) {
    const left =
      state.leftAt === null
        ? ''
        : `, left at ${gateTime(new Date(state.leftAt).toISOString(), list.timeZone, now)}`;
    return refused(
      'no_reentry',
      `No re-entry: entered at ${gateTime(earlier.scannedAt, list.timeZone, now)} at ${earlier.deviceName}${left}`,
    );
  }
  if (list.maxEntriesPerDay !== null && state.entriesToday >= list.maxEntriesPerDay) {
    const times = state.entriesToday === 1 ? 'once' : `${state.entriesToday} times`;
    return refused('daily_limit', `Entered ${times} today: the limit is ${list.maxEntriesPerDay}`);
  }
  return null;
}

/**
 * The verdict on one scan of a ticket whose code was verified (signature, key, organization). Checks, in
 * order: the event; for an exit only whether the holder is inside; for an entry the ticket's status, the
 * list's ticket types, the time window, presence, re-entry and the daily limit. Exits are green.
 */
export function decideScan(input: ScanInput): ScanVerdict {
  const { list, ticket, history, direction, now } = input;
  if (ticket.eventId !== list.eventId) return refused('wrong_event', 'Ticket for another event');
  // Nobody is kept inside: whoever this list let in may leave, whatever became of the ticket since.
  if (direction === 'exit') {
    const state = presence(list, history, now);
    if (!state.inside) return refused('not_inside', 'Not checked in here: nothing to check out');
    return admitted('exited', 'Checked out');
  }
  if (ticket.status === 'refunded') return refused('refunded', 'Refunded ticket');
  if (ticket.status === 'void') return refused('void', 'Voided ticket');
  if (ticket.status === 'revoked') return refused('revoked', 'Ticket revoked: no longer valid');
  if (list.ticketTypeIds.length > 0 && !list.ticketTypeIds.includes(ticket.ticketTypeId)) {
    const type = ticket.ticketTypeName ? ` (${ticket.ticketTypeName})` : '';
    return refused('wrong_list', `Not valid for this entrance${type}`);
  }
  if (list.validFrom !== null && now.getTime() < Date.parse(list.validFrom)) {
    return refused('not_yet_valid', `Only valid after ${gateTime(list.validFrom, list.timeZone, now)}`);
  }
  if (list.validUntil !== null && now.getTime() > Date.parse(list.validUntil)) {
    return refused('expired', `Only valid until ${gateTime(list.validUntil, list.timeZone, now)}`);
  }
  const refusal = entryRefusal(list, history, now);
  if (refusal) return refusal;
  return ticket.known
    ? admitted('admitted', 'Valid ticket')
    : admitted('admitted_unsynced', 'Valid ticket (not synced to this device yet)');
}

/** Two admitted entries of one ticket where the list allows one: the second should have been refused. */
export interface DoubleEntry {
  first: PastScan;
  second: PastScan;
  /** Why the second would have been refused: 'already_inside', 'no_reentry' or 'daily_limit'. */
  code: ScanCode;
}

/**
 * The double entries a newly recorded scan reveals, for the server: the ticket's scans on the list are
 * replayed in time order with it and without it. The new scan may itself be the entry the rules would have
 * refused (another device admitted earlier), or it may, arriving late, make a later entry one (it happened
 * first but its device was offline). `first` is the latest admitted entry before the refused one. Entries
 * already refused without the new scan were reported when their own scan arrived.
 */
export function findDoubleEntries(input: {
  list: GateList;
  /** The ticket's other scans on this list, from every device, in any order. */
  history: readonly PastScan[];
  scan: PastScan;
}): DoubleEntry[] {
  const { list, scan } = input;
  if (scan.direction !== 'entry' || scan.outcome !== 'admitted') return [];
  const others = input.history.filter((past) => past.id !== scan.id && past.outcome === 'admitted');
  const all = [...others, scan].sort(byTime);
  const found: DoubleEntry[] = [];
  const from = all.indexOf(scan);
  for (let i = from; i < all.length; i += 1) {
    const entry = all[i]!;
    if (entry.direction !== 'entry') continue;
    const at = new Date(entry.scannedAt);
    const before = all.slice(0, i);
    const refusal = entryRefusal(list, before, at);
    if (!refusal) continue;
    if (
      entry !== scan &&
      entryRefusal(
        list,
        before.filter((past) => past !== scan),
        at,
      )
    )
      continue;
    const first = before.filter((past) => past.direction === 'entry').at(-1);
    if (first) found.push({ first, second: entry, code: refusal.code });
  }
  return found;
}
