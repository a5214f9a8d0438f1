import {
  LOGIN_CODE_RETENTION_AFTER_EXPIRY_MS,
  LOGIN_CODE_TTL_MS,
  REVOKED_DEVICE_RETENTION_MS,
  SESSION_RETENTION_AFTER_END_MS,
} from '@janix/domain';
import type { Pool } from '../db/pools.ts';

export const PURGE_SIGN_IN = 'purge-sign-in';

export interface PurgeSignInDeps {
  /** The application pool; only devices sit behind row-level security, reached through one narrow function. */
  pool: Pool;
  now: () => Date;
  log: (line: string) => void;
}

export interface PurgeSignInSummary {
  loginCodes: number;
  signInRequests: number;
  sessions: number;
  devMail: number;
  devices: number;
}

/**
 * Deletes the rows every sign-in leaves behind once they are of no use (retention in domain/login-codes.ts):
 * codes past expiry, requests their job never reached, ended sessions, expired dev mail and devices revoked
 * long ago. Each delete is one statement on an index range, so a run stays short however much piled up.
 */
export async function purgeSignIn(deps: PurgeSignInDeps): Promise<PurgeSignInSummary> {
  const now = deps.now().getTime();
  const count = async (sql: string, cutoffMs: number) =>
    (await deps.pool.query(sql, [new Date(now - cutoffMs)])).rowCount ?? 0;
  const summary: PurgeSignInSummary = {
    loginCodes: await count(
      'DELETE FROM login_codes WHERE expires_at < $1',
      LOGIN_CODE_RETENTION_AFTER_EXPIRY_MS,
    ),
    signInRequests: await count('DELETE FROM sign_in_requests WHERE created_at < $1', LOGIN_CODE_TTL_MS),
    sessions: await count(
      'DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1',
      SESSION_RETENTION_AFTER_END_MS,
    ),
    // Each dev mail carries its own end (a sign-in code's minutes, an order's days: mail/mailer.ts).
    devMail: await count('DELETE FROM dev_mailbox WHERE expires_at < $1', 0),
    devices: (
      await deps.pool.query<{ purged: number }>('SELECT purge_revoked_devices($1) AS purged', [
        new Date(now - REVOKED_DEVICE_RETENTION_MS),
      ])
    ).rows[0]!.purged,
  };
  deps.log(
    `${PURGE_SIGN_IN}: purged ${summary.loginCodes} codes, ${summary.signInRequests} requests, ` +
      `${summary.sessions} sessions, ${summary.devMail} dev mails, ${summary.devices} devices`,
  );
  return summary;
}
