import { createHash } from 'node:crypto';
import type { Pool } from './pools.ts';

export const APP_ROLE = 'janix_app';

/**
 * The application logs in as `janix_app`: not a superuser, no BYPASSRLS, owner of nothing. Row-level
 * security therefore binds every query it makes, and no statement it can issue (SET ROLE, RESET ROLE)
 * gives it a more powerful identity. Roles are cluster-wide, so creation tolerates a concurrent creator.
 */
export async function ensureAppRole(adminPool: Pool, password: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(password))
    throw new Error('the application role password has an unsafe shape');
  await adminPool.query(`
    DO $$
    BEGIN
      CREATE ROLE ${APP_ROLE} LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END
    $$`);
  await adminPool.query(
    `ALTER ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${password}'`,
  );
}

/** The connection string of the application role for the same server and database as `adminUrl`. */
export function appRoleUrl(adminUrl: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

/** A password derived from the cluster's admin URL, so every test suite on one cluster computes the same one. */
export function derivedAppRolePassword(adminUrl: string): string {
  return createHash('sha256')
    .update(`janix-app-role:${new URL(adminUrl).host}`)
    .digest('hex')
    .slice(0, 32);
}
