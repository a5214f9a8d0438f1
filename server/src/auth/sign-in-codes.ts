import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOGIN_CODE_TTL_MS, formatLoginCode, mayIssueLoginCode } from '@janix/domain';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';
import type { Mailer } from '../mail/mailer.ts';
import { pepperedHash, readOrCreateSecretFile, secureRandomInt } from './secrets.ts';

/**
 * The pepper: AUTH_PEPPER when set (production requires it). In development, with the embedded cluster, a
 * random pepper kept in a 0600 file beside the cluster's folder (not inside it, so a copy of the data folder
 * does not carry its key): codes survive a restart of `npm start`. With an external database and no
 * AUTH_PEPPER, a pepper of this process only: nothing local to keep it beside, and codes pending at a restart
 * simply have to be asked for again.
 */
export function resolvePepper(options: {
  configured: string | undefined;
  embeddedDataDir: string | null;
  log: (line: string) => void;
}): Buffer {
  if (options.configured) return Buffer.from(options.configured, 'utf8');
  if (options.embeddedDataDir) {
    const beside = dirname(options.embeddedDataDir);
    mkdirSync(beside, { recursive: true });
    return Buffer.from(readOrCreateSecretFile(join(beside, 'janix-auth-pepper')), 'utf8');
  }
  options.log(
    'AUTH_PEPPER is not set: sign-in codes are keyed to this process (set it when servers share a database)',
  );
  return randomBytes(32);
}

/** How login_codes keys an address and hashes a code: HMAC with the server's pepper (see secrets.ts). */
export interface CodeHasher {
  emailKey(email: string): string;
  codeHash(emailKey: string, code: string): string;
}

export function codeHasher(pepper: Buffer): CodeHasher {
  return {
    emailKey: (email) => pepperedHash(pepper, 'email', email),
    codeHash: (emailKey, code) => pepperedHash(pepper, 'code', `${emailKey}:${code}`),
  };
}

/** What `auth.requestCode` may do: record the request and queue its job. */
export interface SignInRequests {
  request(email: string): Promise<void>;
}

/**
 * The request path touches neither the account nor the mail: it stores the address and queues a job, two
 * statements that cost the same for every address, so the answer's timing cannot tell whether an account
 * exists. The job (issueSignInCode) does the rest.
 */
export function signInRequests(options: {
  pool: Pool;
  now: () => Date;
  enqueue: (requestId: string) => Promise<void>;
}): SignInRequests {
  return {
    async request(email) {
      const id = randomUUID();
      await options.pool.query('INSERT INTO sign_in_requests (id, email, created_at) VALUES ($1, $2, $3)', [
        id,
        email,
        options.now(),
      ]);
      await options.enqueue(id);
    },
  };
}

export interface IssueDeps {
  pool: Pool;
  mailer: Mailer;
  now: () => Date;
  hasher: CodeHasher;
}

export type IssueOutcome = 'mailed' | 'no_account' | 'absorbed' | 'already_handled';

/**
 * The sign-in job: turns one request into a code. Under a per-address advisory lock (so concurrent requests
 * and job runners on several nodes count as one), it either absorbs the request (a live code was issued less
 * than the interval ago) or replaces every older code of the address with a new one and mails it if an
 * account exists. Unknown addresses get a code row too, so verification answers them in the same words.
 * The mail is sent before the transaction commits: if sending fails, the code and the request roll back and
 * the job is retried; the request id is the provider's idempotency key, so a retry never mails twice. The
 * plain code exists only in this function and the mail.
 */
export async function issueSignInCode(deps: IssueDeps, requestId: string): Promise<IssueOutcome> {
  return inTransaction(deps.pool, {}, async (client) => {
    const pending = await client.query<{ email: string }>(
      'SELECT email FROM sign_in_requests WHERE id = $1 FOR UPDATE',
      [requestId],
    );
    const email = pending.rows[0]?.email;
    if (email === undefined) return 'already_handled';
    const emailKey = deps.hasher.emailKey(email);
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sign-in:${emailKey}`]);
    await client.query('DELETE FROM sign_in_requests WHERE id = $1', [requestId]);
    const now = deps.now();
    const latest = await client.query<{ created_at: Date; consumed_at: Date | null }>(
      'SELECT created_at, consumed_at FROM login_codes WHERE email_hash = $1 ORDER BY seq DESC LIMIT 1',
      [emailKey],
    );
    const row = latest.rows[0];
    if (!mayIssueLoginCode(row ? { createdAt: row.created_at, consumedAt: row.consumed_at } : null, now)) {
      return 'absorbed';
    }
    await client.query('DELETE FROM login_codes WHERE email_hash = $1', [emailKey]);
    const code = formatLoginCode(secureRandomInt);
    await client.query(
      'INSERT INTO login_codes (id, email_hash, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
      [
        randomUUID(),
        emailKey,
        deps.hasher.codeHash(emailKey, code),
        new Date(now.getTime() + LOGIN_CODE_TTL_MS),
        now,
      ],
    );
    const account = await client.query('SELECT 1 FROM users WHERE email = $1', [email]);
    if (!account.rowCount) return 'no_account';
    await deps.mailer.send({
      to: email,
      subject: `Your Janix sign-in code: ${code}`,
      text: `Your Janix sign-in code is ${code}. It expires in 10 minutes. If you did not ask for it, ignore this email.`,
      idempotencyKey: `sign-in-${requestId}`,
    });
    return 'mailed';
  });
}
