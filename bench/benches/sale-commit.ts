import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir } from '@janix/testkit';
import { MAX_ALLOCATION_SEATS, PROTOCOL_VERSION } from '@janix/schemas';
import { REPLICA_SCHEMA_VERSION, type LocalCore } from '@janix/local-core';
import { enrollDevice, openEnrolledConsole, serverApi, signIn, syncReplica } from '../lib/accounts.ts';
import { bigOrg, type SeededOrg } from '../lib/demo.ts';
import { options, percentile } from '../lib/options.ts';
import { emit, log, round } from '../lib/output.ts';
import { cuttableNetwork } from '../lib/network.ts';
import { profiled } from '../lib/profile.ts';

/** Sales made before the measured ones: statement caches, the JIT and SQLite's page cache warm up. */
const WARM_UP_SALES = 100;
const TICKETS_PER_SALE = 2;
const BOX_OFFICE_EMAIL = 'boxoffice@janix.test';

interface SaleTarget {
  quotaId: string;
  ticketTypeId: string;
  eventId: string;
  priceCents: number;
}

/**
 * A ticket type the box office sells now, and room in its quota for every seat the bench asks for: the demo
 * sells its quotas out, so an owner's device raises the capacity through the server (updateQuota).
 */
async function makeRoom(org: SeededOrg, seats: number): Promise<SaleTarget> {
  const { rows } = await org.host.adminPool.query<{
    quota_id: string;
    type_id: string;
    event_id: string;
    price_cents: number;
    taken: number;
  }>(
    `SELECT q.id AS quota_id, t.id AS type_id, t.event_id, t.price_cents, q.sold + q.allocated AS taken
     FROM quotas q
     JOIN ticket_types t ON t.org_id = q.org_id AND t.quota_id = q.id
     JOIN events e ON e.org_id = t.org_id AND e.id = t.event_id
     WHERE q.org_id = $1 AND e.status = 'on_sale' AND t.channels LIKE '%box_office%'
       AND t.sales_start_at IS NULL AND t.sales_end_at IS NULL AND t.price_cents > 0
     ORDER BY q.id LIMIT 1`,
    [org.orgId],
  );
  const target = rows[0];
  if (!target) throw new Error('the demo organization has no ticket type on sale at the box office');
  const owner = await org.enroll('Bench sale setup');
  const api = serverApi(org.host.url, { session: org.owner.token, device: owner.deviceToken });
  const result = await api.sync.push.mutate({
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: REPLICA_SCHEMA_VERSION,
    commands: [
      {
        seq: 1,
        name: 'updateQuota',
        clientTime: new Date().toISOString(),
        args: { quotaId: target.quota_id, patch: { capacity: target.taken + seats } },
      },
    ],
  });
  if (result.results[0]?.status !== 'applied') throw new Error(`updateQuota: ${JSON.stringify(result)}`);
  return {
    quotaId: target.quota_id,
    ticketTypeId: target.type_id,
    eventId: target.event_id,
    priceCents: target.price_cents,
  };
}

/** Seats this console holds for the quota with their codes on it, ready to sell offline. */
async function seatsLeft(core: LocalCore, target: SaleTarget): Promise<number> {
  const catalog = await core.caller.boxOffice.catalog({ eventId: target.eventId });
  return catalog.quotas.find((quota) => quota.quotaId === target.quotaId)?.left ?? 0;
}

/** Opens a shift and asks for `seats` (in requests of at most 500), then waits until their codes are here. */
async function holdSeats(core: LocalCore, target: SaleTarget, seats: number): Promise<void> {
  await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 20_000 });
  for (let asked = 0; asked < seats; asked += MAX_ALLOCATION_SEATS) {
    await core.caller.boxOffice.requestSeats({
      quotaId: target.quotaId,
      seats: Math.min(MAX_ALLOCATION_SEATS, seats - asked),
    });
  }
  await core.syncNow();
  if (core.sync().state.lastError)
    throw new Error(`the seat requests failed: ${core.sync().state.lastError}`);
  // The signed codes are fetched by the console after the sync, by itself.
  const deadline = Date.now() + 120_000;
  while ((await seatsLeft(core, target)) < seats) {
    if (Date.now() > deadline)
      throw new Error(`only ${await seatsLeft(core, target)} of ${seats} seats ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function saleOf(target: SaleTarget) {
  return {
    orderId: randomUUID(),
    eventId: target.eventId,
    lines: [{ ticketTypeId: target.ticketTypeId, quantity: TICKETS_PER_SALE }],
    buyer: null,
    payment: { method: 'cash' as const, tenderedCents: target.priceCents * TICKETS_PER_SALE + 500 },
  };
}

/**
 * Sells `count` sales one after another and returns each one's milliseconds. Each sale is timed alone: the
 * sync attempt it starts (offline, a push that fails) is let finish before the next, as it would between two
 * customers at a till.
 */
async function sell(core: LocalCore, target: SaleTarget, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const sale = saleOf(target);
    const started = performance.now();
    await core.caller.boxOffice.sell(sale);
    times.push(performance.now() - started);
    // The console pokes its engine once the sale has answered (a turn of the event loop later).
    await new Promise((resolve) => setImmediate(resolve));
    await core.sync().idle();
  }
  return times;
}

/**
 * The floor: one sale-sized transaction (an order row, two ticket rows and an outbox row) in scratch tables of
 * a separate SQLite file in the same folder, with the replica's journal mode and synchronous=FULL.
 */
function floorTimes(path: string, count: number, argsText: string): number[] {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE orders (id TEXT PRIMARY KEY, event_id TEXT, shift_id TEXT, code TEXT, status TEXT,
        total_cents INTEGER, tax_cents INTEGER, payment_method TEXT, created_at TEXT);
      CREATE TABLE tickets (id TEXT PRIMARY KEY, order_id TEXT, event_id TEXT, ticket_type_id TEXT, status TEXT,
        secret TEXT, price_cents INTEGER, allocation_id TEXT, slot INTEGER);
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY, name TEXT, args TEXT, client_time TEXT);
    `);
    const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const ticket = db.prepare('INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const outbox = db.prepare('INSERT INTO outbox (name, args, client_time) VALUES (?, ?, ?)');
    const secret = 'x'.repeat(156);
    const commit = db.transaction((id: string, at: string) => {
      order.run(id, id, id, 'ABCD1234', 'paid', 3600, 0, 'cash', at);
      for (let slot = 0; slot < TICKETS_PER_SALE; slot += 1) {
        ticket.run(randomUUID(), id, id, id, 'valid', secret, 1800, id, slot);
      }
      outbox.run('sellTickets', argsText, at);
    });
    const times: number[] = [];
    for (let i = 0; i < WARM_UP_SALES + count; i += 1) {
      const id = randomUUID();
      const started = performance.now();
      commit(id, new Date().toISOString());
      if (i >= WARM_UP_SALES) times.push(performance.now() - started);
    }
    return times;
  } finally {
    db.close();
  }
}

/**
 * An offline sale of two tickets on a box-office console holding the 100k-ticket organization: the rule, its
 * local effect and the outbox row in one transaction, through the local router as the sale screen calls it.
 * Floor: a transaction of the same rows in a scratch SQLite file, same folder, same run.
 */
export async function saleCommit(): Promise<void> {
  const org = await bigOrg();
  const count = options.sales;
  const seats = (WARM_UP_SALES + count) * TICKETS_PER_SALE;
  const target = await makeRoom(org, seats);
  const session = await signIn(org.host, BOX_OFFICE_EMAIL);
  const device = await enrollDevice(org.host, session, org.orgId, 'Bench till');
  const dir = makeTempDir('bench-sale');
  const network = cuttableNetwork();
  try {
    const core = await openEnrolledConsole(
      { dataDir: join(dir.path, 'console'), serverUrl: org.host.url, autoSync: false, fetch: network.fetch },
      session,
      device,
    );
    let times: number[];
    let tickets: number;
    let commandArgs: string;
    try {
      tickets = await syncReplica(core, 'box-office');
      await holdSeats(core, target, seats);
      log(`holding ${seats} seats with their codes; the network is cut now`);
      network.set(false);
      await sell(core, target, WARM_UP_SALES);
      times = await profiled('sale.commit', () => sell(core, target, count));
      const queued = core.replica().outbox.count();
      commandArgs = JSON.stringify(core.replica().outbox.list().at(-1)?.args);
      const left = await seatsLeft(core, target);
      if (queued < WARM_UP_SALES + count || left !== 0) {
        throw new Error(`after the sales: ${queued} commands queued, ${left} seats left`);
      }
      // Back online, the server must take every sale the console made.
      network.set(true);
      await core.syncNow();
      const rejected = core.replica().outbox.rejections().length;
      if (core.replica().outbox.count() !== 0 || rejected !== 0) {
        throw new Error(
          `the server did not take the sales: ${core.replica().outbox.count()} queued, ${rejected} rejected`,
        );
      }
      log(`the server applied all ${WARM_UP_SALES + count} sales`);
    } finally {
      await core.close();
    }

    const floor = floorTimes(join(dir.path, 'floor.sqlite'), count, commandArgs);
    times.sort((a, b) => a - b);
    floor.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    const floorP99 = percentile(floor, 99);
    log(
      `sale: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${times.at(-1)!.toFixed(3)} ms; ` +
        `floor p50 ${percentile(floor, 50).toFixed(3)} ms, p99 ${floorP99.toFixed(3)} ms`,
    );
    emit({
      bench: 'sale.commit',
      p50_ms: round(percentile(times, 50), 3),
      p99_ms: round(p99, 3),
      floor_p50_ms: round(percentile(floor, 50), 3),
      floor_p99_ms: round(floorP99, 3),
      ratio_p99: round(p99 / floorP99, 2),
      tickets,
      sales: count,
    });
  } finally {
    dir.remove();
  }
}
