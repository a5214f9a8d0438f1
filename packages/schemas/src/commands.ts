import { z } from 'zod';
import { eventDraftSchema, eventPatchSchema } from './events.ts';
import { uuidSchema } from './ids.ts';
import { boxOfficeCommandArgs } from './box-office.ts';
import { checkInCommandArgs } from './checkin.ts';
import { orderEmailCommandArgs } from './order-emails.ts';

/**
 * Commands are intents sent up by consoles and re-run by the server with the same domain rules.
 * Each name maps to one argument schema here; the registry of effects lives in packages/domain.
 * Every field builds on the storable schemas in ids.ts, so what passes here Postgres can store.
 */
export const commandArgsSchemas = {
  createEvent: z.object({ eventId: uuidSchema, draft: eventDraftSchema }),
  updateEvent: z.object({ eventId: uuidSchema, patch: eventPatchSchema }),
  ...boxOfficeCommandArgs,
  ...checkInCommandArgs,
  ...orderEmailCommandArgs,
} as const;
export type CommandName = keyof typeof commandArgsSchemas;
export type CommandArgs<N extends CommandName> = z.infer<(typeof commandArgsSchemas)[N]>;

export const commandNameSchema = z.enum(Object.keys(commandArgsSchemas) as [CommandName, ...CommandName[]]);

/** Characters of a command's arguments as JSON; a longer one is rejected alone (`invalid_args`). */
export const MAX_COMMAND_ARGS_LENGTH = 64 * 1024;
/** Longer names are no command of any console; they are recorded cut to this length. */
export const MAX_COMMAND_NAME_LENGTH = 100;

/**
 * The envelope checks only what the batch itself needs (the sequence). Name, arguments and client time
 * are checked per command, so one command a newer or buggy console sent (a name this server does not know,
 * arguments it cannot store) is rejected alone with `unknown_command` or `invalid_args` instead of
 * failing the whole batch, which the console would retry forever (G9).
 */
export const commandEnvelopeSchema = z.object({
  seq: z.number().int().positive(),
  /** Any string: one this server does not know (or longer than MAX_COMMAND_NAME_LENGTH) is `unknown_command`. */
  name: z.string(),
  args: z.unknown(),
  /** Device wall-clock time; metadata only, never used for ordering. Checked per command. */
  clientTime: z.string(),
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

export const commandRejectionSchema = z.object({ code: z.string(), message: z.string() });
export type CommandRejection = z.infer<typeof commandRejectionSchema>;
