import { rowFromRecord, updateOf, type CommandWrite, type RowOf } from '@janix/domain';
import type { RegisterReaderInput } from '@janix/schemas';
import { inTransaction } from '../db/org-transaction.ts';
import type { PoolClient } from '../db/pools.ts';
import type { CardGateway } from './card-gateway.ts';
import { GatewayError } from './card-gateway.ts';
import { PaymentRefused, type CardPaymentsDeps } from './card-payments.ts';
import { orgTransaction, type OrgWriter } from './payment-records.ts';

/**
 * The organization's Stripe Terminal readers (table card_readers, replicated): registered with the code a
 * reader shows, assigned to one box-office device at a time (which then charges on it), removed. Written by the
 * server only, through the table writer, so Settings on every console sees them in the feed.
 */

export interface ReaderManager {
  register(orgId: string, by: string, input: RegisterReaderInput): Promise<RowOf<'card_readers'>>;
  assign(
    orgId: string,
    by: string,
    readerId: string,
    deviceId: string | null,
  ): Promise<RowOf<'card_readers'>>;
  remove(orgId: string, by: string, readerId: string): Promise<RowOf<'card_readers'>>;
}

async function readerRow(client: PoolClient, readerId: string): Promise<RowOf<'card_readers'> | null> {
  const result = await client.query<Record<string, unknown>>(
    'SELECT * FROM card_readers WHERE id = $1 FOR UPDATE',
    [readerId],
  );
  return result.rows[0] ? rowFromRecord('card_readers', result.rows[0]) : null;
}

/** Another active reader on the device is unassigned from it: a till charges on one reader. */
async function freeDevice(client: PoolClient, deviceId: string, except: string): Promise<CommandWrite[]> {
  await requireDevice(client, deviceId);
  const result = await client.query<Record<string, unknown>>(
    `SELECT * FROM card_readers WHERE device_id = $1 AND status = 'active' AND id <> $2 FOR UPDATE`,
    [deviceId, except],
  );
  return result.rows.map((row) =>
    updateOf('card_readers', rowFromRecord('card_readers', row), { deviceId: null }),
  );
}

async function requireDevice(client: PoolClient, deviceId: string): Promise<void> {
  const device = await client.query('SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL', [deviceId]);
  if (!device.rowCount)
    throw new PaymentRefused('not_found', 'This device is not one of the organization’s.');
}

function stripeFailure(error: unknown, what: string): never {
  if (error instanceof GatewayError) {
    throw new PaymentRefused(
      error.kind === 'refused' ? 'stripe_refused' : 'stripe_unavailable',
      error.kind === 'refused'
        ? `Stripe refused to ${what}${error.code ? ` (${error.code.replaceAll('_', ' ')})` : ''}.`
        : `Stripe could not be reached to ${what}. Try again.`,
    );
  }
  throw error;
}

export function createReaderManager(
  deps: Pick<CardPaymentsDeps, 'pool' | 'now' | 'changes'>,
  gateway: () => CardGateway,
): ReaderManager {
  const transact = <T>(orgId: string, work: (tx: OrgWriter) => Promise<T>) =>
    orgTransaction(deps, orgId, work);

  return {
    async register(orgId, by, input) {
      const stripe = gateway();
      const known = await inTransaction(deps.pool, { orgId }, async (client) => ({
        reader: await readerRow(client, input.readerId),
        location: (
          await client.query<{ stripe_location_id: string }>(
            `SELECT stripe_location_id FROM card_readers WHERE stripe_location_id IS NOT NULL
             ORDER BY created_at DESC LIMIT 1`,
          )
        ).rows[0]?.stripe_location_id,
      }));
      // Registering again (a double click, a lost answer) is the same reader.
      if (known.reader) return known.reader;
      let locationId = known.location ?? null;
      try {
        if (input.location) {
          ({ locationId } = await stripe.createLocation({
            orgId,
            readerId: input.readerId,
            displayName: input.location.displayName,
            address: input.location,
          }));
        }
        if (!locationId) {
          throw new PaymentRefused(
            'location_required',
            'The first reader needs the address where it is used (Stripe files readers by location).',
          );
        }
        const registered = await stripe.registerReader({
          orgId,
          readerId: input.readerId,
          registrationCode: input.registrationCode,
          label: input.label,
          locationId,
        });
        return await transact(orgId, async (tx) => {
          const row: CommandWrite = {
            table: 'card_readers',
            op: 'insert',
            row: {
              id: input.readerId,
              label: input.label,
              stripeReaderId: registered.stripeReaderId,
              stripeLocationId: locationId,
              deviceType: registered.deviceType,
              serialNumber: registered.serialNumber,
              deviceId: input.deviceId,
              status: 'active',
              createdAt: deps.now().toISOString(),
            },
          };
          // Freed first, in a statement of its own: a device has one active reader at any moment.
          if (input.deviceId) await tx.write(await freeDevice(tx.client, input.deviceId, input.readerId), by);
          await tx.write([row], by);
          return (await readerRow(tx.client, input.readerId))!;
        });
      } catch (error) {
        return stripeFailure(error, 'register the reader');
      }
    },

    async assign(orgId, by, readerId, deviceId) {
      return transact(orgId, async (tx) => {
        const reader = await readerRow(tx.client, readerId);
        if (!reader || reader.status !== 'active')
          throw new PaymentRefused('not_found', 'This reader was not found.');
        if (reader.deviceId === deviceId) return reader;
        if (deviceId) await tx.write(await freeDevice(tx.client, deviceId, readerId), by);
        await tx.write([updateOf('card_readers', reader, { deviceId })], by);
        return (await readerRow(tx.client, readerId))!;
      });
    },

    async remove(orgId, by, readerId) {
      const stripe = gateway();
      const reader = await inTransaction(deps.pool, { orgId }, (client) => readerRow(client, readerId));
      if (!reader) throw new PaymentRefused('not_found', 'This reader was not found.');
      if (reader.status === 'removed') return reader;
      try {
        await stripe.removeReader(reader.stripeReaderId);
      } catch (error) {
        stripeFailure(error, 'remove the reader');
      }
      return transact(orgId, async (tx) => {
        const locked = (await readerRow(tx.client, readerId))!;
        await tx.write([updateOf('card_readers', locked, { status: 'removed', deviceId: null })], by);
        return (await readerRow(tx.client, readerId))!;
      });
    },
  };
}
