import type { VerdictView } from '../check-in-model.ts';

/**
 * The verdict, large enough to read from across the desk: a headline in words (never colour alone), the
 * rule's reason, and whom it concerns. `serial` changes with every scan, so the same verdict twice flashes
 * twice.
 */
export function VerdictPanel({
  view,
  serial,
  detail,
}: {
  view: VerdictView;
  serial: number;
  /** A line under the verdict: when, and which way (entry or exit). */
  detail?: string | null;
}) {
  return (
    <section
      aria-label="Verdict"
      aria-live="assertive"
      aria-atomic="true"
      // Two alternating classes restart the flash without remounting the live region (a remounted region is
      // not announced).
      className={`verdict verdict-${view.tone}${serial > 0 ? ` verdict-fresh-${serial % 2}` : ''}`}
      data-tone={view.tone}
      data-testid="verdict"
    >
      <p className="verdict-headline">{view.headline}</p>
      <p className="verdict-reason" data-testid="verdict-reason">
        {view.reason}
      </p>
      {(view.name || view.ticketType) && (
        <p className="verdict-who">
          {view.name && <strong data-testid="verdict-name">{view.name}</strong>}
          {view.name && view.ticketType && ' · '}
          {view.ticketType && <span data-testid="verdict-ticket-type">{view.ticketType}</span>}
        </p>
      )}
      {detail && <p className="verdict-meta">{detail}</p>}
    </section>
  );
}
