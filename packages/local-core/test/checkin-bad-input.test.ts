import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signTicketSecret } from '@janix/domain/ticket-secrets';
import { generateDemoOrg } from '@janix/testkit';
import { consoleSuite } from './console-fixtures.ts';
import {
  createList,
  openDoor,
  openListDraft,
  SCANNER_EMAIL,
  soldAndRefunded,
  ticketsOf,
} from './checkin-fixtures.ts';

const demo = generateDemoOrg({ seed: 910, attendees: 40 });
const suite = consoleSuite(demo);
const event = demo.events[1]!;
// After the suite's server is seeded: the seeder writes each ticket's signed secret into `demo`.
let eventTickets: ReturnType<typeof ticketsOf> = [];
beforeAll(() => {
  eventTickets = ticketsOf(demo, event.id);
});

/** A code signed correctly, by a key of an organization that is not this one, for this very event. */
function otherOrganizationsTicket(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signTicketSecret(privateKey, {
    kid: randomBytes(4).toString('hex'),
    ticketId: randomUUID(),
    eventId: event.id,
    ticketTypeId: eventTickets[0]!.ticketTypeId,
  });
}

/** A genuine code with one character of its signature changed. */
function forged(secret: string): string {
  const at = secret.length - 10;
  return `${secret.slice(0, at)}${secret[at] === 'A' ? 'B' : 'A'}${secret.slice(at + 1)}`;
}

// eslint-disable-next-line no-control-regex -- what must never reach a stored excerpt
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('check-in: whatever a scanner sends', () => {
  it('refuses it with a reason, records it as a failed scan, and syncs it, never throwing', async () => {
    const office = (await openDoor(suite, 'Office')).core;
    const listId = await createList(office, event.id);
    const door = await openDoor(suite, 'Gate A', { email: SCANNER_EMAIL });
    const genuine = eventTickets[0]!.secret;
    const cases: Array<{ what: string; text: string; code: string }> = [
      { what: 'random bytes', text: randomBytes(300).toString('latin1'), code: 'invalid_code' },
      { what: '100 KB of text', text: 'A'.repeat(100_000), code: 'invalid_code' },
      { what: 'control characters', text: `AB\u0000CD\u0007EF\u001b[2J`, code: 'invalid_code' },
      { what: 'a bidi override', text: 'abc\u202Edef', code: 'invalid_code' },
      { what: 'nothing but Enter', text: '\r\n', code: 'invalid_code' },
      { what: 'SQL', text: "' OR 1=1; DROP TABLE tickets; --", code: 'unknown_ticket' },
      {
        what: 'malformed base64',
        text: `${genuine.slice(0, 100)}*${genuine.slice(101)}`,
        code: 'unknown_ticket',
      },
      { what: 'a truncated code', text: genuine.slice(0, 120), code: 'unknown_ticket' },
      { what: 'a lone surrogate', text: `${genuine.slice(0, 20)}\uD800`, code: 'invalid_code' },
      { what: 'a forged signature', text: forged(genuine), code: 'invalid_code' },
      { what: 'another organization’s code', text: otherOrganizationsTicket(), code: 'unknown_key' },
      { what: 'a URL in a QR code', text: 'https://example.org/ticket?id=1', code: 'unknown_ticket' },
    ];
    door.network.set(false);
    for (const { what, text, code } of cases) {
      const result = await door.core.caller.checkin.scan({ listId, text });
      expect(result, what).toMatchObject({ outcome: 'refused', tone: 'red', code, attendee: null });
      expect(result.reason.length, what).toBeGreaterThan(0);
    }
    // Refused codes never change what a genuine one gets: SQL ran as data, the tickets are all there.
    expect(await door.core.caller.checkin.scan({ listId, text: genuine })).toMatchObject({
      code: 'admitted',
    });

    const recent = await door.core.caller.checkin.recent({ listId, limit: 50 });
    expect(recent).toHaveLength(cases.length + 1);
    for (const scan of recent.filter((row) => row.outcome === 'refused')) {
      expect(scan.rawExcerpt === null || scan.rawExcerpt.length <= 64).toBe(true);
      expect(CONTROL.test(scan.rawExcerpt ?? '')).toBe(false);
    }
    expect(recent.find((row) => row.code === 'unknown_key')?.rawExcerpt).toHaveLength(64);

    door.network.set(true);
    await door.core.syncNow();
    expect((await door.core.caller.status()).sync).toMatchObject({ pending: 0, rejectionCount: 0 });
    const { rows } = await suite.server.db.adminPool.query<{ outcome: string; n: number }>(
      'SELECT outcome, count(*)::int AS n FROM check_ins WHERE list_id = $1 GROUP BY outcome ORDER BY 1',
      [listId],
    );
    expect(rows).toEqual([
      { outcome: 'admitted', n: 1 },
      { outcome: 'refused', n: cases.length },
    ]);
  });

  it('refuses scans of a list this console does not have, and scans by a role that may not scan', async () => {
    const door = await openDoor(suite, 'Gate B', { email: SCANNER_EMAIL });
    await expect(door.core.caller.checkin.scan({ listId: randomUUID(), text: 'x' })).rejects.toThrow(
      'This check-in list is not on this console.',
    );
    // A scanner cannot set lists up: the rule's refusal, nothing queued.
    await expect(
      door.core.caller.checkin.saveList({ eventId: event.id, ...openListDraft, name: 'Mine' }),
    ).rejects.toThrow('Your role does not allow this.');
    expect((await door.core.caller.status()).sync.pending).toBe(0);
  });
});

describe('check-in: a device without attendee data', () => {
  it('verifies signed codes and revocations alone and shows no names', async () => {
    const till = (await openDoor(suite, 'Till')).core;
    const listId = await createList(till, event.id);
    const refunded = await soldAndRefunded(till, event.id);
    const door = await openDoor(suite, 'Contractor gate', {
      email: SCANNER_EMAIL,
      profile: 'no_attendee_data',
    });
    const { db } = door.core.replica();
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('tickets'), count('people'), count('orders')]).toEqual([0, 0, 0]);
    expect(count('ticket_signing_keys')).toBeGreaterThan(0);

    door.network.set(false);
    const ticket = eventTickets[1]!;
    const admitted = await door.core.caller.checkin.scan({ listId, text: ticket.secret });
    expect(admitted).toMatchObject({
      outcome: 'admitted',
      tone: 'green',
      code: 'admitted',
      attendee: { name: null, orderCode: null, ticketType: expect.any(String) },
    });
    expect(await door.core.caller.checkin.scan({ listId, text: ticket.secret })).toMatchObject({
      code: 'already_inside',
    });
    expect(await door.core.caller.checkin.scan({ listId, text: refunded.secret })).toMatchObject({
      code: 'refunded',
    });
    expect(await door.core.caller.checkin.scan({ listId, text: forged(ticket.secret) })).toMatchObject({
      code: 'invalid_code',
    });
    // Nothing to search: it holds no names.
    expect(await door.core.caller.checkin.search({ listId, query: ticket.person!.lastName })).toEqual([]);
    // It counts whom it admitted, but cannot know how many tickets there are (not zero: unknown).
    expect(await door.core.caller.checkin.counts({ listId })).toMatchObject({
      checkedIn: 1,
      inside: 1,
      total: null,
    });
  });
});
