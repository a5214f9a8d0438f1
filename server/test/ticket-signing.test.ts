import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTicketSecretVerifier,
  ed25519PublicKeyText,
  type TicketSecretVerifier,
} from '@janix/domain/ticket-secrets';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';
import { TicketKeyLockedError, ticketKeySealer } from '../src/tickets/key-sealing.ts';
import { createTicketKeyStore, type TicketIssuer, type TicketKeyStore } from '../src/tickets/signing-keys.ts';
import { deriveTicketId } from '../src/tickets/ticket-ids.ts';
import { waitFor } from './support.ts';

/**
 * Ticket signing keys on the real database: per-organization Ed25519 keys, private halves sealed under the
 * server's secret, rotation and retirement, and one first key however many transactions ask at once.
 */

let db: TestDatabase;
const serverSecret = randomBytes(32);
let store: TicketKeyStore;

async function newOrg(): Promise<string> {
  const id = randomUUID();
  await db.adminPool.query('INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)', [
    id,
    'Org',
    `org-${id}`,
  ]);
  return id;
}

/** An issuer in a transaction of its own, as the server would use it inside a push. */
async function withIssuer<T>(orgId: string, work: (issuer: TicketIssuer) => T, keys = store): Promise<T> {
  return inTransaction(db.appPool, { orgId }, async (client) =>
    work(await keys.createTicketIssuer(client, orgId)),
  );
}

async function verifierOf(orgId: string): Promise<TicketSecretVerifier> {
  return createTicketSecretVerifier(await store.verificationKeys(orgId));
}

async function keyRows(orgId: string) {
  const result = await db.adminPool.query<{
    kid: string;
    public_key: string;
    private_key_sealed: string | null;
    retired_at: Date | null;
    version: number;
  }>(
    `SELECT kid, public_key, private_key_sealed, retired_at, version FROM ticket_signing_keys
     WHERE org_id = $1 ORDER BY created_at`,
    [orgId],
  );
  return result.rows;
}

/** Resolves once `count` transactions of this database wait for a lock (the organization's version row). */
async function waitForLockWaiters(count: number): Promise<void> {
  await waitFor(async () => {
    const waiting = await db.adminPool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return waiting.rows[0]!.n === count;
  }, `${count} transactions to wait for the version lock`);
}

const ticketOf = () => ({ eventId: randomUUID(), ticketTypeId: randomUUID() });

beforeAll(async () => {
  db = await createTestDatabase(inject('pgAdminUrl'));
  store = createTicketKeyStore({ pool: db.appPool, serverSecret });
});

afterAll(async () => {
  await db?.drop();
});

describe('issuing tickets', () => {
  it('signs a slot of an allocation: derived id, secret that verifies with the organization keys', async () => {
    const orgId = await newOrg();
    const allocationId = randomUUID();
    const { eventId, ticketTypeId } = ticketOf();
    const issued = await withIssuer(orgId, (issuer) =>
      issuer.issue({ allocationId, slot: 3, eventId, ticketTypeId }),
    );
    expect(issued.ticketId).toBe(deriveTicketId(allocationId, 3));
    const verdict = (await verifierOf(orgId)).verify(issued.secret);
    expect(verdict).toEqual({
      ok: true,
      payload: { kid: (await keyRows(orgId))[0]!.kid, ticketId: issued.ticketId, eventId, ticketTypeId },
    });
  });

  it('gives the same slot the same ticket every time, and every slot its own', async () => {
    const orgId = await newOrg();
    const slot = { allocationId: randomUUID(), slot: 0, ...ticketOf() };
    const first = await withIssuer(orgId, (issuer) => [issuer.issue(slot), issuer.issue(slot)]);
    // A later transaction opens the key again from the database: still the same bytes.
    const later = await withIssuer(orgId, (issuer) => issuer.issue(slot));
    expect(first[1]).toEqual(first[0]);
    expect(later).toEqual(first[0]);
    const others = await withIssuer(orgId, (issuer) => [
      issuer.issue({ ...slot, slot: 1 }),
      issuer.issue({ ...slot, allocationId: randomUUID() }),
    ]);
    for (const other of others) {
      expect(other.ticketId).not.toBe(first[0]!.ticketId);
      expect(other.secret).not.toBe(first[0]!.secret);
    }
  });

  it('signs tickets not sold from an allocation (web sales, demo data) under their own id', async () => {
    const orgId = await newOrg();
    const ticket = { ticketId: randomUUID(), ...ticketOf() };
    const secret = await withIssuer(orgId, (issuer) => issuer.issueSecretFor(ticket));
    expect((await verifierOf(orgId)).verify(secret)).toMatchObject({ ok: true, payload: ticket });
  });

  it('refuses a change to any region of a secret the server signed, with its reason', async () => {
    const orgId = await newOrg();
    const secret = await withIssuer(orgId, (issuer) =>
      issuer.issueSecretFor({ ticketId: randomUUID(), ...ticketOf() }),
    );
    const verifier = await verifierOf(orgId);
    const flipped = (index: number) => {
      const bytes = Buffer.from(secret, 'base64url');
      bytes[index] = bytes[index]! ^ 0x80;
      return verifier.verify(bytes.toString('base64url'));
    };
    // version, kid, ticket id, event id, ticket type id, signature (first and last byte of each)
    const regions: [number[], string][] = [
      [[0], 'unsupported_version'],
      [[1, 4], 'unknown_key'],
      [[5, 20, 21, 36, 37, 52, 53, 116], 'bad_signature'],
    ];
    for (const [indexes, reason] of regions) {
      for (const index of indexes) expect([index, flipped(index)]).toEqual([index, { ok: false, reason }]);
    }
    expect(verifier.verify(secret.slice(0, 100))).toEqual({ ok: false, reason: 'malformed' });
  });

  it("refuses another organization's ticket: its key is not one of this organization's", async () => {
    const [orgA, orgB] = [await newOrg(), await newOrg()];
    const ticket = { ticketId: randomUUID(), ...ticketOf() };
    const fromB = await withIssuer(orgB, (issuer) => issuer.issueSecretFor(ticket));
    expect((await verifierOf(orgA)).verify(fromB)).toEqual({ ok: false, reason: 'unknown_key' });
    expect((await verifierOf(orgB)).verify(fromB).ok).toBe(true);
    // Row-level security: scoped to A, B's keys do not exist.
    const seenFromA = await inTransaction(db.appPool, { orgId: orgA }, (client) =>
      client.query('SELECT kid FROM ticket_signing_keys WHERE org_id = $1', [orgB]),
    );
    expect(seenFromA.rowCount).toBe(0);
  });
});

describe('rotation and retirement', () => {
  it('signs with a rotated key from then on; tickets of the older key stay valid', async () => {
    const orgId = await newOrg();
    const ticket = { ticketId: randomUUID(), ...ticketOf() };
    const before = await withIssuer(orgId, (issuer) => ({
      kid: issuer.kid,
      secret: issuer.issueSecretFor(ticket),
    }));
    const rotated = await store.rotateTicketSigningKey(orgId, { updatedBy: 'Dana Demo' });
    const after = await withIssuer(orgId, (issuer) => ({
      kid: issuer.kid,
      secret: issuer.issueSecretFor(ticket),
    }));

    expect(rotated.kid).not.toBe(before.kid);
    expect(after.kid).toBe(rotated.kid);
    expect(after.secret).not.toBe(before.secret);
    const verifier = await verifierOf(orgId);
    expect(verifier.verify(before.secret)).toMatchObject({ ok: true, payload: { kid: before.kid } });
    expect(verifier.verify(after.secret)).toMatchObject({ ok: true, payload: { kid: rotated.kid } });
    expect(await keyRows(orgId)).toMatchObject([
      { kid: before.kid, retired_at: null },
      { kid: rotated.kid, retired_at: null },
    ]);
  });

  it('refuses the tickets of a retired key; signing falls back to the newest key still in service', async () => {
    const orgId = await newOrg();
    const ticket = { ticketId: randomUUID(), ...ticketOf() };
    const old = await withIssuer(orgId, (issuer) => ({
      kid: issuer.kid,
      secret: issuer.issueSecretFor(ticket),
    }));
    const newer = await store.rotateTicketSigningKey(orgId);
    const fresh = await withIssuer(orgId, (issuer) => issuer.issueSecretFor(ticket));

    expect(await store.retireTicketSigningKey(orgId, old.kid, { updatedBy: 'Dana Demo' })).toBe(true);
    expect(await store.retireTicketSigningKey(orgId, old.kid)).toBe(false);
    const verifier = await verifierOf(orgId);
    expect(verifier.verify(old.secret)).toEqual({ ok: false, reason: 'retired_key' });
    expect(verifier.verify(fresh).ok).toBe(true);

    expect(await store.retireTicketSigningKey(orgId, newer.kid)).toBe(true);
    // Nothing left to sign with: a new key is made, never a retired one used.
    const kid = await withIssuer(orgId, (issuer) => issuer.kid);
    expect([old.kid, newer.kid]).not.toContain(kid);
    expect((await keyRows(orgId)).map((row) => row.retired_at !== null)).toEqual([true, true, false]);
  });

  it('writes key rows only at versions their transaction took (commit order, like every replicated row)', async () => {
    const orgId = await newOrg();
    await store.rotateTicketSigningKey(orgId);
    const [row] = await keyRows(orgId);
    const head = await db.adminPool.query<{ version: number }>(
      'SELECT version FROM org_versions WHERE org_id = $1',
      [orgId],
    );
    expect(row!.version).toBe(head.rows[0]!.version);
    // A writer that forgets to take a version is refused by the database.
    await expect(
      inTransaction(db.appPool, { orgId }, (client) =>
        client.query('UPDATE ticket_signing_keys SET updated_by = $2 WHERE org_id = $1', [orgId, 'sneaky']),
      ),
    ).rejects.toThrow(/without taking that version/);
    // Keys are retired, never deleted: the application role may not delete one.
    await expect(
      inTransaction(db.appPool, { orgId }, (client) =>
        client.query('DELETE FROM ticket_signing_keys WHERE org_id = $1', [orgId]),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});

describe('private keys at rest', () => {
  it('stores the private key sealed, opening only with the server secret and only on its own row', async () => {
    const orgId = await newOrg();
    const secret = await withIssuer(orgId, (issuer) =>
      issuer.issueSecretFor({ ticketId: randomUUID(), ...ticketOf() }),
    );
    const [row] = await keyRows(orgId);
    const sealed = row!.private_key_sealed!;
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);

    const context = { orgId, kid: row!.kid, publicKey: row!.public_key };
    const seed = ticketKeySealer(serverSecret).open(sealed, context);
    expect(seed).toHaveLength(32);
    // The opened seed is the private half of the stored public key, and it appears nowhere in the row.
    const privateKey = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    expect(ed25519PublicKeyText(createPublicKey(privateKey))).toBe(row!.public_key);
    const stored = JSON.stringify(row);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(stored).not.toContain(seed.toString(encoding).slice(0, 16));
    }

    expect(() => ticketKeySealer(randomBytes(32)).open(sealed, context)).toThrow(TicketKeyLockedError);
    expect(() => ticketKeySealer(serverSecret).open(sealed, { ...context, orgId: randomUUID() })).toThrow(
      TicketKeyLockedError,
    );
    expect(() => ticketKeySealer(serverSecret).open(`${sealed.slice(0, -2)}AA`, context)).toThrow(
      TicketKeyLockedError,
    );

    // A server with another secret cannot sign for the organization, and says why.
    const stranger = createTicketKeyStore({ pool: db.appPool, serverSecret: randomBytes(32) });
    await expect(withIssuer(orgId, (issuer) => issuer.kid, stranger)).rejects.toThrow(/AUTH_PEPPER/);
    // Tickets already issued still verify: verifying needs only the public key.
    expect(createTicketSecretVerifier(await stranger.verificationKeys(orgId)).verify(secret).ok).toBe(true);
  });
});

describe('the first key', () => {
  it('is made once when many transactions need it at the same moment', async () => {
    const orgId = await newOrg();
    const holder = await db.appPool.connect();
    try {
      // Hold the organization's version so every issuer gets past its first look (no key yet) and queues.
      await holder.query(`BEGIN; SELECT set_config('app.org_id', $$${orgId}$$, true)`);
      await takeOrgVersions(holder, orgId);
      const issuers = Array.from({ length: 6 }, () => withIssuer(orgId, (issuer) => issuer.kid));
      await waitForLockWaiters(6);
      await holder.query('COMMIT');
      const kids = await Promise.all(issuers);
      expect(new Set(kids).size).toBe(1);
      expect((await keyRows(orgId)).map((row) => row.kid)).toEqual([kids[0]]);
    } finally {
      holder.release();
    }
  });

  it('under REPEATABLE READ, a transaction that raced the first key fails to serialize instead of making another', async () => {
    const orgId = await newOrg();
    const first = await db.appPool.connect();
    try {
      await first.query(`BEGIN; SELECT set_config('app.org_id', $$${orgId}$$, true)`);
      await takeOrgVersions(first, orgId);
      const racer = inTransaction(
        db.appPool,
        { orgId },
        async (client) => (await store.createTicketIssuer(client, orgId)).kid,
        { isolation: 'REPEATABLE READ' },
      );
      const outcome = racer.then(
        (kid) => ({ kid }),
        (error: { code?: string }) => ({ code: error.code }),
      );
      await waitForLockWaiters(1);
      // The first transaction makes the key while the racer waits.
      const kid = (await store.createTicketIssuer(first, orgId)).kid;
      await first.query('COMMIT');
      expect(await outcome).toEqual({ code: '40001' });
      expect((await keyRows(orgId)).map((row) => row.kid)).toEqual([kid]);
    } finally {
      first.release();
    }
  });
});

describe('derived ticket ids', () => {
  it('are RFC 9562 version 8 UUIDs, fixed per allocation and slot', () => {
    const allocationId = '0b8f2f4e-3c1a-4d2b-9e6f-7a5c4b3d2e1f';
    const id = deriveTicketId(allocationId, 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveTicketId(allocationId.toUpperCase(), 0)).toBe(id);
    // Pinned: a device and the server, or two releases, must derive the same id for the same slot.
    expect(deriveTicketId(allocationId, 0)).toMatchInlineSnapshot(`"9df595e1-fd4c-8004-8841-048d016b29f6"`);
    const ids = new Set(Array.from({ length: 1000 }, (_, slot) => deriveTicketId(allocationId, slot)));
    expect(ids.size).toBe(1000);
    expect(deriveTicketId(randomUUID(), 0)).not.toBe(id);
    expect(deriveTicketId(allocationId, 0xffff_ffff)).toMatch(/-8/);
    for (const slot of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => deriveTicketId(allocationId, slot)).toThrow(RangeError);
    }
    expect(() => deriveTicketId('not-a-uuid', 0)).toThrow(TypeError);
  });
});
