import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { CommandName, EnrolledDevice } from '@janix/schemas';
import { createSyncEngine, SyncTransportError, type SyncEngine, type SyncTransport } from '@janix/sync';
import type { DeviceLossReason, LocalCoreInternals, Replica } from './local-core-internals.ts';
import { createBoxOffice } from './box-office/box-office.ts';
import { localRouter } from './local-router.ts';
import { createAllocationSecrets } from './replica/allocation-secrets.ts';
import { createEventsRepository } from './replica/events-repository.ts';
import { createMetaStore } from './replica/meta-store.ts';
import { REPLICA_SCHEMA_VERSION } from './replica/migrations.ts';
import {
  checkpointAfterCommand,
  checkpointAndTruncate,
  deleteReplicaFiles,
  lockDataDir,
  openReplica,
} from './replica/open-replica.ts';
import { createPendingOverlay } from './replica/pending-overlay.ts';
import { createRecordNotices } from './replica/record-notices.ts';
import {
  createSecretBox,
  defaultKeyFile,
  loadOrCreateKeyFile,
  type SecretBox,
} from './replica/secret-box.ts';
import { createSyncStorage } from './replica/sync-storage.ts';
import { createServerClient, type ServerClient } from './server-client.ts';
import { checkServerUrl } from './server-url.ts';
import {
  acceptCommand,
  consoleActorOf,
  replayPending,
  type ConsoleActor,
  type LocalDecider,
} from './sync/local-commands.ts';
import { createOutbox } from './sync/outbox.ts';
import { createServerTransport } from './sync/server-transport.ts';

export interface LocalCoreOptions {
  dataDir: string;
  /** https://, or http:// only on this machine (checkServerUrl). */
  serverUrl: string;
  /**
   * The key (32 bytes) that seals the session and device tokens in the replica. Electron main keeps it with
   * `safeStorage`; without one the core uses a key file beside the data folder (`<dataDir>.key`, mode 0600).
   */
  secretKey?: Uint8Array;
  /** The per-run secret of `npm start`'s dev mailbox (JANIX_DEV_MAILBOX_SECRET), sent to the server with each call. */
  devMailboxSecret?: string | null;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Keep syncing in the background (live feed, retries). Tests and benchmarks drive it by hand instead. */
  autoSync?: boolean;
  pageSize?: number;
}

/** A successful sync is written to the replica at most this often (each write is a flushed commit). */
const LAST_SYNCED_WRITE_INTERVAL_MS = 10_000;

export interface LocalCore {
  /** Serves the local tRPC router at /trpc/* (fetch-adapter semantics). */
  fetch(request: Request): Promise<Response>;
  /** In-process caller, for tests and benchmarks. */
  caller: ReturnType<typeof localRouter.createCaller>;
  syncNow(): Promise<void>;
  sync(): SyncEngine;
  replica(): Replica;
  close(): Promise<void>;
}

async function loadReplica(dataDir: string, box: SecretBox, log: (line: string) => void): Promise<Replica> {
  const db = await openReplica(dataDir);
  const meta = createMetaStore(db, box);
  if (meta.sealPlaintextSecrets() > 0) {
    // Tokens an older console stored in plaintext: sealed now, and no page copy of them left in the WAL.
    checkpointAndTruncate(db);
    log('sealed the session and device tokens of an older replica');
  }
  if (meta.hasUnreadableSecrets()) {
    log('the replica key does not open the stored tokens (key file lost or replaced): sign in again');
  }
  const notices = createRecordNotices(db);
  return {
    db,
    meta,
    events: createEventsRepository(db, () => meta.get('device')?.orgId ?? ''),
    overlay: createPendingOverlay(db),
    allocationSecrets: createAllocationSecrets(db),
    outbox: createOutbox(db, notices),
    notices,
  };
}

/**
 * The engine treats `unknown_device` like a revocation and wipes the replica. But a server that does not know
 * a device (restored from a backup, pointed at another database) has not revoked it: the unsynced commands
 * stay. The transport reports it as a server failure (retried with backoff) and remembers it for the status.
 */
function keepUnknownDevice(transport: SyncTransport, onUnknown: () => void): SyncTransport {
  const reclassify = (error: unknown) => {
    if (error instanceof SyncTransportError && error.kind === 'unknown_device') {
      onUnknown();
      return new SyncTransportError('server', error.message);
    }
    return error;
  };
  return {
    push: (input) => transport.push(input).catch((error: unknown) => Promise.reject(reclassify(error))),
    pull: (input) => transport.pull(input).catch((error: unknown) => Promise.reject(reclassify(error))),
    async *live(input, signal) {
      try {
        yield* transport.live(input, signal);
      } catch (error) {
        throw reclassify(error);
      }
    },
  };
}

/** A local rule's refusal, kept on the error so the UI (and tests) can tell which rule refused. */
export class CommandRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRefused';
  }
}
const rejectionCause = (decision: { code: string; message: string }) =>
  new CommandRefused(decision.code, decision.message);

/** Opens the console's replica and starts syncing it with the server. Plain Node: no Electron here. */
export async function openLocalCore(options: LocalCoreOptions): Promise<LocalCore> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const serverUrl = checkServerUrl(options.serverUrl).href.replace(/\/$/, '');
  const box = createSecretBox(options.secretKey ?? loadOrCreateKeyFile(defaultKeyFile(options.dataDir), log));
  const unlock = lockDataDir(options.dataDir);
  let replica: Replica;
  try {
    replica = await loadReplica(options.dataDir, box, log);
  } catch (error) {
    unlock();
    throw error;
  }
  let closed = false;
  // Set when the server answered that it does not know this device; cleared by the next successful sync.
  let unknownDevice = false;

  const server: ServerClient = createServerClient(
    serverUrl,
    {
      sessionToken: () => replica.meta.get('session')?.token ?? null,
      deviceToken: () => replica.meta.get('device')?.deviceToken ?? null,
      devMailboxSecret: () => options.devMailboxSecret ?? null,
    },
    options.fetch ?? fetch,
  );

  let lastSyncedWritten = 0;
  /** Keeps the last successful sync in the replica, so a restart offline still knows it. */
  function rememberLastSynced(force: boolean): void {
    const at = sync.state.lastSyncedAt;
    if (at === null || at <= lastSyncedWritten) return;
    if (!force && at - lastSyncedWritten < LAST_SYNCED_WRITE_INTERVAL_MS) return;
    replica.meta.set('lastSyncedAt', new Date(at).toISOString());
    lastSyncedWritten = at;
  }

  /** Who acts on this console: its device, and the signed-in user as far as it knows offline. */
  const consoleActor = (device: EnrolledDevice): ConsoleActor =>
    consoleActorOf(device, replica.meta.get('session'));
  const decider = (): LocalDecider => ({
    overlay: replica.overlay,
    issueTicket: replica.allocationSecrets.issuer,
    now,
  });

  // Bumped whenever what the UI reads may have changed, so screens know to re-read; per table as well.
  let revision = 0;
  const tableRevisions: Record<string, number> = {};
  // Screens waiting for the next change (`waitForChange`), woken by it.
  const changeWaiters = new Set<() => void>();
  const wakeChangeWaiters = () => {
    for (const wake of [...changeWaiters]) wake();
  };
  const tablesChanged = (tables: Iterable<string>): void => {
    const before = revision;
    for (const table of tables) {
      revision += 1;
      tableRevisions[table] = revision;
    }
    if (revision !== before) wakeChangeWaiters();
  };

  const boxOffice = createBoxOffice({
    db: () => replica.db,
    secrets: () => replica.allocationSecrets,
    now,
    submit: (device, name, args) => internals.submit(device, name, args),
    fetchSlotSecrets: async (allocationId) =>
      (await server.sales.allocationSecrets.query({ allocationId })).slots,
    tablesChanged,
    log,
  });
  let fetchingSecrets = false;
  /** After a successful sync: fetch the codes of newly granted seats (one fetch at a time). */
  const fetchNewSlotSecrets = () => {
    const device = replica.meta.get('device');
    if (!device || fetchingSecrets || closed) return;
    fetchingSecrets = true;
    void boxOffice.syncSlotSecrets(device.deviceId).finally(() => {
      fetchingSecrets = false;
    });
  };

  const replayOverlay = (): boolean => {
    const device = replica.meta.get('device');
    if (!device) return false;
    const changed = replayPending(replica.db, decider(), replica.outbox, consoleActor(device));
    tablesChanged(changed);
    return changed.length > 0;
  };

  const makeSync = (): SyncEngine => {
    const storage = createSyncStorage(replica.db, replica.meta, replica.outbox, replayOverlay);
    return createSyncEngine({
      storage: {
        ...storage,
        applyPage(page, resyncRequested) {
          storage.applyPage(page, resyncRequested);
          tablesChanged([...page.batches, ...page.tombstones].map((batch) => batch.table));
          // A rejection leaves the queue (and its pending rows) and shows as a notice.
          if (page.rejections.length) tablesChanged(['notices']);
          if (page.batches.length) {
            const { db, notices, meta } = replica;
            const applied = meta.get('lastAppliedSeq') ?? 0;
            if (db.transaction(() => notices.detectOverwrites(page.batches, applied, now()))())
              tablesChanged(['notices']);
          }
        },
        // Called once a cycle or a live page has brought the replica to the server's head: a successful sync.
        replayPending() {
          const changed = storage.replayPending();
          unknownDevice = false;
          fetchNewSlotSecrets();
          // The engine stamps lastSyncedAt right after this call; what is written here is the previous one.
          rememberLastSynced(false);
          return changed;
        },
      },
      transport: keepUnknownDevice(createServerTransport(server), () => {
        unknownDevice = true;
      }),
      schemaVersion: REPLICA_SCHEMA_VERSION,
      now: () => now().getTime(),
      onRevoked: async () => {
        await wipeDevice('device_revoked');
      },
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
  };
  let sync = makeSync();

  /** Erases the replica: the server revoked this device, or the user chose to start over with it. */
  async function wipeDevice(reason: DeviceLossReason): Promise<{ lostChanges: number }> {
    const lostChanges = replica.outbox.count();
    log(
      `${reason === 'device_revoked' ? 'this device was revoked' : 'asked to forget this device'}: erasing the local replica (${lostChanges} unsynced changes lost)`,
    );
    const previous = sync;
    replica.db.close();
    deleteReplicaFiles(options.dataDir);
    replica = await loadReplica(options.dataDir, box, log);
    replica.meta.set('notice', { kind: reason, at: now().toISOString(), lostChanges });
    unknownDevice = false;
    lastSyncedWritten = 0;
    sync = makeSync();
    void previous.stop();
    return { lostChanges };
  }

  /** Only an enrolled console syncs; before that it just checks that the server answers. */
  const startSyncing = () => {
    if (!closed && options.autoSync !== false && replica.meta.get('device')) sync.start();
  };

  const internals: LocalCoreInternals = {
    serverUrl,
    server,
    replica: () => replica,
    sync: () => sync,
    revision: () => revision,
    waitForChange(after, timeoutMs) {
      if (revision !== after || closed) return Promise.resolve(revision);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          changeWaiters.delete(wake);
          resolve(revision);
        };
        const timer = setTimeout(wake, timeoutMs);
        changeWaiters.add(wake);
      });
    },
    tableRevisions: () => ({ ...tableRevisions }),
    boxOffice,
    noticesChanged: () => tablesChanged(['notices']),
    tablesChanged,
    unknownDevice: () => unknownDevice,
    lastSyncedAt() {
      const at = sync.state.lastSyncedAt;
      return at !== null ? new Date(at).toISOString() : replica.meta.get('lastSyncedAt');
    },
    enrolled: () => {
      startSyncing();
      sync.poke();
    },
    forgetDevice: () => wipeDevice('device_forgotten'),
    submit(device: EnrolledDevice, name: CommandName, args: unknown) {
      const decision = acceptCommand(replica.db, decider(), replica.outbox, consoleActor(device), {
        name,
        args,
        clientTime: now(),
        lastAppliedSeq: replica.meta.get('lastAppliedSeq') ?? 0,
      });
      if (!decision.ok) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: decision.message,
          cause: rejectionCause(decision),
        });
      }
      tablesChanged(decision.value.tables);
      // After the caller has its answer: a poke starts a cycle whose push reads up to 100 queued commands
      // at once, which the screen that just sold or saved should not wait for.
      setImmediate(() => {
        if (closed) return;
        sync.poke();
        checkpointAfterCommand(replica.db);
      });
      return { seq: decision.value.seq };
    },
  };
  startSyncing();

  return {
    fetch: (request) =>
      fetchRequestHandler({
        endpoint: '/trpc',
        req: request,
        router: localRouter,
        createContext: () => ({ core: internals }),
      }),
    caller: localRouter.createCaller({ core: internals }),
    syncNow: () => sync.run(),
    sync: () => sync,
    replica: () => replica,
    async close() {
      closed = true;
      wakeChangeWaiters();
      await sync.stop();
      rememberLastSynced(true);
      replica.db.close();
      unlock();
    },
  };
}
