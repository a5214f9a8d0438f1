import { z } from 'zod';
import { paymentStateOf, rowFromRecord, type CommandWrite, type RowOf, type SeatHolds } from '@janix/domain';
import { cardCartSchema, uuidSchema } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import type { ChangeNotifier } from '../sync/change-notifier.ts';
import { writeDecidedRows } from '../sync/table-rows.ts';

/**
 * A payment row with what stays on the server beside it (migration payments: cart, holds, refunds), read and
 * written in the caller's transaction. The server-only columns are JSON, checked with zod when read back.
 */

/** Who started a card sale: its order and audit name them, as a till's own sale would. */
const sellerSchema = z.object({
  userId: uuidSchema,
  userName: z.string(),
  deviceId: uuidSchema,
  deviceName: z.string(),
});
export type Seller = z.infer<typeof sellerSchema>;

export const storedCartSchema = z.object({ cart: cardCartSchema, seller: sellerSchema });
export type StoredCart = z.infer<typeof storedCartSchema>;

const holdsSchema = z.record(uuidSchema, z.number().int().nonnegative());

export const storedRefundSchema = z.object({
  /** Ours (the console made it): Stripe's idempotency key and the audit row's id. */
  id: uuidSchema,
  amountCents: z.number().int().positive(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  stripeRefundId: z.string().nullable(),
  reason: z.string(),
  shiftId: uuidSchema.nullable(),
  by: sellerSchema,
  at: z.string(),
});
export type StoredRefund = z.infer<typeof storedRefundSchema>;

export interface PaymentRecord {
  row: RowOf<'payments'>;
  cart: StoredCart | null;
  holds: SeatHolds;
  refunds: StoredRefund[];
}

function recordOf(record: Record<string, unknown>): PaymentRecord {
  return {
    row: rowFromRecord('payments', record),
    cart: record.cart === null ? null : storedCartSchema.parse(record.cart),
    holds: holdsSchema.parse(record.holds),
    refunds: z.array(storedRefundSchema).parse(record.refunds),
  };
}

/** The payment, locked until the transaction ends (one writer of a payment at a time); null if none. */
export async function lockPayment(
  client: PoolClient,
  by: { id: string } | { orderId: string },
): Promise<PaymentRecord | null> {
  const [column, value] = 'id' in by ? ['id', by.id] : ['order_id', by.orderId];
  const result = await client.query<Record<string, unknown>>(
    `SELECT * FROM payments WHERE ${column} = $1 FOR UPDATE`,
    [value],
  );
  return result.rows[0] ? recordOf(result.rows[0]) : null;
}

/** What stays on the server beside the payment row; absent fields keep their value. */
export interface ServerColumns {
  cart?: StoredCart | null;
  holds?: SeatHolds;
  refunds?: StoredRefund[];
}

/**
 * Writes rules' rows through the table writer at one new version (the feed carries them), then the payment's
 * server-only columns, which must go with a write of the payment row itself (the same version). Resolves
 * with the organization's new version.
 */
export async function writePaymentRows(
  client: PoolClient,
  stamp: { orgId: string; updatedBy: string | null; at: Date },
  writes: readonly CommandWrite[],
  server: { paymentId: string } & ServerColumns = { paymentId: '' },
): Promise<number> {
  const version = await writeDecidedRows(client, writes, {
    orgId: stamp.orgId,
    deviceName: stamp.updatedBy,
    at: stamp.at,
  });
  const sets: string[] = [];
  const params: unknown[] = [stamp.orgId, server.paymentId];
  for (const column of ['cart', 'holds', 'refunds'] as const) {
    if (server[column] === undefined) continue;
    params.push(JSON.stringify(server[column]));
    sets.push(`${column} = $${params.length}::jsonb`);
  }
  if (sets.length) {
    const paymentWritten = writes.some(
      (write) => write.table === 'payments' && write.row.id === server.paymentId,
    );
    if (!paymentWritten) throw new Error("a payment's server columns change only with its row");
    await client.query(`UPDATE payments SET ${sets.join(', ')} WHERE org_id = $1 AND id = $2`, params);
  }
  return version;
}

/** The payment as the console shows it while it runs. */
export const paymentState = paymentStateOf;

/** A transaction of one organization whose `write` puts rows through the table writer. */
export interface OrgWriter {
  client: PoolClient;
  write(
    writes: readonly CommandWrite[],
    updatedBy: string | null,
    server?: { paymentId: string } & ServerColumns,
  ): Promise<void>;
}

/** Runs `work` in one transaction of the organization; consoles hear of its new version once it committed. */
export async function orgTransaction<T>(
  deps: { pool: Pool; now: () => Date; changes: Pick<ChangeNotifier, 'publish'> },
  orgId: string,
  work: (tx: OrgWriter) => Promise<T>,
): Promise<T> {
  let version = 0;
  const result = await inTransaction(deps.pool, { orgId }, (client) =>
    work({
      client,
      async write(writes, updatedBy, server) {
        if (writes.length === 0) return;
        version = await writePaymentRows(client, { orgId, updatedBy, at: deps.now() }, writes, server);
      },
    }),
  );
  if (version > 0) deps.changes.publish(orgId, version);
  return result;
}
