import { PROTOCOL_VERSION, type PullResult } from '@janix/schemas';
import type { EventsRepository } from '../replica/events-repository.ts';
import type { MetaStore } from '../replica/meta-store.ts';
import { REPLICA_SCHEMA_VERSION } from '../replica/migrations.ts';
import type { ReplicaDb } from '../replica/open-replica.ts';
import { describeServerError, type ServerClient } from '../server-client.ts';
import { replayPending } from './local-commands.ts';
import type { Outbox } from './outbox.ts';

export interface SyncState {
  online: boolean | null;
  syncing: boolean;
  lastError: string | null;
  updateRequired: boolean;
  consecutiveFailures: number;
}

export interface SyncEngineDeps {
  db: ReplicaDb;
  meta: MetaStore;
  events: EventsRepository;
  outbox: Outbox;
  server: ServerClient;
  serverUrl: string;
  fetch: typeof fetch;
  now: () => Date;
  onRevoked: () => Promise<void>;
}

const PUSH_BATCH = 100;
const PULL_PAGE = 1000;
const versions = { protocolVersion: PROTOCOL_VERSION, schemaVersion: REPLICA_SCHEMA_VERSION };

/**
 * The foundation's sync: push queued commands, then pull the change feed to its head, then lay the
 * still-pending commands back over the fresh rows. The sync-engine issue replaces the transport details.
 */
export function createSyncEngine(deps: SyncEngineDeps) {
  const state: SyncState = {
    online: null,
    syncing: false,
    lastError: null,
    updateRequired: false,
    consecutiveFailures: 0,
  };
  let running: Promise<void> | null = null;

  function applyPage(page: PullResult): void {
    deps.db.transaction(() => {
      for (const change of page.changes) {
        if (change.table === 'events') deps.events.putServerEvent(change.row);
        else deps.events.putServerTicketType(change.row);
      }
      for (const rejection of page.rejections) deps.outbox.recordRejection(rejection);
      deps.outbox.acknowledge(page.lastAppliedSeq);
      deps.meta.set('cursor', page.cursor);
      deps.meta.set('lastAppliedSeq', page.lastAppliedSeq);
    })();
  }

  async function push(): Promise<void> {
    const batch = deps.outbox.list(PUSH_BATCH);
    if (batch.length === 0 || !deps.meta.get('session')) return;
    try {
      const result = await deps.server.sync.push.mutate({
        ...versions,
        commands: batch.map(({ seq, name, args, clientTime }) => ({ seq, name, args, clientTime })),
      });
      const rejectedAt = deps.now().toISOString();
      deps.db.transaction(() => {
        for (const outcome of result.results) {
          if (outcome.status === 'rejected') {
            const command = batch.find((entry) => entry.seq === outcome.seq);
            deps.outbox.recordRejection({
              seq: outcome.seq,
              name: command?.name ?? 'unknown',
              code: outcome.code,
              message: outcome.message,
              rejectedAt,
            });
          }
        }
      })();
    } catch (error) {
      deps.outbox.recordFailure(
        batch.map((entry) => entry.seq),
        describeServerError(error).message,
      );
      throw error;
    }
  }

  async function pull(): Promise<void> {
    for (;;) {
      const page = await deps.server.sync.pull.query({
        ...versions,
        cursor: deps.meta.get('cursor'),
        limit: PULL_PAGE,
        knownSeq: deps.meta.get('lastAppliedSeq') ?? 0,
      });
      applyPage(page);
      if (!page.hasMore) break;
    }
  }

  async function checkReachable(): Promise<void> {
    const response = await deps.fetch(`${deps.serverUrl.replace(/\/$/, '')}/health`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`health answered ${response.status}`);
  }

  async function cycle(): Promise<void> {
    state.syncing = true;
    try {
      const device = deps.meta.get('device');
      if (!device) {
        await checkReachable();
      } else {
        await push();
        await pull();
        replayPending(deps.db, deps.events, deps.outbox, { orgId: device.orgId, role: device.role });
        deps.meta.set('lastSyncedAt', deps.now().toISOString());
      }
      state.online = true;
      state.lastError = null;
      state.updateRequired = false;
      state.consecutiveFailures = 0;
    } catch (error) {
      const info = describeServerError(error);
      state.online = info.answered;
      state.lastError = info.message;
      state.consecutiveFailures += 1;
      if (info.reason === 'device_revoked') await deps.onRevoked();
      else if (info.reason === 'update_required') state.updateRequired = true;
      else if (info.reason === 'must_refetch') deps.meta.delete('cursor');
    } finally {
      state.syncing = false;
    }
  }

  return {
    state,
    /** Runs one cycle; concurrent callers share the cycle in flight. */
    run(): Promise<void> {
      running ??= cycle().finally(() => {
        running = null;
      });
      return running;
    },
    /** Resolves when the cycle in flight (if any) has finished, without starting one. */
    idle(): Promise<void> {
      return running ?? Promise.resolve();
    },
    /** Delay before the next automatic cycle: quick while healthy, exponential with jitter after failures. */
    nextDelayMs(baseMs: number): number {
      if (state.consecutiveFailures === 0) return baseMs;
      const ceiling = Math.min(30_000, baseMs * 2 ** Math.min(state.consecutiveFailures, 5));
      return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    },
  };
}
export type SyncEngine = ReturnType<typeof createSyncEngine>;
