import { z } from 'zod';

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
  RESEND_API_KEY: z.string().min(1).optional(),
  MAIL_FROM: z.string().default('Janix <no-reply@janix.test>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Tombstones older than this are purged; a console that has not synced for that long must refetch. */
  TOMBSTONE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** When the purge runs (cron, UTC). Hourly keeps each run small. */
  TOMBSTONE_PURGE_CRON: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'a cron expression of 5 or 6 fields')
    .default('0 * * * *'),
});

export type ServerEnv = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    throw new Error(`Invalid server environment:\n${problems}`);
  }
  return parsed.data;
}
