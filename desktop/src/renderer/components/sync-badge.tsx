/** The core's link to the server: `online` is null until the first sync attempt has finished. */
export function SyncBadge({ online }: { online: boolean | null }) {
  const [label, tone] =
    online === null ? ['Connecting…', 'pending'] : online ? ['Online', 'ok'] : ['Offline', 'off'];
  return (
    <span className={`badge badge-${tone}`} data-testid="connection-badge">
      <span className="badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
