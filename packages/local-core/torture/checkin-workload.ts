/**
 * The doors under torture: an owner's or organizer's console creates check-in lists for two events (no
 * re-entry, re-entry, several entries, a daily limit, one ticket type only) and every console of the
 * organization scans at them: genuine codes (seeded tickets and the ones the tills sell in the run), exits and
 * re-entries, garbage and forged codes, tickets picked by hand, the same ticket at two doors cut off from each
 * other, scans while the server restarts; interleaved with every fault of the main workload. A scan is a fact:
 * the server must record each exactly once, never refuse one, and flag every double entry once; the doors must
 * agree on counts and alerts (checked at the end by checkin-checks.ts). What a door must refuse at once (a text
 * that is no ticket of this organization) is checked here, as it happens.
 */
import type { CheckInListFacts, RunContext } from './context.ts';
import { DeviceGone, type Device } from './device.ts';
import { fail } from './failure.ts';
import { submit } from './ledger.ts';
import type { ScanFact } from './protocol.ts';

type ListKind = 'single' | 'reentry' | 'multiple' | 'daily' | 'oneType';
const kindNames: Record<ListKind, string> = {
  single: 'Main door',
  reentry: 'Smokers door',
  multiple: 'Crew gate',
  daily: 'Festival gate',
  oneType: 'VIP door',
};
// Zones on both sides of UTC, one with a half-hour offset: the daily limit counts days in the list's zone.
const timeZones = ['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Australia/Adelaide'];

type Action = 'scan' | 'exit' | 'walkThrough' | 'garbage' | 'byHand' | 'rename';
const actionWeights: Record<Action, number> = {
  scan: 40,
  exit: 12,
  walkThrough: 10,
  garbage: 14,
  byHand: 10,
  rename: 3,
};

/** The few tickets of each event most scans go to, so doors meet on the same ones. */
const HOT_TICKETS = 5;

interface ScanOrder {
  listId: string;
  direction: 'entry' | 'exit';
  text?: string;
  ticketId?: string;
}

/**
 * A list's router input. No time window and no auto checkout: those depend on the wall clock, and the run must
 * judge every scan by the same rules on every door and on the server.
 */
function listInput(run: RunContext, eventId: string, kind: ListKind): CheckInListFacts['input'] {
  const { random } = run;
  const types = run.demoA.ticketTypes.filter((type) => type.eventId === eventId);
  return {
    listId: random.uuid(),
    eventId,
    name: `${kindNames[kind]} ${random.int(1, 999)}`,
    ticketTypeIds: kind === 'oneType' && types.length ? [random.pick(types).id] : [],
    validFrom: null,
    validUntil: null,
    allowReentry: kind === 'reentry' || kind === 'daily',
    allowMultipleEntries: kind === 'multiple',
    maxEntriesPerDay: kind === 'daily' ? 2 : null,
    autoCheckoutAt: null,
    timeZone: random.pick(timeZones),
  };
}

/** Every console of the organization that holds the lists: any role may scan. */
function doors(run: RunContext): Device[] {
  return run.devices.filter((device) => device.alive && device.org === 'A');
}

/** Mostly door staff (a scanner, a till); now and then an owner's or organizer's console. */
function pickDoor(run: RunContext, among: Device[]): Device {
  const staff = among.filter((device) => device.role === 'check_in' || device.role === 'box_office');
  return run.random.pick(staff.length && run.random.chance(0.75) ? staff : among);
}

/**
 * A ticket of the event, null for an event with none: with probability `hot` one of its first few, so doors
 * meet on them; else any, most likely one no door has scanned yet.
 */
function pickTicket(run: RunContext, eventId: string, hot = 0.7) {
  const all = run.checkIn.tickets.filter((ticket) => ticket.eventId === eventId);
  if (!all.length) return null;
  return run.random.pick(run.random.chance(hot) ? all.slice(0, HOT_TICKETS) : all);
}

/** A genuine code as scanners send it: bare, or with the Enter, Tab or padding a keyboard wedge adds. */
function asScanned(run: RunContext, secret: string): string {
  return run.random.pick([secret, secret, `${secret}\r\n`, `${secret}\t`, `  ${secret} `]);
}

async function syncQuietly(run: RunContext, device: Device, why: string): Promise<void> {
  const result = await device.sync().catch((error: unknown) => {
    if (error instanceof DeviceGone) return null;
    throw error;
  });
  run.note(`${device.label} synced ${why}: ${result?.lastError ?? 'ok'}`);
}

async function setOnline(run: RunContext, device: Device, online: boolean): Promise<void> {
  await device.setOnline(online).catch((error: unknown) => {
    if (!(error instanceof DeviceGone)) throw error;
  });
  run.note(`${device.label} goes ${online ? 'online' : 'offline'}`);
}

/**
 * One scan at a door, recorded in the ledger like any command. A door that does not hold the list yet (not
 * synced there) refuses to open it, and nothing is queued. `mustRefuse`: the text is no ticket of this
 * organization, so admitting it is a bug of the door.
 */
async function scan(
  run: RunContext,
  device: Device,
  order: ScanOrder,
  mustRefuse?: string,
): Promise<ScanFact | null> {
  const counters = run.checkIn.counters;
  const offline = !device.online;
  const refusedBefore = run.counters.localRejected;
  const reply = await submit(run, device, 'recordScan', { ...order });
  if (!reply?.scan) {
    if (run.counters.localRejected > refusedBefore) counters.noList += 1;
    return null;
  }
  if (mustRefuse && reply.scan.outcome !== 'refused') {
    fail(
      'local rules',
      `${device.label} admitted ${mustRefuse} (${reply.scan.code}, scan ${reply.scan.scanId})`,
    );
  }
  counters.scans += 1;
  if (reply.scan.outcome === 'admitted') counters.admitted += 1;
  if (offline) counters.offline += 1;
  if (order.ticketId !== undefined) counters.manual += 1;
  return reply.scan;
}

/**
 * Creates the run's lists on owners' and organizers' consoles, before the first step: on the box office's
 * event (whose tickets are also sold and refunded during the run) a main door without re-entry and a list of
 * another kind, and a list of any kind on another event with tickets. The creators sync at once so the doors
 * can pull the lists.
 */
export async function openDoors(run: RunContext): Promise<void> {
  const { random, note } = run;
  const writers = run.devices.filter(
    (device) =>
      device.alive && device.org === 'A' && (device.role === 'owner' || device.role === 'organizer'),
  );
  const boxOfficeEvent = run.boxOffice.events[0]!.id;
  const withTickets = run.demoA.events.filter(
    (event) => event.id !== boxOfficeEvent && run.demoA.tickets.some((ticket) => ticket.eventId === event.id),
  );
  const kinds = Object.keys(kindNames) as ListKind[];
  const plan: Array<[string, ListKind]> = [
    [boxOfficeEvent, 'single'],
    [boxOfficeEvent, random.pick(kinds.filter((kind) => kind !== 'single'))],
  ];
  if (withTickets.length) plan.push([random.pick(withTickets).id, random.pick(kinds)]);
  const creators = new Set<Device>();
  for (const [eventId, kind] of plan) {
    const creator = random.pick(writers);
    const input = listInput(run, eventId, kind);
    const reply = await submit(run, creator, 'createCheckInList', input);
    if (!reply) continue;
    run.checkIn.lists.push({ id: String(input.listId), eventId, creator, input });
    creators.add(creator);
  }
  run.checkIn.counters.lists = run.checkIn.lists.length;
  const eventIds = new Set(run.checkIn.lists.map((list) => list.eventId));
  run.checkIn.tickets = run.demoA.tickets
    .filter((ticket) => eventIds.has(ticket.eventId))
    .map(({ id, eventId, secret }) => ({ id, eventId, secret }));
  note(
    `doors: ${run.checkIn.lists
      .map((list) => `${String(list.input.name)} ${list.id.slice(0, 8)} of ${list.eventId.slice(0, 8)}`)
      .join(', ')}`,
  );
  for (const creator of creators) await syncQuietly(run, creator, 'its new lists');
}

/** Adds the tickets the tills sold (and synced) since the last look, after the seeded ones. */
async function refreshTickets(run: RunContext): Promise<void> {
  const known = new Set(run.checkIn.tickets.map((ticket) => ticket.id));
  const rows = await run.pool.query<{ id: string; event_id: string; secret: string }>(
    'SELECT id, event_id, secret FROM tickets WHERE org_id = $1 AND event_id = ANY($2::uuid[]) ORDER BY id',
    [run.orgIdOf('A'), [...new Set(run.checkIn.lists.map((list) => list.eventId))]],
  );
  for (const row of rows.rows) {
    if (!known.has(row.id))
      run.checkIn.tickets.push({ id: row.id, eventId: row.event_id, secret: row.secret });
  }
}

/** A text that is no ticket of this organization; `genuine` is a real code to forge or cut. */
async function garbage(run: RunContext, genuine: string): Promise<{ what: string; text: string }> {
  const { random } = run;
  const kinds: Array<() => { what: string; text: string } | Promise<{ what: string; text: string }>> = [
    () => ({ what: 'an empty scan', text: random.pick(['', '   ', '\r\n', '\u0000\u0000']) }),
    () => ({ what: 'a product barcode', text: String(random.int(1e12, 1e13 - 1)) }),
    () => ({ what: "another system's QR code", text: `https://example.org/t/${random.uuid()}` }),
    () => ({ what: 'SQL', text: "' OR 1=1; DROP TABLE check_ins; --" }),
    () => ({ what: 'control characters', text: `JNX\u0007${random.uuid()}\u202e` }),
    () => ({ what: 'a lone surrogate', text: `T\ud83c${random.int(0, 9)}` }),
    () => ({ what: 'an oversized text', text: 'A'.repeat(4097 + random.int(0, 3000)) }),
    () => {
      // Every character of a secret carries six bits of it (156 characters, no padding): any change forges it.
      const at = random.int(0, genuine.length - 1);
      const swap = genuine[at] === 'A' ? 'B' : 'A';
      return { what: 'a forged code', text: `${genuine.slice(0, at)}${swap}${genuine.slice(at + 1)}` };
    },
    () => ({ what: 'a cut code', text: genuine.slice(0, random.int(10, genuine.length - 10)) }),
    async () => {
      const other = await run.pool.query<{ secret: string }>(
        'SELECT secret FROM tickets WHERE org_id = $1 ORDER BY id LIMIT 5',
        [run.orgIdOf('B')],
      );
      return { what: "another organization's code", text: random.pick(other.rows).secret };
    },
  ];
  return random.pick(kinds)();
}

/** One check-in step at one door, on one of the lists. */
export async function checkInStep(run: RunContext): Promise<void> {
  const { random } = run;
  const { lists } = run.checkIn;
  const available = doors(run);
  if (!lists.length || !available.length) return;
  await refreshTickets(run);
  const list = random.pick(lists);
  const ticket = pickTicket(run, list.eventId);
  if (!ticket) return;
  const door = pickDoor(run, available);
  switch (random.weighted(actionWeights)) {
    case 'scan': {
      // A queue at the door: the first holder, then a few more.
      const queue = [
        ticket,
        ...Array.from({ length: random.int(0, 3) }, () => pickTicket(run, list.eventId)),
      ];
      for (const holder of queue) {
        const text = asScanned(run, holder!.secret);
        await scan(run, door, { listId: list.id, direction: 'entry', text });
      }
      return;
    }
    case 'exit':
      await scan(run, door, { listId: list.id, direction: 'exit', text: asScanned(run, ticket.secret) });
      return;
    case 'walkThrough': {
      // In, out (here or at another door), and back in at another door: a re-entry where the list allows it.
      const other = random.pick(available);
      const out = random.chance(0.5) ? door : other;
      await scan(run, door, { listId: list.id, direction: 'entry', text: ticket.secret });
      await scan(run, out, { listId: list.id, direction: 'exit', text: ticket.secret });
      await scan(run, other, { listId: list.id, direction: 'entry', text: ticket.secret });
      return;
    }
    case 'garbage': {
      const { what, text } = await garbage(run, ticket.secret);
      run.checkIn.counters.garbage += 1;
      await scan(
        run,
        door,
        { listId: list.id, direction: random.chance(0.8) ? 'entry' : 'exit', text },
        what,
      );
      return;
    }
    case 'byHand': {
      // Picked after a search; now and then an id no ticket has (a stale search result on another console).
      const stray = random.chance(0.15);
      await scan(
        run,
        door,
        {
          listId: list.id,
          direction: random.chance(0.8) ? 'entry' : 'exit',
          ticketId: stray ? random.uuid() : ticket.id,
        },
        stray ? 'an unknown ticket picked by hand' : undefined,
      );
      return;
    }
    case 'rename':
      // The whole draft again, renamed: the rules a door judges by stay those the list was created with.
      await submit(run, list.creator, 'updateCheckInList', {
        ...list.input,
        name: `${kindNames.single} ${random.int(1000, 9999)}`,
      });
      return;
  }
}

/**
 * The same ticket at two doors cut off from each other (one or both offline): each admits it, so the server
 * must flag the second entry once both scans arrive, and every door must then show the alert. The doors may
 * stay offline until another step or quiescence brings them back.
 */
export async function doubleEntry(run: RunContext): Promise<void> {
  const { random, note } = run;
  const lists = run.checkIn.lists.filter((list) => !list.input.allowMultipleEntries);
  const available = doors(run);
  if (!lists.length || available.length < 2) return;
  await refreshTickets(run);
  const list = random.pick(lists);
  // Mostly a ticket nobody has scanned yet: doors that know it is inside would refuse it, and rightly so.
  const ticket = pickTicket(run, list.eventId, 0.3);
  if (!ticket) return;
  const first = pickDoor(run, available);
  const second = pickDoor(
    run,
    available.filter((device) => device !== first),
  );
  const both = random.chance(0.5);
  const texts = [asScanned(run, ticket.secret), asScanned(run, ticket.secret)] as const;
  note(
    `double entry: ${first.label} and ${second.label} (${both ? 'both' : 'one'} offline) admit ${ticket.id.slice(0, 8)} at ${list.id.slice(0, 8)}`,
  );
  run.checkIn.counters.doubleEntries += 1;
  if (second.online) await setOnline(run, second, false);
  if (both && first.online) await setOnline(run, first, false);
  await scan(run, first, { listId: list.id, direction: 'entry', text: texts[0] });
  await scan(run, second, { listId: list.id, direction: 'entry', text: texts[1] });
  // Sometimes the holder leaves through the second door before it hears of the first.
  if (random.chance(0.3))
    await scan(run, second, { listId: list.id, direction: 'exit', text: ticket.secret });
  for (const door of [first, second]) {
    if (!random.chance(0.5) || !door.alive) continue;
    await setOnline(run, door, true);
    if (random.chance(0.6)) await syncQuietly(run, door, 'after the double entry');
  }
}

/**
 * The server goes down and comes back while the doors keep scanning and trying to sync: the scans are made
 * offline from the replica and must all reach the server once it is back.
 */
export async function scansDuringRestart(run: RunContext): Promise<void> {
  const { random, note } = run;
  const available = doors(run);
  if (!run.checkIn.lists.length || !available.length) return;
  await refreshTickets(run);
  const downtime = random.int(50, 400);
  const mode = random.pick(['graceful', 'abrupt'] as const);
  const count = random.int(3, 8);
  note(`server restart, ${mode} (down ${downtime} ms), while the doors scan ${count} times`);
  // Settled into a value: a failed restart must fail the run when awaited, not as an unhandled rejection.
  const restarting = run.server.restart(downtime, mode).then(
    () => null,
    (error: unknown) => error,
  );
  for (let i = 0; i < count; i += 1) {
    const door = pickDoor(run, available);
    const list = random.pick(run.checkIn.lists);
    const ticket = pickTicket(run, list.eventId);
    if (ticket) {
      const direction = random.chance(0.8) ? 'entry' : 'exit';
      await scan(run, door, { listId: list.id, direction, text: ticket.secret });
    }
    if (random.chance(0.4)) run.track(door.sync());
  }
  const failed = await restarting;
  if (failed) throw failed;
  run.counters.serverRestarts += 1;
}

/** A scan made without asking the device first, for a kill in the middle of a submit. */
export function blindScan(run: RunContext, device: Device): Promise<unknown> {
  const { lists } = run.checkIn;
  const list = lists.length ? run.random.pick(lists) : null;
  const ticket = list && pickTicket(run, list.eventId);
  if (!list || !ticket) return Promise.resolve(null);
  return scan(run, device, { listId: list.id, direction: 'entry', text: ticket.secret });
}
