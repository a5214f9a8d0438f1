import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { PrintStatus } from '../components/print-status.tsx';
import { ShiftReportView, type ShiftReport } from '../components/shift-report-view.tsx';
import { formatDateTime } from '../date-time.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import { reads } from '../replica-tables.ts';
import {
  checkCashMovement,
  checkDrawerAmount,
  EMPTY_CASH_MOVEMENT,
  type CashMovementCheck,
  type CashMovementForm,
} from '../shift-form-model.ts';
import { useTRPC } from '../trpc.ts';
import '../box-office.css';

/** Every table a shift's report counts: the report re-reads when any of them changes. */
const REPORT_TABLES = reads('shifts', 'orders', 'tickets', 'order_audit', 'cash_movements', 'ticket_types');

/**
 * The cashier's shift on this device: open it with a float, record cash paid in or out, read the X report at
 * any time, and close it with a blind count (the expected cash is not on screen while counting), after which
 * the Z report shows expected against counted. Closing returns the seats the shift still held.
 */
export function ShiftScreen({ onSell }: { onSell: () => void }) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const current = useQuery({ ...trpc.boxOffice.shifts.current.queryOptions(), ...REPORT_TABLES });
  const currency = useQuery(trpc.boxOffice.currency.queryOptions());
  const [zReportOf, setZReportOf] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);

  const shift = current.data?.shift;
  const money = current.data?.currency ?? currency.data ?? 'EUR';
  let body;
  if (zReportOf) body = <ZReport shiftId={zReportOf} onDone={() => setZReportOf(null)} />;
  else if (current.isPending) body = <p className="muted">Loading the shift…</p>;
  else if (!shift) body = <OpenShift currency={money} onOpened={onSell} onShowZ={setZReportOf} />;
  else if (closing)
    body = (
      <BlindCount
        shiftId={shift.id}
        currency={money}
        onCancel={() => setClosing(false)}
        onClosed={() => {
          setClosing(false);
          setZReportOf(shift.id);
        }}
      />
    );
  else
    body = (
      <div className="shift-grid">
        <div className="card">
          <h2>Open shift</h2>
          <dl className="details">
            <dt>Cashier</dt>
            <dd data-testid="shift-cashier">{shift.cashier || '—'}</dd>
            <dt>Opened</dt>
            <dd>{formatDateTime(shift.openedAt)}</dd>
            <dt>Float</dt>
            <dd data-testid="shift-float">{formatMoney(shift.floatCents, money)}</dd>
          </dl>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={onSell}>
              Sell tickets
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setClosing(true)}
              data-testid="close-shift"
            >
              Close shift…
            </button>
          </div>
          <CashMovement currency={money} />
        </div>
        <XReport shiftId={shift.id} report={current.data!.report} currency={money} />
      </div>
    );

  return (
    <section className="screen" aria-labelledby="shift-heading">
      <div className="screen-header">
        <h1 id="shift-heading" ref={heading} tabIndex={-1}>
          Shift
        </h1>
      </div>
      <ErrorAlert error={current.error} />
      {body}
    </section>
  );
}

function OpenShift({
  currency,
  onOpened,
  onShowZ,
}: {
  currency: string;
  onOpened: () => void;
  onShowZ: (shiftId: string) => void;
}) {
  const trpc = useTRPC();
  const [shiftId] = useState(() => crypto.randomUUID());
  const open = useMutation(trpc.boxOffice.shifts.open.mutationOptions({ onSuccess: onOpened }));
  const closed = useQuery({ ...trpc.boxOffice.shifts.closed.queryOptions(), ...reads('shifts') });

  return (
    <div className="shift-grid">
      <DrawerAmountForm
        what="float"
        currency={currency}
        title="Open a shift"
        intro={
          <p className="muted">No shift is open on this device. Count the float in the drawer to start.</p>
        }
        label="Float in the drawer"
        hint="The cash the drawer starts with"
        inputTestId="shift-float-input"
        mutation={open}
        onAmount={(floatCents) => open.mutate({ shiftId, floatCents })}
      >
        <button
          type="submit"
          className="button button-primary"
          disabled={open.isPending}
          data-testid="open-shift"
        >
          Open shift
        </button>
      </DrawerAmountForm>
      {closed.data && closed.data.length > 0 && (
        <div className="card">
          <h2>Closed shifts on this device</h2>
          <ul className="audit-list">
            {closed.data.map((row) => (
              <li key={row.id}>
                <button type="button" className="link-button" onClick={() => onShowZ(row.id)}>
                  {row.cashier || 'Shift'} · closed {row.closedAt ? formatDateTime(row.closedAt) : ''}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function CashMovement({ currency }: { currency: string }) {
  const trpc = useTRPC();
  const [form, setForm] = useState<CashMovementForm>(EMPTY_CASH_MOVEMENT);
  const [errors, setErrors] = useState<Extract<CashMovementCheck, { ok: false }>['errors']>({});
  const [movementId, setMovementId] = useState(() => crypto.randomUUID());
  const record = useMutation(
    trpc.boxOffice.shifts.cashMovement.mutationOptions({
      onSuccess: () => {
        setForm(EMPTY_CASH_MOVEMENT);
        setMovementId(crypto.randomUUID());
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const check = checkCashMovement(form, currency);
    setErrors(check.ok ? {} : check.errors);
    if (check.ok && !record.isPending) record.mutate({ movementId, ...check.movement });
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="cash-movement-heading">
      <h3 id="cash-movement-heading">Paid in / paid out</h3>
      <div className="segmented" role="radiogroup" aria-label="Direction">
        {(['paid_in', 'paid_out'] as const).map((kind) => (
          <label key={kind}>
            <input
              type="radio"
              name="cash-movement-kind"
              checked={form.kind === kind}
              onChange={() => setForm({ ...form, kind })}
            />
            {kind === 'paid_in' ? 'Paid in' : 'Paid out'}
          </label>
        ))}
      </div>
      <div className="form-grid">
        <FormField label="Amount" error={errors.amount}>
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              autoComplete="off"
              value={form.amount}
              onChange={(event) => setForm({ ...form, amount: event.target.value })}
              data-testid="cash-movement-amount"
            />
          )}
        </FormField>
        <FormField label="Reason" error={errors.reason}>
          {(props) => (
            <input
              {...props}
              autoComplete="off"
              value={form.reason}
              onChange={(event) => setForm({ ...form, reason: event.target.value })}
              data-testid="cash-movement-reason"
            />
          )}
        </FormField>
      </div>
      <ErrorAlert error={record.error} />
      {record.isSuccess && (
        <p role="status" className="print-ok">
          Recorded.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-secondary" disabled={record.isPending}>
          Record {form.kind === 'paid_in' ? 'paid in' : 'paid out'}
        </button>
      </div>
    </form>
  );
}

/** The X report is shown on request: seen by habit, it would make the blind count at close pointless. */
function XReport({ shiftId, report, currency }: { shiftId: string; report: ShiftReport; currency: string }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="card">
      <div className="screen-header">
        <h2>X report</h2>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => setShown(!shown)}
          aria-expanded={shown}
          data-testid="toggle-x-report"
        >
          {shown ? 'Hide' : 'Show X report'}
        </button>
      </div>
      {shown && (
        <>
          <ShiftReportView report={report} currency={currency} />
          <PrintReport shiftId={shiftId} what="X report" />
        </>
      )}
    </div>
  );
}

function useShiftReport(shiftId: string) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.boxOffice.shifts.report.queryOptions({ shiftId }), ...REPORT_TABLES });
}

function PrintReport({ shiftId, what }: { shiftId: string; what: string }) {
  const trpc = useTRPC();
  const print = useMutation(trpc.printing.shiftReport.mutationOptions());
  return (
    <>
      <PrintStatus
        what={what}
        pending={print.isPending}
        result={print.data}
        error={print.error}
        testId="report-print-status"
      />
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => print.mutate({ shiftId })}
          disabled={print.isPending}
        >
          Print {what}
        </button>
      </div>
    </>
  );
}

/** Closing: the cashier counts the drawer and enters the total, without seeing what is expected. */
function BlindCount({
  shiftId,
  currency,
  onCancel,
  onClosed,
}: {
  shiftId: string;
  currency: string;
  onCancel: () => void;
  onClosed: () => void;
}) {
  const trpc = useTRPC();
  const close = useMutation(trpc.boxOffice.shifts.close.mutationOptions({ onSuccess: onClosed }));
  return (
    <DrawerAmountForm
      what="count"
      currency={currency}
      title="Close the shift: count the drawer"
      intro={
        <p>
          Count all the cash in the drawer, float included, and enter the total. The report shows what was
          expected once the shift is closed. Unsold seats this shift holds go back to their quotas.
        </p>
      }
      label="Cash counted"
      inputTestId="counted-cash"
      mutation={close}
      onAmount={(countedCents) => close.mutate({ shiftId, countedCents })}
    >
      <button
        type="submit"
        className="button button-danger"
        disabled={close.isPending}
        data-testid="confirm-close"
      >
        Close shift
      </button>
      <button type="button" className="button button-secondary" onClick={onCancel} disabled={close.isPending}>
        Back
      </button>
    </DrawerAmountForm>
  );
}

/** One amount of cash in the drawer (the float, or the count at close), checked before it is sent. */
function DrawerAmountForm({
  what,
  currency,
  title,
  intro,
  label,
  hint,
  inputTestId,
  mutation,
  onAmount,
  children,
}: {
  what: 'float' | 'count';
  currency: string;
  title: string;
  intro: ReactNode;
  label: string;
  hint?: string;
  inputTestId: string;
  mutation: { isPending: boolean; error: unknown };
  onAmount: (cents: number) => void;
  /** The submit button and any others. */
  children: ReactNode;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const headingId = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    const check = checkDrawerAmount(text, currency, what);
    setError(check.ok ? undefined : check.error);
    if (check.ok && !mutation.isPending) onAmount(check.cents);
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {intro}
      <FormField label={label} {...(hint ? { hint } : {})} error={error}>
        {(props) => (
          <input
            {...props}
            autoFocus
            inputMode="decimal"
            autoComplete="off"
            className="input-money"
            value={text}
            onChange={(event) => setText(event.target.value)}
            data-testid={inputTestId}
          />
        )}
      </FormField>
      <ErrorAlert error={mutation.error} />
      <div className="form-actions">{children}</div>
    </form>
  );
}

function ZReport({ shiftId, onDone }: { shiftId: string; onDone: () => void }) {
  const report = useShiftReport(shiftId);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="card editor-card report">
      <h2 ref={heading} tabIndex={-1}>
        {report.data?.report.status === 'closed' ? 'Z report' : 'Shift report'}
      </h2>
      <ErrorAlert error={report.error} />
      {report.data && <ShiftReportView report={report.data.report} currency={report.data.currency} />}
      <PrintReport shiftId={shiftId} what="Z report" />
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={onDone} data-testid="z-report-done">
          Done
        </button>
      </div>
    </div>
  );
}
