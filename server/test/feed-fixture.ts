import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { OrgRole } from '@janix/schemas';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  asSecondOrg,
  enroll,
  memberWithRole,
  rename,
  signIn,
  versions,
  type ApiClient,
} from './support.ts';

/**
 * The server the feed suites pull from: one organization with members of every role signed in, a second
 * organization beside it, and an owner device that writes through the API. Register at the top of a file.
 */
export function feedSuite() {
  const demo = generateDemoOrg({ attendees: 50 });
  /** Another organization, whose rows and commits must never reach the first one's devices. */
  const demoB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 5 }), 'Northshore');
  const orgId = demo.org.id;
  const eventIds = demo.events.map((event) => event.id);
  const sessions = {} as Record<OrgRole, string>;
  let server: TestServer | undefined;
  /** Writes through the API as the owner, on a device of its own. */
  let writer: { api: ApiClient; seq: number };

  async function freshDevice(role: OrgRole = 'owner') {
    const device = await enroll(server!, sessions[role], orgId, `${role} ${randomUUID().slice(0, 8)}`);
    return {
      id: device.deviceId,
      token: device.deviceToken,
      api: apiClient(server!, { session: sessions[role], device: device.deviceToken }),
    };
  }

  /** Renames an event as the owner's device; the push must apply. */
  async function push(name: string, eventId = eventIds[0]!): Promise<void> {
    writer.seq += 1;
    const result = await writer.api.sync.push.mutate({
      ...versions,
      commands: [rename(writer.seq, eventId, name)],
    });
    expect(result.results).toEqual([{ seq: writer.seq, status: 'applied' }]);
  }

  beforeAll(async () => {
    server = await startTestServer(inject('pgAdminUrl'));
    await seedDemoOrg(server.db.adminPool, demo);
    await seedDemoOrg(server.db.adminPool, demoB);
    for (const role of ['owner', 'organizer', 'box_office', 'check_in'] as const) {
      sessions[role] = (await signIn(server, memberWithRole(demo, role))).session;
    }
    writer = { api: (await freshDevice('owner')).api, seq: 0 };
  });

  afterAll(async () => {
    await server?.close();
  });

  return {
    demo,
    demoB,
    orgId,
    eventIds,
    sessions,
    freshDevice,
    push,
    get server(): TestServer {
      return server!;
    },
  };
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every replicated table in the order an initial sync loads them: people last, since selling and scanning work
 * without them. An owner's and a box office device's snapshot (everything is theirs) walks them in this order.
 */
export const loadOrder = [
  'events',
  'quotas',
  'ticket_types',
  'ticket_signing_keys',
  'checkin_lists',
  'shifts',
  'orders',
  'tickets',
  'ticket_revocations',
  'allocations',
  'cash_movements',
  'order_audit',
  'check_ins',
  'entry_alerts',
  'card_readers',
  'payments',
  'order_emails',
  'people',
] as const;

/** What a scanner (check_in) replicates, in load order: what the gate needs, and nothing of sales. */
export const scannerTables = [
  'events',
  'quotas',
  'ticket_types',
  'ticket_signing_keys',
  'checkin_lists',
  'tickets',
  'ticket_revocations',
  'check_ins',
  'entry_alerts',
  'people',
] as const;
