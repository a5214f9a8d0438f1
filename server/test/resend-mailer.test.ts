import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createResendMailer } from '../src/mail/mailer.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  signInCodeFromCapture,
  startResendCapture,
  type ResendCapture,
} from '../src/testing/resend-capture.ts';
import { apiClient, serverError, waitFor } from './support.ts';

/** Sign-in mail through the real Resend SDK, against a local server that speaks Resend's documented API. */

/**
 * A server whose mail goes through Resend to a capture server (failing its first `failFirst` calls), with one
 * user to sign in; both are stopped after `work`.
 */
async function withResend(
  failFirst: number,
  email: string,
  work: (real: TestServer & { devMailboxSecret: string }, capture: ResendCapture) => Promise<void>,
): Promise<void> {
  const capture = await startResendCapture();
  capture.script(...Array.from({ length: failFirst }, () => ({ status: 500 as const })));
  const mailer = createResendMailer({
    apiKey: capture.apiKey,
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

const codeIn = (text: string) => text.match(/code is (\d{6})/)![1]!;

describe('Resend, through its SDK, against a server that speaks its API', () => {
  it('mails the code through POST /emails; the dev mailbox does not exist, even for its secret', async () => {
    const email = 'resend-user@janix.test';
    await withResend(0, email, async (real, capture) => {
      const api = apiClient(real, { devMailbox: real.devMailboxSecret });
      await api.auth.requestCode.mutate({ email });
      await waitFor(async () => capture.emails.length === 1, 'the mail to reach the capture server');
      const mail = capture.emails[0]!;
      expect(mail.body).toMatchObject({ from: 'Janix <no-reply@janix.test>', to: email });
      expect(mail.idempotencyKey).toMatch(/^sign-in-/);
      const code = codeIn(mail.body.text!);
      expect(mail.body.subject).toContain(code);
      expect(await signInCodeFromCapture(capture, real.db.adminPool, email)).toBe(code);
      await expect(api.auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty('sessionToken');
      expect((await serverError(api.devMailbox.list.query({}))).code).toBe('NOT_FOUND');
      expect(real.deps.devMailbox).toBeNull();
    });
  });

  it('a provider error rolls the code back and the job retries with the same idempotency key', async () => {
    const email = 'retry-user@janix.test';
    await withResend(1, email, async (real, capture) => {
      await apiClient(real).auth.requestCode.mutate({ email });
      await waitFor(async () => capture.emails.length === 1, 'the retried mail', 30_000);
      const keys = capture.requests.map((request) => request.idempotencyKey);
      expect(keys).toHaveLength(2);
      expect(keys[1]).toBe(keys[0]);
      const code = await signInCodeFromCapture(capture, real.db.adminPool, email);
      await expect(apiClient(real).auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty(
        'sessionToken',
      );
    });
  }, 40_000);
});
