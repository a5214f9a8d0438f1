import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { enrollDeviceInputSchema, uuidSchema, type EnrolledDevice } from '@janix/schemas';
import { roleAllows } from '@janix/domain';
import { hashSecret, newSecretToken } from '../../auth/secrets.ts';
import { inTransaction } from '../../db/org-transaction.ts';
import { router } from '../init.ts';
import { deviceProcedure, notFound, roleIn, sessionProcedure } from '../procedures.ts';

export const devicesRouter = router({
  /** Makes this console install a named device of one organization; the token is shown to it exactly once. */
  enroll: sessionProcedure
    .input(enrollDeviceInputSchema)
    .mutation(async ({ ctx, input }): Promise<EnrolledDevice> => {
      const role = await roleIn(ctx.deps.pool, ctx.user.id, input.orgId);
      if (!role || !roleAllows(role, 'devices.enroll')) throw notFound('Organization');
      const token = newSecretToken('jxd');
      const deviceId = randomUUID();
      const orgName = await inTransaction(
        ctx.deps.pool,
        { orgId: input.orgId, userId: ctx.user.id },
        async (client) => {
          await client.query(
            `INSERT INTO devices (id, org_id, name, token_hash, enrolled_by, created_at, role)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [deviceId, input.orgId, input.name, hashSecret(token), ctx.user.id, ctx.deps.now(), role],
          );
          const org = await client.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [
            input.orgId,
          ]);
          return org.rows[0]?.name ?? '';
        },
      );
      return { deviceId, deviceToken: token, orgId: input.orgId, orgName, role, name: input.name };
    }),

  list: sessionProcedure.input(z.object({ orgId: uuidSchema })).query(async ({ ctx, input }) => {
    const role = await roleIn(ctx.deps.pool, ctx.user.id, input.orgId);
    if (!role || !roleAllows(role, 'devices.manage')) throw notFound('Organization');
    return inTransaction(ctx.deps.pool, { orgId: input.orgId, userId: ctx.user.id }, async (client) => {
      const result = await client.query<{
        id: string;
        name: string;
        created_at: Date;
        last_seen_at: Date | null;
        revoked_at: Date | null;
      }>('SELECT id, name, created_at, last_seen_at, revoked_at FROM devices ORDER BY created_at');
      return result.rows.map((row) => ({
        id: row.id,
        name: row.name,
        enrolledAt: row.created_at.toISOString(),
        lastSeenAt: row.last_seen_at?.toISOString() ?? null,
        revokedAt: row.revoked_at?.toISOString() ?? null,
      }));
    });
  }),

  revoke: sessionProcedure
    .input(z.object({ orgId: uuidSchema, deviceId: uuidSchema }))
    .mutation(async ({ ctx, input }) => {
      const role = await roleIn(ctx.deps.pool, ctx.user.id, input.orgId);
      if (!role || !roleAllows(role, 'devices.manage')) throw notFound('Device');
      const updated = await inTransaction(
        ctx.deps.pool,
        { orgId: input.orgId, userId: ctx.user.id },
        (client) =>
          client.query('UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1', [
            input.deviceId,
            ctx.deps.now(),
          ]),
      );
      if (!updated.rowCount) throw notFound('Device');
      return { revoked: true as const };
    }),

  me: deviceProcedure.query(({ ctx }) => ({
    deviceId: ctx.device.id,
    orgId: ctx.device.orgId,
    name: ctx.device.name,
  })),
});
