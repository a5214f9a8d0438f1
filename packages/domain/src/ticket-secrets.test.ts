// eslint-disable-next-line no-restricted-imports -- keys for the module under test, which itself uses node:crypto
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  TICKET_SECRET_LENGTH,
  createTicketSecretVerifier,
  ed25519PublicKey,
  ed25519PublicKeyText,
  encodeTicketPayload,
  formatTicketSecret,
  parseTicketSecret,
  signTicketSecret,
  type TicketSecretPayload,
  type TicketVerificationKey,
} from './ticket-secrets.ts';

function keyPair(kid = randomBytes(4).toString('hex')) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const stored: TicketVerificationKey = { kid, publicKey: ed25519PublicKeyText(publicKey), retiredAt: null };
  return { kid, privateKey, stored };
}

const payloadFor = (kid: string): TicketSecretPayload => ({
  kid,
  ticketId: randomUUID(),
  eventId: randomUUID(),
  ticketTypeId: randomUUID(),
});

const key = keyPair();
const payload = payloadFor(key.kid);
const secret = signTicketSecret(key.privateKey, payload);
const verifier = createTicketSecretVerifier([key.stored]);

/** The secret with one byte of its binary form changed. */
function tampered(text: string, index: number): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('signed ticket secrets', () => {
  it('sign and verify round-trip: the payload comes back as signed, in 156 URL-safe characters', () => {
    expect(secret).toHaveLength(TICKET_SECRET_LENGTH);
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifier.verify(secret)).toEqual({ ok: true, payload });
    // Upper-case UUIDs are the same ids: what comes back is the canonical lower-case spelling.
    const upper = { ...payload, ticketId: payload.ticketId.toUpperCase() };
    expect(verifier.verify(signTicketSecret(key.privateKey, upper))).toEqual({ ok: true, payload });
  });

  it('is deterministic: the same ticket signed twice is the same secret', () => {
    expect(signTicketSecret(key.privateKey, { ...payload })).toBe(secret);
    expect(signTicketSecret(key.privateKey, payloadFor(key.kid))).not.toBe(secret);
  });

  it('lays out version, kid, ticket, event and ticket type, then the signature over them', () => {
    const bytes = Buffer.from(secret, 'base64url');
    expect(bytes).toHaveLength(117);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 5).toString('hex')).toBe(key.kid);
    expect(bytes.subarray(5, 21).toString('hex')).toBe(payload.ticketId.replaceAll('-', ''));
    expect(bytes.subarray(21, 37).toString('hex')).toBe(payload.eventId.replaceAll('-', ''));
    expect(bytes.subarray(37, 53).toString('hex')).toBe(payload.ticketTypeId.replaceAll('-', ''));
    expect(bytes.subarray(0, 53)).toEqual(encodeTicketPayload(payload));
    const parsed = parseTicketSecret(secret);
    expect(parsed.ok && Buffer.from(parsed.secret.signature)).toEqual(bytes.subarray(53));
  });

  it('refuses a change to any byte, with the reason of the region it falls in', () => {
    const reasons = new Map<string, number[]>();
    for (let index = 0; index < 117; index += 1) {
      const verdict = verifier.verify(tampered(secret, index));
      const reason = verdict.ok ? 'accepted' : verdict.reason;
      reasons.set(reason, [...(reasons.get(reason) ?? []), index]);
    }
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(Object.fromEntries(reasons)).toEqual({
      unsupported_version: [0],
      unknown_key: range(1, 5),
      // Ticket, event and ticket type ids (5..52) and the signature itself (53..116).
      bad_signature: range(5, 117),
    });
  });

  it('refuses a secret of another organization (a kid it does not hold) and a forged key behind a known kid', () => {
    const other = keyPair();
    expect(verifier.verify(signTicketSecret(other.privateKey, payloadFor(other.kid)))).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    // Someone who knows the kid but not the key signs with a key of their own.
    const forger = keyPair(key.kid);
    expect(verifier.verify(signTicketSecret(forger.privateKey, payloadFor(key.kid)))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('keeps an older key valid next to a newer one, and refuses a retired key', () => {
    const newer = keyPair();
    const both = createTicketSecretVerifier([key.stored, newer.stored]);
    const fresh = signTicketSecret(newer.privateKey, payloadFor(newer.kid));
    expect(both.verify(secret).ok).toBe(true);
    expect(both.verify(fresh).ok).toBe(true);
    const retired = createTicketSecretVerifier([
      { ...key.stored, retiredAt: '2026-11-01T10:00:00Z' },
      newer.stored,
    ]);
    expect(retired.verify(secret)).toEqual({ ok: false, reason: 'retired_key' });
    expect(retired.verify(fresh).ok).toBe(true);
  });

  it('treats a stored key that is not an Ed25519 key as unknown instead of failing every scan', () => {
    const broken = createTicketSecretVerifier([{ ...key.stored, publicKey: 'AAAA' }]);
    expect(broken.verify(secret)).toEqual({ ok: false, reason: 'unknown_key' });
    expect(ed25519PublicKey('not base64 at all, and far too long for a key')).toBeNull();
    expect(ed25519PublicKey(key.stored.publicKey)).not.toBeNull();
  });

  it('refuses to encode ids that are not UUIDs or a kid that is not 8 hex digits', () => {
    expect(() => encodeTicketPayload({ ...payload, ticketId: 'ticket-1' })).toThrow(/ticketId/);
    expect(() => encodeTicketPayload({ ...payload, kid: 'ABCDEFGH' })).toThrow(/kid/);
    expect(() => encodeTicketPayload({ ...payload, kid: '0011223344' })).toThrow(/kid/);
    expect(() => formatTicketSecret(encodeTicketPayload(payload), Buffer.alloc(63))).toThrow(/signature/);
  });
});

describe('parsing never throws', () => {
  const refusal = (text: unknown) => {
    const verdict = verifier.verify(text);
    return verdict.ok ? 'accepted' : verdict.reason;
  };

  it('refuses what is not a version-1 secret as malformed or unsupported', () => {
    const bytes = Buffer.from(secret, 'base64url');
    const withVersion = (version: number) => Buffer.concat([Buffer.of(version), bytes.subarray(1)]);
    const cases: [unknown, string][] = [
      ['', 'malformed'],
      [secret.slice(0, -1), 'malformed'],
      [secret.slice(0, -4), 'malformed'],
      [`${secret}A`, 'malformed'],
      [`${secret}\n`, 'malformed'],
      [` ${secret.slice(1)}`, 'malformed'],
      [`${secret.slice(0, -1)}=`, 'malformed'],
      [secret.replaceAll('-', '+').replaceAll('_', '/').replace(/^./, '+'), 'malformed'],
      [`${secret.slice(0, 77)}\u0000${secret.slice(78)}`, 'malformed'],
      [`${secret.slice(0, 77)}\ud800${secret.slice(78)}`, 'malformed'],
      [`${secret.slice(0, 77)}é${secret.slice(78)}`, 'malformed'],
      ['x'.repeat(10_000_000), 'malformed'],
      [randomBytes(18).toString('base64url').slice(0, 24), 'malformed'],
      [withVersion(0).toString('base64url'), 'unsupported_version'],
      [withVersion(2).toString('base64url'), 'unsupported_version'],
      [withVersion(255).toString('base64url'), 'unsupported_version'],
      [null, 'malformed'],
      [undefined, 'malformed'],
      [123, 'malformed'],
      [{ length: 156 }, 'malformed'],
      [Buffer.from(secret), 'malformed'],
      [[secret], 'malformed'],
    ];
    for (const [text, reason] of cases) expect([text, refusal(text)]).toEqual([text, reason]);
  });

  it('survives random input of every shape', () => {
    const seen = new Set<string>();
    for (let round = 0; round < 3000; round += 1) {
      const length = round % 3 === 0 ? TICKET_SECRET_LENGTH : Math.floor(Math.random() * 400);
      const text =
        round % 2 === 0
          ? randomBytes(Math.ceil((length * 3) / 4))
              .toString('base64url')
              .slice(0, length)
          : String.fromCharCode(...Array.from({ length }, () => Math.floor(Math.random() * 0x10000)));
      seen.add(refusal(text));
    }
    expect(seen.has('accepted')).toBe(false);
    expect(seen).toContain('malformed');
  });

  it('stays out of the package index the renderer imports (node:crypto only through the subpath)', async () => {
    const index = await import('./index.ts');
    for (const name of ['createTicketSecretVerifier', 'parseTicketSecret', 'signTicketSecret']) {
      expect(index).not.toHaveProperty(name);
    }
  });
});
