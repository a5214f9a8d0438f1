import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTicketSecretVerifier, type TicketSecretVerifier } from '@janix/domain/ticket-secrets';
import { generateDemoOrg, type DemoOrg } from '@janix/testkit';
import { inTransaction } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';
import { createTicketKeyStore } from '../src/tickets/signing-keys.ts';
import { asSecondOrg } from './support.ts';

/**
 * Demo data gets its ticket secrets from the same signed scheme as real sales: they verify at a scanner, and
 * no two installs (or organizations) share them, as fixed strings generated from the demo seed would.
 */

let first: TestDatabase;
let second: TestDatabase;
const demo = () => generateDemoOrg({ seed: 5, attendees: 40 });
// The same generated organization (same ids) seeded into two databases, and a second organization beside it.
const inFirst = demo();
const inSecond = demo();
const neighbour = asSecondOrg(generateDemoOrg({ seed: 6, attendees: 10 }), 'Northshore');

async function verifierOf(db: TestDatabase, orgId: string): Promise<TicketSecretVerifier> {
  const store = createTicketKeyStore({ pool: db.appPool, serverSecret: randomBytes(32) });
  return createTicketSecretVerifier(await store.verificationKeys(orgId));
}

async function storedSecrets(db: TestDatabase, org: DemoOrg): Promise<Map<string, string>> {
  const result = await db.adminPool.query<{ id: string; secret: string }>(
    'SELECT id, secret FROM tickets WHERE org_id = $1',
    [org.org.id],
  );
  return new Map(result.rows.map((row) => [row.id, row.secret]));
}

beforeAll(async () => {
  [first, second] = await Promise.all([
    createTestDatabase(inject('pgAdminUrl')),
    createTestDatabase(inject('pgAdminUrl')),
  ]);
  await seedDemoOrg(first.adminPool, inFirst);
  await seedDemoOrg(first.adminPool, neighbour);
  await seedDemoOrg(second.adminPool, inSecond);
});

afterAll(async () => {
  await Promise.all([first?.drop(), second?.drop()]);
});

describe('demo ticket secrets', () => {
  it('verify with the organization keys and name their own ticket, event and ticket type', async () => {
    const verifier = await verifierOf(first, inFirst.org.id);
    const stored = await storedSecrets(first, inFirst);
    expect(stored.size).toBe(inFirst.tickets.length);
    for (const ticket of inFirst.tickets) {
      // The seeder hands back what it stored, so tests can compare replicas with the generated organization.
      expect(stored.get(ticket.id)).toBe(ticket.secret);
      expect(verifier.verify(ticket.secret)).toMatchObject({
        ok: true,
        payload: { ticketId: ticket.id, eventId: ticket.eventId, ticketTypeId: ticket.ticketTypeId },
      });
    }
  });

  it('differ between installs of the same generated organization, and between organizations', async () => {
    const a = await storedSecrets(first, inFirst);
    const b = await storedSecrets(second, inSecond);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [id, secret] of a) expect(b.get(id)).not.toBe(secret);
    // Neither install accepts the other's tickets, nor one organization its neighbour's.
    expect((await verifierOf(second, inSecond.org.id)).verify(inFirst.tickets[0]!.secret)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    expect((await verifierOf(first, inFirst.org.id)).verify(neighbour.tickets[0]!.secret)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    expect((await verifierOf(first, neighbour.org.id)).verify(neighbour.tickets[0]!.secret).ok).toBe(true);
  });

  it('come from a key whose private half was never stored; the server signs with a key of its own', async () => {
    const orgId = inFirst.org.id;
    const seeded = await first.adminPool.query<{ kid: string; private_key_sealed: string | null }>(
      'SELECT kid, private_key_sealed FROM ticket_signing_keys WHERE org_id = $1',
      [orgId],
    );
    expect(seeded.rows).toEqual([{ kid: expect.stringMatching(/^[0-9a-f]{8}$/), private_key_sealed: null }]);

    const store = createTicketKeyStore({ pool: first.appPool, serverSecret: randomBytes(32) });
    const sold = {
      ticketId: randomUUID(),
      eventId: inFirst.events[0]!.id,
      ticketTypeId: inFirst.ticketTypes[0]!.id,
    };
    const { kid, secret } = await inTransaction(first.appPool, { orgId }, async (client) => {
      const issuer = await store.createTicketIssuer(client, orgId);
      return { kid: issuer.kid, secret: issuer.issueSecretFor(sold) };
    });
    expect(kid).not.toBe(seeded.rows[0]!.kid);
    const verifier = createTicketSecretVerifier(await store.verificationKeys(orgId));
    expect(verifier.verify(secret).ok).toBe(true);
    expect(verifier.verify(inFirst.tickets[0]!.secret).ok).toBe(true);
  });
});
