import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Opaque bearer secrets (sessions, devices): 256 random bits, URL-safe. Only their hash is ever stored. */
export function newSecretToken(prefix: 'jxs' | 'jxd'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 suffices for high-entropy tokens and codes looked up by hash; no salt is needed to find a row. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export const secureRandomInt = (maxExclusive: number): number => randomInt(maxExclusive);
