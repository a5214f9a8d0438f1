import { DEMO_OWNER_EMAIL, generateDemoOrg, type DemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '@janix/server/testing';
import type { ReplicatedTableName } from '@janix/schemas';
import { enrollDevice, signIn, type Session } from './accounts.ts';
import { log } from './output.ts';
import { startServerHost, type ServerHost } from './server-host.ts';

export const BIG_TICKETS = 100_000;
export const BIG_PEOPLE = 50_000;

/**
 * The generator makes ~2.25 tickets per attendee; 50,000 attendees give ~112k tickets. Keep the first
 * 100,000 and the orders they belong to (tickets reference orders), so the organization holds exactly
 * 100k tickets and 50k people.
 */
export function bigDemo(): DemoOrg {
  const demo = generateDemoOrg({ attendees: BIG_PEOPLE });
  if (demo.tickets.length < BIG_TICKETS) throw new Error(`only ${demo.tickets.length} tickets generated`);
  const tickets = demo.tickets.slice(0, BIG_TICKETS);
  const orderIds = new Set(tickets.map((ticket) => ticket.orderId));
  return { ...demo, tickets, orders: demo.orders.filter((order) => orderIds.has(order.id)) };
}

export type RowCounts = Record<ReplicatedTableName, number>;

export function rowCounts(demo: DemoOrg): RowCounts {
  return {
    events: demo.events.length,
    // The seeder gives each ticket type a quota of its own.
    quotas: demo.ticketTypes.length,
    ticket_types: demo.ticketTypes.length,
    people: demo.people.length,
    shifts: 0,
    orders: demo.orders.length,
    tickets: demo.tickets.length,
    allocations: 0,
    cash_movements: 0,
    order_audit: 0,
    // The seeder signs the demo's tickets with one verify-only key of the organization (demo-seed.ts).
    ticket_signing_keys: 1,
    checkin_lists: 0,
    check_ins: 0,
    entry_alerts: 0,
    ticket_revocations: 0,
    card_readers: 0,
    payments: 0,
    // The seeder loads history, which mails nobody (migration order-emails).
    order_emails: 0,
  };
}

export interface SeededOrg {
  host: ServerHost;
  orgId: string;
  eventIds: string[];
  counts: RowCounts;
  /** The demo owner, signed in once. */
  owner: Session;
  enroll(name: string): ReturnType<typeof enrollDevice>;
  close(): Promise<void>;
}

/** A fresh server whose database holds one generated demo organization. */
export async function seededServer(
  demo: DemoOrg,
  hostOptions: Parameters<typeof startServerHost>[0] = {},
): Promise<SeededOrg> {
  const host = await startServerHost(hostOptions);
  try {
    const started = performance.now();
    await seedDemoOrg(host.adminPool, demo);
    // Flush the seed's WAL now rather than in a checkpoint in the middle of a measurement.
    await host.adminPool.query('CHECKPOINT');
    await host.adminPool.query('VACUUM ANALYZE');
    const counts = rowCounts(demo);
    log(
      `seeded ${Object.entries(counts)
        .map(([table, n]) => `${n} ${table}`)
        .join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const owner = await signIn(host, DEMO_OWNER_EMAIL);
    return {
      host,
      orgId: demo.org.id,
      eventIds: demo.events.map((event) => event.id),
      counts,
      owner,
      enroll: (name) => enrollDevice(host, owner, demo.org.id, name),
      close: () => host.close(),
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}

let big: Promise<SeededOrg> | null = null;

/** The 100k-ticket organization, seeded once per run and shared by sync.initial and core.rss. */
export function bigOrg(): Promise<SeededOrg> {
  big ??= (async () => {
    const started = performance.now();
    const demo = bigDemo();
    log(`generated the big demo organization in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return seededServer(demo);
  })();
  return big;
}

export async function closeBigOrg(): Promise<void> {
  if (!big) return;
  const org = await big.catch(() => null);
  big = null;
  await org?.close();
}
