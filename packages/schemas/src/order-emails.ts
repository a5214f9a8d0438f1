import { z } from 'zod';
import { isoDateTimeSchema, uuidSchema } from './ids.ts';

/** What an order email is: its tickets (confirmation), its receipt, or the notice of its refund or void. */
export const orderEmailKindSchema = z.enum(['confirmation', 'receipt', 'refund']);
export type OrderEmailKind = z.infer<typeof orderEmailKindSchema>;

/** Where its delivery stands: waiting (or between tries), accepted by the mail provider, or given up on. */
export const orderEmailStatusSchema = z.enum(['queued', 'sent', 'failed']);
export type OrderEmailStatus = z.infer<typeof orderEmailStatusSchema>;

export const orderEmailCommandArgs = {
  /** Sends an order's email of `kind` again, as a new email (`emailId`, made once by the screen). */
  resendOrderEmail: z.object({
    emailId: uuidSchema,
    orderId: uuidSchema,
    kind: orderEmailKindSchema,
    at: isoDateTimeSchema,
  }),
} as const;
