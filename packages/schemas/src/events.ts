import { z } from 'zod';
import { int4Schema, isoDateTimeSchema, storableTextSchema, uuidSchema } from './ids.ts';

export const eventStatusSchema = z.enum(['draft', 'on_sale', 'cancelled']);
export type EventStatus = z.infer<typeof eventStatusSchema>;

const eventFields = {
  name: storableTextSchema.trim().min(1, 'the event needs a name').max(200, 'name is too long'),
  venue: storableTextSchema.trim().max(200, 'venue is too long'),
  startsAt: isoDateTimeSchema,
  endsAt: isoDateTimeSchema,
  status: eventStatusSchema,
};

/** An event as it is replicated to consoles. */
export const eventRowSchema = z.object({
  id: uuidSchema,
  orgId: uuidSchema,
  ...eventFields,
  version: z.number().int().nonnegative(),
});
export type EventRow = z.infer<typeof eventRowSchema>;

export const eventDraftSchema = z.object(eventFields);
export type EventDraft = z.infer<typeof eventDraftSchema>;

export const eventPatchSchema = eventDraftSchema.partial();
export type EventPatch = z.infer<typeof eventPatchSchema>;

export const ticketTypeRowSchema = z.object({
  id: uuidSchema,
  orgId: uuidSchema,
  eventId: uuidSchema,
  name: z.string(),
  priceCents: int4Schema.nonnegative(),
  currency: z.string().length(3),
  capacity: int4Schema.nonnegative(),
  version: z.number().int().nonnegative(),
});
export type TicketTypeRow = z.infer<typeof ticketTypeRowSchema>;
