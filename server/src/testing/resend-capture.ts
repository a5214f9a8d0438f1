import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Pool } from '../db/pools.ts';
import { createResendMailer, type Mailer } from '../mail/mailer.ts';

/**
 * A local server that speaks Resend's documented email API (https://resend.com/docs/api-reference), for the
 * real `resend` SDK pointed at it with its `baseUrl` option. Test support, exported with @janix/server/testing:
 * the server's and the console's suites use it, and end-to-end tests can show "the email in the local capture".
 *
 * What it follows:
 * - POST /emails with `Authorization: Bearer <key>` (401 missing_api_key / 403 invalid_api_key otherwise) and a
 *   JSON body: from, to (one address or up to 50), subject, html and/or text, optional attachments
 *   [{ filename, content (base64) | path, content_type, content_id }], tags, headers, reply_to, cc, bcc.
 *   Answers `{ id }`; a malformed body or address answers 422 validation_error.
 * - Idempotency-Key (up to 256 characters, remembered here for the server's life as Resend does for 24 h): the
 *   same key with the same body answers the first send's id without sending again; with another body 409
 *   invalid_idempotent_request.
 * - Rate-limit headers on every answer (ratelimit-limit, -remaining, -reset), and 429 rate_limit_exceeded with
 *   retry-after when told to (`script`).
 * - GET /emails/:id and GET /emails (list, newest first) return what was sent.
 * Faults are scripted: `script()` answers the next requests with a 5xx or a 429 before anything else is checked,
 * and `refuseAddress()` makes an address invalid (422) like a malformed one.
 */

const addressSchema = z.string().regex(/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/);

const emailBodySchema = z
  .object({
    from: z.string().min(1),
    to: z.union([z.string(), z.array(z.string()).min(1).max(50)]),
    subject: z.string().min(1),
    html: z.string().optional(),
    text: z.string().optional(),
    cc: z.union([z.string(), z.array(z.string())]).optional(),
    bcc: z.union([z.string(), z.array(z.string())]).optional(),
    reply_to: z.union([z.string(), z.array(z.string())]).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    scheduled_at: z.string().optional(),
    attachments: z
      .array(
        z
          .object({
            filename: z.string().min(1),
            content: z
              .string()
              .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
              .optional(),
            path: z.string().optional(),
            content_type: z.string().optional(),
            content_id: z.string().optional(),
          })
          .refine((attachment) => attachment.content !== undefined || attachment.path !== undefined, {
            message: 'An attachment needs `content` or `path`.',
          }),
      )
      .optional(),
    tags: z
      .array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/),
          value: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/),
        }),
      )
      .optional(),
  })
  .refine((body) => body.html !== undefined || body.text !== undefined, {
    message: 'Missing `html` or `text` field.',
  });
export type ResendEmailBody = z.infer<typeof emailBodySchema>;

export interface CapturedEmail {
  id: string;
  /** When it arrived (ms since the epoch). */
  at: number;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | null;
  body: ResendEmailBody;
}

/** Every POST /emails, whatever it was answered. */
export interface CapturedRequest {
  at: number;
  idempotencyKey: string | null;
  status: number;
  /** The error name when it was refused. */
  error: string | null;
}

export type ScriptedAnswer = { status: 500 | 502 | 503 } | { status: 429; retryAfterSeconds?: number };

export interface ResendCapture {
  url: string;
  apiKey: string;
  /** Distinct emails accepted, in order (an idempotent replay is not another one). */
  emails: CapturedEmail[];
  requests: CapturedRequest[];
  /** Answers the next requests, one each, with these before anything else. */
  script(...answers: ScriptedAnswer[]): void;
  /** From now on, an email to this address is refused as invalid (422). */
  refuseAddress(address: string): void;
  /** An address refused before is accepted again (its mailbox now exists). */
  acceptAddress(address: string): void;
  /** The attachments of an email, decoded. */
  attachmentsOf(
    email: CapturedEmail,
  ): Array<{ filename: string; contentType: string | null; contentId: string | null; content: Buffer }>;
  close(): Promise<void>;
}

const RATE_LIMIT = 5;

export async function startResendCapture(options: { apiKey?: string } = {}): Promise<ResendCapture> {
  const apiKey = options.apiKey ?? 're_test_key';
  const emails: CapturedEmail[] = [];
  const requests: CapturedRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  const refused = new Set<string>();
  const byKey = new Map<string, { digest: string; id: string }>();
  const byId = new Map<string, CapturedEmail>();
  let windowStart = 0;
  let windowCount = 0;

  function answer(
    response: ServerResponse,
    status: number,
    body: object,
    extraHeaders: Record<string, string> = {},
  ) {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      windowCount = 0;
    }
    windowCount += 1;
    response.statusCode = status;
    response.setHeader('content-type', 'application/json');
    response.setHeader('ratelimit-limit', String(RATE_LIMIT));
    response.setHeader('ratelimit-remaining', String(Math.max(0, RATE_LIMIT - windowCount)));
    response.setHeader('ratelimit-reset', '1');
    for (const [name, value] of Object.entries(extraHeaders)) response.setHeader(name, value);
    response.end(JSON.stringify(body));
  }
  const refuse = (response: ServerResponse, status: number, name: string, message: string, extra = {}) =>
    answer(response, status, { statusCode: status, name, message }, extra);

  const http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://capture');
      if (request.method === 'GET' && url.pathname === '/emails') {
        answer(response, 200, { object: 'list', data: [...emails].reverse().map(asRetrieved) });
        return;
      }
      const one = /^\/emails\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (request.method === 'GET' && one) {
        const email = byId.get(one[1]!);
        if (email) answer(response, 200, asRetrieved(email));
        else refuse(response, 404, 'not_found', 'Email not found');
        return;
      }
      if (request.method !== 'POST' || url.pathname !== '/emails') {
        refuse(response, 404, 'not_found', 'Not found');
        return;
      }
      const key =
        typeof request.headers['idempotency-key'] === 'string' ? request.headers['idempotency-key'] : null;
      const log = (status: number, error: string | null) =>
        requests.push({ at: Date.now(), idempotencyKey: key, status, error });
      const next = scripted.shift();
      if (next) {
        if (next.status === 429) {
          log(429, 'rate_limit_exceeded');
          refuse(
            response,
            429,
            'rate_limit_exceeded',
            'Too many requests. You can only make 2 requests per second.',
            {
              'retry-after': String(next.retryAfterSeconds ?? 1),
            },
          );
        } else {
          log(next.status, 'internal_server_error');
          refuse(response, next.status, 'internal_server_error', 'An unexpected error occurred.');
        }
        return;
      }
      const authorization = request.headers.authorization;
      if (!authorization) {
        log(401, 'missing_api_key');
        refuse(response, 401, 'missing_api_key', 'Missing API key in the authorization header.');
        return;
      }
      if (authorization !== `Bearer ${apiKey}`) {
        log(403, 'invalid_api_key');
        refuse(response, 403, 'invalid_api_key', 'API key is invalid.');
        return;
      }
      if (key !== null && (key.length === 0 || key.length > 256)) {
        log(422, 'validation_error');
        refuse(response, 422, 'validation_error', 'The idempotency key must be 1 to 256 characters.');
        return;
      }
      let parsed: ResendEmailBody;
      try {
        parsed = emailBodySchema.parse(JSON.parse(raw));
      } catch {
        log(422, 'validation_error');
        refuse(response, 422, 'validation_error', 'Invalid request body.');
        return;
      }
      const recipients = [parsed.to].flat();
      if (recipients.some((to) => !addressSchema.safeParse(to).success || refused.has(bare(to)))) {
        log(422, 'validation_error');
        refuse(
          response,
          422,
          'validation_error',
          'Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
        );
        return;
      }
      const digest = createHash('sha256').update(raw).digest('hex');
      if (key !== null) {
        const earlier = byKey.get(key);
        if (earlier && earlier.digest !== digest) {
          log(409, 'invalid_idempotent_request');
          refuse(
            response,
            409,
            'invalid_idempotent_request',
            'Same idempotency key used with a different request payload.',
          );
          return;
        }
        if (earlier) {
          log(200, null);
          answer(response, 200, { id: earlier.id });
          return;
        }
      }
      const email: CapturedEmail = {
        id: randomUUID(),
        at: Date.now(),
        headers: request.headers,
        idempotencyKey: key,
        body: parsed,
      };
      emails.push(email);
      byId.set(email.id, email);
      if (key !== null) byKey.set(key, { digest, id: email.id });
      log(200, null);
      answer(response, 200, { id: email.id });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    url,
    apiKey,
    emails,
    requests,
    script: (...answers) => void scripted.push(...answers),
    refuseAddress: (address) => void refused.add(address.toLowerCase()),
    acceptAddress: (address) => void refused.delete(address.toLowerCase()),
    attachmentsOf: (email) =>
      (email.body.attachments ?? []).map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.content_type ?? null,
        contentId: attachment.content_id ?? null,
        content: Buffer.from(attachment.content ?? '', 'base64'),
      })),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** The address inside `Name <address>`, lower-cased. */
function bare(to: string): string {
  return (/<([^>]+)>/.exec(to)?.[1] ?? to).trim().toLowerCase();
}

/** An email as GET /emails/:id shows it. */
function asRetrieved(email: CapturedEmail) {
  return {
    object: 'email',
    id: email.id,
    to: [email.body.to].flat(),
    from: email.body.from,
    created_at: new Date(email.at).toISOString(),
    subject: email.body.subject,
    html: email.body.html ?? null,
    text: email.body.text ?? null,
    last_event: 'delivered',
    attachments: (email.body.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      content_type: attachment.content_type ?? null,
      size: Buffer.from(attachment.content ?? '', 'base64').length,
    })),
  };
}

/** The server's Resend mailer (the real SDK) pointed at a capture through its `baseUrl`, unthrottled for tests. */
export function resendMailerFor(capture: ResendCapture, from = 'Janix <tickets@janix.test>'): Mailer {
  return createResendMailer({ apiKey: capture.apiKey, from, baseUrl: capture.url, requestsPerSecond: 50 });
}

/**
 * The sign-in code mailed to `email`, once it can be used: the mail leaves before its code commits (a failed
 * send rolls the code back), so a reader as fast as a test also waits for that commit, which removes the
 * request the code was made for.
 */
export async function signInCodeFromCapture(
  capture: ResendCapture,
  adminPool: Pool,
  email: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = capture.emails.findLast((sent) => sent.body.to === email);
    const code = mail && /code is (\d{6})/.exec(mail.body.text ?? '')?.[1];
    const pending = await adminPool.query('SELECT 1 FROM sign_in_requests WHERE email = $1', [email]);
    if (code && pending.rowCount === 0) return code;
    if (Date.now() > deadline) throw new Error('no usable sign-in code reached the capture');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
