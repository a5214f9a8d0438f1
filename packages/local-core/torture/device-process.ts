/**
 * One console in its own process: the real local core on a real SQLite file, talking to the real server
 * through a faulty fetch. The harness drives it over IPC and may kill it with SIGKILL at any moment.
 * Run as `node --import tsx torture/device-process.ts` with TORTURE_DEVICE set (see DeviceConfig).
 */
import { replicatedTableNames } from '@janix/domain';
import { MAX_TICKETS_PER_SALE } from '@janix/schemas';
import type { ScanResult } from '../src/checkin-router.ts';
import { openLocalCore } from '../src/index.ts';
import { acceptCommand, consoleActorOf } from '../src/sync/local-commands.ts';
import { createFaultyFetch } from './faulty-fetch.ts';
import type {
  BoxOfficeState,
  CheckInView,
  CommandName,
  DeviceConfig,
  DeviceMessage,
  DeviceRequest,
  DeviceState,
  ScanFact,
  SubmitReply,
  SyncReply,
} from './protocol.ts';
import { Random } from './random.ts';

const config = JSON.parse(process.env.TORTURE_DEVICE ?? '{}') as DeviceConfig;
if (!config.dataDir || !process.send) {
  process.stderr.write('device-process: run me with child_process.fork and TORTURE_DEVICE set\n');
  process.exit(2);
}

function emit(event: DeviceMessage): void {
  process.send?.(event);
}

const network = createFaultyFetch({
  random: new Random(config.seed),
  rates: config.rates,
  onFault: (kind, path) => emit({ type: 'fault', kind, path }),
});
network.setEnabled(config.faults);
network.setOnline(config.online);

const core = await openLocalCore({
  dataDir: config.dataDir,
  serverUrl: config.serverUrl,
  autoSync: config.autoSync,
  fetch: network.fetch,
  pageSize: config.pageSize,
});

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The highest sequence number the device has ever issued (the queue, or the server's mark if drained). */
function highestSeq(): number {
  const { db, meta } = core.replica();
  const queued = (db.prepare('SELECT max(seq) AS seq FROM outbox').get() as { seq: number | null }).seq ?? 0;
  return Math.max(queued, meta.get('lastAppliedSeq') ?? 0);
}

async function submit(request: Extract<DeviceRequest, { type: 'submit' }>): Promise<SubmitReply> {
  const { name, args } = request;
  if (request.direct) {
    // The same steps the local router's submit takes, with the harness's own ids (e.g. a foreign event id).
    const { db, meta, overlay, allocationSecrets, outbox } = core.replica();
    const device = meta.get('device');
    if (!device) return { accepted: false, code: 'not_enrolled', message: 'not enrolled' };
    const actor = consoleActorOf(device, meta.get('session'));
    const decider = { overlay, issueTicket: allocationSecrets.issuer, now: () => new Date() };
    const decision = acceptCommand(db, decider, outbox, actor, {
      name,
      args,
      clientTime: new Date(),
      lastAppliedSeq: meta.get('lastAppliedSeq') ?? 0,
    });
    if (!decision.ok) return { accepted: false, code: decision.code, message: decision.message };
    core.sync().poke();
    return { accepted: true, seq: decision.value.seq, eventId: String(args.eventId) };
  }
  if (name !== 'createEvent' && name !== 'updateEvent') return routerSubmit(request);
  // The path the console's UI takes: the local router, its permission check and its rules.
  try {
    let eventId: string;
    if (name === 'createEvent') {
      eventId = (await core.caller.events.create({ draft: args.draft as never })).id;
    } else {
      eventId = (await core.caller.events.update({ id: String(args.eventId), patch: args.patch as never }))
        .id;
    }
    // Submits are handled one at a time, so the newest issued sequence number is this command's.
    return { accepted: true, seq: highestSeq(), eventId };
  } catch (error) {
    return { accepted: false, code: refusalCode(error), message: errorMessage(error) };
  }
}

/** The rule's or the box office's refusal code, which the local router keeps as the error's cause. */
function refusalCode(error: unknown): string | null {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? code : null;
}

type RouterCommand = Exclude<CommandName, 'createEvent' | 'updateEvent'>;
/** Each box-office and check-in command as the screens send it: the router input, with the ids the screen makes. */
const routerCalls: Record<RouterCommand, (input: never) => Promise<unknown>> = {
  openShift: (input) => core.caller.boxOffice.shifts.open(input),
  requestAllocation: (input) => core.caller.boxOffice.requestSeats(input),
  sellTickets: (input) => core.caller.boxOffice.sell(input),
  refundOrder: (input) => core.caller.boxOffice.orders.refund(input),
  recordCashMovement: (input) => core.caller.boxOffice.shifts.cashMovement(input),
  closeShift: (input) => core.caller.boxOffice.shifts.close(input),
  // The list screen saves a whole draft: an update of a list it holds, a create of one it does not.
  createCheckInList: (input) => core.caller.checkin.saveList(input),
  updateCheckInList: (input) => core.caller.checkin.saveList(input),
  recordScan: (input: { listId: string; direction: 'entry' | 'exit'; text?: string; ticketId?: string }) =>
    input.ticketId !== undefined
      ? core.caller.checkin.checkIn({
          listId: input.listId,
          ticketId: input.ticketId,
          direction: input.direction,
        })
      : core.caller.checkin.scan({
          listId: input.listId,
          text: input.text ?? '',
          direction: input.direction,
        }),
};

/** Seats left for a ticket type's quota on this device, or null without an open shift or that type here. */
async function seatsLeftFor(eventId: string, ticketTypeId: string): Promise<number | null> {
  if (!(await core.caller.boxOffice.shifts.current())) return null;
  const catalog = await core.caller.boxOffice.catalog({ eventId });
  const type = catalog.ticketTypes.find((candidate) => candidate.id === ticketTypeId);
  const quota = type && catalog.quotas.find((candidate) => candidate.quotaId === type.quotaId);
  return quota ? quota.left : null;
}

async function routerSubmit(request: Extract<DeviceRequest, { type: 'submit' }>): Promise<SubmitReply> {
  const name = request.name as RouterCommand;
  let input = request.args;
  let quantity: number | undefined;
  if (request.overHeld !== undefined) {
    // No I/O between counting and selling: only this turn's microtasks run, so a fetch of slot codes that
    // lands meanwhile cannot add seats between the two.
    const lines = input.lines as Array<{ ticketTypeId: string; quantity: number }>;
    const left = await seatsLeftFor(String(input.eventId), lines[0]!.ticketTypeId).catch(() => null);
    if (left === null || left + request.overHeld > MAX_TICKETS_PER_SALE) {
      return { accepted: false, code: 'skipped', message: 'no open shift, or the type is not here yet' };
    }
    quantity = left + request.overHeld;
    input = { ...input, lines: [{ ...lines[0]!, quantity }] };
  }
  const before = highestSeq();
  let result: unknown;
  try {
    result = await routerCalls[name](input as never);
  } catch (error) {
    return { accepted: false, code: refusalCode(error), message: errorMessage(error) };
  }
  const seq = highestSeq();
  // The harness always sends fresh ids, so every accepted call queues exactly one command.
  if (seq !== before + 1) {
    return {
      accepted: false,
      code: 'not_queued',
      message: `${name} left the queue at ${seq} (was ${before})`,
    };
  }
  return {
    accepted: true,
    seq,
    eventId: String(input.eventId ?? input.orderId ?? input.shiftId ?? input.quotaId ?? input.listId ?? '?'),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(name === 'recordScan' ? { scan: scanFactOf(result as ScanResult) } : {}),
  };
}

function scanFactOf({ scanId, outcome, code, scannedAt }: ScanResult): ScanFact {
  return { scanId, outcome, code, scannedAt };
}

/** The check-in screens' reads of these lists and events; a list this console does not hold reads as null. */
async function checkInView(listIds: string[], eventIds: string[]): Promise<CheckInView> {
  const view: CheckInView = { lists: {}, alerts: {} };
  for (const listId of listIds) {
    try {
      const recent = await core.caller.checkin.recent({ listId, limit: 200 });
      view.lists[listId] = {
        counts: await core.caller.checkin.counts({ listId }),
        recent: recent.map((scan) => scan.scanId),
        pending: recent.filter((scan) => scan.pending).length,
      };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
      view.lists[listId] = null;
    }
  }
  for (const eventId of eventIds) {
    const alerts = await core.caller.checkin.alerts({ eventId });
    view.alerts[eventId] = alerts.map(({ id, listId, ticketId }) => ({ id, listId, ticketId }));
  }
  return view;
}

/** The box office as this device sees it now, for the harness to choose what to do next. */
async function boxOfficeState(eventIds: string[]): Promise<BoxOfficeState> {
  const current = await core.caller.boxOffice.shifts.current();
  const held: BoxOfficeState['held'] = {};
  for (const eventId of eventIds) {
    for (const quota of (await core.caller.boxOffice.catalog({ eventId })).quotas) {
      const { left, awaitingCodes, requested } = quota;
      held[quota.quotaId] = { left, awaitingCodes, requested };
    }
  }
  const { db, meta } = core.replica();
  const orders = db
    .prepare(
      `SELECT o.id, o.shift_id AS shiftId, o.payment_method AS paymentMethod, o.pending
       FROM orders_current o JOIN shifts_current s ON s.id = o.shift_id
       WHERE s.device_id = ? AND o.status = 'paid' ORDER BY o.created_at, o.id`,
    )
    .all(meta.get('device')?.deviceId ?? '') as Array<{
    id: string;
    shiftId: string | null;
    paymentMethod: string | null;
    pending: number;
  }>;
  return {
    openShiftId: current?.shift.id ?? null,
    held,
    orders: orders.map((order) => ({ ...order, pending: order.pending === 1 })),
  };
}

function state(): DeviceState {
  const { db, meta, outbox } = core.replica();
  const device = meta.get('device');
  const tables: DeviceState['tables'] = {};
  for (const table of replicatedTableNames) {
    tables[table] = db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Array<Record<string, unknown>>;
  }
  const sync = core.sync().state;
  return {
    deviceId: device?.deviceId ?? null,
    orgId: device?.orgId ?? null,
    role: device?.role ?? null,
    tables,
    pendingOverlay: replicatedTableNames.reduce(
      (sum, table) =>
        sum + (db.prepare(`SELECT count(*) AS n FROM ${table}_pending`).get() as { n: number }).n,
      0,
    ),
    slots: db
      .prepare(
        `SELECT allocation_id AS allocationId, slot, max(spent_order_id) AS spentOrderId
         FROM allocation_secrets GROUP BY allocation_id, slot ORDER BY allocation_id, slot`,
      )
      .all() as DeviceState['slots'],
    outbox: outbox.list().map(({ seq, name, args, attempts, lastError }) => ({
      seq,
      name,
      args,
      attempts,
      lastError,
    })),
    rejections: outbox.rejections().map(({ seq, name, code, message }) => ({ seq, name, code, message })),
    lastAppliedSeq: meta.get('lastAppliedSeq') ?? 0,
    cursor: meta.get('cursor'),
    sync: {
      online: sync.online,
      lastError: sync.lastError,
      consecutiveFailures: sync.consecutiveFailures,
      headVersion: sync.headVersion,
      updateRequired: sync.updateRequired,
      signInRequired: sync.signInRequired,
    },
  };
}

async function handle(request: DeviceRequest): Promise<unknown> {
  switch (request.type) {
    case 'requestCode':
      return core.caller.auth.requestCode({ email: request.email });
    case 'enroll': {
      await core.caller.auth.verifyCode({ email: request.email, code: request.code });
      const memberships = await core.caller.auth.memberships();
      if (!memberships.some((membership) => membership.orgId === request.orgId)) {
        throw new Error(`${request.email} is not a member of ${request.orgId}`);
      }
      const enrolled = await core.caller.device.enroll({ orgId: request.orgId, name: request.name });
      await core.sync().idle();
      return enrolled;
    }
    case 'submit':
      return submit(request);
    case 'inject': {
      const { db, meta, outbox } = core.replica();
      const seq = db.transaction(() =>
        outbox.append(request.name as never, request.args, new Date(), meta.get('lastAppliedSeq') ?? 0),
      )();
      core.sync().poke();
      return { accepted: true, seq, eventId: '?' } satisfies SubmitReply;
    }
    case 'sync': {
      await core.syncNow();
      const { online, lastError } = core.sync().state;
      return { online, lastError } satisfies SyncReply;
    }
    case 'state':
      return state();
    case 'boxOfficeState':
      return boxOfficeState(request.eventIds);
    case 'checkInView':
      return checkInView(request.listIds, request.eventIds);
    case 'faults':
      network.setEnabled(request.enabled);
      return null;
    case 'network':
      network.setOnline(request.online);
      return null;
  }
}

// Submits run one at a time, in arrival order; syncs and reads may overlap them, as in the real console.
let submits: Promise<unknown> = Promise.resolve();
process.on('message', (message: DeviceRequest) => {
  const run = () =>
    handle(message).then(
      (value) => emit({ id: message.id, ok: true, value: value ?? null }),
      (error: unknown) => emit({ id: message.id, ok: false, error: errorMessage(error) }),
    );
  if (message.type === 'submit' || message.type === 'inject') submits = submits.then(run);
  else void run();
});
process.on('disconnect', () => process.exit(0));
emit({ type: 'ready' });
