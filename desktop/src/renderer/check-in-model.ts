// What the door screen shows, as data: the verdict panel's words, the keyboard map, the double-entry alert's
// sentence, the search rows' status and the check-ins chart's buckets. The screen only lays these out.
import { gateTime, type ScanCode, type ScanTone } from '@janix/domain';
import type { KeyPress } from './sale-keys.ts';

export type ScanDirection = 'entry' | 'exit';

/** What a verdict panel needs of a scan (a ScanResult from checkin.scan or checkin.checkIn). */
export interface VerdictLike {
  outcome: 'admitted' | 'refused';
  tone: ScanTone;
  code: ScanCode;
  reason: string;
  attendee: { name: string | null; ticketType: string | null; orderCode: string | null } | null;
  scannedAt: string;
}

export interface VerdictView {
  tone: ScanTone | 'idle';
  /** One or two words, read from across the desk. */
  headline: string;
  /** Why: the rule engine's sentence, shown in full. */
  reason: string;
  name: string | null;
  ticketType: string | null;
}

export const IDLE_VERDICT: VerdictView = {
  tone: 'idle',
  headline: 'Ready to scan',
  reason: 'Scan a ticket, or type its code.',
  name: null,
  ticketType: null,
};

/** The panel for a verdict. The headline follows the tone, so colour is never the only signal. */
export function verdictView(result: VerdictLike | null): VerdictView {
  if (!result) return IDLE_VERDICT;
  let headline: string;
  if (result.outcome === 'refused') headline = 'Refused';
  else if (result.code === 'exited') headline = 'Exit recorded';
  else if (result.tone === 'amber') headline = 'Admitted, check ticket';
  else headline = 'Admitted';
  return {
    tone: result.tone,
    headline,
    reason: result.reason,
    name: result.attendee?.name ?? null,
    ticketType: result.attendee?.ticketType ?? null,
  };
}

/**
 * The door screen's keys. Only function keys and Escape: a scanner types letters and digits anywhere on the
 * page, so a letter shortcut would fire in the middle of a ticket code.
 */
export type GateKeyAction =
  { direction: ScanDirection } | 'focus-code' | 'focus-search' | 'toggle-camera' | null;

export function gateKey(press: KeyPress): GateKeyAction {
  if (press.altKey || press.ctrlKey || press.metaKey || press.repeat) return null;
  switch (press.key) {
    case 'F2':
      return { direction: 'entry' };
    case 'F3':
      return { direction: 'exit' };
    case 'F4':
      return 'focus-search';
    case 'F6':
      return 'focus-code';
    case 'F7':
      return 'toggle-camera';
    default:
      return null;
  }
}

/** Manual search answers from this many characters (the core's rule too: fewer match half the audience). */
export const MIN_SEARCH_LENGTH = 3;

export function searchReady(query: string): boolean {
  return query.trim().length >= MIN_SEARCH_LENGTH;
}

/** A double entry as the core reports it (checkin.alerts). */
export interface AlertLike {
  ticketId: string;
  name: string | null;
  firstDeviceName: string;
  firstAt: string;
  secondDeviceName: string;
  secondAt: string;
}

/** Who a scan or alert is about when this device holds no name: the start of the ticket id. */
export function ticketLabel(name: string | null, ticketId: string): string {
  return name ?? `Ticket ${ticketId.slice(0, 8)}`;
}

/** "Double entry: Jane Doe was let in at Door 1 at 19:02 and again at Door 2 at 19:05." */
export function alertText(alert: AlertLike, timeZone: string, now: Date): string {
  const who = ticketLabel(alert.name, alert.ticketId);
  const first = `${alert.firstDeviceName} at ${gateTime(alert.firstAt, timeZone, now)}`;
  const second = `${alert.secondDeviceName} at ${gateTime(alert.secondAt, timeZone, now)}`;
  return `Double entry: ${who} was let in at ${first} and again at ${second}.`;
}

/** A search row's standing at this list, in words. */
export interface HitLike {
  status: string;
  inside: boolean;
  lastScanAt: string | null;
}

const TICKET_STATUS_WORDS: Record<string, string> = {
  refunded: 'Refunded',
  void: 'Void',
  revoked: 'Revoked',
};

export function hitStanding(hit: HitLike, timeZone: string, now: Date): string {
  const status = TICKET_STATUS_WORDS[hit.status];
  if (status) return status;
  if (hit.inside && hit.lastScanAt) return `Inside since ${gateTime(hit.lastScanAt, timeZone, now)}`;
  if (hit.inside) return 'Inside';
  if (hit.lastScanAt) return `Left at ${gateTime(hit.lastScanAt, timeZone, now)}`;
  return 'Not checked in';
}

export interface TimelinePoint {
  at: string;
  entries: number;
  exits: number;
}

export interface ChartBucket extends TimelinePoint {
  key: string;
  label: string;
}

/**
 * The counts' quarter hours as chart bars: labelled by clock time in the list's zone, with the date when
 * the span crosses midnight there (a festival night, a second day).
 */
export function timelineBuckets(timeline: readonly TimelinePoint[], timeZone: string): ChartBucket[] {
  const dayOf = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' });
  const clockOf = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const days = new Set(timeline.map((point) => dayOf.format(Date.parse(point.at))));
  return timeline.map((point) => {
    const at = Date.parse(point.at);
    const clock = clockOf.format(at);
    return { ...point, key: point.at, label: days.size > 1 ? `${dayOf.format(at)} ${clock}` : clock };
  });
}

/** Recent-scan rows read "Entry", "Exit", "Manual entry" … */
export function scanKind(direction: ScanDirection, manual: boolean): string {
  const word = direction === 'entry' ? 'entry' : 'exit';
  return manual ? `Manual ${word}` : word === 'entry' ? 'Entry' : 'Exit';
}

/** What a list's settings say, as short phrases for the list of lists. */
export interface ListRulesLike {
  ticketTypes: Array<{ id: string; name: string | null }>;
  validFrom: string | null;
  validUntil: string | null;
  allowReentry: boolean;
  allowMultipleEntries: boolean;
  maxEntriesPerDay: number | null;
  autoCheckoutAt: string | null;
  timeZone: string;
}

export function listRules(list: ListRulesLike, now: Date): string[] {
  const rules: string[] = [];
  rules.push(
    list.ticketTypes.length === 0
      ? 'All ticket types'
      : list.ticketTypes.map((type) => type.name ?? 'A deleted ticket type').join(', '),
  );
  if (list.validFrom) rules.push(`From ${gateTime(list.validFrom, list.timeZone, now)}`);
  if (list.validUntil) rules.push(`Until ${gateTime(list.validUntil, list.timeZone, now)}`);
  if (list.allowMultipleEntries) rules.push('Entry again without exit');
  else rules.push(list.allowReentry ? 'Re-entry after exit' : 'No re-entry');
  if (list.maxEntriesPerDay !== null) {
    rules.push(`At most ${list.maxEntriesPerDay} ${list.maxEntriesPerDay === 1 ? 'entry' : 'entries'} a day`);
  }
  if (list.autoCheckoutAt) rules.push(`Everyone counted out at ${list.autoCheckoutAt}`);
  if (list.timeZone !== consoleZone()) rules.push(`Times in ${list.timeZone}`);
  return rules;
}

function consoleZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
