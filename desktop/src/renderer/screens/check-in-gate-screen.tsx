import { useQuery, useQueryClient } from '@tanstack/react-query';
import { gateTime } from '@janix/domain';
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useCameraScanner } from '../camera-scanner.ts';
import {
  gateKey,
  hitStanding,
  scanKind,
  searchReady,
  timelineBuckets,
  verdictView,
  type ScanDirection,
} from '../check-in-model.ts';
import { CheckInChart } from '../components/check-in-chart.tsx';
import { EntryAlerts } from '../components/entry-alerts.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { VerdictPanel } from '../components/verdict-panel.tsx';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { useNow } from '../hooks/use-now.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { useWedgeScanner } from '../scanner-input.ts';
import { useTRPC, useTRPCClient, type LocalOutputs } from '../trpc.ts';
import { playVerdictSound } from '../verdict-sound.ts';
import '../box-office.css';
import '../event-setup.css';
import '../check-in.css';

type ScanResult = LocalOutputs['checkin']['scan'];
type CheckInList = LocalOutputs['checkin']['lists'][number];

const numberFormat = new Intl.NumberFormat();
/** How long the search waits for the next keystroke before asking the core. */
const SEARCH_DEBOUNCE_MS = 200;

/**
 * The door: scan (handheld scanner anywhere on the page, the camera, or the ticket code typed), see the
 * verdict large with its reason and hear it, search by name or order code and check in by hand, and watch
 * the counts. Everything is answered by the local core from the replica, so the door runs offline; double
 * entries found by the server appear as alerts once they sync in.
 */
export function CheckInGateScreen({
  eventId,
  listId,
  canEditLists,
  withoutAttendeeData = false,
}: {
  eventId: string;
  listId: string;
  canEditLists: boolean;
  /** The device was enrolled to hold no attendee data: codes are checked by signature, nobody is named. */
  withoutAttendeeData?: boolean;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const now = useNow(30_000);

  const lists = useQuery({
    ...trpc.checkin.lists.queryOptions({ eventId }),
    ...reads('checkin_lists', 'ticket_types'),
  });
  const list = lists.data?.find((candidate) => candidate.id === listId);

  const [direction, setDirection] = useState<ScanDirection>('entry');
  const [verdict, setVerdict] = useState<{
    result: ScanResult;
    direction: ScanDirection;
    serial: number;
  } | null>(null);
  const [scanError, setScanError] = useState<unknown>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const latest = useRef(0);
  const codeField = useRef<HTMLInputElement | null>(null);
  const searchField = useRef<HTMLInputElement | null>(null);

  // Scans are answered in the order asked; only the latest one's verdict is shown and heard.
  async function judge(ask: () => Promise<ScanResult>, way: ScanDirection) {
    const serial = ++latest.current;
    setHint(null);
    try {
      const result = await ask();
      if (serial !== latest.current) return;
      setScanError(null);
      setVerdict({ result, direction: way, serial });
      playVerdictSound(result.tone);
    } catch (error) {
      if (serial === latest.current) setScanError(error);
    } finally {
      // The scan was recorded: the recent scans, counts and search standing change with it.
      void queryClient.invalidateQueries(trpc.checkin.recent.pathFilter());
      void queryClient.invalidateQueries(trpc.checkin.counts.pathFilter());
      void queryClient.invalidateQueries(trpc.checkin.search.pathFilter());
    }
  }

  const scanText = (text: string) =>
    void judge(() => client.checkin.scan.mutate({ listId, text, direction }), direction);
  const checkInByHand = (ticketId: string) =>
    void judge(() => client.checkin.checkIn.mutate({ listId, ticketId, direction }), direction);

  useWedgeScanner({
    onScan: (scan) => scanText(scan.code),
    onRepeat: () => setHint('The same code again within a second: taken as one scan.'),
    enabled: list !== undefined,
  });
  const camera = useCameraScanner({ enabled: cameraOn && list !== undefined, onCode: scanText });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = gateKey(event);
      if (!action) return;
      event.preventDefault();
      if (action === 'focus-code') codeField.current?.focus();
      else if (action === 'focus-search') searchField.current?.focus();
      else if (action === 'toggle-camera') setCameraOn((on) => !on);
      else setDirection(action.direction);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const field = codeField.current;
    if (!field || field.value.trim() === '') return;
    scanText(field.value);
    field.value = '';
  }

  const view = verdictView(verdict?.result ?? null);
  const timeZone = list?.timeZone ?? 'UTC';
  const detail = verdict
    ? `${verdict.direction === 'entry' ? 'Entry' : 'Exit'} at ${gateTime(verdict.result.scannedAt, timeZone, now)}`
    : null;

  if (lists.isSuccess && !list) {
    return (
      <section className="screen" aria-labelledby="gate-heading">
        <h1 id="gate-heading" ref={heading} tabIndex={-1}>
          Check-in
        </h1>
        <div className="card empty-state">
          <p>This check-in list is not on this console.</p>
          <p>
            <a href={routeHref({ screen: 'check-in', eventId })}>Choose a list</a>
          </p>
        </div>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="gate-heading" data-testid="check-in-gate">
      <div className="screen-header">
        <h1 id="gate-heading" ref={heading} tabIndex={-1}>
          {list ? `Check-in: ${list.name}` : 'Check-in'}
        </h1>
        <div className="form-actions">
          <a className="button button-secondary" href={routeHref({ screen: 'check-in', eventId })}>
            All lists
          </a>
          {canEditLists && (
            <a
              className="button button-secondary"
              href={routeHref({ screen: 'check-in-list', eventId, listId })}
            >
              List settings
            </a>
          )}
        </div>
      </div>
      <EntryAlerts eventId={eventId} />
      <ErrorAlert error={lists.error} />
      {withoutAttendeeData && (
        <p className="muted" role="note">
          This device holds no attendee data: it checks each code’s signature and the revoked tickets, and
          shows no names. Search finds nobody here.
        </p>
      )}

      <div className="gate-controls">
        <div className="segmented segmented-large" role="group" aria-label="Direction">
          {(['entry', 'exit'] as const).map((way) => (
            <button
              key={way}
              type="button"
              aria-pressed={direction === way}
              onClick={() => setDirection(way)}
            >
              {way === 'entry' ? 'Entry' : 'Exit'} <kbd>{way === 'entry' ? 'F2' : 'F3'}</kbd>
            </button>
          ))}
        </div>
        <form className="gate-code-form" onSubmit={submitCode} aria-label="Manual scan">
          <FormField label="Ticket code">
            {(props) => (
              <input
                {...props}
                ref={codeField}
                type="text"
                name="code"
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="off"
                data-testid="ticket-code"
              />
            )}
          </FormField>
          <button type="submit" className="button button-primary" disabled={!list}>
            Scan
          </button>
        </form>
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={cameraOn}
          onClick={() => setCameraOn((on) => !on)}
        >
          {cameraOn ? 'Stop camera' : 'Use camera'} <kbd>F7</kbd>
        </button>
      </div>

      <div className="gate-grid">
        <div className="gate-main">
          <VerdictPanel view={view} serial={verdict?.serial ?? 0} detail={detail} />
          <p className="gate-hint muted" role="status">
            {hint}
          </p>
          <ErrorAlert error={scanError} />
          {cameraOn && (
            <div className="camera card">
              <video ref={camera.videoRef} playsInline muted aria-label="Camera" />
              {camera.state.kind === 'error' ? (
                <div role="alert" className="alert alert-warning">
                  {camera.state.message}
                </div>
              ) : (
                <p className="muted" role="status">
                  {camera.state.kind === 'scanning'
                    ? 'Hold the ticket’s QR code up to the camera.'
                    : 'Starting the camera…'}
                </p>
              )}
            </div>
          )}
          {list && (
            <AttendeeSearch
              listId={listId}
              direction={direction}
              timeZone={timeZone}
              now={now}
              fieldRef={searchField}
              onCheckIn={checkInByHand}
            />
          )}
        </div>
        <div className="gate-side">
          {list && <ListCounts list={list} />}
          {list && <RecentScans listId={listId} timeZone={timeZone} now={now} />}
        </div>
      </div>

      <p className="keyboard-help muted">
        Keys: scan anywhere on this screen; <kbd>F2</kbd> entry, <kbd>F3</kbd> exit, <kbd>F4</kbd> search,{' '}
        <kbd>F6</kbd> ticket code, <kbd>F7</kbd> camera.
      </p>
    </section>
  );
}

function AttendeeSearch({
  listId,
  direction,
  timeZone,
  now,
  fieldRef,
  onCheckIn,
}: {
  listId: string;
  direction: ScanDirection;
  timeZone: string;
  now: Date;
  fieldRef: RefObject<HTMLInputElement | null>;
  onCheckIn: (ticketId: string) => void;
}) {
  const trpc = useTRPC();
  const [query, setQuery] = useState('');
  const [asked, setAsked] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setAsked(query.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);
  const ready = searchReady(asked);
  const hits = useQuery({
    ...trpc.checkin.search.queryOptions({ listId, query: asked }),
    ...reads('check_ins', 'tickets', 'people', 'orders'),
    enabled: ready,
  });

  return (
    <section className="card" aria-labelledby="search-heading">
      <h2 id="search-heading">Find an attendee</h2>
      <FormField label="Search attendees" hint="Name, email or order code: 3 characters or more.">
        {(props) => (
          <input
            {...props}
            ref={fieldRef}
            type="text"
            name="search"
            autoComplete="off"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        )}
      </FormField>
      <ErrorAlert error={hits.error} />
      {ready && hits.data?.length === 0 && (
        <p className="muted">No ticket of this event matches “{asked}”.</p>
      )}
      {ready && hits.data && hits.data.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="search-results">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Order</th>
                <th scope="col">Ticket type</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {hits.data.map((hit) => (
                <tr key={hit.ticketId}>
                  <th scope="row">{hit.name ?? <span className="muted">No name</span>}</th>
                  <td className="mono cell-code">{hit.orderCode ?? '—'}</td>
                  <td>{hit.ticketType ?? '—'}</td>
                  <td>{hitStanding(hit, timeZone, now)}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-primary button-small"
                      onClick={() => onCheckIn(hit.ticketId)}
                    >
                      {direction === 'entry' ? 'Check in' : 'Check out'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ListCounts({ list }: { list: CheckInList }) {
  const trpc = useTRPC();
  const counts = useQuery({
    ...trpc.checkin.counts.queryOptions({ listId: list.id }),
    ...reads('check_ins', 'tickets', 'checkin_lists', 'ticket_revocations'),
    // The automatic check-out counts people out by the clock, with no table changing.
    refetchInterval: 60_000,
  });
  const data = counts.data;
  const buckets = data ? timelineBuckets(data.timeline, list.timeZone) : [];
  return (
    <section className="card sales-chart-card" aria-labelledby="counts-heading">
      <h2 id="counts-heading">Counts</h2>
      <ErrorAlert error={counts.error} />
      <dl className="stats gate-stats">
        <div className="stat">
          <dt>Checked in</dt>
          <dd data-testid="count-checked-in">{data ? numberFormat.format(data.checkedIn) : '…'}</dd>
        </div>
        <div className="stat">
          <dt>Inside</dt>
          <dd data-testid="count-inside">{data ? numberFormat.format(data.inside) : '…'}</dd>
        </div>
        <div className="stat">
          <dt>Total</dt>
          <dd
            data-testid="count-total"
            title={
              data?.total === null ? 'This device holds no tickets, so it cannot count them.' : undefined
            }
          >
            {!data ? '…' : data.total === null ? '—' : numberFormat.format(data.total)}
          </dd>
        </div>
      </dl>
      {buckets.length > 0 && <CheckInChart buckets={buckets} />}
    </section>
  );
}

function RecentScans({ listId, timeZone, now }: { listId: string; timeZone: string; now: Date }) {
  const trpc = useTRPC();
  const recent = useQuery({
    ...trpc.checkin.recent.queryOptions({ listId, limit: 20 }),
    ...reads('check_ins'),
  });
  return (
    <section className="card" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Recent scans</h2>
      <ErrorAlert error={recent.error} />
      {recent.data?.length === 0 && <p className="muted">No scans at this list yet.</p>}
      {recent.data && recent.data.length > 0 && (
        <ul className="scan-list" aria-label="Recent scans" data-testid="recent-scans">
          {recent.data.map((scan) => (
            <li key={scan.scanId} className="scan-row">
              <span className={`scan-dot scan-dot-${scan.tone}`} aria-hidden="true" />
              <span className="scan-row-reason">
                <span className="visually-hidden">
                  {scan.outcome === 'admitted' ? 'Admitted: ' : 'Refused: '}
                </span>
                {scan.reason}
              </span>
              <time dateTime={scan.scannedAt} className="muted">
                {gateTime(scan.scannedAt, timeZone, now)}
              </time>
              <span className="scan-row-meta muted">
                {[
                  scanKind(scan.direction, scan.manual),
                  scan.attendee?.name,
                  scan.attendee?.ticketType,
                  scan.deviceName,
                  scan.pending ? 'not synced yet' : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
