import { makeTempDir } from '@janix/testkit';
import { checkGuarantees } from './checks.ts';
import type { BoxOfficeCounters, CheckInCounters, RunContext } from './context.ts';
import { DeviceGone, type Device } from './device.ts';
import { TortureFailure } from './failure.ts';
import { faultKinds, type FaultKind } from './faulty-fetch.ts';
import { checkLiveLoop, quiesce } from './quiescence.ts';
import { deriveSeed, Random } from './random.ts';
import { startTortureServer, type TortureServer } from './server.ts';
import { setUp } from './setup.ts';
import { runWorkload } from './workload.ts';

export interface TortureOptions {
  seed: number;
  /** Admin URL of a running PostgreSQL cluster (startTestCluster); each run gets a fresh database. */
  clusterAdminUrl: string;
  /** Overrides the drawn number of workload steps. */
  steps?: number;
  log?: (line: string) => void;
}

export interface TortureSummary {
  seed: number;
  steps: number;
  devices: number;
  autoSync: boolean;
  /** Commands the devices accepted (queued). */
  commands: number;
  /** Of those, rejected by the server (G9: marked done, rejection synced back). */
  serverRejected: number;
  /** Commands the local rules refused before queuing. */
  localRejected: number;
  faults: number;
  faultsByKind: Record<FaultKind, number>;
  kills: number;
  deviceRestarts: number;
  serverRestarts: number;
  quiescenceRounds: number;
  sales: BoxOfficeCounters;
  /** Quotas of the box-office events with no seat left free on the server at the end. */
  soldOut: number;
  checkIn: CheckInCounters;
  /** Double-entry alerts the server holds at the end. */
  alerts: number;
  durationMs: number;
}

/** Runs one seeded torture run end to end; throws a `TortureFailure` naming the broken guarantee. */
export async function runTorture(options: TortureOptions): Promise<TortureSummary> {
  const started = Date.now();
  const random = new Random(deriveSeed(options.seed, 1));
  const trace: string[] = [];
  const stamped = (line: string) => `${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s ${line}`;
  const note = (line: string) => {
    trace.push(stamped(line));
    options.log?.(line);
  };
  const faultsByKind = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const dirs = makeTempDir(`torture-${options.seed}`);
  const devices: Device[] = [];
  const background = new Set<Promise<unknown>>();
  let server: TortureServer | null = null;

  const track = (work: Promise<unknown>) => {
    const guarded = work.catch((error: unknown) => {
      if (!(error instanceof DeviceGone)) throw error;
    });
    background.add(guarded);
    void guarded.finally(() => background.delete(guarded)).catch(() => {});
  };

  try {
    server = await startTortureServer(options.clusterAdminUrl);
    const world = await setUp({
      seed: options.seed,
      steps: options.steps,
      random,
      note,
      server,
      devices,
      dataDir: dirs.path,
      onFault: (label, kind, path) => {
        faultsByKind[kind] += 1;
        // Trace only, not the live log; report.ts tells fault lines apart by this indent.
        trace.push(stamped(`  fault ${label} ${kind} ${path}`));
      },
    });
    const run: RunContext = {
      ...world,
      seed: options.seed,
      random,
      note,
      server,
      devices,
      counters: { kills: 0, deviceRestarts: 0, serverRestarts: 0, localRejected: 0 },
      sales: { sales: 0, tickets: 0, exhausted: 0, requests: 0, refunds: 0, closes: 0, offlineSales: 0 },
      checkIn: {
        lists: [],
        tickets: [],
        counters: {
          lists: 0,
          scans: 0,
          admitted: 0,
          offline: 0,
          manual: 0,
          garbage: 0,
          doubleEntries: 0,
          noList: 0,
        },
      },
      created: new Map(),
      crossOrg: [],
      poison: [],
      track,
      background,
    };

    await runWorkload(run);
    const { states, rounds } = await quiesce(run);
    const checked = await checkGuarantees({
      pool: run.pool,
      orgs: run.orgs,
      devices: devices.map((device, index) => ({ device, state: states[index]! })),
      crossOrg: run.crossOrg,
      poison: run.poison,
      boxOfficeQuotas: world.boxOffice.events.flatMap((event) => event.types.map((type) => type.quotaId)),
    });
    if (run.autoSync) await checkLiveLoop(run);

    const serverRejected = await run.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM command_results WHERE status = 'rejected'",
    );
    return {
      seed: options.seed,
      steps: run.stepCount,
      devices: devices.length,
      autoSync: run.autoSync,
      commands: devices.reduce((sum, device) => sum + device.accepted.size, 0),
      serverRejected: serverRejected.rows[0]!.n,
      localRejected: run.counters.localRejected,
      faults: Object.values(faultsByKind).reduce((sum, n) => sum + n, 0),
      faultsByKind,
      kills: run.counters.kills,
      deviceRestarts: run.counters.deviceRestarts,
      serverRestarts: run.counters.serverRestarts,
      quiescenceRounds: rounds,
      sales: run.sales,
      soldOut: checked.soldOut,
      checkIn: run.checkIn.counters,
      alerts: checked.alerts,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    const failure =
      error instanceof TortureFailure
        ? error
        : new TortureFailure(
            'harness',
            error instanceof Error ? (error.stack ?? error.message) : String(error),
          );
    failure.trace = [
      ...trace,
      ...devices.map((device) => `--- ${device.label} output ---\n${device.recentOutput()}`),
    ];
    throw failure;
  } finally {
    await Promise.allSettled(devices.map((device) => device.kill()));
    await Promise.allSettled([...background]);
    await server?.close().catch(() => {});
    if (!process.env.TORTURE_KEEP) dirs.remove();
  }
}
