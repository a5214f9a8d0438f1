import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { CommandName, EnrolledDevice } from '@janix/schemas';
import type { LocalCoreInternals, Replica } from './local-core-internals.ts';
import { localRouter } from './local-router.ts';
import { createEventsRepository } from './replica/events-repository.ts';
import { createMetaStore } from './replica/meta-store.ts';
import { deleteReplicaFiles, openReplica } from './replica/open-replica.ts';
import { createServerClient } from './server-client.ts';
import { acceptCommand } from './sync/local-commands.ts';
import { createOutbox } from './sync/outbox.ts';
import { createSyncEngine, type SyncEngine } from './sync/sync-engine.ts';

export interface LocalCoreOptions {
  dataDir: string;
  serverUrl: string;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Pause between automatic sync cycles while healthy; 0 disables the loop (tests drive it). */
  syncIntervalMs?: number;
}

export interface LocalCore {
  /** Serves the local tRPC router at /trpc/* (fetch-adapter semantics). */
  fetch(request: Request): Promise<Response>;
  /** In-process caller, for tests and benchmarks. */
  caller: ReturnType<typeof localRouter.createCaller>;
  syncNow(): Promise<void>;
  close(): Promise<void>;
}

async function loadReplica(dataDir: string): Promise<Replica> {
  const db = await openReplica(dataDir);
  return { db, meta: createMetaStore(db), events: createEventsRepository(db), outbox: createOutbox(db) };
}

/** Opens the console's replica and starts syncing it with the server. Plain Node: no Electron here. */
export async function openLocalCore(options: LocalCoreOptions): Promise<LocalCore> {
  const now = options.now ?? (() => new Date());
  const fetchImpl = options.fetch ?? fetch;
  const log = options.log ?? (() => {});
  let replica = await loadReplica(options.dataDir);
  let closed = false;

  const server = createServerClient(
    options.serverUrl,
    {
      sessionToken: () => replica.meta.get('session')?.token ?? null,
      deviceToken: () => replica.meta.get('device')?.deviceToken ?? null,
    },
    fetchImpl,
  );

  async function wipeRevokedDevice(): Promise<void> {
    log('this device was revoked: erasing the local replica');
    replica.db.close();
    deleteReplicaFiles(options.dataDir);
    replica = await loadReplica(options.dataDir);
    replica.meta.set('notice', { kind: 'device_revoked', at: now().toISOString() });
    sync = makeSync();
  }

  const makeSync = (): SyncEngine =>
    createSyncEngine({
      ...replica,
      server,
      serverUrl: options.serverUrl,
      fetch: fetchImpl,
      now,
      onRevoked: wipeRevokedDevice,
    });
  let sync = makeSync();

  const internals: LocalCoreInternals = {
    serverUrl: options.serverUrl,
    server,
    replica: () => replica,
    sync: () => sync,
    submit(device: EnrolledDevice, name: CommandName, args: unknown) {
      const decision = acceptCommand(replica.db, replica.events, replica.outbox, device, {
        name,
        args,
        clientTime: now(),
        lastAppliedSeq: replica.meta.get('lastAppliedSeq') ?? 0,
      });
      if (!decision.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: decision.message });
      void sync.run();
      return decision.value;
    },
  };

  const interval = options.syncIntervalMs ?? 2000;
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    if (closed || interval <= 0) return;
    timer = setTimeout(() => {
      void sync.run().finally(schedule);
    }, sync.nextDelayMs(interval));
  };
  void sync.run().finally(schedule);

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
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await sync.idle().catch(() => {});
      replica.db.close();
    },
  };
}
