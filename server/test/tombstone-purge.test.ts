import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { startJobQueue } from '../src/jobs/job-queue.ts';
import { PURGE_TOMBSTONES, purgeTombstones } from '../src/jobs/purge-tombstones.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import {
  apiClient,
  asSecondOrg,
  attempt,
  enroll,
  orgHead,
  ownerOf,
  pullAll,
  serverError,
  signIn,
  tamperCursor,
  versions,
  waitFor,
  type ApiClient,
} from './support.ts';

/**
 * The tombstone purge: deletions older than the retention leave the change feed, and the organization's feed
 * horizon rises so a console that had not yet seen them refetches instead of silently keeping deleted rows.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 30;
/** The purge's clock; tombstone ages are set relative to it. */
const now = new Date('2026-11-01T12:00:00Z');
const daysBefore = (days: number) => new Date(now.getTime() - days * DAY_MS);

const orgA = generateDemoOrg({ attendees: 5 });
const orgB = asSecondOrg(generateDemoOrg({ seed: 7, attendees: 5 }), 'Northshore');
const orgC = asSecondOrg(generateDemoOrg({ seed: 11, attendees: 5 }), 'Eastbay');
const A = orgA.org.id;
const B = orgB.org.id;
const C = orgC.org.id;
let server: TestServer;
let deviceA: ApiClient;
const logLines: string[] = [];

async function purge(at: Date = now) {
  return purgeTombstones({
    pool: server.db.appPool,
    now: () => at,
    retentionDays: RETENTION_DAYS,
    log: (line) => logLines.push(line),
  });
}

/** Records a deletion as the server does (a new org version, a tombstone at it), written `createdAt`. */
async function tombstone(orgId: string, createdAt: Date, skipVersions = 0): Promise<number> {
  return inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId, 1 + skipVersions);
    await client.query(
      "INSERT INTO tombstones (org_id, table_name, row_id, version, created_at) VALUES ($1, 'events', $2, $3, $4)",
      [orgId, randomUUID(), version, createdAt],
    );
    return version;
  });
}

async function tombstoneVersions(orgId: string): Promise<number[]> {
  const result = await server.db.adminPool.query<{ version: number }>(
    'SELECT version FROM tombstones WHERE org_id = $1 ORDER BY version',
    [orgId],
  );
  return result.rows.map((row) => row.version);
}

async function horizon(orgId: string): Promise<number> {
  const result = await server.db.adminPool.query<{ feed_horizon: number }>(
    'SELECT feed_horizon FROM org_versions WHERE org_id = $1',
    [orgId],
  );
  return result.rows[0]!.feed_horizon;
}

async function pullFrom(cursor: string) {
  return deviceA.sync.pull.query({ ...versions, cursor, limit: 1000, knownSeq: 0, checksums: false });
}

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  for (const org of [orgA, orgB, orgC]) await seedDemoOrg(server.db.adminPool, org);
  const session = (await signIn(server, ownerOf(orgA))).session;
  const device = await enroll(server, session, A, 'Purge till');
  deviceA = apiClient(server, { session, device: device.deviceToken });
});

afterAll(async () => {
  await server?.close();
});

describe('purging tombstones', () => {
  let beforeDeletions: string;
  let afterDeletions: string;
  const a = {} as Record<'old' | 'older' | 'recent', number>;
  const b = {} as Record<'old' | 'recent', number>;
  let cRecent: number;

  beforeAll(async () => {
    // A console that synced before the deletions, and one that synced after them.
    beforeDeletions = (await pullAll(deviceA)).cursor;
    a.older = await tombstone(A, daysBefore(40));
    a.old = await tombstone(A, daysBefore(RETENTION_DAYS + 1));
    a.recent = await tombstone(A, daysBefore(RETENTION_DAYS - 1));
    afterDeletions = (await pullAll(deviceA, { cursor: beforeDeletions })).cursor;
    // Org B is far ahead in versions, so a horizon leaking across organizations would show.
    b.old = await tombstone(B, daysBefore(90), 500);
    b.recent = await tombstone(B, daysBefore(1));
    cRecent = await tombstone(C, daysBefore(2));
    expect(b.old).toBeGreaterThan(a.recent);
    for (const org of [A, B, C]) expect(await horizon(org)).toBe(0);
  });

  it('before the purge, a console behind the deletions still receives them', async () => {
    const page = await pullFrom(beforeDeletions);
    expect(page.tombstones.flatMap((entry) => entry.ids)).toHaveLength(3);
  });

  it('deletes tombstones past retention and raises each horizon to its highest purged version', async () => {
    const summary = await purge();
    expect(summary).toEqual({ organizations: 2, purged: 3 });
    expect(await tombstoneVersions(A)).toEqual([a.recent]);
    expect(await horizon(A)).toBe(a.old);
    expect(await tombstoneVersions(B)).toEqual([b.recent]);
    expect(await horizon(B)).toBe(b.old);
    // An organization with only recent tombstones is untouched.
    expect(await tombstoneVersions(C)).toEqual([cRecent]);
    expect(await horizon(C)).toBe(0);
    expect(logLines.at(-1)).toBe(`${PURGE_TOMBSTONES}: 3 tombstones purged in 2 organizations`);
  });

  it('running it again changes nothing', async () => {
    const state = async () => ({
      tombstones: await Promise.all([A, B, C].map(tombstoneVersions)),
      horizons: await Promise.all([A, B, C].map(horizon)),
      heads: await Promise.all([A, B, C].map((org) => orgHead(server, org))),
    });
    const before = await state();
    expect(await purge()).toEqual({ organizations: 0, purged: 0 });
    expect(await state()).toEqual(before);
  });

  it('a cursor behind the new horizon must refetch; one at or past it carries on', async () => {
    // The page this cursor got before the purge may be shared until the server hears of the purge's version.
    await waitFor(
      async () => !(await attempt(pullFrom(beforeDeletions))).ok,
      'the pull to refuse the cursor',
    );
    const behind = await serverError(pullFrom(beforeDeletions));
    expect(behind).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'must_refetch' });
    const justBehind = tamperCursor(afterDeletions, (cursor) => ({ ...cursor, v: a.old - 1 }));
    expect(await serverError(pullFrom(justBehind))).toMatchObject({ reason: 'must_refetch' });

    const atHorizon = await pullFrom(tamperCursor(afterDeletions, (cursor) => ({ ...cursor, v: a.old })));
    // The tombstone that was kept is still delivered to a console that has not seen it.
    expect(atHorizon.tombstones.flatMap((entry) => entry.ids)).toHaveLength(1);
    const current = await pullFrom(afterDeletions);
    expect(current.hasMore).toBe(false);
    expect(current.headVersion).toBe(await orgHead(server, A));
  });

  it('the clock decides: later, the kept tombstones go too, and the horizon never moves back', async () => {
    const later = new Date(now.getTime() + RETENTION_DAYS * DAY_MS);
    expect(await purge(later)).toEqual({ organizations: 3, purged: 3 });
    expect(await tombstoneVersions(A)).toEqual([]);
    expect(await horizon(A)).toBe(a.recent);
    expect(await horizon(B)).toBe(b.recent);
    expect(await horizon(C)).toBe(cRecent);

    // A horizon already past an old tombstone (raised by hand, say) is not lowered to that tombstone's version.
    const stale = await tombstone(C, daysBefore(60));
    const fresh = await tombstone(C, daysBefore(0), 10);
    const raised = fresh - 1;
    await server.db.adminPool.query('UPDATE org_versions SET feed_horizon = $2 WHERE org_id = $1', [
      C,
      raised,
    ]);
    expect(await purge()).toEqual({ organizations: 1, purged: 1 });
    expect(await tombstoneVersions(C)).toEqual([fresh]);
    expect(stale).toBeLessThan(raised);
    expect(await horizon(C)).toBe(raised);
  });
});

describe('the job queue', () => {
  it('runs the purge as a job over the application pool, and schedules it', async () => {
    const old = await tombstone(A, daysBefore(RETENTION_DAYS + 5));
    const kept = await tombstone(A, daysBefore(0));
    const jobLog: string[] = [];
    const queue = await startJobQueue(
      server.db.appPool,
      [
        {
          name: PURGE_TOMBSTONES,
          cron: '0 * * * *',
          run: () =>
            purgeTombstones({
              pool: server.db.appPool,
              now: () => now,
              retentionDays: RETENTION_DAYS,
              log: (line) => jobLog.push(line),
            }),
        },
      ],
      { log: (line) => jobLog.push(line), pollingIntervalSeconds: 0.5 },
    );
    try {
      const id = await queue.send(PURGE_TOMBSTONES);
      await waitFor(
        async () => ['completed', 'failed'].includes((await queue.state(PURGE_TOMBSTONES, id))?.state ?? ''),
        'the purge job to finish',
        15_000,
      );
      expect(await queue.state(PURGE_TOMBSTONES, id)).toEqual({
        state: 'completed',
        output: { organizations: 1, purged: 1 },
      });
      expect(await tombstoneVersions(A)).toEqual([kept]);
      expect(await horizon(A)).toBe(old);
      expect(jobLog).toEqual([`${PURGE_TOMBSTONES}: 1 tombstones purged in 1 organizations`]);

      const schedules = await server.db.adminPool.query<{ name: string; cron: string }>(
        'SELECT name, cron FROM pgboss.schedule',
      );
      expect(schedules.rows).toEqual([{ name: PURGE_TOMBSTONES, cron: '0 * * * *' }]);
    } finally {
      await queue.stop();
    }
  });

  it('the application role may use the queue but not change its schema', async () => {
    const denied = await server.db.appPool.query("SELECT pgboss.create_queue('not-ours', '{}'::json)").then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    // 42501: insufficient privilege.
    expect(denied).toBe('42501');
    const owned = await server.db.adminPool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'pgboss' AND pg_get_userbyid(c.relowner) = 'janix_app'`,
    );
    expect(owned.rows[0]!.n).toBe(0);
  });
});
