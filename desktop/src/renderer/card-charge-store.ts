// The card charge running at this till, kept for the tab: a cashier who leaves the sale screen (or reloads)
// while a payment runs on the reader comes back to it, rather than to an empty form while money moves.
import { z } from 'zod';
import { buyerSchema, uuidSchema } from '@janix/schemas';

export const CARD_CHARGE_STORAGE_KEY = 'janix.cardCharge';

const storedChargeSchema = z.object({
  readerLabel: z.string().nullable(),
  request: z.object({
    paymentId: uuidSchema,
    orderId: uuidSchema,
    method: z.enum(['reader', 'checkout_link']),
    eventId: uuidSchema,
    lines: z.array(z.object({ ticketTypeId: uuidSchema, quantity: z.number().int().min(1) })).min(1),
    buyer: buyerSchema.omit({ personId: true }).nullable(),
  }),
});

export type StoredCardCharge = z.infer<typeof storedChargeSchema>;

/** The charge kept for this tab, if any; anything unreadable is forgotten. */
export function loadCardCharge(storage: Pick<Storage, 'getItem' | 'removeItem'>): StoredCardCharge | null {
  const text = storage.getItem(CARD_CHARGE_STORAGE_KEY);
  if (text === null) return null;
  try {
    const parsed = storedChargeSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: forgotten below, like any other unreadable value.
  }
  storage.removeItem(CARD_CHARGE_STORAGE_KEY);
  return null;
}

/** Keeps the running charge, or forgets it once it ended (paid and shown, or left for another payment). */
export function saveCardCharge(
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  charge: StoredCardCharge | null,
): void {
  if (charge) storage.setItem(CARD_CHARGE_STORAGE_KEY, JSON.stringify(charge));
  else storage.removeItem(CARD_CHARGE_STORAGE_KEY);
}
