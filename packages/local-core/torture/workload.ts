import { setTimeout as sleep } from 'node:timers/promises';
import type { EventFacts, RunContext } from './context.ts';
import { DeviceGone, type Device } from './device.ts';
import { roleAllows } from '@janix/domain';
import { injectPoison, restart, submit } from './ledger.ts';
import { blindSale, boxOfficeRush, boxOfficeStep, offlineSales } from './box-office-workload.ts';
import { blindScan, checkInStep, doubleEntry, openDoors, scansDuringRestart } from './checkin-workload.ts';

const HOUR = 3_600_000;
const venues = ['Harbour Hall', 'Pier 9 Warehouse', 'Old Town Theatre', 'Riverside Stage', 'Lighthouse Lawn'];

type Step =
  | 'create'
  | 'update'
  | 'conflict'
  | 'invalidLocal'
  | 'scannerWrite'
  | 'orgB'
  | 'poison'
  | 'sync'
  | 'backgroundSync'
  | 'kill'
  | 'restartDevice'
  | 'serverRestart'
  | 'network'
  | 'pause'
  | 'boxOffice'
  | 'boxOfficeRush'
  | 'offlineSales'
  | 'checkIn'
  | 'doubleEntry'
  | 'scansDuringRestart';
const weights: Record<Step, number> = {
  create: 12,
  update: 20,
  conflict: 7,
  invalidLocal: 4,
  scannerWrite: 3,
  orgB: 7,
  poison: 5,
  sync: 14,
  backgroundSync: 9,
  kill: 5,
  restartDevice: 6,
  serverRestart: 2,
  network: 5,
  pause: 3,
  boxOffice: 45,
  boxOfficeRush: 4,
  offlineSales: 4,
  checkIn: 24,
  doubleEntry: 6,
  scansDuringRestart: 1,
};

/** The organization's events as the server has them now, plus ones created locally but not yet there. */
export async function knownEvents(run: RunContext, org: 'A' | 'B'): Promise<EventFacts[]> {
  const rows = await run.pool.query<{ id: string; starts_at: Date; ends_at: Date }>(
    'SELECT id, starts_at, ends_at FROM events WHERE org_id = $1 ORDER BY id',
    [run.orgIdOf(org)],
  );
  const events = rows.rows.map((row) => ({
    id: row.id,
    startsAt: row.starts_at.getTime(),
    endsAt: row.ends_at.getTime(),
  }));
  const onServer = new Set(events.map((event) => event.id));
  for (const event of run.created.values())
    if (event.org === org && !onServer.has(event.id)) events.push(event);
  return events;
}

function draft(run: RunContext, org: 'A' | 'B') {
  const { random } = run;
  const start = Date.parse('2026-12-01T18:00:00Z') + random.int(0, 60) * 24 * HOUR + random.int(0, 5) * HOUR;
  return {
    name: `Torture ${org} ${run.seed}-${random.int(1, 99_999)}`,
    venue: random.pick(venues),
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + random.int(1, 6) * HOUR).toISOString(),
    status: random.pick(['draft', 'on_sale'] as const),
  };
}

/** A patch computed from the server's view; a device whose view lags may refuse it or the server may. */
function patchFor(run: RunContext, event: EventFacts): Record<string, unknown> {
  const { random } = run;
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

/**
 * A command a buggy or newer console might queue: values Postgres cannot store, dates outside what both ends
 * hold, a number where an id belongs, arguments over the size limit, or a name this server does not know.
 * The expected code follows the server's order of checks: name, then permission, then arguments.
 */
function poisonFor(run: RunContext, device: Device, event: EventFacts) {
  const { random } = run;
  const kinds = [
    () => ({
      what: 'NUL in a name',
      name: 'createEvent',
      args: { eventId: random.uuid(), draft: { ...draft(run, device.org), name: 'Poison\u0000Gala' } },
    }),
    () => ({
      what: 'lone surrogate in a name',
      name: 'updateEvent',
      args: { eventId: event.id, patch: { name: `Gala ${random.pick(['\ud83c', '\udf89'])}` } },
    }),
    () => ({
      what: 'NUL in a venue',
      name: 'updateEvent',
      args: { eventId: event.id, patch: { venue: 'Pier\u00009' } },
    }),
    () => ({
      what: 'a date past 9999',
      name: 'updateEvent',
      args: { eventId: event.id, patch: { endsAt: '9999-12-31T23:00:00-05:00' } },
    }),
    () => ({
      what: 'a date before 1970',
      name: 'createEvent',
      args: {
        eventId: random.uuid(),
        draft: { ...draft(run, device.org), startsAt: '1969-07-20T20:17:00Z' },
      },
    }),
    () => ({
      what: 'a number for an id',
      name: 'updateEvent',
      args: { eventId: 2 ** 53 + random.int(0, 9), patch: { name: 'Numbered' } },
    }),
    () => ({
      what: 'oversized args',
      name: 'updateEvent',
      args: { eventId: event.id, patch: { name: 'Big' }, notes: 'x'.repeat(70_000 + random.int(0, 5000)) },
    }),
    () => ({
      what: 'an unknown command',
      name: random.pick(['sellTicketsOnline', 'transferTicket', 'checkIn']),
      args: { eventId: event.id, quantity: random.int(1, 4) },
    }),
  ];
  const poison = random.pick(kinds)();
  const code =
    poison.what === 'an unknown command'
      ? 'unknown_command'
      : roleAllows(device.role, 'events.write')
        ? 'invalid_args'
        : 'forbidden';
  return { ...poison, code } as { what: string; name: string; args: Record<string, unknown>; code: string };
}

/** Remembers the event it creates, so later steps can name it before the server has it. */
async function create(run: RunContext, device: Device, org: 'A' | 'B'): Promise<void> {
  const event = draft(run, org);
  const reply = await submit(run, device, 'createEvent', { draft: event });
  if (!reply) return;
  run.created.set(reply.eventId, {
    id: reply.eventId,
    org,
    startsAt: Date.parse(event.startsAt),
    endsAt: Date.parse(event.endsAt),
  });
}

/**
 * Opens the doors (the run's check-in lists), then draws and runs `run.stepCount` steps: commands, sales,
 * scans, syncs, kills, restarts, network and server faults.
 */
export async function runWorkload(run: RunContext): Promise<void> {
  const { random, note, devices } = run;
  const aliveWith = (predicate: (device: Device) => boolean) =>
    devices.filter((device) => device.alive && predicate(device));
  const writersA = () => aliveWith((d) => d.org === 'A' && (d.role === 'owner' || d.role === 'organizer'));

  await openDoors(run);
  for (let step = 1; step <= run.stepCount; step += 1) {
    const kind = random.weighted(weights);
    switch (kind) {
      case 'create': {
        const writers = writersA();
        if (!writers.length) break;
        await create(run, random.pick(writers), 'A');
        break;
      }
      case 'update': {
        const writers = writersA();
        if (!writers.length) break;
        const event = random.pick(await knownEvents(run, 'A'));
        await submit(run, random.pick(writers), 'updateEvent', {
          eventId: event.id,
          patch: patchFor(run, event),
        });
        break;
      }
      case 'conflict': {
        // One device moves the event later while another, offline, pulls its end earlier: whichever
        // reaches the server second may break the time rule there, and is rejected (G9).
        const writers = writersA();
        if (writers.length < 2) break;
        const first = random.pick(writers);
        const second = random.pick(writers.filter((device) => device !== first));
        const event = random.pick(await knownEvents(run, 'A'));
        note(
          `conflict on ${event.id.slice(0, 8)}: ${first.label} moves it, ${second.label} offline shortens it`,
        );
        if (second.online && random.chance(0.7)) await second.setOnline(false);
        await submit(run, second, 'updateEvent', {
          eventId: event.id,
          patch: { endsAt: new Date(event.startsAt + HOUR).toISOString() },
        });
        await submit(run, first, 'updateEvent', {
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
            run,
            device,
            'updateEvent',
            { eventId: random.uuid(), patch: { name: 'Nowhere' } },
            { expectLocalRejection: true },
          );
        } else {
          const event = random.pick(await knownEvents(run, 'A'));
          await submit(run, device, 'updateEvent', {
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
          await submit(
            run,
            device,
            'createEvent',
            { draft: draft(run, 'A') },
            { expectLocalRejection: true },
          );
        } else {
          const event = random.pick(await knownEvents(run, 'A'));
          await submit(
            run,
            device,
            'updateEvent',
            { eventId: event.id, patch: patchFor(run, event) },
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
          await create(run, device, 'B');
        } else if (roll < 0.7) {
          const event = random.pick(await knownEvents(run, 'B'));
          await submit(run, device, 'updateEvent', { eventId: event.id, patch: patchFor(run, event) });
        } else if (roll < 0.85) {
          // An org-A id is invisible to this device, so it queues the create; the server must refuse it.
          const foreign = random.pick(run.demoA.events);
          const reply = await submit(
            run,
            device,
            'createEvent',
            { eventId: foreign.id, draft: draft(run, 'B') },
            { direct: true },
          );
          if (reply)
            run.crossOrg.push({ device, seq: reply.seq, eventId: foreign.id, orgId: run.demoA.org.id });
        } else {
          // Refused locally, unless this device queued a create with that id itself (then it sees it, pending).
          const foreign = random.pick(run.demoA.events);
          const seen = run.crossOrg.some(
            (attempt) => attempt.device === device && attempt.eventId === foreign.id,
          );
          const reply = await submit(
            run,
            device,
            'updateEvent',
            { eventId: foreign.id, patch: { name: 'Hijacked' } },
            { expectLocalRejection: !seen },
          );
          if (reply)
            run.crossOrg.push({ device, seq: reply.seq, eventId: foreign.id, orgId: run.demoA.org.id });
        }
        break;
      }
      case 'poison': {
        const alive = aliveWith(() => true);
        if (!alive.length) break;
        const device = random.pick(alive);
        const event = random.pick(await knownEvents(run, device.org));
        await injectPoison(run, device, poisonFor(run, device, event));
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
        run.track(device.sync());
        break;
      }
      case 'kill': {
        const alive = aliveWith(() => true);
        if (!alive.length) break;
        const device = random.pick(alive);
        const moment = random.pick(['idle', 'midSync', 'midSubmit'] as const);
        if (moment === 'midSync') {
          run.track(device.sync());
          await sleep(random.int(0, 250));
        } else if (moment === 'midSubmit') {
          const event = random.pick(await knownEvents(run, device.org));
          const pending =
            device.role === 'box_office'
              ? blindSale(run, device)
              : device.role !== 'check_in'
                ? submit(run, device, 'updateEvent', { eventId: event.id, patch: patchFor(run, event) })
                : blindScan(run, device);
          const wait = random.int(0, 3);
          if (wait) await sleep(wait);
          await device.kill();
          await pending;
        }
        await device.kill();
        run.counters.kills += 1;
        note(`${device.label} kill -9 (${moment})${device.maybe ? ' with a submit in flight' : ''}`);
        if (random.chance(0.5)) await restart(run, device);
        break;
      }
      case 'restartDevice': {
        const dead = devices.filter((device) => !device.alive);
        if (!dead.length) break;
        await restart(run, random.pick(dead));
        break;
      }
      case 'serverRestart': {
        const downtime = random.int(0, 400);
        const mode = random.pick(['graceful', 'abrupt'] as const);
        note(`server restart, ${mode} (down ${downtime} ms)`);
        await run.server.restart(downtime, mode);
        run.counters.serverRestarts += 1;
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
      case 'boxOffice':
        await boxOfficeStep(run);
        break;
      case 'boxOfficeRush':
        await boxOfficeRush(run);
        break;
      case 'offlineSales':
        await offlineSales(run);
        break;
      case 'checkIn':
        await checkInStep(run);
        break;
      case 'doubleEntry':
        await doubleEntry(run);
        break;
      case 'scansDuringRestart':
        await scansDuringRestart(run);
        break;
    }
    if (random.chance(0.3)) await sleep(random.int(0, 20));
  }
}
