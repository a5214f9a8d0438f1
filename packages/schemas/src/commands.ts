import { z } from 'zod';
import { eventDraftSchema, eventPatchSchema } from './events.ts';
import { isoDateTimeSchema, uuidSchema } from './ids.ts';

/**
 * Commands are intents sent up by consoles and re-run by the server with the same domain rules.
 * Each name maps to one argument schema here; the registry of effects lives in packages/domain.
 */
export const commandArgsSchemas = {
  createEvent: z.object({ eventId: uuidSchema, draft: eventDraftSchema }),
  updateEvent: z.object({ eventId: uuidSchema, patch: eventPatchSchema }),
} as const;
export type CommandName = keyof typeof commandArgsSchemas;
export type CommandArgs<N extends CommandName> = z.infer<(typeof commandArgsSchemas)[N]>;

export const commandNameSchema = z.enum(Object.keys(commandArgsSchemas) as [CommandName, ...CommandName[]]);

export const commandEnvelopeSchema = z.object({
  seq: z.number().int().positive(),
  name: commandNameSchema,
  args: z.unknown(),
  /** Device wall-clock time; metadata only, never used for ordering. */
  clientTime: isoDateTimeSchema,
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

export const commandRejectionSchema = z.object({ code: z.string(), message: z.string() });
export type CommandRejection = z.infer<typeof commandRejectionSchema>;
