import { randomUUID } from 'node:crypto';
import { Resend } from 'resend';
import { LOGIN_CODE_TTL_MS } from '@janix/domain';
import { sameSecret } from '../auth/secrets.ts';
import type { Pool } from '../db/pools.ts';
import { createRateGate, secondsHeader, type RateGate } from './rate-gate.ts';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Set for an image the HTML shows inline, as `<img src="cid:…">`. */
  contentId?: string;
}

/** What a mail is for: decides how long the dev mailbox keeps it. */
export type MailCategory = 'sign-in' | 'order';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** The provider sends a mail with the same key once, however often a retried job asks. */
  idempotencyKey?: string;
  /** Default 'sign-in'. */
  category?: MailCategory;
}

export interface SentMail {
  /** The provider's id of the message; null when it answered without one (an earlier send under the key). */
  providerMessageId: string | null;
}

/**
 * Why a mail did not go, in words safe for logs and for a console: the provider's error name and status, never
 * its message (which may quote the address) and never the address.
 */
export interface MailFailure {
  /** Sending it again as it is cannot succeed (an address or field the provider refuses, our key refused). */
  permanent: boolean;
  errorName: string;
  statusCode: number | null;
  /** When the provider said to try again (429 retry-after, or a rate-limit window's reset). */
  retryAfterMs: number | null;
  /** The provider refused the recipient's address itself. */
  addressRefused: boolean;
}

export class MailNotSent extends Error {
  constructor(readonly failure: MailFailure) {
    super(`Resend did not accept the mail: ${failure.errorName} (${failure.statusCode ?? 'no status'})`);
    this.name = 'MailNotSent';
  }
}

/** The email port: Resend in production, the dev mailbox on a development server without a provider. */
export interface Mailer {
  readonly kind: 'dev-mailbox' | 'resend';
  /** Throws MailNotSent when the provider refuses; resolves with its message id (void from simple fakes). */
  send(mail: OutgoingMail): Promise<SentMail | void>;
}

export interface DevMailboxAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
}

export interface DevMailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: DevMailboxAttachment[];
  createdAt: string;
}

export interface DevMailbox extends Mailer {
  readonly kind: 'dev-mailbox';
  /** True only for the exact per-run secret (constant-time); never when the server was given none. */
  readableWith(presented: string | null): boolean;
  /** Messages still within their lifetime, newest first: an expired sign-in code is no longer shown. */
  list(to?: string): Promise<DevMailboxMessage[]>;
  /** One attachment's content (a ticket PDF, say), while its message lives. */
  attachment(
    messageId: string,
    filename: string,
  ): Promise<(DevMailboxAttachment & { content: Buffer }) | null>;
}

export function isDevMailbox(mailer: Mailer): mailer is DevMailbox {
  return mailer.kind === 'dev-mailbox';
}

/**
 * How long the dev mailbox keeps a mail: a sign-in code as long as the code lives (`list` hides it after, the
 * purge job deletes it); an order's tickets and receipts for a week, long enough to look at what a sale sent.
 */
export const DEV_MAIL_LIFETIME_MS: Record<MailCategory, number> = {
  'sign-in': LOGIN_CODE_TTL_MS,
  order: 7 * 24 * 60 * 60 * 1000,
};

interface StoredAttachment extends DevMailboxAttachment {
  /** base64 */
  content: string;
}

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
  const live = async (where: string, params: unknown[]) =>
    pool.query<{
      id: string;
      to_address: string;
      subject: string;
      text_body: string;
      html_body: string | null;
      attachments: StoredAttachment[];
      created_at: Date;
    }>(
      `SELECT id, to_address, subject, text_body, html_body, attachments, created_at FROM dev_mailbox
       WHERE expires_at > $1 AND ${where} ORDER BY created_at DESC LIMIT 50`,
      [now(), ...params],
    );
  return {
    kind: 'dev-mailbox',
    readableWith: (presented) => secret !== null && presented !== null && sameSecret(presented, secret),
    async send(mail) {
      const id = randomUUID();
      const at = now();
      const attachments: StoredAttachment[] = (mail.attachments ?? []).map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.content.length,
        contentId: attachment.contentId ?? null,
        content: attachment.content.toString('base64'),
      }));
      await pool.query(
        `INSERT INTO dev_mailbox (id, to_address, subject, text_body, html_body, attachments, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          mail.to,
          mail.subject,
          mail.text,
          mail.html ?? null,
          JSON.stringify(attachments),
          at,
          new Date(at.getTime() + DEV_MAIL_LIFETIME_MS[mail.category ?? 'sign-in']),
        ],
      );
      return { providerMessageId: `dev-${id}` };
    },
    async list(to) {
      const result = await live('($2::text IS NULL OR to_address = $2)', [to ?? null]);
      return result.rows.map((row) => ({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        attachments: row.attachments.map(({ content: _content, ...attachment }) => attachment),
        createdAt: row.created_at.toISOString(),
      }));
    },
    async attachment(messageId, filename) {
      const result = await live('id = $2', [messageId]);
      const found = result.rows[0]?.attachments.find((attachment) => attachment.filename === filename);
      if (!found) return null;
      const { content, ...attachment } = found;
      return { ...attachment, content: Buffer.from(content, 'base64') };
    },
  };
}

const SEND_TIMEOUT_MS = 15_000;

/** Resend's error names whose request may succeed as it is when tried again later. */
const TRANSIENT_ERRORS = new Set([
  'rate_limit_exceeded',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'concurrent_idempotent_requests',
  'application_error',
  'internal_server_error',
]);

/**
 * What a Resend error means for the mail. Network failures (no status), 5xx, 408, 429 and a concurrent use of
 * the same key may pass later; any other 4xx will not. A 422 whose message is about the `to` field is a refused
 * address (the message is read for that, never kept).
 */
export function classifyResendError(
  error: { name?: string; statusCode?: number | null; message?: string },
  headers: Record<string, string> | null,
): MailFailure {
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : null;
  const errorName = /^[a-z_]{1,64}$/.test(error.name ?? '') ? error.name! : 'unknown_error';
  const transient =
    statusCode === null ||
    statusCode >= 500 ||
    statusCode === 408 ||
    statusCode === 429 ||
    TRANSIENT_ERRORS.has(errorName);
  const retryAfterMs =
    secondsHeader(headers, 'retry-after') ??
    (statusCode === 429 ? secondsHeader(headers, 'ratelimit-reset') : null);
  return {
    permanent: !transient,
    errorName,
    statusCode,
    retryAfterMs,
    addressRefused: statusCode === 422 && /`to`|\bto\b.*(field|address)|recipient/i.test(error.message ?? ''),
  };
}

export interface ResendMailerOptions {
  apiKey: string;
  from: string;
  /** Points the SDK elsewhere, e.g. at a local capture server. */
  baseUrl?: string;
  /** Requests a second this process makes at most (Resend: 2 to 5 a second per team). Default 2. */
  requestsPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends through Resend's API (POST /emails). Rate-limit aware: requests are spaced to `requestsPerSecond`, and
 * when Resend says the window is spent (ratelimit-remaining 0, or a 429 with retry-after) every send of this
 * process waits for it instead of hammering on (see rate-gate.ts).
 */
export function createResendMailer(options: ResendMailerOptions): Mailer & { readonly gate: RateGate } {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  const gate = createRateGate({
    minIntervalMs: 1000 / (options.requestsPerSecond ?? 2),
    now: options.now,
    sleep: options.sleep,
  });
  return {
    kind: 'resend',
    gate,
    async send(mail) {
      // A sender told to wait longer than a send may take gives the wait back to its caller (a job retries
      // then) rather than hold what it holds (a transaction, a row lock) that long.
      const waitMs = await gate.take(SEND_TIMEOUT_MS);
      if (waitMs !== null) {
        throw new MailNotSent({
          permanent: false,
          errorName: 'rate_limit_exceeded',
          statusCode: null,
          retryAfterMs: waitMs,
          addressRefused: false,
        });
      }
      const { data, error, headers } = await resend.emails.send(
        {
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html ? { html: mail.html } : {}),
          ...(mail.attachments?.length
            ? {
                attachments: mail.attachments.map((attachment) => ({
                  filename: attachment.filename,
                  content: attachment.content,
                  contentType: attachment.contentType,
                  ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
                })),
              }
            : {}),
          tags: [{ name: 'category', value: mail.category === 'order' ? 'order' : 'sign_in' }],
        },
        {
          ...(mail.idempotencyKey ? { idempotencyKey: mail.idempotencyKey } : {}),
          // The jobs hold a transaction while they send: a provider that hangs must not hold it for long.
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        },
      );
      gate.observe(headers ?? null, error?.statusCode === 429);
      if (error) throw new MailNotSent(classifyResendError(error, headers ?? null));
      return { providerMessageId: data?.id ?? null };
    },
  };
}
