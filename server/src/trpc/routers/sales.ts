import { z } from 'zod';
import { roleAllows } from '@janix/domain';
import { uuidSchema } from '@janix/schemas';
import { inTransaction } from '../../db/org-transaction.ts';
import { router } from '../init.ts';
import { deviceProcedure, notFound } from '../procedures.ts';

export const slotSecretsSchema = z.object({
  slots: z.array(
    z.object({
      slot: z.number().int().nonnegative(),
      ticketTypeId: z.string(),
      ticketId: z.string(),
      secret: z.string(),
    }),
  ),
});

/**
 * What a box-office device needs from the server beyond commands and the feed: the signed tickets its
 * allocation's seats may become. Only the server holds the signing key, and only the device that holds the
 * allocation receives its secrets (they are worth a ticket each), so they never travel through the feed.
 */
export const salesRouter = router({
  allocationSecrets: deviceProcedure
    .input(z.object({ allocationId: uuidSchema }))
    .query(async ({ ctx, input }) => {
      const { device } = ctx;
      if (!roleAllows(device.role, 'sales.sell')) throw notFound('Allocation');
      return inTransaction(ctx.deps.pool, { orgId: device.orgId }, async (client) => {
        const allocation = await client.query<{ quota_id: string; event_id: string; granted: number }>(
          `SELECT quota_id, event_id, granted FROM allocations
           WHERE id = $1 AND device_id = $2 AND status = 'granted'`,
          [input.allocationId, device.id],
        );
        const held = allocation.rows[0];
        // Another device's allocation, a returned one and an unknown id all read alike.
        if (!held) throw notFound('Allocation');
        const types = await client.query<{ id: string }>(
          'SELECT id FROM ticket_types WHERE quota_id = $1 ORDER BY id',
          [held.quota_id],
        );
        const issuer = await ctx.deps.tickets.createTicketIssuer(client, device.orgId);
        const slots = [];
        for (let slot = 0; slot < held.granted; slot += 1) {
          for (const type of types.rows) {
            const issued = issuer.issue({
              allocationId: input.allocationId,
              slot,
              eventId: held.event_id,
              ticketTypeId: type.id,
            });
            slots.push({ slot, ticketTypeId: type.id, ...issued });
          }
        }
        return { slots };
      });
    }),
});
