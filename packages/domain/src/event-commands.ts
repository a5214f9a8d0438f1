import { defineCommands } from './commands.ts';
import { decideCreateEvent, decideUpdateEvent } from './events.ts';

/** Creating and editing events: the organizer's commands. */
export const eventCommands = defineCommands({
  createEvent: {
    requires: 'events.write',
    reads: (args) => [{ table: 'events', ids: [args.eventId] }],
    decide(rows, args) {
      const decision = decideCreateEvent(rows.events.get(args.eventId), {
        eventId: args.eventId,
        draft: args.draft,
      });
      return decision.ok
        ? { ok: true, value: [{ table: 'events', op: 'insert', row: decision.value }] }
        : decision;
    },
  },
  updateEvent: {
    requires: 'events.write',
    reads: (args) => [{ table: 'events', ids: [args.eventId] }],
    decide(rows, args) {
      // Keys are scoped by organization: another organization's id is simply not loaded, so it answers
      // exactly like a missing one (no existence leak).
      const decision = decideUpdateEvent(rows.events.get(args.eventId), args.patch);
      return decision.ok
        ? { ok: true, value: [{ table: 'events', op: 'update', row: decision.value }] }
        : decision;
    },
  },
});
