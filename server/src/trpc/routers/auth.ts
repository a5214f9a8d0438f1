import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  requestCodeInputSchema,
  verifyCodeInputSchema,
  type Membership,
  orgRoleSchema,
} from '@janix/schemas';
import { SESSION_TTL_MS, judgeLoginCode, loginCodeMessage } from '@janix/domain';
import { hashSecret, newSecretToken, sameHash } from '../../auth/secrets.ts';
import { inTransaction } from '../../db/org-transaction.ts';
import { publicProcedure, ReasonedError, router } from '../init.ts';
import { sessionProcedure } from '../procedures.ts';

async function limitSignIn(allow: () => Promise<boolean>): Promise<void> {
  if (!(await allow())) {
    throw new ReasonedError({
      code: 'TOO_MANY_REQUESTS',
      reason: 'rate_limited',
      message: 'Too many sign-in attempts from this address. Wait a few minutes and try again.',
    });
  }
}

export const authRouter = router({
  /**
   * Always answers the same, at the same speed, whether or not the address has an account: the request only
   * queues a job, which makes the code and mails it (auth/sign-in-codes.ts). Never refused for the address's
   * sake, so a stranger cannot lock its owner out; at most, a request within a minute of the last code is
   * absorbed and the code already mailed stands. Only the caller's own network address is limited.
   */
  requestCode: publicProcedure.input(requestCodeInputSchema).mutation(async ({ ctx, input }) => {
    await limitSignIn(ctx.allowSignInAttempt);
    await ctx.deps.signIn.request(input.email);
    return { sent: true as const };
  }),

  verifyCode: publicProcedure.input(verifyCodeInputSchema).mutation(async ({ ctx, input }) => {
    await limitSignIn(ctx.allowSignInAttempt);
    const { pool, now, signIn } = ctx.deps;
    const emailKey = signIn.emailKey(input.email);
    const outcome = await inTransaction(pool, {}, async (client) => {
      const latest = await client.query<{
        id: string;
        code_hash: string;
        expires_at: Date;
        attempts: number;
        consumed_at: Date | null;
      }>(
        `SELECT id, code_hash, expires_at, attempts, consumed_at FROM login_codes
         WHERE email_hash = $1 ORDER BY seq DESC LIMIT 1 FOR UPDATE`,
        [emailKey],
      );
      const row = latest.rows[0];
      if (!row)
        return {
          ok: false as const,
          message: 'No code was requested for this address. Ask for a code first.',
        };
      const matches = sameHash(row.code_hash, signIn.codeHash(emailKey, input.code));
      const verdict = judgeLoginCode(
        { expiresAt: row.expires_at, attempts: row.attempts, consumedAt: row.consumed_at },
        matches,
        now(),
      );
      if (!verdict.ok) {
        if (verdict.reason === 'wrong') {
          await client.query('UPDATE login_codes SET attempts = attempts + 1 WHERE id = $1', [row.id]);
        }
        return { ok: false as const, message: loginCodeMessage(verdict) };
      }
      await client.query('UPDATE login_codes SET consumed_at = $2 WHERE id = $1', [row.id, now()]);
      const user = await client.query<{
        id: string;
        email: string;
        display_name: string;
        platform_role: string | null;
      }>('SELECT id, email, display_name, platform_role FROM users WHERE email = $1', [input.email]);
      const account = user.rows[0];
      if (!account) return { ok: false as const, message: 'There is no Janix account for this address.' };
      const token = newSecretToken('jxs');
      await client.query(
        'INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [randomUUID(), account.id, hashSecret(token), now(), new Date(now().getTime() + SESSION_TTL_MS)],
      );
      return {
        ok: true as const,
        sessionToken: token,
        user: {
          id: account.id,
          email: account.email,
          displayName: account.display_name,
          platformRole: account.platform_role === 'privacy_admin' ? ('privacy_admin' as const) : null,
        },
      };
    });
    if (!outcome.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: outcome.message });
    return { sessionToken: outcome.sessionToken, user: outcome.user };
  }),

  me: sessionProcedure.query(async ({ ctx }) => {
    const memberships = await inTransaction(ctx.deps.pool, { userId: ctx.user.id }, async (client) => {
      const result = await client.query<{ org_id: string; name: string; role: string }>(
        `SELECT m.org_id, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id
         WHERE m.user_id = $1 ORDER BY o.name`,
        [ctx.user.id],
      );
      return result.rows.map((row): Membership => ({
        orgId: row.org_id,
        orgName: row.name,
        role: orgRoleSchema.parse(row.role),
      }));
    });
    return { user: ctx.user, memberships };
  }),

  signOut: sessionProcedure.mutation(async ({ ctx }) => {
    await ctx.deps.pool.query('UPDATE sessions SET revoked_at = $2 WHERE id = $1', [
      ctx.sessionId,
      ctx.deps.now(),
    ]);
    return { signedOut: true as const };
  }),
});
