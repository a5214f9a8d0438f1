import { makeTempDir } from '@janix/testkit';
import { openLocalCore } from '@janix/local-core';
import { PROTOCOL_VERSION } from '@janix/schemas';
import { REPLICA_SCHEMA_VERSION } from '@janix/local-core';
import { openEnrolledConsole, serverApi } from '../lib/accounts.ts';
import { describeCpu, startCpuAccount } from '../lib/cpu.ts';
import { bigOrg, type SeededOrg } from '../lib/demo.ts';
import { emit, log, round } from '../lib/output.ts';
import { profiled } from '../lib/profile.ts';
import { ownerTables, replicaCounts } from '../lib/replica-tables.ts';

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * A long-running server has its code compiled and its data cached: walk the whole snapshot once through
 * the API (nothing is stored), so the measured sync does not pay for the server's warm-up.
 */
async function warmServer(org: SeededOrg): Promise<void> {
  const device = await org.enroll('Bench warm-up');
  const api = serverApi(org.host.url, { device: device.deviceToken });
  const started = performance.now();
  let cursor: string | null = null;
  for (;;) {
    const page = await api.sync.pull.query({
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: REPLICA_SCHEMA_VERSION,
      cursor,
      limit: 2000,
    });
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  log(`server warmed up by one snapshot walk (${((performance.now() - started) / 1000).toFixed(2)} s)`);
}

/**
 * Initial sync of an empty owner replica (every table and column) over loopback from the real server,
 * timed from the first pull request to the end of the sync cycle (checksums verified, overlay replayed).
 * Floor: the same rows inserted straight into a fresh replica with prepared statements in one transaction.
 */
export async function syncInitial(): Promise<void> {
  const org = await bigOrg();
  await warmServer(org);
  const device = await org.enroll('Bench initial sync');
  const dir = makeTempDir('bench-initial');
  const floorDir = makeTempDir('bench-initial-floor');
  try {
    let firstPullAt: number | null = null;
    let pulls = 0;
    const timedFetch: typeof fetch = (input, init) => {
      if (requestUrl(input).includes('/trpc/sync.pull')) {
        pulls += 1;
        firstPullAt ??= performance.now();
      }
      return fetch(input, init);
    };
    const core = await openEnrolledConsole(
      { dataDir: dir.path, serverUrl: org.host.url, autoSync: false, fetch: timedFetch },
      org.owner,
      device,
    );
    let rows: number;
    let seconds: number;
    const data: Array<{ name: string; columns: string[]; rows: unknown[][] }> = [];
    try {
      const cpu = await startCpuAccount({ server: [org.host.process] }, org.host.database);
      await profiled('sync.initial', () => core.syncNow());
      const end = performance.now();
      log(
        `CPU during the sync: ${describeCpu(await cpu.read(), (end - firstPullAt!) / 1000)} (bench = the console)`,
      );
      const state = core.sync().state;
      if (state.lastError) throw new Error(`initial sync failed: ${state.lastError}`);
      seconds = (end - firstPullAt!) / 1000;
      const counts = replicaCounts(core);
      for (const { name } of ownerTables) {
        if (counts[name] !== org.counts[name])
          throw new Error(`replica holds ${counts[name]} ${name}, the server ${org.counts[name]}`);
      }
      rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
      log(
        `initial sync: ${rows} rows in ${pulls} pulls, ${seconds.toFixed(2)} s (${JSON.stringify(counts)})`,
      );
      // The floor inserts exactly what was delivered, read back as plain arrays.
      for (const table of ownerTables) {
        const statement = core.replica().db.prepare(`SELECT ${table.columns.join(', ')} FROM ${table.name}`);
        data.push({ ...table, rows: statement.raw().all() as unknown[][] });
      }
    } finally {
      await core.close();
    }

    // A fresh replica with the product's migrations and pragmas (WAL, synchronous=FULL).
    const floorCore = await openLocalCore({
      dataDir: floorDir.path,
      serverUrl: org.host.url,
      autoSync: false,
    });
    let floorSeconds: number;
    try {
      const db = floorCore.replica().db;
      const statements = data.map((table) => ({
        rows: table.rows,
        insert: db.prepare(
          `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`,
        ),
      }));
      const started = performance.now();
      db.transaction(() => {
        for (const { insert, rows: tableRows } of statements) for (const row of tableRows) insert.run(row);
      })();
      floorSeconds = (performance.now() - started) / 1000;
    } finally {
      await floorCore.close();
    }
    const rowsPerS = rows / seconds;
    const floorPerS = rows / floorSeconds;
    log(`floor: ${rows} rows in ${floorSeconds.toFixed(2)} s`);
    emit({
      bench: 'sync.initial',
      rows,
      rows_per_s: Math.round(rowsPerS),
      floor_rows_per_s: Math.round(floorPerS),
      ratio: round(rowsPerS / floorPerS, 3),
      seconds: round(seconds, 2),
    });
  } finally {
    dir.remove();
    floorDir.remove();
  }
}
