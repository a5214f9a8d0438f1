import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import {
  ed25519PublicKeyText,
  signTicketSecret,
  type TicketVerificationKey,
} from '@janix/domain/ticket-secrets';
import { inTransaction, takeOrgVersions } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { ticketKeySealer, type TicketKeySealer } from './key-sealing.ts';
import { deriveTicketId } from './ticket-ids.ts';

/**
 * Each organization's Ed25519 ticket keys (table ticket_signing_keys). Signing uses the newest key that is
 * neither retired nor verify-only; every unretired key verifies. The private half is sealed at rest
 * (key-sealing.ts) and opened only here, on the server.
 */

export interface TicketKeyInfo {
  id: string;
  kid: string;
  /** Base64 of the raw 32-byte public key. */
  publicKey: string;
}

export interface AllocationSlot {
  allocationId: string;
  slot: number;
  eventId: string;
  ticketTypeId: string;
}

export interface TicketIssuer {
  /** The key this issuer signs with. */
  readonly kid: string;
  /** The ticket of an allocation's slot: its derived id and signed secret (the same every time). */
  issue(slot: AllocationSlot): { ticketId: string; secret: string };
  /** The secret of a ticket not sold from an allocation (web sales, demo data). */
  issueSecretFor(ticket: { ticketId: string; eventId: string; ticketTypeId: string }): string;
}

interface WriteOptions {
  /** Who made the change, as updated_by (a user's name); none when the server does it by itself. */
  updatedBy?: string | null;
}

export interface TicketKeyStore {
  /**
   * Signs inside the caller's transaction, synchronously (domain rules are synchronous). Gives the
   * organization its first key if it has none; concurrent first uses agree on one key.
   */
  createTicketIssuer(client: PoolClient, orgId: string): Promise<TicketIssuer>;
  /** A new key for signing from now on; older keys keep verifying until retired. */
  rotateTicketSigningKey(orgId: string, options?: WriteOptions): Promise<TicketKeyInfo>;
  /** Tickets signed with this key are refused from now on. False if no unretired key has this kid. */
  retireTicketSigningKey(orgId: string, kid: string, options?: WriteOptions): Promise<boolean>;
  /** Every key of the organization, retired ones included (so a scanner can say why it refuses). */
  verificationKeys(orgId: string): Promise<TicketVerificationKey[]>;
}

// DER prefix of an Ed25519 PKCS#8 private key (RFC 8410): what precedes the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Private KeyObjects kept per organization and kid: importing one costs about half a millisecond. */
const PRIVATE_KEY_CACHE_SIZE = 1000;

interface GeneratedKey extends TicketKeyInfo {
  privateKey: KeyObject;
  privateSeed: Buffer;
}

function generateKey(): GeneratedKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    id: randomUUID(),
    kid: randomBytes(4).toString('hex'),
    publicKey: ed25519PublicKeyText(publicKey),
    privateKey,
    privateSeed: der.subarray(ED25519_PKCS8_PREFIX.length),
  };
}

/**
 * Writes a new key at `version` (taken by the caller in this transaction); a sealer of null stores no private
 * half. A kid already used in the organization (one chance in 2^32 per key) is drawn again.
 */
async function insertKey(
  client: PoolClient,
  orgId: string,
  version: number,
  sealer: TicketKeySealer | null,
  now: Date,
  updatedBy: string | null,
): Promise<GeneratedKey> {
  for (;;) {
    const key = generateKey();
    const sealed = sealer?.seal(key.privateSeed, { orgId, kid: key.kid, publicKey: key.publicKey }) ?? null;
    const inserted = await client.query(
      `INSERT INTO ticket_signing_keys
         (org_id, id, kid, public_key, private_key_sealed, version, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (org_id, kid) DO NOTHING`,
      [orgId, key.id, key.kid, key.publicKey, sealed, version, now, updatedBy],
    );
    if (inserted.rowCount) return key;
  }
}

interface SigningKeyRow {
  kid: string;
  public_key: string;
  private_key_sealed: string;
}

async function newestSigningKey(client: PoolClient, orgId: string): Promise<SigningKeyRow | null> {
  const result = await client.query<SigningKeyRow>(
    `SELECT kid, public_key, private_key_sealed FROM ticket_signing_keys
     WHERE org_id = $1 AND retired_at IS NULL AND private_key_sealed IS NOT NULL
     ORDER BY created_at DESC, kid DESC LIMIT 1`,
    [orgId],
  );
  return result.rows[0] ?? null;
}

export async function loadTicketVerificationKeys(
  client: Pick<PoolClient, 'query'>,
  orgId: string,
): Promise<TicketVerificationKey[]> {
  const result = await client.query<{ kid: string; public_key: string; retired_at: Date | null }>(
    'SELECT kid, public_key, retired_at FROM ticket_signing_keys WHERE org_id = $1 ORDER BY created_at',
    [orgId],
  );
  return result.rows.map((row) => ({ kid: row.kid, publicKey: row.public_key, retiredAt: row.retired_at }));
}

/**
 * A key whose private half is handed to the caller and never stored: it verifies like any other of the
 * organization's keys but never signs again. For the demo seeder, which runs without the server's secret.
 */
export async function createVerifyOnlyTicketKey(
  client: PoolClient,
  orgId: string,
): Promise<{ kid: string; privateKey: KeyObject }> {
  const version = await takeOrgVersions(client, orgId);
  const key = await insertKey(client, orgId, version, null, new Date(), null);
  return { kid: key.kid, privateKey: key.privateKey };
}

function issuerFor(kid: string, privateKey: KeyObject): TicketIssuer {
  const issueSecretFor: TicketIssuer['issueSecretFor'] = (ticket) =>
    signTicketSecret(privateKey, { kid, ...ticket });
  return {
    kid,
    issueSecretFor,
    issue({ allocationId, slot, eventId, ticketTypeId }) {
      const ticketId = deriveTicketId(allocationId, slot);
      return { ticketId, secret: issueSecretFor({ ticketId, eventId, ticketTypeId }) };
    },
  };
}

export function createTicketKeyStore(options: {
  /** The application pool; every query runs scoped to the organization (RLS). */
  pool: Pool;
  /** The server's secret (AUTH_PEPPER, see key-sealing.ts), from which the sealing key is derived. */
  serverSecret: Buffer;
  now?: () => Date;
}): TicketKeyStore {
  const { pool } = options;
  const now = options.now ?? (() => new Date());
  const sealer = ticketKeySealer(options.serverSecret);
  const privateKeys = new Map<string, { sealed: string; key: KeyObject }>();

  function openPrivateKey(orgId: string, row: SigningKeyRow): KeyObject {
    const cacheKey = `${orgId}/${row.kid}`;
    const cached = privateKeys.get(cacheKey);
    if (cached?.sealed === row.private_key_sealed) return cached.key;
    const seed = sealer.open(row.private_key_sealed, { orgId, kid: row.kid, publicKey: row.public_key });
    const key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    remember(cacheKey, { sealed: row.private_key_sealed, key });
    return key;
  }

  function remember(cacheKey: string, entry: { sealed: string; key: KeyObject }) {
    privateKeys.delete(cacheKey);
    privateKeys.set(cacheKey, entry);
    if (privateKeys.size > PRIVATE_KEY_CACHE_SIZE) privateKeys.delete(privateKeys.keys().next().value!);
  }

  return {
    async createTicketIssuer(client, orgId) {
      let row = await newestSigningKey(client, orgId);
      if (!row) {
        // The organization's version row is locked until commit: a concurrent first use waits here, then
        // finds the key the first one made (READ COMMITTED sees it; REPEATABLE READ fails to serialize). Only
        // the one that makes the key takes a version: the others write nothing, so they take none either. A
        // new organization may have no version row yet; one at version 0 is the same and can be locked.
        await client.query(
          `INSERT INTO org_versions (org_id, version) VALUES ($1, 0) ON CONFLICT (org_id) DO NOTHING`,
          [orgId],
        );
        await client.query('SELECT 1 FROM org_versions WHERE org_id = $1 FOR UPDATE', [orgId]);
        row = await newestSigningKey(client, orgId);
        if (!row) {
          const version = await takeOrgVersions(client, orgId);
          const key = await insertKey(client, orgId, version, sealer, now(), null);
          return issuerFor(key.kid, key.privateKey);
        }
      }
      return issuerFor(row.kid, openPrivateKey(orgId, row));
    },

    async rotateTicketSigningKey(orgId, { updatedBy = null } = {}) {
      return inTransaction(pool, { orgId }, async (client) => {
        const version = await takeOrgVersions(client, orgId);
        const { id, kid, publicKey } = await insertKey(client, orgId, version, sealer, now(), updatedBy);
        return { id, kid, publicKey };
      });
    },

    async retireTicketSigningKey(orgId, kid, { updatedBy = null } = {}) {
      return inTransaction(pool, { orgId }, async (client) => {
        const version = await takeOrgVersions(client, orgId);
        const at = now();
        const retired = await client.query(
          `UPDATE ticket_signing_keys SET retired_at = $3, version = $4, updated_at = $3, updated_by = $5
           WHERE org_id = $1 AND kid = $2 AND retired_at IS NULL`,
          [orgId, kid, at, version, updatedBy],
        );
        return retired.rowCount === 1;
      });
    },

    async verificationKeys(orgId) {
      return inTransaction(pool, { orgId }, (client) => loadTicketVerificationKeys(client, orgId));
    },
  };
}
