import { generateDemoOrg } from '@janix/testkit';
import { buildApp } from './app.ts';
import { openDatabase } from './database.ts';
import { seedDemoOrg } from './demo-seed.ts';
import { readEnv } from './env.ts';
import { startJobQueue } from './jobs/job-queue.ts';
import { PURGE_TOMBSTONES, purgeTombstones } from './jobs/purge-tombstones.ts';
import { createDevMailbox } from './mail/mailer.ts';
import { startChangeNotifier } from './sync/change-notifier.ts';

const env = readEnv();
const log = (line: string) => console.error(`[server] ${line}`);

const database = await openDatabase(env, log);
if (env.JANIX_SEED_DEMO && (await seedDemoOrg(database.adminPool, generateDemoOrg()))) {
  log('created the demo organization (sign in as demo@janix.test)');
}
if (env.RESEND_API_KEY)
  log('RESEND_API_KEY is set but Resend arrives with the box-office issue; using the dev mailbox');
const devMailbox = createDevMailbox(database.appPool);
const changes = await startChangeNotifier(database.appUrl, log);
const now = () => new Date();
const jobs = await startJobQueue(
  database.appPool,
  [
    {
      name: PURGE_TOMBSTONES,
      cron: env.TOMBSTONE_PURGE_CRON,
      run: () =>
        purgeTombstones({ pool: database.appPool, now, retentionDays: env.TOMBSTONE_RETENTION_DAYS, log }),
    },
  ],
  { log },
);
const app = await buildApp(
  { pool: database.appPool, mailer: devMailbox, devMailbox, now, changes },
  { logLevel: env.LOG_LEVEL },
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  await app.close().catch(() => {});
  await jobs.stop().catch(() => {});
  await changes.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ host: env.HOST, port: env.PORT });
} catch (error) {
  log(`could not listen on ${env.HOST}:${env.PORT}: ${(error as Error).message}`);
  await jobs.stop().catch(() => {});
  await database.close();
  process.exit(1);
}
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : env.PORT;
console.log(`Server: http://${env.HOST}:${port}`);
