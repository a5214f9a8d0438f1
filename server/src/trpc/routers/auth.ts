import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  requestCodeInputSchema,
  verifyCodeInputSchema,
  type Membership,
  orgRoleSchema,
} from '@janix/schemas';
import {
  LOGIN_CODE_REQUESTS_PER_WINDOW,
  LOGIN_CODE_REQUEST_WINDOW_MS,
  LOGIN_CODE_TTL_MS,
  SESSION_TTL_MS,
  formatLoginCode,
  judgeLoginCode,
  loginCodeMessage,
} from '@janix/domain';
import { hashSecret, newSecretToken, sameHash, secureRandomInt } from '../../auth/secrets.ts';
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
  /** Always answers the same way whether or not the address has an account, so it cannot be probed. */
  requestCode: publicProcedure.input(requestCodeInputSchema).mutation(async ({ ctx, input }) => {
    await limitSignIn(ctx.allowSignInAttempt);
    const { pool, mailer, now } = ctx.deps;
    const emailHash = hashSecret(input.email);
    const recent = await pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM login_codes WHERE email_hash = $1 AND created_at > $2',
      [emailHash, new Date(now().getTime() - LOGIN_CODE_REQUEST_WINDOW_MS)],
    );
    if ((recent.rows[0]?.count ?? 0) >= LOGIN_CODE_REQUESTS_PER_WINDOW) {
      throw new ReasonedError({
        code: 'TOO_MANY_REQUESTS',
        reason: 'rate_limited',
        message: 'Too many codes requested for this address. Wait 15 minutes and try again.',
      });
    }
    const user = await pool.query('SELECT id FROM users WHERE email = $1', [input.email]);
    const code = formatLoginCode(secureRandomInt);
    // A code row is recorded even for unknown addresses so both paths cost the same and share the limit.
    await pool.query(
      `INSERT INTO login_codes (id, email_hash, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [
        randomUUID(),
        emailHash,
        hashSecret(`${emailHash}:${code}`),
        new Date(now().getTime() + LOGIN_CODE_TTL_MS),
        now(),
      ],
    );
    if (user.rowCount) {
      await mailer.send({
        to: input.email,
        subject: `Your Janix sign-in code: ${code}`,
        text: `Your Janix sign-in code is ${code}. It expires in 10 minutes. If you did not ask for it, ignore this email.`,
      });
    }
    return { sent: true as const };
  }),

  verifyCode: publicProcedure.input(verifyCodeInputSchema).mutation(async ({ ctx, input }) => {
    await limitSignIn(ctx.allowSignInAttempt);
    const { pool, now } = ctx.deps;
    const emailHash = hashSecret(input.email);
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
        [emailHash],
      );
      const row = latest.rows[0];
      if (!row)
        return {
          ok: false as const,
          message: 'No code was requested for this address. Ask for a code first.',
        };
      const matches = sameHash(row.code_hash, hashSecret(`${emailHash}:${input.code}`));
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
