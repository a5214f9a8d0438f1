/**
 * One console in its own process: the real local core on a real SQLite file, talking to the real server
 * through a faulty fetch. The harness drives it over IPC and may kill it with SIGKILL at any moment.
 * Run as `node --import tsx torture/device-process.ts` with TORTURE_DEVICE set (see DeviceConfig).
 */
import { replicatedTableNames } from '@janix/domain';
import { openLocalCore } from '../src/index.ts';
import { acceptCommand } from '../src/sync/local-commands.ts';
import { createFaultyFetch } from './faulty-fetch.ts';
import type {
  DeviceConfig,
  DeviceMessage,
  DeviceRequest,
  DeviceState,
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
    const { db, meta, events, outbox } = core.replica();
    const device = meta.get('device');
    if (!device) return { accepted: false, code: 'not_enrolled', message: 'not enrolled' };
    const decision = acceptCommand(db, events, outbox, device, {
      name,
      args,
      clientTime: new Date(),
      lastAppliedSeq: meta.get('lastAppliedSeq') ?? 0,
    });
    if (!decision.ok) return { accepted: false, code: decision.code, message: decision.message };
    core.sync().poke();
    return { accepted: true, seq: decision.value.seq, eventId: String(args.eventId) };
  }
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
    return { accepted: false, code: null, message: errorMessage(error) };
  }
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
    pendingOverlay: (db.prepare('SELECT count(*) AS n FROM events_pending').get() as { n: number }).n,
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
