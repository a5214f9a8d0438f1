import { join } from 'node:path';
import { DEMO_OWNER_EMAIL, generateDemoOrg, makeTempDir, type DemoOrg } from '@janix/testkit';
import { latestSignInCode, seedDemoOrg } from '@janix/server/testing';
import type { OrgRole } from '@janix/schemas';
import { checkGuarantees, type OrgFacts } from './checks.ts';
import { Device, DeviceGone } from './device.ts';
import { fail, TortureFailure } from './failure.ts';
import { drawFaultRates, faultKinds, type FaultKind } from './faulty-fetch.ts';
import type { CommandName, DeviceState } from './protocol.ts';
import { deriveSeed, Random } from './random.ts';
import { startTortureServer, type TortureServer } from './server.ts';

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
  durationMs: number;
}

const HOUR = 3_600_000;
const MAX_QUIESCENCE_ROUNDS = 30;
/** A device in retry backoff may sleep up to the engine's 30 s ceiling before its loop long-polls again. */
const LIVE_LOOP_TIMEOUT_MS = 35_000;
const venues = ['Harbour Hall', 'Pier 9 Warehouse', 'Old Town Theatre', 'Riverside Stage', 'Lighthouse Lawn'];

/** A second organization with its own owner, for tenant isolation (G6). */
function otherOrg(seed: number): DemoOrg {
  const demo = generateDemoOrg({ seed: deriveSeed(seed, 2), attendees: 30 });
  return {
    ...demo,
    org: { ...demo.org, name: 'Northern Lights Club', slug: 'northern-lights' },
    users: [{ ...demo.users[0]!, email: 'owner-b@janix.test', displayName: 'Otto Other', role: 'owner' }],
  };
}

interface EventFacts {
  id: string;
  startsAt: number;
  endsAt: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one seeded torture run end to end; throws a `TortureFailure` naming the broken guarantee. */
export async function runTorture(options: TortureOptions): Promise<TortureSummary> {
  const started = Date.now();
  const random = new Random(deriveSeed(options.seed, 1));
  const trace: string[] = [];
  const note = (line: string) => {
    trace.push(`${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s ${line}`);
    options.log?.(line);
  };
  const faultsByKind = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const counters = { kills: 0, deviceRestarts: 0, serverRestarts: 0, localRejected: 0 };
  const dirs = makeTempDir(`torture-${options.seed}`);
  const devices: Device[] = [];
  const background = new Set<Promise<unknown>>();
  let server: TortureServer | null = null;

  /** Work the harness does not wait for (a sync in the background); a dead device is not an error here. */
  const track = (work: Promise<unknown>) => {
    const guarded = work.catch((error: unknown) => {
      if (!(error instanceof DeviceGone)) throw error;
    });
    background.add(guarded);
    void guarded.finally(() => background.delete(guarded)).catch(() => {});
  };

  try {
    server = await startTortureServer(options.clusterAdminUrl);
    const pool = server.db.adminPool;
    const demoA = generateDemoOrg({ seed: options.seed, attendees: 100 });
    const demoB = otherOrg(options.seed);
    await seedDemoOrg(pool, demoA);
    await seedDemoOrg(pool, demoB);
    const versionOf = async (orgId: string) =>
      Number(
        (await pool.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [orgId]))
          .rows[0]?.version ?? 0,
      );
    const orgs: OrgFacts[] = [
      { key: 'A', id: demoA.org.id, seedVersion: await versionOf(demoA.org.id) },
      { key: 'B', id: demoB.org.id, seedVersion: await versionOf(demoB.org.id) },
    ];
    const orgIdOf = (key: 'A' | 'B') => (key === 'A' ? demoA.org.id : demoB.org.id);

    // The shape of this run, all drawn from the seed.
    const autoSync = random.chance(0.3);
    const pageSize = random.pick([37, 100, 250, 2000]);
    const rates = drawFaultRates(random);
    const stepCount = options.steps ?? random.int(60, 150);
    const plan: Array<{ label: string; org: 'A' | 'B'; role: OrgRole; email: string }> = [
      { label: 'A-owner-1', org: 'A', role: 'owner', email: DEMO_OWNER_EMAIL },
      { label: 'A-organizer', org: 'A', role: 'organizer', email: 'organizer@janix.test' },
      { label: 'A-scanner', org: 'A', role: 'check_in', email: 'scanner@janix.test' },
      ...(random.chance(0.5)
        ? [{ label: 'A-owner-2', org: 'A' as const, role: 'owner' as const, email: DEMO_OWNER_EMAIL }]
        : []),
      { label: 'B-owner', org: 'B', role: 'owner', email: 'owner-b@janix.test' },
    ];
    note(
      `seed=${options.seed} autoSync=${autoSync} pageSize=${pageSize} steps=${stepCount} devices=${plan.length} rates=${JSON.stringify(rates)}`,
    );
    plan.forEach((entry, index) => {
      devices.push(
        new Device({
          ...entry,
          dataDir: join(dirs.path, entry.label),
          autoSync,
          pageSize,
          rates,
          seedOf: (incarnation) => deriveSeed(options.seed, 100 + index, incarnation),
          onFault: (kind, path) => {
            faultsByKind[kind] += 1;
            trace.push(
              `${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s   fault ${entry.label} ${kind} ${path}`,
            );
          },
        }),
      );
    });
    const live = server;
    await Promise.all(devices.map((device) => device.start(live.url)));
    // Sign in and enroll before faults are on (some devices take their initial sync under faults).
    for (const device of devices) {
      if (random.chance(0.4)) await device.setFaults(true);
      await device.requestCode(device.email);
      await device.enroll(await latestSignInCode(live.current(), device.email), orgIdOf(device.org));
      note(`${device.label} enrolled as ${device.role} (${device.deviceId})`);
    }
    for (const device of devices) await device.setFaults(true);

    const created = new Map<string, EventFacts & { org: 'A' | 'B' }>();
    const crossOrg: Array<{ device: Device; seq: number; eventId: string; orgId: string }> = [];

    /** The organization's events as the server has them now, plus ones created locally but not yet there. */
    async function knownEvents(org: 'A' | 'B'): Promise<EventFacts[]> {
      const rows = await pool.query<{ id: string; starts_at: Date; ends_at: Date }>(
        'SELECT id, starts_at, ends_at FROM events WHERE org_id = $1 ORDER BY id',
        [orgIdOf(org)],
      );
      const events = rows.rows.map((row) => ({
        id: row.id,
        startsAt: row.starts_at.getTime(),
        endsAt: row.ends_at.getTime(),
      }));
      const onServer = new Set(events.map((event) => event.id));
      for (const event of created.values())
        if (event.org === org && !onServer.has(event.id)) events.push(event);
      return events;
    }

    async function restart(device: Device): Promise<void> {
      await device.start(live.url);
      counters.deviceRestarts += 1;
      const state = await device.state();
      const durable = Math.max(state.lastAppliedSeq, ...state.outbox.map((entry) => entry.seq));
      const highest = device.highestAccepted;
      if (durable < highest) {
        fail(
          'G1',
          `${device.label}: accepted command ${highest} is gone after kill -9 (disk knows ${durable})`,
        );
      }
      if (device.maybe && durable === highest + 1) {
        const queued = state.outbox.find((entry) => entry.seq === durable);
        if (queued && queued.name !== device.maybe.name) {
          fail(
            'G1',
            `${device.label}: command ${durable} is ${queued.name}, the harness sent ${device.maybe.name}`,
          );
        }
        const args = (queued?.args ?? device.maybe.args) as Record<string, unknown>;
        device.accepted.set(durable, {
          seq: durable,
          name: device.maybe.name,
          args,
          eventId: String(args.eventId ?? '?'),
          confirmedAfterKill: true,
        });
        note(`${device.label} restarted: the submit cut by kill -9 had committed as ${durable}`);
      } else if (durable > highest) {
        fail('G1', `${device.label}: the disk knows command ${durable}, the harness only ${highest}`);
      } else {
        note(`${device.label} restarted (incarnation ${device.incarnation}, outbox ${state.outbox.length})`);
      }
      device.maybe = null;
    }

    async function submit(
      device: Device,
      name: CommandName,
      args: Record<string, unknown>,
      options: { direct?: boolean; expectLocalRejection?: boolean } = {},
    ): Promise<{ seq: number; eventId: string } | null> {
      if (!device.alive) return null;
      device.maybe = { name, args };
      let reply;
      try {
        reply = await device.submit(name, args, options.direct);
      } catch (error) {
        if (error instanceof DeviceGone) return null;
        throw error;
      }
      device.maybe = null;
      if (!reply.accepted) {
        counters.localRejected += 1;
        note(`${device.label} ${name} refused locally: ${reply.message}`);
        return null;
      }
      if (options.expectLocalRejection) {
        fail('local rules', `${device.label} (${device.role}) queued ${name} ${show(args)} as ${reply.seq}`);
      }
      if (reply.seq !== device.highestAccepted + 1) {
        fail(
          'G2',
          `${device.label}: accepted ${name} as ${reply.seq} after ${device.highestAccepted} (not gapless)`,
        );
      }
      device.accepted.set(reply.seq, { seq: reply.seq, name, args, eventId: reply.eventId });
      note(
        `${device.label} accepted ${name} ${reply.eventId.slice(0, 8)} as ${reply.seq} ${show(args.patch ?? '')}`,
      );
      return reply;
    }

    function draft(org: 'A' | 'B') {
      const start =
        Date.parse('2026-12-01T18:00:00Z') + random.int(0, 60) * 24 * HOUR + random.int(0, 5) * HOUR;
      return {
        name: `Torture ${org} ${options.seed}-${random.int(1, 99_999)}`,
        venue: random.pick(venues),
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + random.int(1, 6) * HOUR).toISOString(),
        status: random.pick(['draft', 'on_sale'] as const),
      };
    }

    /** A patch computed from the server's view; a device whose view lags may refuse it or the server may. */
    function patchFor(event: EventFacts): Record<string, unknown> {
      const iso = (ms: number) => new Date(ms).toISOString();
      switch (
        random.pick(['rename', 'status', 'venue', 'shift', 'extend', 'startLater', 'endEarlier'] as const)
      ) {
        case 'rename':
          return { name: `Renamed ${random.int(1, 99_999)}` };
        case 'status':
          return { status: random.pick(['draft', 'on_sale', 'cancelled'] as const) };
        case 'venue':
          return { venue: random.pick(venues) };
        case 'shift': {
          const by = random.int(-3, 3) * 24 * HOUR + random.int(-2, 2) * HOUR;
          return { startsAt: iso(event.startsAt + by), endsAt: iso(event.endsAt + by) };
        }
        case 'extend':
          return { endsAt: iso(event.endsAt + random.int(1, 4) * HOUR) };
        case 'startLater':
          return {
            startsAt: iso(Math.min(event.endsAt - HOUR / 2, event.startsAt + random.int(1, 3) * HOUR)),
          };
        case 'endEarlier':
          return { endsAt: iso(event.startsAt + HOUR / 2) };
      }
    }

    const aliveWith = (predicate: (device: Device) => boolean) =>
      devices.filter((device) => device.alive && predicate(device));
    const writersA = () => aliveWith((d) => d.org === 'A' && (d.role === 'owner' || d.role === 'organizer'));

    type Step =
      | 'create'
      | 'update'
      | 'conflict'
      | 'invalidLocal'
      | 'scannerWrite'
      | 'orgB'
      | 'sync'
      | 'backgroundSync'
      | 'kill'
      | 'restartDevice'
      | 'serverRestart'
      | 'network'
      | 'pause';
    const weights: Record<Step, number> = {
      create: 12,
      update: 20,
      conflict: 7,
      invalidLocal: 4,
      scannerWrite: 3,
      orgB: 7,
      sync: 14,
      backgroundSync: 9,
      kill: 5,
      restartDevice: 6,
      serverRestart: 2,
      network: 5,
      pause: 3,
    };

    for (let step = 1; step <= stepCount; step += 1) {
      const kind = random.weighted(weights);
      switch (kind) {
        case 'create': {
          const writers = writersA();
          if (!writers.length) break;
          const device = random.pick(writers);
          const event = draft('A');
          const reply = await submit(device, 'createEvent', { draft: event });
          if (reply) {
            created.set(reply.eventId, {
              id: reply.eventId,
              org: 'A',
              startsAt: Date.parse(event.startsAt),
              endsAt: Date.parse(event.endsAt),
            });
          }
          break;
        }
        case 'update': {
          const writers = writersA();
          if (!writers.length) break;
          const event = random.pick(await knownEvents('A'));
          await submit(random.pick(writers), 'updateEvent', { eventId: event.id, patch: patchFor(event) });
          break;
        }
        case 'conflict': {
          // One device moves the event later while another, offline, pulls its end earlier: whichever
          // reaches the server second may break the time rule there, and is rejected (G9).
          const writers = writersA();
          if (writers.length < 2) break;
          const first = random.pick(writers);
          const second = random.pick(writers.filter((device) => device !== first));
          const event = random.pick(await knownEvents('A'));
          note(
            `conflict on ${event.id.slice(0, 8)}: ${first.label} moves it, ${second.label} offline shortens it`,
          );
          if (second.online && random.chance(0.7)) await second.setOnline(false);
          await submit(second, 'updateEvent', {
            eventId: event.id,
            patch: { endsAt: new Date(event.startsAt + HOUR).toISOString() },
          });
          await submit(first, 'updateEvent', {
            eventId: event.id,
            patch: {
              startsAt: new Date(event.startsAt + 2 * HOUR).toISOString(),
              endsAt: new Date(event.endsAt + 2 * HOUR).toISOString(),
            },
          });
          if (random.chance(0.7) && first.alive) await first.sync();
          break;
        }
        case 'invalidLocal': {
          const writers = writersA();
          if (!writers.length) break;
          const device = random.pick(writers);
          if (random.chance(0.5)) {
            await submit(
              device,
              'updateEvent',
              { eventId: random.uuid(), patch: { name: 'Nowhere' } },
              { expectLocalRejection: true },
            );
          } else {
            const event = random.pick(await knownEvents('A'));
            await submit(device, 'updateEvent', {
              eventId: event.id,
              patch: { endsAt: new Date(event.startsAt - HOUR).toISOString() },
            });
          }
          break;
        }
        case 'scannerWrite': {
          const scanners = aliveWith((d) => d.role === 'check_in');
          if (!scanners.length) break;
          const device = random.pick(scanners);
          if (random.chance(0.5)) {
            await submit(device, 'createEvent', { draft: draft('A') }, { expectLocalRejection: true });
          } else {
            const event = random.pick(await knownEvents('A'));
            await submit(
              device,
              'updateEvent',
              { eventId: event.id, patch: patchFor(event) },
              { expectLocalRejection: true },
            );
          }
          break;
        }
        case 'orgB': {
          const others = aliveWith((d) => d.org === 'B');
          if (!others.length) break;
          const device = random.pick(others);
          const roll = random.next();
          if (roll < 0.35) {
            const event = draft('B');
            const reply = await submit(device, 'createEvent', { draft: event });
            if (reply) {
              created.set(reply.eventId, {
                id: reply.eventId,
                org: 'B',
                startsAt: Date.parse(event.startsAt),
                endsAt: Date.parse(event.endsAt),
              });
            }
          } else if (roll < 0.7) {
            const event = random.pick(await knownEvents('B'));
            await submit(device, 'updateEvent', { eventId: event.id, patch: patchFor(event) });
          } else if (roll < 0.85) {
            // An org-A id is invisible to this device, so it queues the create; the server must refuse it.
            const foreign = random.pick(demoA.events);
            const reply = await submit(
              device,
              'createEvent',
              { eventId: foreign.id, draft: draft('B') },
              { direct: true },
            );
            if (reply) crossOrg.push({ device, seq: reply.seq, eventId: foreign.id, orgId: demoA.org.id });
          } else {
            // Refused locally, unless this device queued a create with that id itself (then it sees it, pending).
            const foreign = random.pick(demoA.events);
            const seen = crossOrg.some(
              (attempt) => attempt.device === device && attempt.eventId === foreign.id,
            );
            const reply = await submit(
              device,
              'updateEvent',
              { eventId: foreign.id, patch: { name: 'Hijacked' } },
              { expectLocalRejection: !seen },
            );
            if (reply) crossOrg.push({ device, seq: reply.seq, eventId: foreign.id, orgId: demoA.org.id });
          }
          break;
        }
        case 'sync': {
          const alive = aliveWith(() => true);
          if (!alive.length) break;
          const device = random.pick(alive);
          const result = await device.sync().catch((error: unknown) => {
            if (error instanceof DeviceGone) return null;
            throw error;
          });
          note(`${device.label} synced: ${result?.lastError ?? 'ok'}`);
          break;
        }
        case 'backgroundSync': {
          const alive = aliveWith(() => true);
          if (!alive.length) break;
          const device = random.pick(alive);
          note(`${device.label} syncs in the background`);
          track(device.sync());
          break;
        }
        case 'kill': {
          const alive = aliveWith(() => true);
          if (!alive.length) break;
          const device = random.pick(alive);
          const moment = random.pick(['idle', 'midSync', 'midSubmit'] as const);
          if (moment === 'midSync') {
            track(device.sync());
            await sleep(random.int(0, 250));
          } else if (moment === 'midSubmit') {
            const event = random.pick(await knownEvents(device.org));
            const pending =
              device.role !== 'check_in'
                ? submit(device, 'updateEvent', { eventId: event.id, patch: patchFor(event) })
                : Promise.resolve(null);
            const wait = random.int(0, 3);
            if (wait) await sleep(wait);
            await device.kill();
            await pending;
          }
          await device.kill();
          counters.kills += 1;
          note(`${device.label} kill -9 (${moment})${device.maybe ? ' with a submit in flight' : ''}`);
          if (random.chance(0.5)) await restart(device);
          break;
        }
        case 'restartDevice': {
          const dead = devices.filter((device) => !device.alive);
          if (!dead.length) break;
          await restart(random.pick(dead));
          break;
        }
        case 'serverRestart': {
          const downtime = random.int(0, 400);
          const mode = random.pick(['graceful', 'abrupt'] as const);
          note(`server restart, ${mode} (down ${downtime} ms)`);
          await live.restart(downtime, mode);
          counters.serverRestarts += 1;
          break;
        }
        case 'network': {
          const device = random.pick(devices);
          const online = !device.online;
          if (device.alive) await device.setOnline(online);
          else device.online = online;
          note(`${device.label} goes ${online ? 'online' : 'offline'}`);
          break;
        }
        case 'pause':
          await sleep(random.int(0, 150));
          break;
      }
      if (random.chance(0.3)) await sleep(random.int(0, 20));
    }

    /**
     * With autoSync the devices sync by themselves: an edit committed by one reaches every other device of its
     * organization through the long poll, with no one asking for a sync (G9: nobody stops syncing).
     */
    async function checkLiveLoop(): Promise<void> {
      const writer = devices.find((device) => device.org === 'A' && device.role === 'owner')!;
      const event = random.pick(await knownEvents('A'));
      const name = `Live ${options.seed}`;
      const reply = await submit(writer, 'updateEvent', { eventId: event.id, patch: { name } });
      if (!reply) fail('harness', `${writer.label} refused the live-loop edit`);
      const startedAt = Date.now();
      const deadline = startedAt + LIVE_LOOP_TIMEOUT_MS;
      const waiting = new Set(devices.filter((device) => device.org === 'A'));
      while (waiting.size && Date.now() < deadline) {
        await sleep(100);
        for (const device of [...waiting]) {
          const state = await device.state();
          const row = state.tables.events?.find((candidate) => candidate.id === event.id);
          if (row?.name === name && state.outbox.length === 0) {
            waiting.delete(device);
            note(`live loop: ${device.label} has the edit after ${Date.now() - startedAt} ms`);
          }
        }
      }
      if (waiting.size) {
        const who = [...waiting]
          .map((device) => `${device.label} (incarnation ${device.incarnation})`)
          .join(', ');
        fail(
          'G9',
          `live loop: an edit by ${writer.label} (seq ${reply.seq}) did not reach ${who} within ${LIVE_LOOP_TIMEOUT_MS} ms without a manual sync`,
        );
      }
      note('live loop: the edit reached every device by itself');
    }

    // Quiescence: heal every fault, bring every device back, sync until nothing changes.
    note('quiescence');
    await Promise.all([...background]);
    for (const device of devices) if (!device.alive) await restart(device);
    for (const device of devices) {
      await device.setFaults(false);
      await device.setOnline(true);
    }
    let states: DeviceState[] = [];
    let previous = '';
    let unchanged = 0;
    let rounds = 0;
    while (unchanged < 2) {
      rounds += 1;
      if (rounds > MAX_QUIESCENCE_ROUNDS) {
        const stuck = devices
          .map((device, index) => {
            const state = states[index]!;
            return `${device.label}: outbox ${state.outbox.length}${state.outbox[0] ? ` (head ${show(state.outbox[0])})` : ''}, lastError ${state.sync.lastError}`;
          })
          .join('; ');
        fail('G9', `no quiescence after ${MAX_QUIESCENCE_ROUNDS} sync rounds (wedged): ${stuck}`);
      }
      await Promise.all(devices.map((device) => device.sync()));
      states = await Promise.all(devices.map((device) => device.state()));
      const heads = await Promise.all(orgs.map((org) => versionOf(org.id)));
      const fingerprint = JSON.stringify([heads, states]);
      const drained = states.every((state) => state.outbox.length === 0);
      unchanged = drained && fingerprint === previous ? unchanged + 1 : 0;
      previous = fingerprint;
    }
    note(`quiescent after ${rounds} rounds`);

    await checkGuarantees({
      pool,
      orgs,
      devices: devices.map((device, index) => ({ device, state: states[index]! })),
      crossOrg,
    });

    if (autoSync) await checkLiveLoop();

    const serverRejected = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM command_results WHERE status = 'rejected'",
    );
    return {
      seed: options.seed,
      steps: stepCount,
      devices: devices.length,
      autoSync,
      commands: devices.reduce((sum, device) => sum + device.accepted.size, 0),
      serverRejected: serverRejected.rows[0]!.n,
      localRejected: counters.localRejected,
      faults: Object.values(faultsByKind).reduce((sum, n) => sum + n, 0),
      faultsByKind,
      kills: counters.kills,
      deviceRestarts: counters.deviceRestarts,
      serverRestarts: counters.serverRestarts,
      quiescenceRounds: rounds,
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

function show(value: unknown): string {
  return JSON.stringify(value);
}
