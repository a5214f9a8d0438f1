import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFixedClock, generateDemoOrg, spawnUntilLine } from '@janix/testkit';
import { LOGIN_CODE_MAX_ATTEMPTS, LOGIN_CODE_MIN_INTERVAL_MS, LOGIN_CODE_TTL_MS } from '@janix/domain';
import { buildApp } from '../src/app.ts';
import { codeHasher, issueSignInCode } from '../src/auth/sign-in-codes.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { readEnv, usesDevMailbox } from '../src/env.ts';
import { startJobQueue } from '../src/jobs/job-queue.ts';
import { PURGE_SIGN_IN, purgeSignIn } from '../src/jobs/purge-sign-in.ts';
import { createDevMailbox, type Mailer, type OutgoingMail } from '../src/mail/mailer.ts';
import { latestSignInCode, signInJobsDone, startTestServer, type TestServer } from '../src/testing.ts';
import { apiClient, ownerOf, serverError, waitFor } from './support.ts';

/**
 * Sign-in as an attacker tries it: reading someone else's code, locking them out, racing the counters,
 * timing the answer, and reading a copy of the database.
 */

const clock = createFixedClock('2026-11-01T10:00:00Z');
const demo = generateDemoOrg({ attendees: 10 });
const victim = ownerOf(demo);
let server: TestServer & { devMailboxSecret: string };

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'), { now: clock.now });
  await seedDemoOrg(server.db.adminPool, demo);
});

afterAll(async () => {
  await server?.close();
});

async function newUser(): Promise<string> {
  const email = `user-${randomUUID().slice(0, 8)}@janix.test`;
  await server.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
    randomUUID(),
    email,
    'Attacked User',
  ]);
  return email;
}

function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('the dev mailbox is readable by nobody but the console that holds the per-run secret', () => {
  it('devMailbox.list answers NOT_FOUND without the secret, with a wrong one, and with a repeated header', async () => {
    const email = await newUser();
    await apiClient(server).auth.requestCode.mutate({ email });
    await signInJobsDone(server, email);

    for (const secret of [
      null,
      'x'.repeat(43),
      `${server.devMailboxSecret}x`,
      server.devMailboxSecret.slice(1),
    ]) {
      const refused = await serverError(apiClient(server, { devMailbox: secret }).devMailbox.list.query({}));
      expect(refused.code).toBe('NOT_FOUND');
      await expect(apiClient(server, { devMailbox: secret }).devMailbox.enabled.query()).resolves.toEqual({
        enabled: false,
      });
    }
    const repeated = await server.app.inject({
      method: 'GET',
      url: '/trpc/devMailbox.list?input=%7B%7D',
      headers: { 'x-janix-dev-mailbox': [server.devMailboxSecret, server.devMailboxSecret] },
    });
    expect(repeated.statusCode).toBe(404);

    // The console holding the secret reads it.
    const mail = await apiClient(server, { devMailbox: server.devMailboxSecret }).devMailbox.list.query({
      to: email,
    });
    expect(mail).toHaveLength(1);
  });

  it('the takeover chain requestCode → devMailbox.list → verifyCode gives the attacker nothing', async () => {
    const attacker = apiClient(server);
    await attacker.auth.requestCode.mutate({ email: victim });
    await signInJobsDone(server, victim);
    const listed = await serverError(attacker.devMailbox.list.query({ to: victim }));
    expect(listed.code).toBe('NOT_FOUND');
    expect(JSON.stringify(listed)).not.toMatch(/\d{6}/);
    // Without the code, guessing is all that is left: refused.
    const guess = await serverError(attacker.auth.verifyCode.mutate({ email: victim, code: '123456' }));
    expect(guess.code).toBe('BAD_REQUEST');
  });

  it('a server given no secret keeps the mailbox write-only: nobody can read it', async () => {
    const app = await buildApp(
      { ...server.deps, devMailbox: createDevMailbox(server.db.appPool, { now: clock.now, secret: null }) },
      { logLevel: 'silent' },
    );
    try {
      for (const header of [{}, { 'x-janix-dev-mailbox': '' }, { 'x-janix-dev-mailbox': 'null' }]) {
        const response = await app.inject({
          method: 'GET',
          url: '/trpc/devMailbox.list?input=%7B%7D',
          headers: header,
        });
        expect(response.statusCode).toBe(404);
      }
    } finally {
      await app.close();
    }
  });

  it('mail expires with its code: list hides it and the purge deletes it', async () => {
    const email = await newUser();
    await apiClient(server).auth.requestCode.mutate({ email });
    await latestSignInCode(server, email);
    clock.advance(LOGIN_CODE_TTL_MS + 1000);
    expect(await server.deps.devMailbox!.list(email)).toEqual([]);
    await expect(latestSignInCode(server, email)).rejects.toThrow(/no sign-in code/);
    await purgeSignIn({ pool: server.db.appPool, now: clock.now, log: () => {} });
    const stored = await server.db.adminPool.query('SELECT 1 FROM dev_mailbox WHERE to_address = $1', [
      email,
    ]);
    expect(stored.rowCount).toBe(0);
  });
});

describe('a stranger cannot lock the real user out', () => {
  it('six stranger requests do not stop the user from getting and using a fresh code', async () => {
    const email = await newUser();
    const stranger = apiClient(server);
    for (let i = 0; i < 6; i += 1) {
      await expect(stranger.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    }
    // The user asks at once: answered like every request, and the code in their mail works.
    const user = apiClient(server);
    await expect(user.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    const mailed = await latestSignInCode(server, email);
    await expect(user.auth.verifyCode.mutate({ email, code: mailed })).resolves.toHaveProperty(
      'sessionToken',
    );

    // And once more after the stranger's next burst: a new code, which works.
    for (let i = 0; i < 6; i += 1) await stranger.auth.requestCode.mutate({ email });
    clock.advance(LOGIN_CODE_MIN_INTERVAL_MS);
    await expect(user.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    const fresh = await latestSignInCode(server, email);
    await expect(user.auth.verifyCode.mutate({ email, code: fresh })).resolves.toHaveProperty('sessionToken');
  });

  it(`${LOGIN_CODE_MAX_ATTEMPTS} wrong guesses and a few requests from a stranger do not lock the user's next code`, async () => {
    const email = await newUser();
    const stranger = apiClient(server);
    for (let round = 0; round < 3; round += 1) {
      await stranger.auth.requestCode.mutate({ email });
      const burned = await latestSignInCode(server, email);
      for (let i = 0; i < LOGIN_CODE_MAX_ATTEMPTS; i += 1) {
        await serverError(stranger.auth.verifyCode.mutate({ email, code: wrongCode(burned) }));
      }
      clock.advance(LOGIN_CODE_MIN_INTERVAL_MS);
    }
    // The user asks for a code: never refused, and the code is fresh, with all its attempts.
    const user = apiClient(server);
    await expect(user.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
    const code = await latestSignInCode(server, email);
    const typo = await serverError(user.auth.verifyCode.mutate({ email, code: wrongCode(code) }));
    expect(typo.message).toBe(`Wrong code. ${LOGIN_CODE_MAX_ATTEMPTS - 1} attempts left.`);
    await expect(user.auth.verifyCode.mutate({ email, code })).resolves.toHaveProperty('sessionToken');
  });

  it('the per-address limit is per client behind a proxy (TRUST_PROXY): a stranger runs out, the user does not', async () => {
    const proxied = await startTestServer(inject('pgAdminUrl'), {
      now: clock.now,
      signInPerMinute: 4,
      app: { trustProxy: true },
    });
    try {
      const email = 'proxied@janix.test';
      await proxied.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
        randomUUID(),
        email,
        'Behind Proxy',
      ]);
      const from = (address: string) => ({ 'x-forwarded-for': address, 'content-type': 'application/json' });
      const post = (address: string, path: string, body: unknown) =>
        proxied.app.inject({
          method: 'POST',
          url: `/trpc/${path}`,
          headers: from(address),
          payload: JSON.stringify(body),
        });
      for (let i = 0; i < 4; i += 1) await post('203.0.113.9', 'auth.verifyCode', { email, code: '000000' });
      expect((await post('203.0.113.9', 'auth.verifyCode', { email, code: '000000' })).statusCode).toBe(429);

      expect((await post('198.51.100.7', 'auth.requestCode', { email })).statusCode).toBe(200);
      const code = await latestSignInCode(proxied, email);
      expect((await post('198.51.100.7', 'auth.verifyCode', { email, code })).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe('counting is atomic', () => {
  it('twenty concurrent requests for one address make one code and one mail', async () => {
    const email = await newUser();
    const api = apiClient(server);
    await Promise.all(Array.from({ length: 20 }, () => api.auth.requestCode.mutate({ email })));
    await signInJobsDone(server, email);
    const codes = await server.db.adminPool.query('SELECT 1 FROM login_codes WHERE email_hash = $1', [
      server.deps.signIn.emailKey(email),
    ]);
    expect(codes.rowCount).toBe(1);
    expect(await server.deps.devMailbox!.list(email)).toHaveLength(1);
  });

  it('job runners racing on one address (several nodes) still make one code', async () => {
    const email = await newUser();
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) {
      await server.db.adminPool.query(
        'INSERT INTO sign_in_requests (id, email, created_at) VALUES ($1, $2, $3)',
        [id, email, clock.now()],
      );
    }
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = { kind: 'resend', send: async (mail) => void sent.push(mail) };
    const deps = {
      pool: server.db.appPool,
      mailer,
      now: clock.now,
      hasher: codeHasher(Buffer.from('p'.repeat(32))),
    };
    const outcomes = await Promise.all(ids.map((id) => issueSignInCode(deps, id)));
    expect(outcomes.filter((outcome) => outcome === 'mailed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'absorbed')).toHaveLength(9);
    expect(sent).toHaveLength(1);
    const codes = await server.db.adminPool.query('SELECT 1 FROM login_codes WHERE email_hash = $1', [
      deps.hasher.emailKey(email),
    ]);
    expect(codes.rowCount).toBe(1);
  });
});

describe('requestCode tells nothing by its timing', () => {
  it('answers at once for a known and an unknown address while the mail provider hangs: the job sends', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const hanging: Mailer = {
      kind: 'resend',
      async send(mail) {
        await released;
        sent.push(mail.to);
      },
    };
    const slow = await startTestServer(inject('pgAdminUrl'), { now: clock.now, mailer: hanging });
    try {
      const known = 'known@janix.test';
      await slow.db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
        randomUUID(),
        known,
        'Known',
      ]);
      const api = apiClient(slow);
      const timings: Record<string, number[]> = { known: [], unknown: [] };
      for (let i = 0; i < 3; i += 1) {
        for (const [label, email] of [
          ['known', known],
          ['unknown', `nobody-${i}@janix.test`],
        ] as const) {
          const started = performance.now();
          await expect(api.auth.requestCode.mutate({ email })).resolves.toEqual({ sent: true });
          timings[label]!.push(performance.now() - started);
        }
      }
      // The known address's mail is still held by the provider: the request did not wait for it.
      expect(sent).toEqual([]);
      expect(Math.max(...timings.known!)).toBeLessThan(1000);
      release();
      await waitFor(async () => sent.length === 1, 'the job to send the mail');
      expect(sent).toEqual([known]);
    } finally {
      release();
      await slow.close();
    }
  });
});

describe('a copy of the database tells nothing about codes or addresses', () => {
  it('stores codes and addresses as HMACs with the server pepper, not plain hashes', async () => {
    const email = await newUser();
    await apiClient(server).auth.requestCode.mutate({ email });
    const code = await latestSignInCode(server, email);
    const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
    const rows = await server.db.adminPool.query<{ email_hash: string; code_hash: string }>(
      'SELECT email_hash, code_hash FROM login_codes',
    );
    expect(rows.rows.map((row) => row.email_hash)).not.toContain(sha256(email));
    const row = rows.rows.find((candidate) => candidate.email_hash === server.deps.signIn.emailKey(email))!;
    expect(row.code_hash).toBe(server.deps.signIn.codeHash(row.email_hash, code));
    // The dictionary a thief would try, for every code, finds nothing without the pepper.
    const unpeppered = new Set(
      Array.from({ length: 1_000 }, (_, n) =>
        sha256(`${sha256(email)}:${String(n + Number(code) - 500).padStart(6, '0')}`),
      ),
    );
    expect(unpeppered.has(row.code_hash)).toBe(false);
  });
});

describe('production refuses development conveniences', () => {
  it('readEnv refuses production without a mailer or a pepper, and never uses the dev mailbox there', () => {
    expect(() => readEnv({ NODE_ENV: 'production', AUTH_PEPPER: 'p'.repeat(32) })).toThrow(/RESEND_API_KEY/);
    expect(() => readEnv({ NODE_ENV: 'production', RESEND_API_KEY: 're_x' })).toThrow(/AUTH_PEPPER/);
    const env = readEnv({ NODE_ENV: 'production', RESEND_API_KEY: 're_x', AUTH_PEPPER: 'p'.repeat(32) });
    expect(usesDevMailbox(env)).toBe(false);
    expect(usesDevMailbox(readEnv({ RESEND_API_KEY: 're_x' }))).toBe(false);
    expect(usesDevMailbox(readEnv({}))).toBe(true);
  });

  it('the server process exits with the reason instead of starting in production without a mailer', async () => {
    const started = spawnUntilLine(process.execPath, ['--import', 'tsx', 'src/main.ts'], /^Server: (\S+)/m, {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, NODE_ENV: 'production', PORT: '0', RESEND_API_KEY: '', AUTH_PEPPER: '' },
      timeoutMs: 30_000,
    });
    await expect(started).rejects.toThrow(/RESEND_API_KEY: required in production/);
  });
});

describe('spent sign-in rows are purged by the job queue', () => {
  it('deletes expired codes, stale requests, ended sessions, old dev mail and long-revoked devices; keeps the rest', async () => {
    const now = clock.now();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const day = 24 * 60 * 60 * 1000;
    const admin = server.db.adminPool;
    const user = (await admin.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [victim]))
      .rows[0]!.id;
    const ids = {
      code: [randomUUID(), randomUUID()],
      session: [randomUUID(), randomUUID(), randomUUID()],
      device: [randomUUID(), randomUUID()],
      request: [randomUUID(), randomUUID()],
    };
    await admin.query(
      `INSERT INTO login_codes (id, email_hash, code_hash, expires_at, created_at) VALUES
       ($1, 'purge-a', 'x', $3, $3), ($2, 'purge-b', 'x', $4, $4)`,
      [ids.code[0], ids.code[1], ago(2 * 60 * 60 * 1000), ago(-LOGIN_CODE_TTL_MS)],
    );
    for (const [index, [id, expiresAt, revokedAt]] of [
      [ids.session[0]!, ago(40 * day), null],
      [ids.session[1]!, ago(-day), ago(8 * day)],
      [ids.session[2]!, ago(-day), null],
    ].entries()) {
      await admin.query(
        `INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, user, `purge-session-${index}-${id}`, ago(60 * day), expiresAt, revokedAt],
      );
    }
    for (const [id, createdAt] of [
      [ids.request[0]!, ago(LOGIN_CODE_TTL_MS + 1000)],
      [ids.request[1]!, ago(-LOGIN_CODE_TTL_MS)],
    ] as const) {
      await admin.query('INSERT INTO sign_in_requests (id, email, created_at) VALUES ($1, $2, $3)', [
        id,
        `stale-${id}@janix.test`,
        createdAt,
      ]);
    }
    for (const [index, [id, revokedAt]] of [
      [ids.device[0]!, ago(200 * day)],
      [ids.device[1]!, ago(10 * day)],
    ].entries()) {
      await admin.query(
        `INSERT INTO devices (id, org_id, name, token_hash, enrolled_by, created_at, revoked_at, role)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'owner')`,
        [id, demo.org.id, `Till ${index}`, `purge-device-${id}`, user, ago(400 * day), revokedAt],
      );
    }

    const queue = await startJobQueue(
      server.db.appPool,
      [
        {
          name: PURGE_SIGN_IN,
          run: () => purgeSignIn({ pool: server.db.appPool, now: clock.now, log: () => {} }),
        },
      ],
      { log: () => {}, pollingIntervalSeconds: 0.5 },
    );
    try {
      const id = await queue.send(PURGE_SIGN_IN);
      await waitFor(
        async () => (await queue.state(PURGE_SIGN_IN, id))?.state === 'completed',
        'the purge job',
        15_000,
      );
      expect((await queue.state(PURGE_SIGN_IN, id))?.output).toMatchObject({ devices: 1 });
    } finally {
      await queue.stop();
    }
    const left = async (table: string, list: string[]) =>
      (
        await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1) ORDER BY id`, [list])
      ).rows.map((row) => row.id);
    expect(await left('login_codes', ids.code)).toEqual([ids.code[1]]);
    expect(await left('sessions', ids.session)).toEqual([ids.session[2]]);
    expect(await left('devices', ids.device)).toEqual([ids.device[1]]);
    expect(await left('sign_in_requests', ids.request)).toEqual([ids.request[1]]);
    await admin.query('DELETE FROM sign_in_requests WHERE id = $1', [ids.request[1]]);
  });
});
