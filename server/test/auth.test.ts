import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFixedClock, generateDemoOrg } from '@janix/testkit';
import { LOGIN_CODE_MAX_ATTEMPTS, LOGIN_CODE_MIN_INTERVAL_MS, LOGIN_CODE_TTL_MS } from '@janix/domain';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { latestSignInCode, signInJobsDone, startTestServer, type TestServer } from '../src/testing.ts';
import { apiClient, enroll, serverError, signIn } from './support.ts';

const clock = createFixedClock('2026-11-01T10:00:00Z');
const demo = generateDemoOrg({ attendees: 50 });
let server: TestServer & { devMailboxSecret: string };

/** A fresh account per test, so per-address limits and codes never leak between tests. */
async function newUser(): Promise<string> {
  const email = `user-${randomUUID().slice(0, 8)}@janix.test`;
  await server.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
    randomUUID(),
    email,
    'Test User',
  ]);
  return email;
}

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** Mail the dev mailbox holds for `email` once the sign-in jobs queued for it have run. */
async function mailCount(email: string): Promise<number> {
  await signInJobsDone(server, email);
  return (await server.deps.devMailbox!.list(email)).length;
}

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'), { now: clock.now });
  await seedDemoOrg(server.db.adminPool, demo);
});

afterAll(async () => {
  await server?.close();
});

describe('requesting a code', () => {
  it('mails the code to the dev mailbox and never returns it in the response', async () => {
    const email = await newUser();
    const response = await server.app.inject({
      method: 'POST',
      url: '/trpc/auth.requestCode',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ result: { data: { sent: true } } });

    const code = await latestSignInCode(server, email);
    const mail = await server.deps.devMailbox!.list(email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toBe(email);
    expect(code).toMatch(/^\d{6}$/);
    expect(mail[0]!.subject).toContain(code);
    expect(response.body).not.toContain(code);
  });

  it('answers an unknown address exactly like a known one, but mails nothing', async () => {
    const known = await newUser();
    const unknown = `nobody-${randomUUID().slice(0, 8)}@janix.test`;
    const api = apiClient(server);
    const codesBefore = await server.db.adminPool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM login_codes',
    );
    const knownAnswer = await api.auth.requestCode.mutate({ email: known });
    const unknownAnswer = await api.auth.requestCode.mutate({ email: unknown });
    expect(unknownAnswer).toEqual(knownAnswer);
    expect(unknownAnswer).toEqual({ sent: true });
    expect(await mailCount(unknown)).toBe(0);
    expect(await mailCount(known)).toBe(1);
    // Both paths record a code row, so verification answers them alike and the interval applies to both.
    const codesAfter = await server.db.adminPool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM login_codes',
    );
    expect(codesAfter.rows[0]!.n).toBe(codesBefore.rows[0]!.n + 2);

    // A guessed code is refused in the same words for both, so verification cannot probe accounts either.
    const knownCode = await latestSignInCode(server, known);
    const knownWrong = await serverError(
      api.auth.verifyCode.mutate({ email: known, code: otherCode(knownCode) }),
    );
    const unknownWrong = await serverError(api.auth.verifyCode.mutate({ email: unknown, code: '000000' }));
    expect(knownWrong.code).toBe('BAD_REQUEST');
    expect(unknownWrong.code).toBe('BAD_REQUEST');
    expect(unknownWrong.message).toBe(knownWrong.message);
  });

  it('absorbs requests within the interval of the last code (one mail, never a refusal), then replaces it', async () => {
    const email = await newUser();
    const other = await newUser();
    const api = apiClient(server);
    for (let i = 0; i < 6; i += 1) {
      await expect(api.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    }
    expect(await mailCount(email)).toBe(1);
    const first = await latestSignInCode(server, email);
    // Another address is not affected.
    await api.auth.requestCode.mutate({ email: other });
    expect(await mailCount(other)).toBe(1);

    clock.advance(LOGIN_CODE_MIN_INTERVAL_MS);
    await expect(api.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    expect(await mailCount(email)).toBe(2);
    const second = await latestSignInCode(server, email);
    // The new code replaced the old one.
    if (second !== first) {
      expect((await serverError(api.auth.verifyCode.mutate({ email, code: first }))).message).toMatch(
        /Wrong code/,
      );
    }
    await expect(api.auth.verifyCode.mutate({ email, code: second })).resolves.toHaveProperty('sessionToken');
  });

  it('rejects malformed addresses with a readable message naming the field', async () => {
    const api = apiClient(server);
    const bad = await serverError(api.auth.requestCode.mutate({ email: 'not-an-email' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/^email: /);
    expect(bad.message).toContain('must be an email address');
    expect(bad.zodError?.fieldErrors.email?.length).toBeGreaterThan(0);

    const long = await serverError(api.auth.requestCode.mutate({ email: `${'a'.repeat(300)}@janix.test` }));
    expect(long.code).toBe('BAD_REQUEST');
    expect(long.message).toMatch(/^email: /);
    expect(long.message).toContain('too long');

    const missing = await serverError(api.auth.requestCode.mutate({} as { email: string }));
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.message).toMatch(/^email: /);
  });
});

describe('verifying a code', () => {
  it('succeeds once with the mailed code and returns a working session', async () => {
    const email = demo.users[0]!.email;
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email });
    const code = await latestSignInCode(server, email);
    const result = await api.auth.verifyCode.mutate({ email, code });
    expect(result.sessionToken).toMatch(/^jxs_/);
    expect(result.user).toMatchObject({ id: demo.users[0]!.id, email, platformRole: null });

    const me = await apiClient(server, { session: result.sessionToken }).auth.me.query();
    expect(me.user.id).toBe(demo.users[0]!.id);
    expect(me.memberships).toEqual([{ orgId: demo.org.id, orgName: demo.org.name, role: 'owner' }]);

    const reused = await serverError(api.auth.verifyCode.mutate({ email, code }));
    expect(reused.code).toBe('BAD_REQUEST');
    expect(reused.message).toMatch(/already used/);
  });

  it('normalises the address: an upper-case address signs in to the same account', async () => {
    const email = await newUser();
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email: `  ${email.toUpperCase()} ` });
    const code = await latestSignInCode(server, email);
    const result = await api.auth.verifyCode.mutate({ email: email.toUpperCase(), code });
    expect(result.user.email).toBe(email);
  });

  it(`counts wrong codes down and locks after ${LOGIN_CODE_MAX_ATTEMPTS}, even for the right code`, async () => {
    const email = await newUser();
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email });
    const code = await latestSignInCode(server, email);
    const wrong = otherCode(code);
    const messages: string[] = [];
    for (let i = 0; i < LOGIN_CODE_MAX_ATTEMPTS; i += 1) {
      const refused = await serverError(api.auth.verifyCode.mutate({ email, code: wrong }));
      expect(refused.code).toBe('BAD_REQUEST');
      messages.push(refused.message);
    }
    expect(messages.slice(0, -1)).toEqual([
      'Wrong code. 4 attempts left.',
      'Wrong code. 3 attempts left.',
      'Wrong code. 2 attempts left.',
      'Wrong code. 1 attempt left.',
    ]);
    expect(messages.at(-1)).toMatch(/Too many wrong attempts/);

    const locked = await serverError(api.auth.verifyCode.mutate({ email, code }));
    expect(locked.code).toBe('BAD_REQUEST');
    expect(locked.message).toMatch(/Too many wrong attempts/);

    const stored = await server.db.adminPool.query<{ attempts: number; consumed_at: Date | null }>(
      'SELECT attempts, consumed_at FROM login_codes WHERE email_hash = $1',
      [server.deps.signIn.emailKey(email)],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toEqual({ attempts: LOGIN_CODE_MAX_ATTEMPTS, consumed_at: null });
  });

  it('a wrong guess then the right code still signs in', async () => {
    const email = await newUser();
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email });
    const code = await latestSignInCode(server, email);
    await serverError(api.auth.verifyCode.mutate({ email, code: otherCode(code) }));
    await expect(api.auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty('sessionToken');
  });

  it('only the newest code counts: an earlier code is refused once a new one is mailed', async () => {
    const email = await newUser();
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email });
    const first = await latestSignInCode(server, email);
    clock.advance(LOGIN_CODE_MIN_INTERVAL_MS);
    await api.auth.requestCode.mutate({ email });
    const second = await latestSignInCode(server, email);
    if (first !== second) {
      await expect(serverError(api.auth.verifyCode.mutate({ email, code: first }))).resolves.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    await expect(api.auth.verifyCode.mutate({ email, code: second })).resolves.toHaveProperty('sessionToken');
  });

  it('refuses an expired code and accepts one just before expiry', async () => {
    const api = apiClient(server);
    const early = await newUser();
    await api.auth.requestCode.mutate({ email: early });
    const earlyCode = await latestSignInCode(server, early);
    clock.advance(LOGIN_CODE_TTL_MS - 1000);
    await expect(api.auth.verifyCode.mutate({ email: early, code: earlyCode })).resolves.toHaveProperty(
      'sessionToken',
    );

    const late = await newUser();
    await api.auth.requestCode.mutate({ email: late });
    const lateCode = await latestSignInCode(server, late);
    clock.advance(LOGIN_CODE_TTL_MS + 1000);
    const expired = await serverError(api.auth.verifyCode.mutate({ email: late, code: lateCode }));
    expect(expired.code).toBe('BAD_REQUEST');
    expect(expired.message).toMatch(/expired/);
  });

  it('refuses a verification nobody asked a code for', async () => {
    const email = await newUser();
    const refused = await serverError(apiClient(server).auth.verifyCode.mutate({ email, code: '123456' }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/Ask for a code first/);
  });

  it('rejects malformed codes with a readable message naming the field', async () => {
    const email = await newUser();
    const api = apiClient(server);
    for (const code of ['12345', '1234567', '12a456', '']) {
      const refused = await serverError(api.auth.verifyCode.mutate({ email, code }));
      expect(refused.code).toBe('BAD_REQUEST');
      expect(refused.message).toMatch(/^code: /);
      expect(refused.message).toContain('6 digits');
    }
    const badEmail = await serverError(api.auth.verifyCode.mutate({ email: 'nope', code: '123456' }));
    expect(badEmail.message).toMatch(/^email: /);
  });
});

describe('sessions', () => {
  it('signOut ends this session only; the next call with it is UNAUTHORIZED', async () => {
    const email = await newUser();
    const first = await signIn(server, email);
    clock.advance(1000);
    const second = await signIn(server, email);
    const firstApi = apiClient(server, { session: first.session });
    expect((await firstApi.auth.me.query()).user.email).toBe(email);

    await expect(firstApi.auth.signOut.mutate()).resolves.toEqual({ signedOut: true });
    const after = await serverError(firstApi.auth.me.query());
    expect(after.code).toBe('UNAUTHORIZED');
    expect(after.reason).toBe('session_invalid');
    expect((await serverError(firstApi.auth.signOut.mutate())).code).toBe('UNAUTHORIZED');

    await expect(apiClient(server, { session: second.session }).auth.me.query()).resolves.toMatchObject({
      user: { email },
    });
  });

  it('refuses missing, malformed and made-up session tokens', async () => {
    for (const session of [null, `jxs_${'x'.repeat(43)}`]) {
      const refused = await serverError(apiClient(server, { session }).auth.me.query());
      expect(refused.code).toBe('UNAUTHORIZED');
      expect(refused.reason).toBe('session_invalid');
    }
    const malformed = await server.app.inject({
      method: 'GET',
      url: '/trpc/auth.me',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(malformed.statusCode).toBe(401);
  });
});

describe('secrets at rest', () => {
  it('stores sessions, device tokens and codes only as hashes', async () => {
    const email = demo.users[0]!.email;
    const api = apiClient(server);
    await api.auth.requestCode.mutate({ email });
    const code = await latestSignInCode(server, email);
    const { sessionToken } = await api.auth.verifyCode.mutate({ email, code });
    const device = await enroll(server, sessionToken, demo.org.id, 'Hash check');

    const admin = server.db.adminPool;
    const session = await admin.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(session.rows.length).toBeGreaterThan(0);
    for (const row of session.rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const devices = await admin.query<{ token_hash: string }>('SELECT token_hash FROM devices');
    for (const row of devices.rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);

    // The raw secrets appear in no column of any table but the development mailbox (which holds the mail).
    const tables = await admin.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'dev_mailbox'",
    );
    expect(tables.rows.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['sessions', 'devices', 'login_codes']),
    );
    for (const { tablename } of tables.rows) {
      const dump = await admin.query<{ row: string }>(`SELECT t::text AS row FROM "${tablename}" t`);
      const text = dump.rows.map((r) => r.row).join('\n');
      expect(text, tablename).not.toContain(sessionToken);
      expect(text, tablename).not.toContain(device.deviceToken);
      expect(text, tablename).not.toContain(device.deviceToken.slice(4));
    }

    const codes = await admin.query<{ row: string }>('SELECT t::text AS row FROM login_codes t');
    const codeText = codes.rows.map((r) => r.row).join('\n');
    expect(codeText).not.toContain(code);
    expect(codeText).not.toContain(email);
    expect(codeText).not.toContain(email.split('@')[0]!);
  });
});

describe('per-client-address sign-in limiter', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer(inject('pgAdminUrl'), { signInPerMinute: 3 });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('refuses the fourth sign-in call within a minute with reason rate_limited', async () => {
    const api = apiClient(limited);
    // Different addresses: this limit is per client address, not per account.
    for (let i = 0; i < 3; i += 1) {
      await expect(api.auth.requestCode.mutate({ email: `limit-${i}@janix.test` })).resolves.toEqual({
        sent: true,
      });
    }
    const requestRefused = await serverError(api.auth.requestCode.mutate({ email: 'limit-4@janix.test' }));
    expect(requestRefused).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      httpStatus: 429,
      reason: 'rate_limited',
    });
    // Verification shares the limiter, so codes cannot be guessed around it.
    const verifyRefused = await serverError(
      api.auth.verifyCode.mutate({ email: 'limit-0@janix.test', code: '123456' }),
    );
    expect(verifyRefused).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    // Other procedures are not limited.
    await expect(api.auth.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
