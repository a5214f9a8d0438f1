import { connectionState } from '../connection-state.ts';

/** The console's link to the server, as the header badge (see connectionState). */
export function SyncBadge(props: {
  online: boolean | null;
  lastError: string | null;
  localServiceDown: boolean;
}) {
  const state = connectionState(props);
  return (
    <span
      className={`badge badge-${state.tone}`}
      data-testid="connection-badge"
      title={state.reason ?? undefined}
    >
      <span className="badge-dot" aria-hidden="true" />
      {state.label}
    </span>
  );
}
