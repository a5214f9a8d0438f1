import { TRPCError } from '@trpc/server';
import type { OrgRole } from '@janix/schemas';
import { orgRoleSchema } from '@janix/schemas';
import { authenticateDevice } from '../auth/device-auth.ts';
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
