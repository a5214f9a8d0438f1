import type { CommandEnvelope, CommandName } from '@janix/schemas';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { RecordNotices, TouchedRecord } from '../replica/record-notices.ts';

export interface OutboxEntry extends CommandEnvelope {
  attempts: number;
  lastError: string | null;
}

export interface CommandRejectionRecord {
  seq: number;
  name: string;
  code: string;
  message: string;
  rejectedAt: string;
}

/**
 * The queue of accepted commands waiting for the server. Sequence numbers are gapless per device:
 * the next one follows both the queue and the server's high-water mark, so a wiped queue never reuses one.
 */
export function createOutbox(db: ReplicaDb, notices: RecordNotices) {
  const maxQueued = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM outbox');
  const insert = db.prepare('INSERT INTO outbox (seq, name, args, client_time) VALUES (?, ?, ?, ?)');
  const pending = db.prepare<
    [number],
    {
      seq: number;
      name: CommandName;
      args: string;
      client_time: string;
      attempts: number;
      last_error: string | null;
    }
  >('SELECT * FROM outbox ORDER BY seq LIMIT ?');
  // Every pulled page acknowledges and every replay counts: prepared once, not per call.
  const counted = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
  const removeThrough = db.prepare<[number]>('DELETE FROM outbox WHERE seq <= ?');
  const countFailure = db.prepare<[string, number]>(
    'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?',
  );
  return {
    /** Queues a command; `touched` (the records it writes) lets its outcome be shown on those records. */
    append(
      name: CommandName,
      args: unknown,
      clientTime: Date,
      lastAppliedSeq: number,
      touched: TouchedRecord[] = [],
    ): number {
      const seq = Math.max(maxQueued.get()?.seq ?? 0, lastAppliedSeq) + 1;
      insert.run(seq, name, JSON.stringify(args), clientTime.toISOString());
      notices.recordCommand(seq, touched, clientTime);
      return seq;
    },
    list(limit = 1000): OutboxEntry[] {
      return pending.all(limit).map((row) => ({
        seq: row.seq,
        name: row.name,
        args: JSON.parse(row.args) as unknown,
        clientTime: row.client_time,
        attempts: row.attempts,
        lastError: row.last_error,
      }));
    },
    count(): number {
      return counted.get()!.n;
    },
    /** Removes every command the server has applied or rejected (seq ≤ its high-water mark). */
    acknowledge(lastAppliedSeq: number): void {
      removeThrough.run(lastAppliedSeq);
      notices.acknowledge(lastAppliedSeq);
    },
    // One transaction (one flush) for the batch: offline, every queued command starts a push that fails.
    recordFailure: db.transaction((seqs: number[], error: string): void => {
      for (const seq of seqs) countFailure.run(error, seq);
    }),
    /** Keeps the history row and puts a notice on the records the command touched (once per command). */
    recordRejection(rejection: CommandRejectionRecord): void {
      const inserted = db
        .prepare(
          `INSERT INTO command_rejections (seq, name, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(seq) DO NOTHING`,
        )
        .run(rejection.seq, rejection.name, rejection.code, rejection.message, rejection.rejectedAt);
      if (inserted.changes > 0) notices.recordRejection(rejection);
    },
    rejections(): CommandRejectionRecord[] {
      return db
        .prepare<[], CommandRejectionRecord>(
          'SELECT seq, name, code, message, rejected_at AS rejectedAt FROM command_rejections ORDER BY seq DESC LIMIT 200',
        )
        .all();
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
