import type { CommandName } from '@janix/schemas';

/** How each outbox command reads in the "Rejected changes" history. */
const COMMAND_LABELS: Readonly<Record<CommandName, string>> = {
  createEvent: 'Create event',
  updateEvent: 'Update event',
};

export function commandLabel(name: string): string {
  return (COMMAND_LABELS as Record<string, string>)[name] ?? name;
}
