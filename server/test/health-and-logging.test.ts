import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { PROTOCOL_VERSION } from '@janix/schemas';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFixedClock, generateDemoOrg } from '@janix/testkit';
import { buildApp } from '../src/app.ts';
import { createAppPool } from '../src/db/pools.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { loggerOptions } from '../src/logging.ts';
import {
  createTestDatabase,
  latestSignInCode,
  startTestServer,
  startTestServices,
  type TestDatabase,
  type TestServer,
} from '../src/testing.ts';
import { SUPPORTED_SCHEMA_VERSIONS } from '../src/sync/versions.ts';
import type { ChangeNotifier } from '../src/sync/change-notifier.ts';
import type { ServerDeps } from '../src/trpc/context.ts';

const clock = createFixedClock('2026-11-01T10:00:00Z');
/** These apps never long-poll; a notifier without a database connection is enough. */
const idleChanges: ChangeNotifier = {
  waitForChange: async () => null,
  latest: () => undefined,
  publish: () => {},
  close: async () => {},
};
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'), { now: clock.now });
});

afterAll(async () => {
  await server?.close();
});

describe('GET /health', () => {
  it('answers 200 JSON with status ok and the server clock', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      status: 'ok',
      service: 'janix-server',
      time: clock.now().toISOString(),
    });
  });

  it('is not ok when the database cannot be reached', async () => {
    const deadPool = createAppPool('postgres://postgres:not-the-password@127.0.0.1:1/janix', 1);
    const deps: ServerDeps = { ...server.deps, pool: deadPool, devMailbox: null, changes: idleChanges };
    const app = await buildApp(deps, { logLevel: 'silent' });
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      expect(response.body).not.toContain('"status":"ok"');
      expect(response.body).not.toContain('not-the-password');
    } finally {
      await app.close();
      await deadPool.end();
    }
  });

  it('keeps serving after the database closes its idle connections', async () => {
    // Warm the app pool so it holds idle connections, then have PostgreSQL terminate them.
    await server.app.inject({ method: 'GET', url: '/health' });
    const name = new URL(server.db.url).pathname.slice(1);
    const terminated = await server.db.adminPool.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'idle'`,
      [name],
    );
    expect(terminated.rows[0]!.n).toBeGreaterThan(0);
    // Give the pool a moment to receive the terminations.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await server.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
  });
});

const secrets = {
  email: 'alice.private@example.com',
  code: '482913',
  sessionToken: 'jxs_SESSIONSECRETsessionsecret0123456789abcdefgh',
  deviceToken: 'jxd_DEVICESECRETdevicesecret0123456789abcdefghij',
  password: 'hunter2-correct-horse',
  mailboxSecret: 'MAILBOXSECRETmailboxsecret0123456789',
};

function captureLogger() {
  const lines: string[] = [];
  const logger = pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}

function expectNoSecrets(text: string): void {
  for (const [name, value] of Object.entries(secrets)) {
    expect(text, `${name} leaked into the log`).not.toContain(value);
  }
  // Nor the bare tokens without their prefix, nor the address's local part.
  expect(text).not.toContain(secrets.sessionToken.slice(4));
  expect(text).not.toContain(secrets.deviceToken.slice(4));
  expect(text).not.toContain('alice.private');
}

describe('logger options: no secrets or personal data in logs', () => {
  it.each([
    ['top-level fields', { email: secrets.email, code: secrets.code, token: secrets.sessionToken }],
    [
      'top-level session and device tokens',
      { sessionToken: secrets.sessionToken, deviceToken: secrets.deviceToken },
    ],
    ['top-level password', { password: secrets.password }],
    ['fields one level down', { input: { email: secrets.email, code: secrets.code } }],
    ['a user object', { user: { id: randomUUID(), email: secrets.email } }],
    [
      'credentials one level down',
      {
        auth: {
          sessionToken: secrets.sessionToken,
          deviceToken: secrets.deviceToken,
          password: secrets.password,
        },
      },
    ],
    [
      'auth headers',
      {
        headers: {
          authorization: `Bearer ${secrets.sessionToken}`,
          'x-janix-device': `Bearer ${secrets.deviceToken}`,
          'x-janix-dev-mailbox': secrets.mailboxSecret,
        },
      },
    ],
    ['fields two levels down', { body: { input: { email: secrets.email, code: secrets.code } } }],
  ] as const)('censors %s', (_label, payload) => {
    const { logger, lines, text } = captureLogger();
    logger.info({ ...payload, path: 'auth.verifyCode' }, 'something happened');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    // The entry itself is still written, with its harmless fields.
    expect(entry).toMatchObject({ msg: 'something happened', path: 'auth.verifyCode' });
    expectNoSecrets(text());
  });

  it('logs a request by method and route only: no headers, no query string', () => {
    const { logger, lines, text } = captureLogger();
    const input = encodeURIComponent(JSON.stringify({ email: secrets.email, code: secrets.code }));
    logger.info(
      {
        req: {
          id: 'req-1',
          method: 'GET',
          url: `/trpc/auth.verifyCode?input=${input}`,
          headers: {
            authorization: `Bearer ${secrets.sessionToken}`,
            'x-janix-device': `Bearer ${secrets.deviceToken}`,
            cookie: `session=${secrets.sessionToken}`,
          },
        },
      },
      'incoming request',
    );
    const entry = JSON.parse(lines[0]!) as { req: Record<string, unknown> };
    expect(entry.req).toEqual({ id: 'req-1', method: 'GET', url: '/trpc/auth.verifyCode' });
    expectNoSecrets(text());
  });

  it('does not log below the configured level', () => {
    const lines: string[] = [];
    const logger = pino(loggerOptions('warn'), { write: (line: string) => void lines.push(line) });
    logger.info({ email: secrets.email }, 'quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
  });
});

describe('the real app at level info', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    await seedDemoOrg(db.adminPool, generateDemoOrg({ attendees: 20 }));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('logs a full sign-in, enrollment and sync without any address, code or token', async () => {
    const email = `log-${randomUUID().slice(0, 8)}@janix.test`;
    const demo = generateDemoOrg({ attendees: 20 });
    const userId = randomUUID();
    await db.adminPool.query('INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)', [
      userId,
      email,
      'Log Tester',
    ]);
    await db.adminPool.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')", [
      demo.org.id,
      userId,
    ]);
    const services = await startTestServices(db);
    const deps: ServerDeps = { ...services.deps, changes: idleChanges };
    const app = await buildApp(deps, { logLevel: 'info' });
    // buildApp exposes no destination; point its root logger's stream (inherited by request loggers) here.
    const lines: string[] = [];
    (app.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
      write: (line: string) => void lines.push(line),
    };
    try {
      const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
        app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', ...headers },
          payload: JSON.stringify(body),
        });
      expect((await post('/trpc/auth.requestCode', { email })).statusCode).toBe(200);
      const code = await latestSignInCode({ ...server, db, deps }, email);
      // A wrong guess and a malformed input first: error paths are logged too.
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      expect((await post('/trpc/auth.verifyCode', { email, code: wrong })).statusCode).toBe(400);
      expect((await post('/trpc/auth.verifyCode', { email, code: code.slice(1) })).statusCode).toBe(400);
      const verified = await post('/trpc/auth.verifyCode', { email, code });
      const sessionToken = (verified.json() as { result: { data: { sessionToken: string } } }).result.data
        .sessionToken;
      const auth = { authorization: `Bearer ${sessionToken}` };
      const me = await app.inject({
        method: 'GET',
        url: `/trpc/auth.me?input=${encodeURIComponent(JSON.stringify({ email }))}`,
        headers: auth,
      });
      expect(me.statusCode).toBe(200);
      const enrolled = await post('/trpc/devices.enroll', { orgId: demo.org.id, name: 'Logged till' }, auth);
      const deviceToken = (enrolled.json() as { result: { data: { deviceToken: string } } }).result.data
        .deviceToken;
      const pull = await app.inject({
        method: 'GET',
        url: `/trpc/sync.pull?input=${encodeURIComponent(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, schemaVersion: SUPPORTED_SCHEMA_VERSIONS.max, cursor: null }))}`,
        headers: { 'x-janix-device': `Bearer ${deviceToken}` },
      });
      expect(pull.statusCode).toBe(200);

      const text = lines.join('');
      // The capture works: every request was logged.
      expect(lines.filter((line) => line.includes('incoming request')).length).toBeGreaterThanOrEqual(6);
      for (const [name, value] of Object.entries({ email, code, sessionToken, deviceToken })) {
        expect(text, `${name} leaked into the log`).not.toContain(value);
      }
      expect(text).not.toContain(email.split('@')[0]!);
      expect(text).not.toContain(sessionToken.slice(4));
      expect(text).not.toContain(deviceToken.slice(4));
    } finally {
      await app.close();
      await services.close();
    }
  });
});
