import type {
  CommandEnvelope,
  PullInput,
  PullResult,
  PushInput,
  PushResult,
  TableChecksum,
} from '@janix/schemas';
import type { SyncStorage, SyncTransport } from './ports.ts';

/** A replica held in memory: the storage port's contract without SQLite, to drive the engine's decisions. */
export function memoryStorage(commands: CommandEnvelope[] = []) {
  const rows = new Map<string, { id: string; version: number }>();
  const log: string[] = [];
  let cursor: string | null = null;
  let knownSeq = 0;
  let resync: string[] = [];
  const outbox = [...commands];
  const rejections: unknown[] = [];
  const storage: SyncStorage = {
    cursor: () => cursor,
    knownSeq: () => knownSeq,
    pendingCommands: (limit) => outbox.slice(0, limit),
    pendingResync: () => resync as never,
    applyPage(page) {
      for (const batch of page.batches)
        for (const row of batch.rows)
          rows.set(String(row[0]), { id: String(row[0]), version: Number(row[1]) });
      cursor = page.cursor;
      knownSeq = page.lastAppliedSeq;
      while (outbox[0] && outbox[0].seq <= knownSeq) outbox.shift();
      rejections.push(...page.rejections);
      resync = [];
      log.push(`apply ${page.cursor}`);
    },
    recordPushResult(lastAppliedSeq, rejected) {
      knownSeq = lastAppliedSeq;
      while (outbox[0] && outbox[0].seq <= knownSeq) outbox.shift();
      rejections.push(...rejected);
    },
    recordPushFailure: (seqs, message) => log.push(`push failed ${seqs.join(',')}: ${message}`),
    checksums: (tables): TableChecksum[] =>
      tables.map((table) => ({
        table,
        count: rows.size,
        versionSum: [...rows.values()].reduce((sum, row) => sum + row.version, 0),
      })),
    beginResync(tables) {
      rows.clear();
      resync = tables;
      log.push(`resync ${tables.join(',')}`);
    },
    resetReplica() {
      rows.clear();
      cursor = null;
      log.push('reset');
    },
    replayPending: () => log.push('replay') > 0,
  };
  return { storage, rows, log, outbox, rejections, cursor: () => cursor };
}

export function page(partial: Partial<PullResult> & { cursor: string }): PullResult {
  return {
    hasMore: false,
    headVersion: 1,
    lastAppliedSeq: 0,
    rejections: [],
    batches: [],
    tombstones: [],
    checksums: null,
    progress: { phase: 'feed', remainingRows: 0 },
    ...partial,
  };
}

export function scriptedTransport(handlers: {
  pull?: (input: PullInput, call: number) => PullResult | Error;
  push?: (input: PushInput, call: number) => PushResult | Error;
}): SyncTransport & { pulls: PullInput[]; pushes: PushInput[] } {
  const pulls: PullInput[] = [];
  const pushes: PushInput[] = [];
  return {
    pulls,
    pushes,
    async push(input) {
      pushes.push(input);
      const outcome = handlers.push?.(input, pushes.length) ?? { lastAppliedSeq: 0, results: [] };
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async pull(input) {
      pulls.push(input);
      const outcome = handlers.pull?.(input, pulls.length) ?? page({ cursor: 'c' });
      if (outcome instanceof Error) throw outcome;
      return { result: outcome, bytes: 100 };
    },
    async *live() {
      // These scripts drive single cycles; the live feed is exercised on its own below.
    },
  };
}

export const command = (seq: number): CommandEnvelope => ({
  seq,
  name: 'updateEvent',
  args: {},
  clientTime: '2026-11-25T10:00:00Z',
});
