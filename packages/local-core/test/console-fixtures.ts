import { afterAll, beforeAll, inject } from 'vitest';
import { DEMO_OWNER_EMAIL, type DemoOrg } from '@janix/testkit';
import { latestSignInCode, seedDemoOrg, startTestServer, type TestServer } from '@janix/server/testing';
import type { LocalCore } from '../src/index.ts';

export interface ConsoleSuite {
  /** The suite's server; it starts in `beforeAll`, so read it in tests and hooks, not at module load. */
  readonly server: TestServer;
  /** Runs `cleanup` after the suite's tests, the latest deferred first, before the server closes. */
  defer(cleanup: () => unknown): void;
}

/** A test server on a fresh database seeded with `demo`, started before the suite's tests and closed after them. */
export function consoleSuite(demo: DemoOrg): ConsoleSuite {
  let server: TestServer | undefined;
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    server = await startTestServer(inject('pgAdminUrl'));
    await seedDemoOrg(server.db.adminPool, demo);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the suite server starts in beforeAll');
      return server;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}

/** Signs a console in as the demo owner (code read from the dev mailbox) and enrolls it. */
export async function signInAndEnroll(
  core: LocalCore,
  server: TestServer,
  deviceName: string,
): Promise<void> {
  await core.caller.auth.requestCode({ email: DEMO_OWNER_EMAIL });
  await core.caller.auth.verifyCode({
    email: DEMO_OWNER_EMAIL,
    code: await latestSignInCode(server, DEMO_OWNER_EMAIL),
  });
  const [membership] = await core.caller.auth.memberships();
  await core.caller.device.enroll({ orgId: membership!.orgId, name: deviceName });
}
