import { describe, expect, it } from 'vitest';
import {
  alertText,
  gateKey,
  hitStanding,
  IDLE_VERDICT,
  listRules,
  scanKind,
  searchReady,
  ticketLabel,
  timelineBuckets,
  verdictView,
  type VerdictLike,
} from './check-in-model.ts';

const scan = (patch: Partial<VerdictLike>): VerdictLike => ({
  outcome: 'admitted',
  tone: 'green',
  code: 'admitted',
  reason: 'Welcome',
  attendee: { name: 'Jane Doe', ticketType: 'Standing', orderCode: 'K7QX2' },
  scannedAt: '2026-12-07T19:02:00Z',
  ...patch,
});

describe('verdictView', () => {
  it('waits for the first scan', () => {
    expect(verdictView(null)).toBe(IDLE_VERDICT);
  });

  it('words each tone apart, so colour is never the only signal', () => {
    expect(verdictView(scan({}))).toEqual({
      tone: 'green',
      headline: 'Admitted',
      reason: 'Welcome',
      name: 'Jane Doe',
      ticketType: 'Standing',
    });
    expect(verdictView(scan({ code: 'exited' })).headline).toBe('Exit recorded');
    expect(verdictView(scan({ tone: 'amber', code: 'admitted_unsynced' })).headline).toBe(
      'Admitted, check ticket',
    );
    const refused = verdictView(
      scan({ outcome: 'refused', tone: 'red', code: 'already_inside', reason: 'Already entered at 19:02' }),
    );
    expect(refused).toMatchObject({ tone: 'red', headline: 'Refused', reason: 'Already entered at 19:02' });
  });

  it('shows no name where the device holds none', () => {
    const view = verdictView(scan({ outcome: 'refused', tone: 'red', code: 'invalid_code', attendee: null }));
    expect(view).toMatchObject({ name: null, ticketType: null });
  });
});

describe('gateKey', () => {
  it('maps function keys only, so a scanner typing letters never fires one', () => {
    expect(gateKey({ key: 'F2' })).toEqual({ direction: 'entry' });
    expect(gateKey({ key: 'F3' })).toEqual({ direction: 'exit' });
    expect(gateKey({ key: 'F4' })).toBe('focus-search');
    expect(gateKey({ key: 'F6' })).toBe('focus-code');
    expect(gateKey({ key: 'F7' })).toBe('toggle-camera');
    for (const key of ['e', 'x', 'Enter', '1', 'Escape']) expect(gateKey({ key })).toBeNull();
  });

  it('ignores modified and held keys', () => {
    expect(gateKey({ key: 'F2', ctrlKey: true })).toBeNull();
    expect(gateKey({ key: 'F3', altKey: true })).toBeNull();
    expect(gateKey({ key: 'F2', repeat: true })).toBeNull();
  });
});

describe('searchReady', () => {
  it('needs three characters, spaces not counted', () => {
    expect(searchReady('Jo')).toBe(false);
    expect(searchReady('  Jo  ')).toBe(false);
    expect(searchReady('Joe')).toBe(true);
  });
});

describe('alertText', () => {
  const now = new Date('2026-12-07T20:00:00Z');
  it('names the ticket, both devices and both times in the zone given', () => {
    const text = alertText(
      {
        ticketId: '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10',
        name: 'Jane Doe',
        firstDeviceName: 'Door 1',
        firstAt: '2026-12-07T18:02:00Z',
        secondDeviceName: 'Door 2',
        secondAt: '2026-12-07T18:05:00Z',
      },
      'Europe/Berlin',
      now,
    );
    expect(text).toBe('Double entry: Jane Doe was let in at Door 1 at 19:02 and again at Door 2 at 19:05.');
  });

  it('falls back to the ticket id where the device holds no names', () => {
    expect(ticketLabel(null, '0b7d6c1e-4a8f-4c55-9a57-2f4a1f3b9c10')).toBe('Ticket 0b7d6c1e');
  });
});

describe('hitStanding', () => {
  const now = new Date('2026-12-07T20:00:00Z');
  it('says inside, left, not yet, or why the ticket is no good', () => {
    const at = '2026-12-07T18:02:00Z';
    expect(hitStanding({ status: 'valid', inside: true, lastScanAt: at }, 'Europe/Berlin', now)).toBe(
      'Inside since 19:02',
    );
    expect(hitStanding({ status: 'valid', inside: false, lastScanAt: at }, 'Europe/Berlin', now)).toBe(
      'Left at 19:02',
    );
    expect(hitStanding({ status: 'valid', inside: false, lastScanAt: null }, 'UTC', now)).toBe(
      'Not checked in',
    );
    expect(hitStanding({ status: 'refunded', inside: false, lastScanAt: null }, 'UTC', now)).toBe('Refunded');
  });
});

describe('timelineBuckets', () => {
  it('labels quarter hours by clock time in the list’s zone', () => {
    const buckets = timelineBuckets(
      [
        { at: '2026-12-07T18:00:00Z', entries: 4, exits: 0 },
        { at: '2026-12-07T18:15:00Z', entries: 9, exits: 1 },
      ],
      'Europe/Berlin',
    );
    expect(buckets.map((bucket) => bucket.label)).toEqual(['19:00', '19:15']);
    expect(buckets[1]).toMatchObject({ entries: 9, exits: 1, key: '2026-12-07T18:15:00Z' });
  });

  it('adds the date when the span crosses midnight there', () => {
    const buckets = timelineBuckets(
      [
        { at: '2026-12-07T22:45:00Z', entries: 1, exits: 0 },
        { at: '2026-12-07T23:00:00Z', entries: 1, exits: 0 },
      ],
      'Europe/Berlin',
    );
    expect(buckets.map((bucket) => bucket.label)).toEqual(['7 Dec 23:45', '8 Dec 00:00']);
  });
});

describe('scanKind', () => {
  it('tells scans from manual check-ins', () => {
    expect(scanKind('entry', false)).toBe('Entry');
    expect(scanKind('exit', false)).toBe('Exit');
    expect(scanKind('entry', true)).toBe('Manual entry');
  });
});

describe('listRules', () => {
  // 02:00 on 7 Dec in Kiritimati (UTC+14): the window is on another day there, so it is dated.
  const now = new Date('2026-12-06T12:00:00Z');
  const base = {
    ticketTypes: [],
    validFrom: null,
    validUntil: null,
    allowReentry: true,
    allowMultipleEntries: false,
    maxEntriesPerDay: null,
    autoCheckoutAt: null,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };

  it('says an open list admits every ticket type, with re-entry', () => {
    expect(listRules(base, now)).toEqual(['All ticket types', 'Re-entry after exit']);
  });

  it('phrases every setting of a strict list', () => {
    expect(
      listRules(
        {
          ...base,
          ticketTypes: [
            { id: 'a', name: 'VIP' },
            { id: 'b', name: null },
          ],
          validFrom: '2026-12-07T17:00:00Z',
          validUntil: '2026-12-07T22:00:00Z',
          allowReentry: false,
          maxEntriesPerDay: 1,
          autoCheckoutAt: '04:00',
          timeZone: 'Pacific/Kiritimati',
        },
        now,
      ),
    ).toEqual([
      'VIP, A deleted ticket type',
      'From 07:00 on 8 Dec',
      'Until 12:00 on 8 Dec',
      'No re-entry',
      'At most 1 entry a day',
      'Everyone counted out at 04:00',
      'Times in Pacific/Kiritimati',
    ]);
  });
});
