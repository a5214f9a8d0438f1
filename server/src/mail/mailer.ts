import { randomUUID } from 'node:crypto';
import { Resend } from 'resend';
import { LOGIN_CODE_TTL_MS } from '@janix/domain';
import { sameSecret } from '../auth/secrets.ts';
import type { Pool } from '../db/pools.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The provider sends a mail with the same key once, however often a retried job asks. */
  idempotencyKey?: string;
}

/** The email port: Resend in production, the dev mailbox on a development server without a provider. */
export interface Mailer {
  readonly kind: 'dev-mailbox' | 'resend';
  send(mail: OutgoingMail): Promise<void>;
}

export interface DevMailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

export interface DevMailbox extends Mailer {
  readonly kind: 'dev-mailbox';
  /** True only for the exact per-run secret (constant-time); never when the server was given none. */
  readableWith(presented: string | null): boolean;
  /** Messages younger than a sign-in code's lifetime, newest first: an expired code is no longer shown. */
  list(to?: string): Promise<DevMailboxMessage[]>;
}

export function isDevMailbox(mailer: Mailer): mailer is DevMailbox {
  return mailer.kind === 'dev-mailbox';
}

/**
 * The dev mailbox holds nothing but sign-in codes, so a message lives as long as the code it carries: `list`
 * hides older ones and the purge job deletes them.
 */
export const DEV_MAIL_LIFETIME_MS = LOGIN_CODE_TTL_MS;

/**
 * Stores mail in Postgres so the console `npm start` launched can show it. Readable only with `secret`, the
 * per-run secret that console was given; without one it is write-only.
 */
export function createDevMailbox(
  pool: Pool,
  options: { now?: () => Date; secret?: string | null } = {},
): DevMailbox {
  const now = options.now ?? (() => new Date());
  const secret = options.secret ?? null;
  return {
    kind: 'dev-mailbox',
    readableWith: (presented) => secret !== null && presented !== null && sameSecret(presented, secret),
    async send(mail) {
      await pool.query(
        'INSERT INTO dev_mailbox (id, to_address, subject, text_body, created_at) VALUES ($1, $2, $3, $4, $5)',
        [randomUUID(), mail.to, mail.subject, mail.text, now()],
      );
    },
    async list(to) {
      const result = await pool.query<{
        id: string;
        to_address: string;
        subject: string;
        text_body: string;
        created_at: Date;
      }>(
        `SELECT id, to_address, subject, text_body, created_at FROM dev_mailbox
         WHERE ($1::text IS NULL OR to_address = $1) AND created_at > $2
         ORDER BY created_at DESC LIMIT 50`,
        [to ?? null, new Date(now().getTime() - DEV_MAIL_LIFETIME_MS)],
      );
      return result.rows.map((row) => ({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        createdAt: row.created_at.toISOString(),
      }));
    },
  };
}

const SEND_TIMEOUT_MS = 15_000;

/** Sends through Resend's API (POST /emails). `baseUrl` points the SDK elsewhere, e.g. at a test server. */
export function createResendMailer(options: { apiKey: string; from: string; baseUrl?: string }): Mailer {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  return {
    kind: 'resend',
    async send(mail) {
      const { error } = await resend.emails.send(
        { from: options.from, to: mail.to, subject: mail.subject, text: mail.text },
        {
          ...(mail.idempotencyKey ? { idempotencyKey: mail.idempotencyKey } : {}),
          // The sign-in job holds a transaction while it sends: a provider that hangs must not hold it for long.
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        },
      );
      // Resend's message may quote the address; the error names the kind and status only.
      if (error)
        throw new Error(`Resend did not accept the mail: ${error.name} (${error.statusCode ?? 'no status'})`);
    },
  };
}
