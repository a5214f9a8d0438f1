/**
 * The box office under torture: tills open shifts, ask the server for seats, sell from what they hold (online
 * or cut off), refund and void, pay cash in and out and close their shifts, several tills on the same small
 * quotas at once, interleaved with every fault of the main workload. What they must never do (oversell, sell
 * a seat twice, lose a sale) is checked at the end by box-office-checks.ts; what they must refuse at once
 * (more seats than held, comps from a cashier) is checked here, as it happens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunContext } from './context.ts';
import { DeviceGone, type Device } from './device.ts';
import { submit, type SubmitOptions } from './ledger.ts';
import type { BoxOfficeState } from './protocol.ts';

type Action = 'requestSeats' | 'sell' | 'sellOverHeld' | 'refund' | 'cashMovement' | 'closeShift';
const actionWeights: Record<Action, number> = {
  requestSeats: 15,
  sell: 48,
  sellOverHeld: 9,
  refund: 12,
  cashMovement: 6,
  closeShift: 6,
};

type TicketTypeFacts = RunContext['boxOffice']['events'][number]['types'][number];

/** Tills: box-office devices mostly; an owner's device now and then, as only it may hand out comps. */
export function sellers(run: RunContext): Device[] {
  return run.devices.filter(
    (device) =>
      device.alive && device.org === 'A' && (device.role === 'box_office' || device.role === 'owner'),
  );
}

function pickSeller(run: RunContext): Device | null {
  const alive = sellers(run);
  const tills = alive.filter((device) => device.role === 'box_office');
  if (!alive.length) return null;
  return run.random.pick(tills.length && run.random.chance(0.85) ? tills : alive);
}

const eventIds = (run: RunContext) => run.boxOffice.events.map((event) => event.id);

async function stateOf(run: RunContext, device: Device): Promise<BoxOfficeState | null> {
  try {
    return await device.boxOfficeState(eventIds(run));
  } catch (error) {
    if (error instanceof DeviceGone) return null;
    throw error;
  }
}

/** A ticket type to sell: mostly one whose quota this till holds seats of, if any. */
function pickType(run: RunContext, state: BoxOfficeState | null): { eventId: string; type: TicketTypeFacts } {
  const { random } = run;
  const all = run.boxOffice.events.flatMap((event) =>
    event.types.map((type) => ({ eventId: event.id, type })),
  );
  const held = all.filter((entry) => (state?.held[entry.type.quotaId]?.left ?? 0) > 0);
  return random.pick(held.length && random.chance(0.8) ? held : all);
}

/** A buyer now and then, from a few addresses: the same email is the same person on every till. */
function buyer(run: RunContext) {
  const { random } = run;
  if (!random.chance(0.3)) return null;
  const n = random.int(1, 6);
  return {
    firstName: `Walk ${n}`,
    lastName: 'Up',
    email: random.chance(0.7) ? `buyer${n}@example.org` : null,
    phone: random.chance(0.3) ? `+49 30 ${random.int(100000, 999999)}` : null,
    ageRange: null,
  };
}

/**
 * A sale of one or two lines. Cash sometimes short of the total and comps from a cashier are refused by the
 * rules, so such a sale must never be queued.
 */
function saleFor(run: RunContext, device: Device, state: BoxOfficeState | null) {
  const { random } = run;
  const first = pickType(run, state);
  const event = run.boxOffice.events.find((candidate) => candidate.id === first.eventId)!;
  const second = random.chance(0.2)
    ? random.pick(event.types.filter((type) => type.id !== first.type.id))
    : null;
  // Mostly what the till holds (a cashier sees the seats left), sometimes more.
  const quantity = (type: TicketTypeFacts, most: number) => {
    const left = state?.held[type.quotaId]?.left ?? 0;
    return random.int(1, left > 0 && random.chance(0.85) ? Math.min(most, left) : most);
  };
  const lines = [
    { type: first.type, quantity: quantity(first.type, second ? 2 : 4) },
    ...(second ? [{ type: second, quantity: quantity(second, 2) }] : []),
  ];
  const totalCents = lines.reduce((sum, line) => sum + line.type.priceCents * line.quantity, 0);
  const roll = random.next();
  let mustRefuse = false;
  let payment;
  if (roll < (device.role === 'owner' ? 0.35 : 0.06)) {
    payment = { method: 'comp' as const, reason: 'Guest list' };
    mustRefuse = device.role === 'box_office';
  } else if (roll < 0.55) {
    const short = totalCents > 0 && random.chance(0.05);
    payment = {
      method: 'cash' as const,
      tenderedCents: short ? totalCents - 1 : totalCents + random.pick([0, 0, 500, 1000, 2000]),
    };
    mustRefuse = short;
  } else {
    payment = { method: 'terminal' as const, reference: `T-${random.int(10000, 99999)}` };
  }
  return {
    args: {
      orderId: random.uuid(),
      eventId: event.id,
      lines: lines.map((line) => ({ ticketTypeId: line.type.id, quantity: line.quantity })),
      buyer: buyer(run),
      payment,
    },
    tickets: lines.reduce((sum, line) => sum + line.quantity, 0),
    mustRefuse,
  };
}

async function sell(run: RunContext, device: Device, state: BoxOfficeState | null): Promise<void> {
  await submitSale(run, device, saleFor(run, device, state));
}

async function submitSale(run: RunContext, device: Device, sale: ReturnType<typeof saleFor>): Promise<void> {
  const offline = !device.online;
  const reply = await submit(run, device, 'sellTickets', sale.args, {
    expectLocalRejection: sale.mustRefuse,
  });
  if (!reply) return;
  run.sales.sales += 1;
  run.sales.tickets += sale.tickets;
  if (offline) run.sales.offlineSales += 1;
}

/** One line for more seats than the till holds: the box office must refuse it at once, queuing nothing. */
async function sellOverHeld(run: RunContext, device: Device, state: BoxOfficeState | null): Promise<void> {
  const { random } = run;
  const { eventId, type } = pickType(run, state);
  const options: SubmitOptions = { overHeld: random.int(1, 3), expectCode: 'allocation_exhausted' };
  const before = run.counters.localRejected;
  await submit(
    run,
    device,
    'sellTickets',
    {
      orderId: random.uuid(),
      eventId,
      lines: [{ ticketTypeId: type.id, quantity: 1 }],
      buyer: null,
      payment: { method: 'terminal', reference: 'OVER' },
    },
    options,
  );
  if (run.counters.localRejected > before) run.sales.exhausted += 1;
}

/** Seats of one quota: a few, a handful, or more than any of these quotas has free. */
function seatsToAsk(run: RunContext): number {
  const { random } = run;
  const roll = random.next();
  if (roll < 0.6) return random.int(1, 6);
  if (roll < 0.85) return random.int(8, 30);
  return random.int(100, 500);
}

/**
 * Waits (a little) for the codes of granted seats, which the device fetches by itself after a sync, as a
 * cashier about to sell at the door waits for the screen to show the seats ready.
 */
async function awaitCodes(run: RunContext, device: Device): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && device.alive && device.online) {
    const state = await stateOf(run, device);
    if (!state || Object.values(state.held).every((seats) => seats.awaitingCodes === 0)) return;
    await sleep(50);
  }
}

/** Asks for seats of a quota and, as a cashier would, usually syncs right away to have them granted. */
async function requestSeats(run: RunContext, device: Device): Promise<void> {
  const { random } = run;
  const quota = random.pick(run.boxOffice.events.flatMap((event) => event.types)).quotaId;
  const reply = await submit(run, device, 'requestAllocation', { quotaId: quota, seats: seatsToAsk(run) });
  if (!reply) return;
  run.sales.requests += 1;
  if (random.chance(0.8) && device.online) {
    const result = await device.sync().catch((error: unknown) => {
      if (error instanceof DeviceGone) return null;
      throw error;
    });
    run.note(`${device.label} synced for its seats: ${result?.lastError ?? 'ok'}`);
    await awaitCodes(run, device);
  }
}

/** Mostly an order this till sold; sometimes any paid order of these events, sold here or elsewhere. */
async function refund(run: RunContext, device: Device, state: BoxOfficeState | null): Promise<void> {
  const { random } = run;
  let orderId: string | undefined;
  if (state?.orders.length && random.chance(0.7)) {
    orderId = random.pick(state.orders).id;
  } else {
    const paid = await run.pool.query<{ id: string }>(
      `SELECT id FROM orders WHERE org_id = $1 AND event_id = ANY($2::uuid[]) AND status = 'paid'
       AND (channel = 'box_office' OR payment_method IS NOT NULL) ORDER BY id`,
      [run.orgIdOf('A'), eventIds(run)],
    );
    if (paid.rows.length) orderId = random.pick(paid.rows).id;
  }
  if (!orderId) return;
  const reply = await submit(run, device, 'refundOrder', {
    orderId,
    auditId: random.uuid(),
    action: random.chance(0.4) ? 'void' : 'refund',
    reason: random.pick(['Wrong date', 'Double charged', 'Show clashes', 'Cashier error']),
  });
  if (reply) run.sales.refunds += 1;
}

async function closeShift(run: RunContext, device: Device, shiftId: string): Promise<void> {
  const reply = await submit(run, device, 'closeShift', {
    shiftId,
    countedCents: run.random.int(0, 50_000),
  });
  if (reply) run.sales.closes += 1;
}

/** One box-office step on one till, chosen from what the till holds and has sold now. */
export async function boxOfficeStep(run: RunContext): Promise<void> {
  const { random } = run;
  const device = pickSeller(run);
  if (!device) return;
  const state = await stateOf(run, device);
  if (!state) return;
  if (!state.openShiftId && random.chance(0.9)) {
    await submit(run, device, 'openShift', {
      shiftId: random.uuid(),
      floatCents: random.pick([0, 5000, 20_000]),
    });
    return;
  }
  const holds = Object.values(state.held).some((seats) => seats.left > 0);
  // Without an open shift the actions below are refused (no_open_shift), which is worth trying too.
  switch (
    !holds && state.openShiftId && random.chance(0.8) ? 'requestSeats' : random.weighted(actionWeights)
  ) {
    case 'requestSeats':
      return requestSeats(run, device);
    case 'sell':
      return sell(run, device, state);
    case 'sellOverHeld':
      return sellOverHeld(run, device, state);
    case 'refund':
      return refund(run, device, state);
    case 'cashMovement': {
      await submit(run, device, 'recordCashMovement', {
        movementId: random.uuid(),
        kind: random.pick(['paid_in', 'paid_out'] as const),
        amountCents: random.int(1, 10_000),
        reason: random.pick(['Change for the float', 'Courier', 'Safe drop']),
      });
      return;
    }
    case 'closeShift':
      if (state.openShiftId) await closeShift(run, device, state.openShiftId);
      return;
  }
}

/**
 * Every till at once on one quota: all ask for seats (more together than it has free), then all sync at the
 * same moment, so the server grants concurrently from the same pool; or all sell at once and sync.
 */
export async function boxOfficeRush(run: RunContext): Promise<void> {
  const { random, note } = run;
  const tills = sellers(run).filter((device) => device.role === 'box_office');
  if (tills.length < 2) return;
  const states = await Promise.all(tills.map((device) => stateOf(run, device)));
  const open = tills.filter((_, index) => states[index]?.openShiftId);
  if (open.length < 2) return;
  if (random.chance(0.5)) {
    const quotaId = random.pick(run.boxOffice.events.flatMap((event) => event.types)).quotaId;
    note(`rush: ${open.map((device) => device.label).join(', ')} ask for seats of ${quotaId.slice(0, 8)}`);
    // Submits of different devices run in parallel; draws happen here, in a fixed order.
    const seats = open.map(() => seatsToAsk(run));
    await Promise.all(
      open.map(async (device, index) => {
        const reply = await submit(run, device, 'requestAllocation', { quotaId, seats: seats[index]! });
        if (reply) run.sales.requests += 1;
      }),
    );
  } else {
    note(`rush: ${open.map((device) => device.label).join(', ')} sell at once`);
    const sales = open.map((device) => saleFor(run, device, states[tills.indexOf(device)]!));
    await Promise.all(open.map((device, index) => submitSale(run, device, sales[index]!)));
  }
  for (const device of open) run.track(device.sync());
}

/**
 * A till loses the network and keeps selling from the seats it holds, as at a door with no signal; it may
 * stay cut off until another step or quiescence brings it back.
 */
export async function offlineSales(run: RunContext): Promise<void> {
  const { random, note } = run;
  const tills = sellers(run).filter((device) => device.role === 'box_office');
  if (!tills.length) return;
  const device = random.pick(tills);
  await awaitCodes(run, device);
  const state = await stateOf(run, device);
  if (!state?.openShiftId) return;
  await device.setOnline(false).catch((error: unknown) => {
    if (!(error instanceof DeviceGone)) throw error;
  });
  const count = random.int(2, 5);
  note(`${device.label} goes offline and sells ${count} times`);
  for (let i = 0; i < count; i += 1) await sell(run, device, state);
  if (random.chance(0.5) && device.alive) {
    await device.setOnline(true);
    note(`${device.label} goes online`);
  }
}

/** A sale built without asking the device first, for a kill in the middle of a submit. */
export function blindSale(run: RunContext, device: Device): Promise<unknown> {
  return submitSale(run, device, saleFor(run, device, null));
}
