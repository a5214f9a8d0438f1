import { join } from 'node:path';
import { DEMO_OWNER_EMAIL, generateDemoOrg, type DemoOrg } from '@janix/testkit';
import { latestSignInCode, seedDemoOrg } from '@janix/server/testing';
import type { OrgRole } from '@janix/schemas';
import { orgVersion, type OrgFacts } from './checks.ts';
import type { BoxOfficeFacts } from './context.ts';
import { Device } from './device.ts';
import { drawFaultRates, type FaultKind } from './faulty-fetch.ts';
import { deriveSeed, type Random } from './random.ts';
import type { TortureServer } from './server.ts';

/** A second organization with its own owner, for tenant isolation (G6). */
function otherOrg(seed: number): DemoOrg {
  const demo = generateDemoOrg({ seed: deriveSeed(seed, 2), attendees: 30 });
  return {
    ...demo,
    org: { ...demo.org, name: 'Northern Lights Club', slug: 'northern-lights' },
    users: [{ ...demo.users[0]!, email: 'owner-b@janix.test', displayName: 'Otto Other', role: 'owner' }],
  };
}

const SECOND_CASHIER = 'boxoffice-2@janix.test';

/**
 * The events the box offices sell: one of org A's events on sale, whose quotas get only a few seats
 * more than the demo already sold, so several tills run them out within a run and must be refused.
 */
function smallQuotas(
  demo: DemoOrg,
  random: Random,
): { events: Array<BoxOfficeFacts['events'][number] & { free: number[] }> } {
  // One event: its two to four quotas are few enough for several tills to meet on each.
  const chosen = [random.pick(demo.events.filter((event) => event.status === 'on_sale'))];
  const sold = new Map<string, number>();
  for (const ticket of demo.tickets) sold.set(ticket.ticketTypeId, (sold.get(ticket.ticketTypeId) ?? 0) + 1);
  return {
    events: chosen.map((event) => {
      const types = demo.ticketTypes.filter((type) => type.eventId === event.id);
      const free = types.map(() => random.int(2, 30));
      types.forEach((type, index) => {
        // The seeder makes each demo ticket type a quota of its own with this capacity.
        type.capacity = (sold.get(type.id) ?? 0) + free[index]!;
      });
      return {
        id: event.id,
        free,
        types: types.map((type) => ({ id: type.id, quotaId: type.id, priceCents: type.priceCents })),
      };
    }),
  };
}

export interface SetupInput {
  seed: number;
  /** Overrides the drawn number of workload steps. */
  steps: number | undefined;
  random: Random;
  note: (line: string) => void;
  server: TortureServer;
  /** Filled as devices are made, so the caller can kill them even if setup fails halfway. */
  devices: Device[];
  dataDir: string;
  onFault: (label: string, kind: FaultKind, path: string) => void;
}

/**
 * Seeds organizations A and B, draws the run's shape from the seed, and forks and enrolls the devices. Faults
 * are on for every device when it returns.
 */
export async function setUp(input: SetupInput) {
  const { seed, random, note, server, devices } = input;
  const pool = server.db.adminPool;
  const demoA = generateDemoOrg({ seed, attendees: 100 });
  const boxOffice = smallQuotas(demoA, random);
  // A second cashier, so sales and refunds come from two users as well as several tills.
  demoA.users.push({
    id: random.uuid(),
    email: SECOND_CASHIER,
    displayName: 'Bea Booth',
    role: 'box_office',
  });
  const demoB = otherOrg(seed);
  await seedDemoOrg(pool, demoA);
  await seedDemoOrg(pool, demoB);
  const orgs: OrgFacts[] = [
    { key: 'A', id: demoA.org.id, seedVersion: await orgVersion(pool, demoA.org.id) },
    { key: 'B', id: demoB.org.id, seedVersion: await orgVersion(pool, demoB.org.id) },
  ];
  const orgIdOf = (key: 'A' | 'B') => (key === 'A' ? demoA.org.id : demoB.org.id);

  const autoSync = random.chance(0.3);
  const pageSize = random.pick([37, 100, 250, 2000]);
  const rates = drawFaultRates(random);
  const stepCount = input.steps ?? random.int(60, 150);
  const plan: Array<{ label: string; org: 'A' | 'B'; role: OrgRole; email: string }> = [
    { label: 'A-owner-1', org: 'A', role: 'owner', email: DEMO_OWNER_EMAIL },
    { label: 'A-organizer', org: 'A', role: 'organizer', email: 'organizer@janix.test' },
    { label: 'A-scanner', org: 'A', role: 'check_in', email: 'scanner@janix.test' },
    ...(random.chance(0.5)
      ? [{ label: 'A-owner-2', org: 'A' as const, role: 'owner' as const, email: DEMO_OWNER_EMAIL }]
      : []),
    { label: 'A-box-1', org: 'A', role: 'box_office', email: 'boxoffice@janix.test' },
    { label: 'A-box-2', org: 'A', role: 'box_office', email: SECOND_CASHIER },
    ...(random.chance(0.4)
      ? [{ label: 'A-box-3', org: 'A' as const, role: 'box_office' as const, email: 'boxoffice@janix.test' }]
      : []),
    { label: 'B-owner', org: 'B', role: 'owner', email: 'owner-b@janix.test' },
  ];
  note(
    `seed=${seed} autoSync=${autoSync} pageSize=${pageSize} steps=${stepCount} devices=${plan.length} rates=${JSON.stringify(rates)}`,
  );
  plan.forEach((entry, index) => {
    devices.push(
      new Device({
        ...entry,
        dataDir: join(input.dataDir, entry.label),
        autoSync,
        pageSize,
        rates,
        seedOf: (incarnation) => deriveSeed(seed, 100 + index, incarnation),
        onFault: (kind, path) => input.onFault(entry.label, kind, path),
      }),
    );
  });
  await Promise.all(devices.map((device) => device.start(server.url)));
  // Sign in and enroll before faults are on (some devices take their initial sync under faults).
  for (const device of devices) {
    if (random.chance(0.4)) await device.setFaults(true);
    await device.requestCode(device.email);
    await device.enroll(await latestSignInCode(server.current(), device.email), orgIdOf(device.org));
    note(`${device.label} enrolled as ${device.role} (${device.deviceId})`);
  }
  for (const device of devices) await device.setFaults(true);

  note(
    `box office sells ${boxOffice.events.length} events: ` +
      boxOffice.events.map((event) => `${event.id.slice(0, 8)} (${event.free.join('+')} free)`).join(', '),
  );
  return { pool, demoA, orgs, orgIdOf, autoSync, stepCount, boxOffice };
}
