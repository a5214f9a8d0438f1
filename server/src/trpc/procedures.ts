import { TRPCError } from '@trpc/server';
import type { OrgRole } from '@janix/schemas';
import { orgRoleSchema } from '@janix/schemas';
import { hashSecret } from '../auth/secrets.ts';
import { publicProcedure, ReasonedError } from './init.ts';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  platformRole: 'privacy_admin' | null;
}

export const sessionProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.sessionToken) {
    throw new ReasonedError({ code: 'UNAUTHORIZED', reason: 'session_invalid', message: 'Please sign in.' });
  }
  const result = await ctx.deps.pool.query<{
    id: string;
    email: string;
    display_name: string;
    platform_role: 'privacy_admin' | null;
    session_id: string;
  }>(
    `SELECT u.id, u.email, u.display_name, u.platform_role, s.id AS session_id
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
    [hashSecret(ctx.sessionToken), ctx.deps.now()],
  );
  const row = result.rows[0];
  if (!row) {
    throw new ReasonedError({
      code: 'UNAUTHORIZED',
      reason: 'session_invalid',
      message: 'Your session has ended. Please sign in again.',
    });
  }
  const user: SessionUser = {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    platformRole: row.platform_role,
  };
  return next({ ctx: { ...ctx, user, sessionId: row.session_id } });
});

export interface AuthenticatedDevice {
  id: string;
  orgId: string;
  name: string;
  /** What the device replicates: the current role of the member who enrolled it. */
  role: OrgRole;
  lastSeq: number;
}

/** The enrolled, unrevoked device a token belongs to; refuses anything else with a reason the console acts on. */
export async function authenticateDevice(pool: Pool, token: string | null): Promise<AuthenticatedDevice> {
  if (!token) {
    throw new ReasonedError({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
      message: 'This device is not enrolled.',
    });
  }
  const result = await pool.query<{
    id: string;
    org_id: string;
    name: string;
    role: string | null;
    revoked_at: Date | null;
    last_seq: number;
  }>('SELECT * FROM device_for_token($1)', [hashSecret(token)]);
  const row = result.rows[0];
  if (!row) {
    throw new ReasonedError({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
      message: 'This device is not enrolled.',
    });
  }
  if (row.revoked_at) {
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
      message: 'This device has been revoked by an administrator.',
    });
  }
  if (row.role === null) {
    // The member who enrolled it left the organization: the device goes with them.
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
      message: 'The member who enrolled this device no longer belongs to the organization.',
    });
  }
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    role: orgRoleSchema.parse(row.role),
    lastSeq: row.last_seq,
  };
}

export const deviceProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const device = await authenticateDevice(ctx.deps.pool, ctx.deviceToken);
  return next({ ctx: { ...ctx, device } });
});

/** Looks up the caller's role in an organization; absent membership reads as "not found" to avoid leaks. */
export async function roleIn(pool: Pool, userId: string, orgId: string): Promise<OrgRole | null> {
  // Scoped to the user only: the memberships policy lets a user read their own rows in any organization.
  const result = await inTransaction(pool, { userId }, (client) =>
    client.query<{ role: string }>('SELECT role FROM memberships WHERE user_id = $1 AND org_id = $2', [
      userId,
      orgId,
    ]),
  );
  const parsed = orgRoleSchema.safeParse(result.rows[0]?.role);
  return parsed.success ? parsed.data : null;
}

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found.` });
}
