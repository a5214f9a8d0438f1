import { z } from 'zod';

const cronSchema = z.string().regex(/^\S+( \S+){4,5}$/, 'a cron expression of 5 or 6 fields');

/**
 * Fastify's `trustProxy`: off by default, so a client cannot pick its own address (and rate-limit bucket) with
 * X-Forwarded-For. Behind a reverse proxy: `true` (trust every hop), a hop count, or the proxies' addresses.
 */
const trustProxySchema = z
  .string()
  .trim()
  .default('false')
  .transform((value): boolean | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    return value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  });

/** The only reader of process.env in the server. Everything else receives a parsed `ServerEnv`. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Owner connection: migrations and seeding. Unset: the embedded PostgreSQL. */
  DATABASE_URL: z.url().optional(),
  /** Connection as the non-owner `janix_app` role for request handling; derived when unset (single node). */
  DATABASE_APP_URL: z.url().optional(),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  JANIX_DATA_DIR: z.string().optional(),
  /** Seed the demo organization into an empty database on start. */
  JANIX_SEED_DEMO: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** Mail goes out through Resend when set; otherwise (development only) to the dev mailbox. */
  RESEND_API_KEY: z.string().min(1).optional(),
  /** Where the Resend SDK sends its requests (a local capture server in tests). */
  RESEND_BASE_URL: z.url().optional(),
  MAIL_FROM: z.string().default('Janix <no-reply@janix.test>'),
  /**
   * The per-run secret that `npm start` gives the server and the console it launched: only a caller sending it
   * (header x-janix-dev-mailbox) can read the dev mailbox. Unset: nobody can.
   */
  JANIX_DEV_MAILBOX_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** Key of the HMAC over sign-in codes and addresses. Required in production; see resolvePepper otherwise. */
  AUTH_PEPPER: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Host header values the server answers (comma list; `name` or `name:port`), against DNS rebinding. Unset:
   * the loopback names on the listening port, plus IP literals when HOST is not loopback.
   */
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter(Boolean),
    ),
  TRUST_PROXY: trustProxySchema,
  /** Card payments through Stripe; unset: card payments are unavailable (cash and comp work). */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'a Stripe secret or restricted key (sk_… or rk_…)')
    .optional(),
  /** The signing secret of the Stripe webhook endpoint (POST /webhooks/stripe). */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'a webhook signing secret (whsec_…)')
    .optional(),
  /** Where the Stripe SDK sends its requests, e.g. http://127.0.0.1:12111 for stripe-mock (tests only). */
  STRIPE_API_BASE: z.url().optional(),
  /** The server's public address; a Stripe Checkout page sends the buyer back to it. Unset: HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Tombstones older than this are purged; a console that has not synced for that long must refetch. */
  TOMBSTONE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** When the purge runs (cron, UTC). Hourly keeps each run small. */
  TOMBSTONE_PURGE_CRON: cronSchema.default('0 * * * *'),
  /** When spent sign-in rows (codes, sessions, dev mail, long-revoked devices) are purged (cron, UTC). */
  SIGN_IN_PURGE_CRON: cronSchema.default('*/10 * * * *'),
});

export type ServerEnv = z.infer<typeof envSchema>;

/**
 * Production never runs on development conveniences: it needs a real mailer (else sign-in codes would go to
 * the dev mailbox) and its own pepper (else every restart or node would hash codes differently).
 */
const productionEnvSchema = envSchema.superRefine((env, context) => {
  if (env.NODE_ENV !== 'production') return;
  if (!env.RESEND_API_KEY) {
    context.addIssue({
      code: 'custom',
      path: ['RESEND_API_KEY'],
      message: 'required in production: sign-in codes must be mailed, never kept in a dev mailbox',
    });
  }
  if (env.STRIPE_API_BASE) {
    context.addIssue({
      code: 'custom',
      path: ['STRIPE_API_BASE'],
      message: 'not in production: card payments go to Stripe itself, never to a stand-in',
    });
  }
  if (!env.AUTH_PEPPER) {
    context.addIssue({
      code: 'custom',
      path: ['AUTH_PEPPER'],
      message:
        'required in production: a random secret of at least 32 characters (e.g. openssl rand -hex 32)',
    });
  }
});

/** The dev mailbox exists only without a mail provider and outside production. */
export function usesDevMailbox(env: ServerEnv): boolean {
  return !env.RESEND_API_KEY && env.NODE_ENV !== 'production';
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  // An empty variable (`RESEND_API_KEY=`) means unset, as in a shell.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = productionEnvSchema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    throw new Error(`Invalid server environment:\n${problems}`);
  }
  return parsed.data;
}

/** Stripe as this server is configured for it (payments/payment-services.ts says what is missing, if anything). */
export function stripeSettingsOf(env: ServerEnv) {
  return {
    secretKey: env.STRIPE_SECRET_KEY ?? null,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? null,
    apiBase: env.STRIPE_API_BASE ?? null,
    publicUrl: (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, ''),
  };
}
