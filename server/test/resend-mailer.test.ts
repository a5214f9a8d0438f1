import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { createResendMailer } from '../src/mail/mailer.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import { apiClient, serverError, waitFor } from './support.ts';

/** Sign-in mail through the real Resend SDK, against a local server that speaks Resend's documented API. */

interface Captured {
  headers: IncomingHttpHeaders;
  body: { from: string; to: string | string[]; subject: string; text: string };
}

/** POST /emails as Resend documents it: bearer key, JSON in, `{ id }` out; fails the first `failFirst` calls. */
async function captureServer(failFirst = 0) {
  const captured: Captured[] = [];
  /** The idempotency key of every POST /emails, refused or not. */
  const keys: unknown[] = [];
  let calls = 0;
  const http: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      calls += 1;
      response.setHeader('content-type', 'application/json');
      if (request.method !== 'POST' || request.url !== '/emails') {
        response.statusCode = 404;
        response.end(JSON.stringify({ statusCode: 404, name: 'not_found', message: 'Not found' }));
        return;
      }
      keys.push(request.headers['idempotency-key']);
      if (request.headers.authorization !== 'Bearer re_test_key') {
        response.statusCode = 401;
        response.end(
          JSON.stringify({ statusCode: 401, name: 'missing_api_key', message: 'Missing API key' }),
        );
        return;
      }
      if (calls <= failFirst) {
        response.statusCode = 500;
        response.end(JSON.stringify({ statusCode: 500, name: 'internal_server_error', message: 'boom' }));
        return;
      }
      captured.push({ headers: request.headers, body: JSON.parse(raw) as Captured['body'] });
      response.end(JSON.stringify({ id: randomUUID() }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, captured, keys, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

/**
 * A server whose mail goes through Resend to a capture server (failing its first `failFirst` calls), with one
 * user to sign in; both are stopped after `work`.
 */
async function withResend(
  failFirst: number,
  email: string,
  work: (real: TestServer & { devMailboxSecret: string }, capture: Capture) => Promise<void>,
): Promise<void> {
  const capture = await captureServer(failFirst);
  const mailer = createResendMailer({
    apiKey: 're_test_key',
    from: 'Janix <no-reply@janix.test>',
    baseUrl: capture.url,
  });
  const real = await startTestServer(inject('pgAdminUrl'), { mailer });
  try {
    await real.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
      randomUUID(),
      email,
      'Resend User',
    ]);
    await work(real, capture);
  } finally {
    await real.close();
    await capture.close();
  }
}
type Capture = Awaited<ReturnType<typeof captureServer>>;

const codeIn = (text: string) => text.match(/code is (\d{6})/)![1]!;

describe('Resend, through its SDK, against a server that speaks its API', () => {
  it('mails the code through POST /emails; the dev mailbox does not exist, even for its secret', async () => {
    const email = 'resend-user@janix.test';
    await withResend(0, email, async (real, capture) => {
      const api = apiClient(real, { devMailbox: real.devMailboxSecret });
      await api.auth.requestCode.mutate({ email });
      await waitFor(async () => capture.captured.length === 1, 'the mail to reach the capture server');
      const mail = capture.captured[0]!;
      expect(mail.body).toMatchObject({ from: 'Janix <no-reply@janix.test>', to: email });
      expect(mail.headers['idempotency-key']).toMatch(/^sign-in-/);
      const code = codeIn(mail.body.text);
      expect(mail.body.subject).toContain(code);
      await expect(api.auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty('sessionToken');
      expect((await serverError(api.devMailbox.list.query({}))).code).toBe('NOT_FOUND');
      expect(real.deps.devMailbox).toBeNull();
    });
  });

  it('a provider error rolls the code back and the job retries with the same idempotency key', async () => {
    const email = 'retry-user@janix.test';
    await withResend(1, email, async (real, capture) => {
      await apiClient(real).auth.requestCode.mutate({ email });
      await waitFor(async () => capture.captured.length === 1, 'the retried mail', 30_000);
      expect(capture.keys).toHaveLength(2);
      expect(capture.keys[1]).toBe(capture.keys[0]);
      const code = codeIn(capture.captured[0]!.body.text);
      await expect(apiClient(real).auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty(
        'sessionToken',
      );
    });
  }, 40_000);
});
