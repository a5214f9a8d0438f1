// The one domain module allowed node:crypto: Ed25519 through OpenSSL verifies in ~0.15 ms where a pure-JS
// implementation measured ~1.9 ms (ARCHITECTURE.md §4). It is reachable only through the subpath export
// `@janix/domain/ticket-secrets`, never from the package index, so the renderer's bundle never meets it.
// eslint-disable-next-line no-restricted-imports -- see above: signing and verifying need OpenSSL
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * A ticket's QR secret: a compact payload signed with the organization's Ed25519 key, so a scanner with the
 * organization's public keys can tell a genuine ticket from a forged one with no network.
 *
 * Binary layout of format version 1 (117 bytes):
 *
 * | offset | bytes | field                                                      |
 * |-------:|------:|------------------------------------------------------------|
 * |      0 |     1 | format version (1)                                         |
 * |      1 |     4 | kid: which of the organization's keys signed (hex in the DB) |
 * |      5 |    16 | ticket id (UUID bytes)                                     |
 * |     21 |    16 | event id (UUID bytes)                                      |
 * |     37 |    16 | ticket type id (UUID bytes)                                |
 * |     53 |    64 | Ed25519 signature over bytes 0..52                         |
 *
 * Text form: base64url without padding, always 156 characters (117 is a multiple of 3, so there are no
 * partial groups and every secret has exactly one spelling).
 */
export const TICKET_SECRET_VERSION = 1;
export const TICKET_SECRET_LENGTH = 156;

const KID_BYTES = 4;
const UUID_BYTES = 16;
const PAYLOAD_BYTES = 1 + KID_BYTES + 3 * UUID_BYTES;
const SIGNATURE_BYTES = 64;
const SECRET_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KID = /^[0-9a-f]{8}$/;

/** What a secret says, once its signature is checked. UUIDs in lower case, kid as 8 hex digits. */
export interface TicketSecretPayload {
  kid: string;
  ticketId: string;
  eventId: string;
  ticketTypeId: string;
}

/** Why a text is not a usable signed secret. The first two are found without any key. */
export type TicketSecretRefusal =
  'malformed' | 'unsupported_version' | 'unknown_key' | 'retired_key' | 'bad_signature';

export interface ParsedTicketSecret {
  payload: TicketSecretPayload;
  /** The bytes the signature covers (version through ticket type id). */
  signed: Uint8Array;
  signature: Uint8Array;
}

export type TicketSecretParse =
  { ok: true; secret: ParsedTicketSecret } | { ok: false; reason: 'malformed' | 'unsupported_version' };

export type TicketSecretVerdict =
  { ok: true; payload: TicketSecretPayload } | { ok: false; reason: TicketSecretRefusal };

/** One of an organization's public keys, as the server stores and replicates it. */
export interface TicketVerificationKey {
  kid: string;
  /** Base64 (RFC 4648 §4, padded) of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  /** Set once the key is retired: its tickets are refused from then on. */
  retiredAt: string | Date | null;
}

function uuidBytes(uuid: string, field: string): Buffer {
  if (!UUID.test(uuid)) throw new TypeError(`${field} is not a UUID: ${JSON.stringify(uuid)}`);
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The signed bytes of a payload. Throws on ids that are not UUIDs: callers are the server's own code. */
export function encodeTicketPayload(payload: TicketSecretPayload): Buffer {
  if (!KID.test(payload.kid)) throw new TypeError(`kid is not 8 hex digits: ${JSON.stringify(payload.kid)}`);
  return Buffer.concat([
    Buffer.of(TICKET_SECRET_VERSION),
    Buffer.from(payload.kid, 'hex'),
    uuidBytes(payload.ticketId, 'ticketId'),
    uuidBytes(payload.eventId, 'eventId'),
    uuidBytes(payload.ticketTypeId, 'ticketTypeId'),
  ]);
}

/**
 * Signs a payload with the private key whose kid it names. Ed25519 is deterministic: the same payload and key
 * always give the same secret, so issuing a ticket twice yields the same QR code.
 */
export function signTicketSecret(privateKey: KeyObject, payload: TicketSecretPayload): string {
  const signed = encodeTicketPayload(payload);
  return formatTicketSecret(signed, sign(null, signed, privateKey));
}

/** The text form of encoded payload bytes and their signature (made elsewhere, e.g. in a worker thread). */
export function formatTicketSecret(signed: Uint8Array, signature: Uint8Array): string {
  if (signed.length !== PAYLOAD_BYTES || signature.length !== SIGNATURE_BYTES) {
    throw new TypeError(`expected ${PAYLOAD_BYTES} payload and ${SIGNATURE_BYTES} signature bytes`);
  }
  return Buffer.concat([signed, signature]).toString('base64url');
}

/**
 * Splits a scanned text into payload, signed bytes and signature, checking only its shape. Never throws, for
 * any value: the length is checked before anything is decoded, so a scanner fed megabytes of garbage spends
 * nothing on it. A text that is not a signed secret at all (a legacy random secret, a stray barcode) is
 * `malformed`; one of the right shape from a newer format is `unsupported_version`.
 */
export function parseTicketSecret(text: unknown): TicketSecretParse {
  if (typeof text !== 'string' || text.length !== TICKET_SECRET_LENGTH || !BASE64URL.test(text)) {
    return { ok: false, reason: 'malformed' };
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== SECRET_BYTES) return { ok: false, reason: 'malformed' };
  if (bytes[0] !== TICKET_SECRET_VERSION) return { ok: false, reason: 'unsupported_version' };
  const at = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  return {
    ok: true,
    secret: {
      payload: {
        kid: at(1, KID_BYTES).toString('hex'),
        ticketId: formatUuid(at(5, UUID_BYTES)),
        eventId: formatUuid(at(21, UUID_BYTES)),
        ticketTypeId: formatUuid(at(37, UUID_BYTES)),
      },
      signed: at(0, PAYLOAD_BYTES),
      signature: at(PAYLOAD_BYTES, SIGNATURE_BYTES),
    },
  };
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { AlgorithmIdentifier id-Ed25519,
// BIT STRING of 32 bytes }. Followed by the raw key, it is what OpenSSL imports.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64_RAW_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** An Ed25519 public KeyObject from the stored base64 of its raw 32 bytes; null if it is not one. */
export function ed25519PublicKey(base64: string): KeyObject | null {
  if (!BASE64_RAW_KEY.test(base64)) return null;
  try {
    return createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(base64, 'base64')]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return null;
  }
}

/** The stored form of a public KeyObject: base64 of the raw 32 bytes (the DER minus its fixed prefix). */
export function ed25519PublicKeyText(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  if (
    der.length !== ED25519_SPKI_PREFIX.length + 32 ||
    !der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)
  ) {
    throw new TypeError('not an Ed25519 public key');
  }
  return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

export interface TicketSecretVerifier {
  verify(text: unknown): TicketSecretVerdict;
}

interface KnownKey {
  publicKey: string;
  retired: boolean;
  /** Built on first use and kept: importing a key costs about as much as a verification. */
  object?: KeyObject | null;
}

/**
 * A verifier for one organization's keys. Keep it for as long as the key set holds: it builds each key's
 * KeyObject once. A key whose stored form is not a valid Ed25519 key counts as unknown, so one bad row
 * refuses only its own tickets instead of stopping every scan. Kids are unique within an organization; given
 * the same kid twice, the later entry wins.
 */
export function createTicketSecretVerifier(keys: Iterable<TicketVerificationKey>): TicketSecretVerifier {
  const byKid = new Map<string, KnownKey>();
  for (const key of keys) {
    byKid.set(key.kid, { publicKey: key.publicKey, retired: key.retiredAt !== null });
  }
  return {
    verify(text) {
      const parsed = parseTicketSecret(text);
      if (!parsed.ok) return parsed;
      const { payload, signed, signature } = parsed.secret;
      const key = byKid.get(payload.kid);
      if (!key) return { ok: false, reason: 'unknown_key' };
      if (key.retired) return { ok: false, reason: 'retired_key' };
      if (key.object === undefined) key.object = ed25519PublicKey(key.publicKey);
      if (!key.object) return { ok: false, reason: 'unknown_key' };
      if (!verify(null, signed, key.object, signature)) return { ok: false, reason: 'bad_signature' };
      return { ok: true, payload };
    },
  };
}
