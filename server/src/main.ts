import { generateDemoOrg } from '@janix/testkit';
import { buildApp } from './app.ts';
import { resolvePepper } from './auth/sign-in-codes.ts';
import { openDatabase } from './database.ts';
import { seedDemoOrg } from './demo-seed.ts';
import { readEnv, stripeSettingsOf, usesDevMailbox, type ServerEnv } from './env.ts';
import { PURGE_SIGN_IN, purgeSignIn } from './jobs/purge-sign-in.ts';
import { PURGE_TOMBSTONES, purgeTombstones } from './jobs/purge-tombstones.ts';
import { createDevMailbox, createResendMailer } from './mail/mailer.ts';
import { startServices } from './services.ts';

const log = (line: string) => console.error(`[server] ${line}`);

let env: ServerEnv;
try {
  // Refuses, before anything starts, a production server without a mailer or a pepper.
  env = readEnv();
} catch (error) {
  log((error as Error).message);
  process.exit(1);
}

const database = await openDatabase(env, log);
// Dated from the day it is first loaded: the demo has events to come (and two just past) whenever it starts.
if (env.JANIX_SEED_DEMO && (await seedDemoOrg(database.adminPool, generateDemoOrg({ now: new Date() })))) {
  log('created the demo organization (sign in as demo@janix.test)');
}
const now = () => new Date();
const mailer = usesDevMailbox(env)
  ? createDevMailbox(database.appPool, { now, secret: env.JANIX_DEV_MAILBOX_SECRET ?? null })
  : createResendMailer({ apiKey: env.RESEND_API_KEY!, from: env.MAIL_FROM, baseUrl: env.RESEND_BASE_URL });
if (usesDevMailbox(env) && !env.JANIX_DEV_MAILBOX_SECRET) {
  log(
    'sign-in codes go to the dev mailbox, which nobody can read without JANIX_DEV_MAILBOX_SECRET: ' +
      '`npm start` sets it for its console; otherwise set it and send it as header x-janix-dev-mailbox',
  );
}
const services = await startServices({
  pool: database.appPool,
  appUrl: database.appUrl,
  mailer,
  pepper: resolvePepper({ configured: env.AUTH_PEPPER, embeddedDataDir: database.embeddedDataDir, log }),
  now,
  log,
  orderEmails: true,
  stripe: stripeSettingsOf(env),
  scheduled: [
    {
      name: PURGE_TOMBSTONES,
      cron: env.TOMBSTONE_PURGE_CRON,
      run: () =>
        purgeTombstones({ pool: database.appPool, now, retentionDays: env.TOMBSTONE_RETENTION_DAYS, log }),
    },
    {
      name: PURGE_SIGN_IN,
      cron: env.SIGN_IN_PURGE_CRON,
      run: () => purgeSignIn({ pool: database.appPool, now, log }),
    },
  ],
});
const app = await buildApp(services.deps, {
  logLevel: env.LOG_LEVEL,
  trustProxy: env.TRUST_PROXY,
  allowedHosts: env.ALLOWED_HOSTS,
  listenHost: env.HOST,
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  await app.close().catch(() => {});
  await services.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ host: env.HOST, port: env.PORT });
} catch (error) {
  log(`could not listen on ${env.HOST}:${env.PORT}: ${(error as Error).message}`);
  await services.close();
  await database.close();
  process.exit(1);
}
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : env.PORT;
console.log(`Server: http://${env.HOST}:${port}`);
