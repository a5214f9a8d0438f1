import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

/** Opaque bearer secrets (sessions, devices): 256 random bits, URL-safe. Only their hash is ever stored. */
export function newSecretToken(prefix: 'jxs' | 'jxd'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 suffices for high-entropy tokens looked up by hash: 256 random bits cannot be guessed from the hash.
 * Low-entropy secrets (six-digit codes, addresses) use `pepperedHash` instead.
 */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * HMAC-SHA-256 keyed with a server secret kept outside the database. A six-digit code's plain hash falls to
 * a million guesses; with the pepper, a copy of the database alone (a backup, a read-only leak) tells nothing
 * about codes or which addresses asked for them.
 */
export function pepperedHash(pepper: Buffer, purpose: 'email' | 'code', value: string): string {
  return createHmac('sha256', pepper).update(`${purpose}:${value}`).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Constant-time equality of two strings of any length (hashing first hides the length difference too). */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(presented).digest(),
    createHash('sha256').update(expected).digest(),
  );
}

export const secureRandomInt = (maxExclusive: number): number => randomInt(maxExclusive);

/** A random secret of 256 bits, URL-safe: passwords, peppers, per-run secrets. */
export function newRandomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads the secret kept in `path`, creating it (mode 0600, readable by this user only) on first use. The
 * exclusive create makes two processes starting at once agree on one secret: the loser reads the winner's.
 */
export function readOrCreateSecretFile(path: string): string {
  try {
    writeFileSync(path, `${newRandomSecret()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A file made by an older version or copied in with looser bits is tightened, never widened.
    chmodSync(path, 0o600);
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32) throw new Error(`the secret file ${path} is empty or too short`);
  return secret;
}

/** Writes `secret` to `path` readable by this user only, replacing what was there. */
export function writeSecretFile(path: string, secret: string): void {
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
