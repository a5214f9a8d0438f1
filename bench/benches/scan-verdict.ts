import { createPublicKey, randomBytes, randomUUID, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir } from '@janix/testkit';
import { PROTOCOL_VERSION } from '@janix/schemas';
import { openLocalCore, REPLICA_SCHEMA_VERSION, type LocalCore } from '@janix/local-core';
import { enrollDevice, openEnrolledConsole, serverApi, signIn, syncReplica } from '../lib/accounts.ts';
import { bigOrg, type SeededOrg } from '../lib/demo.ts';
import { options, percentile } from '../lib/options.ts';
import { emit, log, round } from '../lib/output.ts';
import { cuttableNetwork } from '../lib/network.ts';
import { profiled } from '../lib/profile.ts';

/** Scans made before the measured ones: statement caches, the verifier's key, the JIT, SQLite's page cache. */
const WARM_UP_SCANS = 100;
const SCANNER_EMAIL = 'scanner@janix.test';
/** The stadium size the scan path must not slow down at. */
const LARGE_REPLICA_TICKETS = 1_000_000;

/** The event with the most valid tickets, and a check-in list for it made by an owner's device on the server. */
async function listForBiggestEvent(org: SeededOrg): Promise<{ eventId: string; listId: string }> {
  const { rows } = await org.host.adminPool.query<{ event_id: string }>(
    `SELECT event_id FROM tickets WHERE org_id = $1 AND status = 'valid'
     GROUP BY event_id ORDER BY count(*) DESC LIMIT 1`,
    [org.orgId],
  );
  const eventId = rows[0]?.event_id;
  if (!eventId) throw new Error('the demo organization has no valid tickets');
  const owner = await org.enroll('Bench check-in setup');
  const api = serverApi(org.host.url, { session: org.owner.token, device: owner.deviceToken });
  const listId = randomUUID();
  const result = await api.sync.push.mutate({
    protocolVersion: PROTOCOL_VERSION,
    schemaVersion: REPLICA_SCHEMA_VERSION,
    commands: [
      {
        seq: 1,
        name: 'createCheckInList',
        clientTime: new Date().toISOString(),
        args: {
          listId,
          eventId,
          draft: {
            name: 'Bench door',
            ticketTypeIds: [],
            validFrom: null,
            validUntil: null,
            allowReentry: false,
            allowMultipleEntries: false,
            maxEntriesPerDay: null,
            autoCheckoutAt: null,
            timeZone: 'Europe/Berlin',
          },
        },
      },
    ],
  });
  if (result.results[0]?.status !== 'applied')
    throw new Error(`createCheckInList: ${JSON.stringify(result)}`);
  return { eventId, listId };
}

/**
 * Scans each code once, one after another, and returns each one's milliseconds: raw text to verdict through
 * the local router as the check-in screen calls it, the scan fact's commit included. The sync attempt each
 * scan starts (offline, a push that fails) and the checkpoint after it are let finish before the next scan,
 * as between two people at a door, and are not timed.
 */
async function scan(core: LocalCore, listId: string, codes: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (const text of codes) {
    const started = performance.now();
    const result = await core.caller.checkin.scan({ listId, text });
    times.push(performance.now() - started);
    if (result.code !== 'admitted')
      throw new Error(`a genuine ticket was not admitted: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setImmediate(resolve));
    await core.sync().idle();
  }
  return times;
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo: followed by the raw 32-byte key, what OpenSSL imports.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The floor, on the same replica in the same run: for each code, one Ed25519 verification (node:crypto, the
 * key imported once) and the ticket read by its indexed id from the server rows, nothing else.
 */
function floorTimes(db: Database.Database, codes: readonly string[]): number[] {
  const keys = new Map<string, KeyObject>();
  for (const key of db.prepare('SELECT kid, public_key FROM ticket_signing_keys').all() as Array<{
    kid: string;
    public_key: string;
  }>) {
    const der = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(key.public_key, 'base64')]);
    keys.set(key.kid, createPublicKey({ key: der, format: 'der', type: 'spki' }));
  }
  const ticket = db.prepare(
    'SELECT id, event_id, ticket_type_id, person_id, status FROM tickets WHERE id = ?',
  );
  const times: number[] = [];
  for (const [index, text] of [...codes, ...codes].entries()) {
    const started = performance.now();
    const bytes = Buffer.from(text, 'base64url');
    const key = keys.get(bytes.subarray(1, 5).toString('hex'));
    const valid = key !== undefined && verify(null, bytes.subarray(0, 53), key, bytes.subarray(53));
    const id = bytes.subarray(5, 21).toString('hex');
    const row = ticket.get(
      `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    );
    // The first pass warms up; only the second is kept.
    if (index >= codes.length) times.push(performance.now() - started);
    if (!valid || !row) throw new Error('the floor did not find a genuine ticket');
  }
  return times;
}

/**
 * Grows the replica to a stadium's size directly in SQLite: seeding the server with 900k more tickets and
 * syncing them would take most of an hour here and measure nothing this benchmark is about. The filler rows
 * carry distinct random secrets and ids, spread over the organization's events, so the ticket table and its
 * indexes (by id, by secret, by event, by order) have their real size and depth.
 */
function growReplica(path: string, to: number): number {
  const db = new Database(path);
  try {
    db.pragma('synchronous = OFF');
    const have = (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
    const events = db.prepare('SELECT DISTINCT event_id, ticket_type_id FROM tickets').all() as Array<{
      event_id: string;
      ticket_type_id: string;
    }>;
    const insert = db.prepare(
      `INSERT INTO tickets (id, version, order_id, event_id, ticket_type_id, person_id, status, secret, price_cents,
         tax_cents, updated_at) VALUES (?, 1, ?, ?, ?, NULL, 'valid', ?, 3500, 0, ?)`,
    );
    const at = new Date().toISOString();
    const fill = db.transaction((count: number) => {
      for (let i = 0; i < count; i += 1) {
        const type = events[i % events.length]!;
        insert.run(
          randomUUID(),
          randomUUID(),
          type.event_id,
          type.ticket_type_id,
          randomBytes(117).toString('base64url'),
          at,
        );
      }
    });
    for (let added = 0; added < to - have; added += 100_000) fill(Math.min(100_000, to - have - added));
    db.pragma('wal_checkpoint(TRUNCATE)');
    return (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * A door scanning signed tickets offline on a check-in console holding the 100k-ticket organization: raw
 * scanned text to verdict, the scan fact committed, through the local router as the screen calls it. Then the
 * same on that replica grown to a million tickets. Floor: one Ed25519 verification and one indexed ticket
 * read, same replica, same run.
 */
export async function scanVerdict(): Promise<void> {
  const org = await bigOrg();
  const count = options.scans;
  const { eventId, listId } = await listForBiggestEvent(org);
  const perRun = WARM_UP_SCANS + count;
  const { rows: codes } = await org.host.adminPool.query<{ secret: string }>(
    `SELECT secret FROM tickets WHERE org_id = $1 AND event_id = $2 AND status = 'valid' ORDER BY id LIMIT $3`,
    [org.orgId, eventId, 2 * perRun],
  );
  if (codes.length < 2 * perRun) throw new Error(`only ${codes.length} valid tickets for the biggest event`);
  const firstRun = codes.slice(0, perRun).map((row) => row.secret);
  const secondRun = codes.slice(perRun).map((row) => row.secret);

  const session = await signIn(org.host, SCANNER_EMAIL);
  const device = await enrollDevice(org.host, session, org.orgId, 'Bench door');
  const dir = makeTempDir('bench-scan');
  const network = cuttableNetwork();
  const dataDir = join(dir.path, 'console');
  const consoleOptions = { dataDir, serverUrl: org.host.url, autoSync: false, fetch: network.fetch };
  try {
    let times: number[];
    let floor: number[];
    let tickets: number;
    const core = await openEnrolledConsole(consoleOptions, session, device);
    try {
      tickets = await syncReplica(core, 'check-in');
      const { db } = core.replica();
      log('the network is cut now');
      network.set(false);
      await scan(core, listId, firstRun.slice(0, WARM_UP_SCANS));
      times = await profiled('scan.verdict', () => scan(core, listId, firstRun.slice(WARM_UP_SCANS)));
      floor = floorTimes(db, firstRun.slice(WARM_UP_SCANS));
      if (core.replica().outbox.count() !== perRun) throw new Error('not every scan was queued');
      // Back online, the server must take every scan the door made.
      network.set(true);
      await core.syncNow();
      if (core.replica().outbox.count() !== 0 || core.replica().outbox.rejections().length !== 0) {
        throw new Error(`the server did not take the scans: ${core.replica().outbox.count()} queued`);
      }
      log(`the server recorded all ${perRun} scans`);
    } finally {
      await core.close();
    }

    const growStarted = performance.now();
    const large = growReplica(join(dataDir, 'replica.sqlite'), LARGE_REPLICA_TICKETS);
    log(`replica grown to ${large} tickets in ${((performance.now() - growStarted) / 1000).toFixed(1)} s`);
    network.set(false);
    const grown = await openLocalCore({ ...consoleOptions });
    let largeTimes: number[];
    try {
      await scan(grown, listId, secondRun.slice(0, WARM_UP_SCANS));
      largeTimes = await scan(grown, listId, secondRun.slice(WARM_UP_SCANS));
    } finally {
      await grown.close();
    }

    for (const list of [times, floor, largeTimes]) list.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    log(
      `scan: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${times.at(-1)!.toFixed(3)} ms; ` +
        `floor p50 ${percentile(floor, 50).toFixed(3)} ms, p99 ${percentile(floor, 99).toFixed(3)} ms; ` +
        `at ${large} tickets p50 ${percentile(largeTimes, 50).toFixed(3)} ms, p99 ${percentile(largeTimes, 99).toFixed(3)} ms`,
    );
    emit({
      bench: 'scan.verdict',
      tickets,
      p50_ms: round(percentile(times, 50), 3),
      p99_ms: round(p99, 3),
      floor_p50_ms: round(percentile(floor, 50), 3),
      floor_p99_ms: round(percentile(floor, 99), 3),
      tickets_1m_p50_ms: round(percentile(largeTimes, 50), 3),
      tickets_1m_p99_ms: round(percentile(largeTimes, 99), 3),
      scans: count,
    });
  } finally {
    dir.remove();
  }
}
