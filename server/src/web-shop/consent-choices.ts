import { updateOf, type CommandWrite, type RowOf } from '@janix/domain';
import type { PoolClient } from '../db/pools.ts';
import type { CompletionHook } from '../payments/card-payments.ts';
import { loadRows } from '../sync/table-rows.ts';

/**
 * A web order's buyer gets the consent choices they made on the checkout form, in the transaction that writes
 * the order (so no console ever sees the buyer without them). Marketing consent goes on the buyer's person row
 * (replicated: every console sees it); a returning buyer who ticks it now gives it, and one who does not keeps
 * what they chose before (an unticked box is no withdrawal; that is the unsubscribe's). The record of all
 * three choices, with the privacy policy's version, stays in web_checkouts, now naming the person.
 */

export interface CompletedWebOrder {
  paymentId: string;
  /** The order's buyer (an existing person for a returning buyer) and when the order was made. */
  personId: string | null;
  at: string;
}

/**
 * Adds the choices of each completed web order to `writes` (the orders' own rows). `known` finds a person the
 * writes do not insert (a returning buyer's record).
 */
export async function withConsentChoices(
  client: PoolClient,
  orgId: string,
  completed: readonly CompletedWebOrder[],
  writes: CommandWrite[],
  known: (personId: string) => Promise<RowOf<'people'> | undefined>,
): Promise<CommandWrite[]> {
  const named = completed.filter((order) => order.personId !== null);
  if (named.length === 0) return writes;
  const choices = await client.query<{ payment_id: string; marketing_consent: boolean }>(
    `UPDATE web_checkouts w SET person_id = t.person_id, completed_at = t.at
     FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[]) AS t(payment_id, person_id, at)
     WHERE w.org_id = $1 AND w.payment_id = t.payment_id
     RETURNING w.payment_id, w.marketing_consent`,
    [
      orgId,
      named.map((order) => order.paymentId),
      named.map((order) => order.personId),
      named.map((order) => order.at),
    ],
  );
  const marketing = new Set(choices.rows.filter((row) => row.marketing_consent).map((row) => row.payment_id));
  let result = writes;
  for (const order of named) {
    if (marketing.has(order.paymentId)) result = await grantMarketing(result, order.personId!, known);
  }
  return result;
}

async function grantMarketing(
  writes: CommandWrite[],
  personId: string,
  known: (personId: string) => Promise<RowOf<'people'> | undefined>,
): Promise<CommandWrite[]> {
  const written = writes.findLastIndex((write) => write.table === 'people' && write.row.id === personId);
  if (written >= 0) {
    const write = writes[written]!;
    if ((write.row as RowOf<'people'>).marketingConsent) return writes;
    return writes.with(written, { ...write, row: { ...write.row, marketingConsent: true } } as CommandWrite);
  }
  const person = await known(personId);
  if (!person || person.marketingConsent) return writes;
  return [...writes, updateOf('people', person, { marketingConsent: true })];
}

/** The card payment code's completion hook, for a web order it completes itself (one at a time). */
export const recordConsentChoices: CompletionHook = async (client, orgId, payment, writes) => {
  if (payment.kind !== 'web_checkout') return writes;
  const order = writes.find((write) => write.table === 'orders' && write.op === 'insert')?.row as
    RowOf<'orders'> | undefined;
  if (!order) return writes;
  return withConsentChoices(
    client,
    orgId,
    [{ paymentId: payment.id, personId: order.personId, at: order.createdAt }],
    writes,
    async (personId) => (await loadRows(client, [{ table: 'people', ids: [personId] }])).people.get(personId),
  );
};
