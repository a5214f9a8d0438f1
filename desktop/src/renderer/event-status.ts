import type { EventStatus } from '@janix/schemas';

/** How each event status reads in the console, in the order the Status select offers them. */
export const EVENT_STATUS_LABELS: Readonly<Record<EventStatus, string>> = {
  draft: 'Draft',
  on_sale: 'On sale',
  cancelled: 'Cancelled',
};

export const EVENT_STATUSES = Object.keys(EVENT_STATUS_LABELS) as EventStatus[];
