import { afterAll, beforeAll, inject } from 'vitest';
import type { EnrolledDevice } from '@janix/schemas';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  asSecondOrg,
  enroll,
  enrolledDevice,
  orgHead,
  ownerOf,
  seedBoxOfficeRows,
  signIn,
} from './support.ts';

// The server the push and pull suites (sync-push.test.ts, sync-pull.test.ts) run against. The bindings below
// are set by useSyncServer's beforeAll; importers read them live.
export const demo = generateDemoOrg({ attendees: 50 });
export const orgId = demo.org.id;
export const eventIds = demo.events.map((event) => event.id);
/** A second organization, only so a cursor can travel between organizations. */
export const demoB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 5 }), 'Northshore');
export let server: TestServer;
export let ownerSession: string;
export let deviceB: EnrolledDevice;

export const freshDevice = (session = ownerSession) => enrolledDevice(server, session, orgId);
export const headVersion = () => orgHead(server, orgId);

export async function event(id: string) {
  const result = await server.db.adminPool.query<{ name: string; version: number }>(
    'SELECT name, version FROM events WHERE id = $1',
    [id],
  );
  return result.rows[0];
}

export async function deviceState(id: string) {
  const device = await server.db.adminPool.query<{ last_seq: number }>(
    'SELECT last_seq FROM devices WHERE id = $1',
    [id],
  );
  const results = await server.db.adminPool.query<{ seq: number; status: string; code: string | null }>(
    'SELECT seq, status, code FROM command_results WHERE device_id = $1 ORDER BY seq',
    [id],
  );
  return { lastSeq: device.rows[0]!.last_seq, results: results.rows };
}

/** Starts the server with both demo organizations seeded (rows in every replicated table) for this file. */
export function useSyncServer(): void {
  beforeAll(async () => {
    server = await startTestServer(inject('pgAdminUrl'));
    await seedDemoOrg(server.db.adminPool, demo);
    // Rows in every replicated table, so paging is shown to deliver each of them.
    await seedBoxOfficeRows(server, demo);
    ownerSession = (await signIn(server, ownerOf(demo))).session;
    await seedDemoOrg(server.db.adminPool, demoB);
    deviceB = await enroll(server, (await signIn(server, ownerOf(demoB))).session, demoB.org.id);
  });

  afterAll(async () => {
    await server?.close();
  });
}
