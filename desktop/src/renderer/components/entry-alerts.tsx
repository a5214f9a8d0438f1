import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { alertText } from '../check-in-model.ts';
import { consoleTimeZone } from '../check-in-list-form-model.ts';
import { useNow } from '../hooks/use-now.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC } from '../trpc.ts';

// Dismissed on this console for as long as it runs: moving between the door and its lists must not bring a
// dismissed alert back, and a restart shows them again (someone else may not have seen them).
const dismissed = new Set<string>();

/**
 * Double entries the server found at this event: a ticket let in on two devices while they were apart.
 * Every console at the event shows them as they sync in, until dismissed here.
 */
export function EntryAlerts({ eventId }: { eventId: string }) {
  const trpc = useTRPC();
  const now = useNow(60_000);
  const [, setDismissedCount] = useState(dismissed.size);
  const alerts = useQuery({ ...trpc.checkin.alerts.queryOptions({ eventId }), ...reads('entry_alerts') });
  const shown = (alerts.data ?? []).filter((alert) => !dismissed.has(alert.id));
  if (shown.length === 0) return null;
  const timeZone = consoleTimeZone();
  return (
    <div className="entry-alerts" data-testid="entry-alerts">
      {shown.map((alert) => (
        <div key={alert.id} role="alert" className="alert alert-error entry-alert" data-testid="entry-alert">
          <span>{alertText(alert, timeZone, now)}</span>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              dismissed.add(alert.id);
              setDismissedCount(dismissed.size);
            }}
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
