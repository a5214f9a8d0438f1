import PgBoss from 'pg-boss';
import { APP_ROLE } from '../db/app-role.ts';
import type { Pool } from '../db/pools.ts';
import { PURGE_TOMBSTONES } from './purge-tombstones.ts';

/** pg-boss keeps its tables in a schema of its own, beside the application's. */
const SCHEMA = 'pgboss';

/** Every queue the server works. Creating a queue is DDL (a table partition), so the owner does it at install. */
const QUEUES = [PURGE_TOMBSTONES] as const;
export type QueueName = (typeof QUEUES)[number];

export interface ScheduledJob {
  name: QueueName;
  /** Cron expression, UTC. */
  cron: string;
  /** Resolves with counts for the job's output; personal data never goes in it. */
  run(): Promise<object>;
}

export interface JobState {
  state: PgBoss.JobWithMetadata['state'];
  output: object | null;
}

export interface JobQueue {
  /** Queues one run now, besides the schedule; resolves with the job id. */
  send(name: QueueName): Promise<string>;
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
    for (const name of QUEUES) await boss.createQueue(name);
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
  jobs: ScheduledJob[],
  options: { log: (line: string) => void; pollingIntervalSeconds?: number },
): Promise<JobQueue> {
  const boss = new PgBoss({ db: poolDb(appPool), schema: SCHEMA, migrate: false });
  boss.on('error', (error) => options.log(`job queue: ${error.message}`));
  await boss.start();
  try {
    for (const job of jobs) {
      await boss.work(
        job.name,
        { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async () => {
          try {
            return await job.run();
          } catch (error) {
            options.log(`${job.name} failed: ${(error as Error).message}`);
            throw error;
          }
        },
      );
      await boss.schedule(job.name, job.cron);
    }
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }
  return {
    async send(name) {
      const id = await boss.send(name, {});
      if (!id) throw new Error(`${name} was not queued`);
      return id;
    },
    async state(name, id) {
      const job = await boss.getJobById(name, id, { includeArchive: true });
      return job ? { state: job.state, output: job.output ?? null } : null;
    },
    stop: () => boss.stop({ graceful: true, timeout: 30_000 }),
  };
}
