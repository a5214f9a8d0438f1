import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { CommandName, EnrolledDevice } from '@janix/schemas';
import { createSyncEngine, type SyncEngine } from '@janix/sync';
import type { LocalCoreInternals, Replica } from './local-core-internals.ts';
import { localRouter } from './local-router.ts';
import { createEventsRepository } from './replica/events-repository.ts';
import { createMetaStore } from './replica/meta-store.ts';
import { REPLICA_SCHEMA_VERSION } from './replica/migrations.ts';
import { deleteReplicaFiles, openReplica } from './replica/open-replica.ts';
import { createSyncStorage } from './replica/sync-storage.ts';
import { createServerClient, type ServerClient } from './server-client.ts';
import { acceptCommand, replayPending } from './sync/local-commands.ts';
import { createOutbox } from './sync/outbox.ts';
import { createServerTransport } from './sync/server-transport.ts';

export interface LocalCoreOptions {
  dataDir: string;
  serverUrl: string;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Keep syncing in the background (live feed, retries). Tests and benchmarks drive it by hand instead. */
  autoSync?: boolean;
  pageSize?: number;
}

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

async function loadReplica(dataDir: string): Promise<Replica> {
  const db = await openReplica(dataDir);
  const meta = createMetaStore(db);
  return {
    db,
    meta,
    events: createEventsRepository(db, () => meta.get('device')?.orgId ?? ''),
    outbox: createOutbox(db),
  };
}

/** Opens the console's replica and starts syncing it with the server. Plain Node: no Electron here. */
export async function openLocalCore(options: LocalCoreOptions): Promise<LocalCore> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  let replica = await loadReplica(options.dataDir);
  let closed = false;

  const server: ServerClient = createServerClient(
    options.serverUrl,
    {
      sessionToken: () => replica.meta.get('session')?.token ?? null,
      deviceToken: () => replica.meta.get('device')?.deviceToken ?? null,
    },
    options.fetch ?? fetch,
  );

  const replayOverlay = (): boolean => {
    const device = replica.meta.get('device');
    return device
      ? replayPending(replica.db, replica.events, replica.outbox, { orgId: device.orgId, role: device.role })
      : false;
  };

  // Bumped whenever what the UI reads may have changed, so screens know to re-read.
  let revision = 0;
  const makeSync = (): SyncEngine => {
    const storage = createSyncStorage(replica.db, replica.meta, replica.outbox, replayOverlay);
    return createSyncEngine({
      storage: {
        ...storage,
        applyPage(page, resyncRequested) {
          storage.applyPage(page, resyncRequested);
          if (page.batches.length || page.tombstones.length) revision += 1;
        },
        replayPending() {
          const changed = storage.replayPending();
          if (changed) revision += 1;
          return changed;
        },
      },
      transport: createServerTransport(server),
      schemaVersion: REPLICA_SCHEMA_VERSION,
      now: () => now().getTime(),
      onRevoked: wipeRevokedDevice,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
  };
  let sync = makeSync();

  async function wipeRevokedDevice(): Promise<void> {
    log('this device was revoked: erasing the local replica');
    const previous = sync;
    replica.db.close();
    deleteReplicaFiles(options.dataDir);
    replica = await loadReplica(options.dataDir);
    replica.meta.set('notice', { kind: 'device_revoked', at: now().toISOString() });
    sync = makeSync();
    void previous.stop();
  }

  /** Only an enrolled console syncs; before that it just checks that the server answers. */
  const startSyncing = () => {
    if (!closed && options.autoSync !== false && replica.meta.get('device')) sync.start();
  };

  const internals: LocalCoreInternals = {
    serverUrl: options.serverUrl,
    server,
    replica: () => replica,
    sync: () => sync,
    revision: () => revision,
    enrolled: () => {
      startSyncing();
      sync.poke();
    },
    submit(device: EnrolledDevice, name: CommandName, args: unknown) {
      const decision = acceptCommand(replica.db, replica.events, replica.outbox, device, {
        name,
        args,
        clientTime: now(),
        lastAppliedSeq: replica.meta.get('lastAppliedSeq') ?? 0,
      });
      if (!decision.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: decision.message });
      revision += 1;
      sync.poke();
      return decision.value;
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
      await sync.stop();
      replica.db.close();
    },
  };
}
