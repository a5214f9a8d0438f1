import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  asSecondOrg,
  enroll,
  ownerOf,
  rename,
  seedBoxOfficeRows,
  signIn,
  versions,
} from './support.ts';

/**
 * Two organizations in one database, each holding rows in every org-scoped table, for the suites that prove
 * one never reaches the other's (through the API, and in the database itself). Register at the top of a file.
 */
export function twoOrgSuite() {
  const orgA = generateDemoOrg({ attendees: 50 });
  const orgB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 50 }), 'Northshore');
  const A = orgA.org.id;
  const B = orgB.org.id;
  let server: TestServer | undefined;
  let sessionA: string;
  let sessionB: string;
  let deviceA: { id: string; token: string };
  let deviceB: { id: string; token: string };

  beforeAll(async () => {
    server = await startTestServer(inject('pgAdminUrl'));
    expect(B).not.toBe(A);
    await seedDemoOrg(server.db.adminPool, orgA);
    await seedDemoOrg(server.db.adminPool, orgB);
    sessionA = (await signIn(server, ownerOf(orgA))).session;
    sessionB = (await signIn(server, ownerOf(orgB))).session;
    const a = await enroll(server, sessionA, A, 'A till');
    const b = await enroll(server, sessionB, B, 'B till');
    deviceA = { id: a.deviceId, token: a.deviceToken };
    deviceB = { id: b.deviceId, token: b.deviceToken };
    // One command result per organization, so every org-scoped table holds rows of both.
    await apiClient(server, { session: sessionA, device: deviceA.token }).sync.push.mutate({
      ...versions,
      commands: [rename(1, orgA.events[0]!.id, 'A renamed')],
    });
    await apiClient(server, { session: sessionB, device: deviceB.token }).sync.push.mutate({
      ...versions,
      commands: [rename(1, orgB.events[0]!.id, 'B renamed')],
    });
    for (const [org, demo] of [
      [A, orgA],
      [B, orgB],
    ] as const) {
      // The box office tables the demo leaves empty, and a deletion, so those hold rows of both too.
      await seedBoxOfficeRows(server, demo);
      await inTransaction(server.db.adminPool, { orgId: org }, async (client) => {
        const version = await takeOrgVersions(client, org);
        await client.query(
          "INSERT INTO tombstones (org_id, table_name, row_id, version) VALUES ($1, 'events', $2, $3)",
          [org, randomUUID(), version],
        );
      });
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  /** An event of one organization (ids are scoped by organization: two may hold the same id). */
  async function eventRow(id: string, orgId: string) {
    const result = await server!.db.adminPool.query<{
      org_id: string;
      name: string;
      version: number;
      updated_at: Date;
    }>('SELECT org_id, name, version, updated_at FROM events WHERE id = $1 AND org_id = $2', [id, orgId]);
    return result.rows[0];
  }

  return {
    orgA,
    orgB,
    A,
    B,
    eventRow,
    get server(): TestServer {
      return server!;
    },
    get sessionA(): string {
      return sessionA;
    },
    get deviceA(): { id: string; token: string } {
      return deviceA;
    },
    get deviceB(): { id: string; token: string } {
      return deviceB;
    },
  };
}
