import { afterAll, beforeAll, inject } from 'vitest';
import { join } from 'node:path';
import { DEMO_OWNER_EMAIL, makeTempDir, type DemoOrg } from '@janix/testkit';
import { latestSignInCode, seedDemoOrg, startTestServer, type TestServer } from '@janix/server/testing';
import { openLocalCore, type LocalCore } from '../src/index.ts';

export interface ConsoleSuite {
  /** The suite's server; it starts in `beforeAll`, so read it in tests and hooks, not at module load. */
  readonly server: TestServer;
  /** Runs `cleanup` after the suite's tests, the latest deferred first, before the server closes. */
  defer(cleanup: () => unknown): void;
  /**
   * A console data folder inside a fresh temp folder (removed after the suite), so the key file the core
   * keeps beside it is removed too.
   */
  dataDir(prefix: string): string;
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
    dataDir(prefix) {
      const dir = makeTempDir(prefix);
      cleanups.push(dir.remove);
      return join(dir.path, 'console');
    },
  };
}

/** Signs a console in (code read from the server's dev mailbox), as the demo owner unless told otherwise. */
export async function signIn(core: LocalCore, server: TestServer, email = DEMO_OWNER_EMAIL): Promise<void> {
  await core.caller.auth.requestCode({ email });
  await core.caller.auth.verifyCode({ email, code: await latestSignInCode(server, email) });
}

/** Signs a console in as the demo owner and enrolls it. */
export async function signInAndEnroll(
  core: LocalCore,
  server: TestServer,
  deviceName: string,
): Promise<void> {
  await signIn(core, server);
  const [membership] = await core.caller.auth.memberships();
  await core.caller.device.enroll({ orgId: membership!.orgId, name: deviceName });
}

/** A transport that can be cut, standing in for the venue's network going away. */
export function switchableNetwork() {
  let online = true;
  const fetchThroughSwitch: typeof fetch = (input, init) =>
    online ? fetch(input, init) : Promise.reject(new TypeError('fetch failed'));
  return {
    fetch: fetchThroughSwitch,
    set(value: boolean) {
      online = value;
    },
  };
}

/**
 * A console (no background sync) signed in as the demo owner, enrolled under `name` and synced once; closed
 * after the suite. Its data folder's name starts with `prefix`.
 */
export async function openEnrolledConsole(
  suite: ConsoleSuite,
  name: string,
  prefix: string,
  network = switchableNetwork(),
): Promise<LocalCore> {
  const core = await openLocalCore({
    dataDir: suite.dataDir(prefix),
    serverUrl: suite.server.url,
    autoSync: false,
    fetch: network.fetch,
  });
  suite.defer(() => core.close());
  await signInAndEnroll(core, suite.server, name);
  await core.syncNow();
  return core;
}
