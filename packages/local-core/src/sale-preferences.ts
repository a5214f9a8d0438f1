import { z } from 'zod';
import { MAX_ALLOCATION_SEATS, uuidSchema } from '@janix/schemas';

/**
 * How this device's box office is set up, kept in its replica (not synced: another till at the same event
 * may sell at another pace). The sale screen starts on the last event sold and asks for this many seats.
 */
export const salePreferencesSchema = z.object({
  lastEventId: uuidSchema.nullable().default(null),
  defaultAllocationSeats: z.number().int().min(1).max(MAX_ALLOCATION_SEATS).default(20),
  /** Print the receipt (opening the drawer for cash) as soon as a sale is recorded. */
  autoPrintReceipt: z.boolean().default(true),
  /** Print the tickets as soon as a sale is recorded. */
  autoPrintTickets: z.boolean().default(false),
});
export type SalePreferences = z.output<typeof salePreferencesSchema>;
export const DEFAULT_SALE_PREFERENCES: SalePreferences = salePreferencesSchema.parse({});
