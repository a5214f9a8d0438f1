import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Ticket signing keys are kept sealed in the database: AES-256-GCM under a key derived from the server's secret,
 * which lives outside the database. A copy of the database alone (a backup, a read-only leak, a replica) then
 * cannot mint tickets.
 *
 * The secret is the one the server already has, AUTH_PEPPER (or, in development, the pepper file beside the
 * embedded cluster; see resolvePepper), rather than a second variable: one secret to provision, back up and
 * keep off the database host. HKDF with a label of its own makes the sealing key independent of the HMAC key
 * the pepper is used as elsewhere: knowing one tells nothing about the other. What sharing costs: replacing
 * AUTH_PEPPER also locks the existing signing keys (signing fails with TicketKeyLockedError until the
 * organization's key is rotated); tickets already issued keep verifying, since verification needs only the
 * public keys.
 */
const HKDF_SALT = 'janix/ticket-signing-keys';
const HKDF_INFO = 'aes-256-gcm seal, format v1';
const FORMAT = 'v1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed key is bound to: the same ciphertext copied onto another organization's or key's row won't open. */
export interface SealedKeyContext {
  orgId: string;
  kid: string;
  publicKey: string;
}

export interface TicketKeySealer {
  seal(privateSeed: Buffer, context: SealedKeyContext): string;
  /** The private seed, or throws TicketKeyLockedError when this secret did not seal it (or the text was altered). */
  open(sealed: string, context: SealedKeyContext): Buffer;
}

/** A stored private key this server cannot open: sealed under another secret, or altered. */
export class TicketKeyLockedError extends Error {
  constructor(context: SealedKeyContext) {
    super(
      `the ticket signing key ${context.kid} of organization ${context.orgId} does not open with this server's ` +
        'secret (AUTH_PEPPER changed, or differs between servers): set the secret it was sealed with, or ' +
        "rotate the organization's key (tickets already issued keep verifying)",
    );
    this.name = 'TicketKeyLockedError';
  }
}

const additionalData = (context: SealedKeyContext) =>
  Buffer.from(`ticket-signing-key\n${context.orgId}\n${context.kid}\n${context.publicKey}`, 'utf8');

export function ticketKeySealer(serverSecret: Buffer): TicketKeySealer {
  if (serverSecret.length < 16) throw new Error('the server secret for sealing ticket keys is too short');
  const key = Buffer.from(hkdfSync('sha256', serverSecret, HKDF_SALT, HKDF_INFO, 32));
  return {
    seal(privateSeed, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(additionalData(context));
      const sealed = Buffer.concat([nonce, cipher.update(privateSeed), cipher.final(), cipher.getAuthTag()]);
      return `${FORMAT}${sealed.toString('base64url')}`;
    },
    open(sealed, context) {
      const bytes = sealed.startsWith(FORMAT) ? Buffer.from(sealed.slice(FORMAT.length), 'base64url') : null;
      if (!bytes || bytes.length <= NONCE_BYTES + TAG_BYTES) throw new TicketKeyLockedError(context);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES))
          .setAAD(additionalData(context))
          .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, -TAG_BYTES)), decipher.final()]);
      } catch {
        throw new TicketKeyLockedError(context);
      }
    },
  };
}
