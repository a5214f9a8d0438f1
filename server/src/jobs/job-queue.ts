import PgBoss from 'pg-boss';
import { APP_ROLE } from '../db/app-role.ts';
import type { Pool } from '../db/pools.ts';
import { EXPIRE_CARD_PAYMENTS } from '../payments/expire-payments.ts';
import { ORDER_EMAIL, ORDER_EMAIL_SWEEP } from './order-email.ts';
import { PURGE_SIGN_IN } from './purge-sign-in.ts';
import { PURGE_TOMBSTONES } from './purge-tombstones.ts';
import { SIGN_IN_CODE } from './sign-in-code.ts';

/** pg-boss keeps its tables in a schema of its own, beside the application's. */
const SCHEMA = 'pgboss';

/**
 * Every queue the server works, with its pg-boss options. Creating a queue is DDL (a table partition), so the
 * owner does it at install. A sign-in code is worth mailing only while it lives: a few quick retries, and a
 * run that hangs (a stuck mail provider) is given up after a minute.
 */
const QUEUES = {
  [PURGE_TOMBSTONES]: {},
  [PURGE_SIGN_IN]: {},
  [SIGN_IN_CODE]: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  // A run that fails (Stripe unreachable) is not retried: the next minute's run tries again.
  [EXPIRE_CARD_PAYMENTS]: { expireInSeconds: 120 },
  // One job per email at a time (stately: at most one waiting and one running per key, the email's id), so
  // the sweep and the wake-ups can offer an email as often as they like. Its own retries (backoff, the
  // provider's retry-after) are kept on the email's row; pg-boss retries only a run that crashed.
  [ORDER_EMAIL]: {
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 120,
  },
  [ORDER_EMAIL_SWEEP]: {},
} satisfies Record<string, Omit<PgBoss.Queue, 'name'>>;
export type QueueName = keyof typeof QUEUES;

export interface JobDefinition {
  name: QueueName;
  /** Cron expression (UTC) of a recurring job; absent for a job that is only queued on demand. */
  cron?: string;
  /** Runs of this job at once in this process (default 1). */
  concurrency?: number;
  /** `data` is what `send` queued. Resolves with counts for the job's output; personal data never goes in it. */
  run(data: unknown): Promise<object>;
}

export interface JobState {
  state: PgBoss.JobWithMetadata['state'];
  output: object | null;
}

export interface JobQueue {
  /** Queues one run now (besides any schedule) and wakes this process's workers; resolves with the job id. */
  send(name: QueueName, data?: object): Promise<string>;
  /**
   * Queues a run for `key` unless one is already waiting (a stately queue), at `startAfter` or now; resolves
   * with the job id, or null when one was waiting.
   */
  offer(name: QueueName, data: object, options: { key: string; startAfter?: Date }): Promise<string | null>;
  state(name: QueueName, id: string): Promise<JobState | null>;
  /** Stops taking jobs, waits for running ones, leaves the pool open (its owner closes it). */
  stop(): Promise<void>;
}

/** pg-boss over one of our pools, so it shares its connections and their limits. */
function poolDb(pool: Pool): PgBoss.Db {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/**
 * Creates or upgrades pg-boss's schema and our queues as the owner, then lets the application role use them.
 * The application role gets row access only (no CREATE, owns nothing): it can fetch, complete and schedule
 * jobs, but neither change the queue's schema nor, owning no table, escape row-level security.
 * Idempotent, and safe when several servers start at once (pg-boss takes an advisory lock).
 */
export async function installJobQueue(adminPool: Pool): Promise<void> {
  // Starting the scheduler makes pg-boss create the internal queue its cron relies on, which the app could not.
  const boss = new PgBoss({
    db: poolDb(adminPool),
    schema: SCHEMA,
    migrate: true,
    schedule: true,
    supervise: false,
  });
  const errors: Error[] = [];
  boss.on('error', (error) => errors.push(error));
  await boss.start();
  try {
    // An existing queue keeps its options (createQueue leaves it alone); change them with a migration.
    for (const [name, options] of Object.entries(QUEUES)) await boss.createQueue(name, { name, ...options });
  } finally {
    await boss.stop({ graceful: false });
  }
  if (errors.length) throw errors[0]!;
  await adminPool.query(
    `GRANT USAGE ON SCHEMA ${SCHEMA} TO ${APP_ROLE};
     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${SCHEMA} TO ${APP_ROLE}`,
  );
}

/**
 * Works and schedules `jobs` over the application pool. pg-boss checks that the installed schema is the
 * version it expects instead of migrating it. A failing run is logged (message only) and retried by pg-boss.
 */
export async function startJobQueue(
  appPool: Pool,
  jobs: JobDefinition[],
  options: { log: (line: string) => void; pollingIntervalSeconds?: number },
): Promise<JobQueue> {
  const boss = new PgBoss({ db: poolDb(appPool), schema: SCHEMA, migrate: false });
  boss.on('error', (error) => options.log(`job queue: ${error.message}`));
  await boss.start();
  const workers = new Map<QueueName, string[]>();
  try {
    for (const job of jobs) {
      const ids: string[] = [];
      for (let i = 0; i < (job.concurrency ?? 1); i += 1) {
        let self = '';
        self = await boss.work(
          job.name,
          { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
          async ([queued]) => {
            // A worker that found a job looks for the next one at once, not a polling interval later: a
            // burst of sign-in requests is worked through at the speed of the jobs.
            boss.notifyWorker(self);
            try {
              return await job.run(queued?.data);
            } catch (error) {
              options.log(`${job.name} failed: ${(error as Error).message}`);
              throw error;
            }
          },
        );
        ids.push(self);
      }
      workers.set(job.name, ids);
      if (job.cron) await boss.schedule(job.name, job.cron);
    }
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }
  return {
    async send(name, data = {}) {
      const id = await boss.send(name, data);
      if (!id) throw new Error(`${name} was not queued`);
      // A worker here picks it up at once instead of at its next poll; other nodes' workers poll as usual.
      for (const worker of workers.get(name) ?? []) boss.notifyWorker(worker);
      return id;
    },
    async offer(name, data, { key, startAfter }) {
      const id = await boss.send(name, data, { singletonKey: key, ...(startAfter ? { startAfter } : {}) });
      if (id && !startAfter) for (const worker of workers.get(name) ?? []) boss.notifyWorker(worker);
      return id;
    },
    async state(name, id) {
      const job = await boss.getJobById(name, id, { includeArchive: true });
      return job ? { state: job.state, output: job.output ?? null } : null;
    },
    stop: () => boss.stop({ graceful: true, timeout: 30_000 }),
  };
}
