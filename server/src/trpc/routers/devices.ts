import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  deviceProfileSchema,
  enrollDeviceInputSchema,
  uuidSchema,
  type EnrolledDevice,
} from '@janix/schemas';
import { roleAllows } from '@janix/domain';
import { hashSecret, newSecretToken } from '../../auth/secrets.ts';
import { inTransaction, takeOrgVersions } from '../../db/org-transaction.ts';
import type { PoolClient } from '../../db/pools.ts';
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
            `INSERT INTO devices (id, org_id, name, token_hash, enrolled_by, created_at, role, profile)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              deviceId,
              input.orgId,
              input.name,
              hashSecret(token),
              ctx.user.id,
              ctx.deps.now(),
              role,
              input.profile,
            ],
          );
          const org = await client.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [
            input.orgId,
          ]);
          return org.rows[0]?.name ?? '';
        },
      );
      return {
        deviceId,
        deviceToken: token,
        orgId: input.orgId,
        orgName,
        role,
        name: input.name,
        profile: input.profile,
      };
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
        profile: string;
      }>('SELECT id, name, created_at, last_seen_at, revoked_at, profile FROM devices ORDER BY created_at');
      return result.rows.map((row) => ({
        id: row.id,
        name: row.name,
        profile: deviceProfileSchema.parse(row.profile),
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
      const at = ctx.deps.now();
      const updated = await inTransaction(
        ctx.deps.pool,
        { orgId: input.orgId, userId: ctx.user.id },
        async (client) => {
          const revoked = await client.query(
            'UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1',
            [input.deviceId, at],
          );
          if (revoked.rowCount)
            await returnHeldSeats(client, input.orgId, input.deviceId, at, ctx.user.displayName);
          return revoked;
        },
      );
      if (!updated.rowCount) throw notFound('Device');
      return { revoked: true as const };
    }),

  /**
   * Whether a device holds attendee data. Its next pull is refused (`must_refetch`) and it fetches its replica
   * again in the new scope, as when its member's role changes: a device that may no longer hold tickets,
   * people or orders drops them.
   */
  setProfile: sessionProcedure
    .input(z.object({ orgId: uuidSchema, deviceId: uuidSchema, profile: deviceProfileSchema }))
    .mutation(async ({ ctx, input }) => {
      const role = await roleIn(ctx.deps.pool, ctx.user.id, input.orgId);
      if (!role || !roleAllows(role, 'devices.manage')) throw notFound('Device');
      const updated = await inTransaction(
        ctx.deps.pool,
        { orgId: input.orgId, userId: ctx.user.id },
        (client) =>
          client.query('UPDATE devices SET profile = $2 WHERE id = $1', [input.deviceId, input.profile]),
      );
      if (!updated.rowCount) throw notFound('Device');
      return { deviceId: input.deviceId, profile: input.profile };
    }),

  me: deviceProcedure.query(({ ctx }) => ({
    deviceId: ctx.device.id,
    orgId: ctx.device.orgId,
    name: ctx.device.name,
  })),
});

/**
 * A revoked device sells nothing more (its pushes are refused), so the seats it still holds go back to their
 * quotas at once: other tills and the web shop may sell them. What it sold and synced stays sold; what it sold
 * offline and never synced is lost with the device, and its tickets were never valid on the server.
 */
async function returnHeldSeats(
  client: PoolClient,
  orgId: string,
  deviceId: string,
  at: Date,
  by: string,
): Promise<void> {
  const held = await client.query<{ id: string }>(
    `SELECT id FROM allocations WHERE device_id = $1 AND status = 'granted' ORDER BY id FOR UPDATE`,
    [deviceId],
  );
  if (held.rowCount === 0) return;
  const version = await takeOrgVersions(client, orgId);
  await client.query(
    `WITH returned AS (
       UPDATE allocations SET returned = granted - used, status = 'returned', version = $2, updated_at = $3,
         updated_by = $4
       WHERE device_id = $1 AND status = 'granted'
       RETURNING quota_id, granted - used AS seats
     ), per_quota AS (SELECT quota_id, sum(seats)::int AS seats FROM returned GROUP BY quota_id)
     UPDATE quotas q SET allocated = greatest(0, q.allocated - p.seats), version = $2, updated_at = $3,
       updated_by = $4
     FROM per_quota p WHERE q.id = p.quota_id`,
    [deviceId, version, at, by],
  );
}
