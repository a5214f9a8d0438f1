import { formatDateTime } from '../date-time.ts';
import { formatMoney } from '../money.ts';
import { label, PAYMENT_METHOD_LABELS } from '../order-labels.ts';
import type { LocalOutputs } from '../trpc.ts';

export type ShiftReport = LocalOutputs['boxOffice']['shifts']['report']['report'];

/** Over (positive) in green, short (negative) in red, with its sign. */
function OverShort({ cents, currency }: { cents: number; currency: string }) {
  const text = `${cents > 0 ? '+' : ''}${formatMoney(cents, currency)}`;
  const word = cents > 0 ? 'Over' : cents < 0 ? 'Short' : 'Balanced';
  return (
    <span className={cents > 0 ? 'over' : cents < 0 ? 'short' : undefined} data-testid="report-over-short">
      {word} {cents === 0 ? '' : text}
    </span>
  );
}

/**
 * An X report (an open shift, read at any time) or a Z report (the closed shift: expected against counted).
 * The numbers are the domain's shiftReport, the same the printed report and the server's close use.
 */
export function ShiftReportView({ report, currency }: { report: ShiftReport; currency: string }) {
  const money = (cents: number) => formatMoney(cents, currency);
  // Money going out reads with a minus, except nothing (never "-€0.00").
  const out = (cents: number) => money(cents === 0 ? 0 : -cents);
  const kind = report.status === 'closed' ? 'Z' : 'X';
  return (
    <section className="report" aria-label={`${kind} report`} data-testid={`${kind.toLowerCase()}-report`}>
      <dl className="details">
        <dt>Cashier</dt>
        <dd>{report.cashier || '—'}</dd>
        <dt>Opened</dt>
        <dd>{formatDateTime(report.openedAt)}</dd>
        {report.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>{formatDateTime(report.closedAt)}</dd>
          </>
        )}
      </dl>

      <h3>Sales by payment method</h3>
      {report.salesByMethod.length === 0 ? (
        <p className="muted">No sales yet.</p>
      ) : (
        <table className="table table-compact report-table">
          <tbody>
            {report.salesByMethod.map((line) => (
              <tr key={line.method}>
                <th scope="row">
                  {label(PAYMENT_METHOD_LABELS, line.method)} ({line.orders})
                </th>
                <td className="cell-amount">{money(line.amountCents)}</td>
              </tr>
            ))}
            <tr className="report-total">
              <th scope="row">All sales</th>
              <td className="cell-amount">{money(report.salesCents)}</td>
            </tr>
          </tbody>
        </table>
      )}

      {report.salesByTicketType.length > 0 && (
        <>
          <h3>Sales by ticket type</h3>
          <table className="table table-compact report-table">
            <tbody>
              {report.salesByTicketType.map((line) => (
                <tr key={line.ticketTypeId}>
                  <th scope="row">
                    {line.quantity} × {line.ticketTypeName}
                  </th>
                  <td className="cell-amount">{money(line.amountCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h3>Refunds, voids and comps</h3>
      <table className="table table-compact report-table">
        <tbody>
          <tr>
            <th scope="row">Refunds ({report.refunds.orders})</th>
            <td className="cell-amount" data-testid="report-refunds">
              {out(report.refunds.amountCents)}
            </td>
          </tr>
          <tr>
            <th scope="row">Voids ({report.voids.orders})</th>
            <td className="cell-amount">{out(report.voids.amountCents)}</td>
          </tr>
          <tr>
            <th scope="row">
              Comps ({report.comps.orders} orders, {report.comps.tickets} tickets)
            </th>
            <td className="cell-amount muted">listed {money(report.comps.listedCents)}</td>
          </tr>
        </tbody>
      </table>

      <h3>Cash drawer</h3>
      <table className="table table-compact report-table">
        <tbody>
          <tr>
            <th scope="row">Float</th>
            <td className="cell-amount">{money(report.floatCents)}</td>
          </tr>
          <tr>
            <th scope="row">Cash sales</th>
            <td className="cell-amount">{money(report.cashSalesCents)}</td>
          </tr>
          <tr>
            <th scope="row">Cash refunds</th>
            <td className="cell-amount">{out(report.cashRefundsCents)}</td>
          </tr>
          {report.cashMovements.map((movement, index) => (
            <tr key={index}>
              <th scope="row">
                {movement.kind === 'paid_in' ? 'Paid in' : 'Paid out'}: {movement.reason}
              </th>
              <td className="cell-amount">
                {movement.kind === 'paid_in' ? money(movement.amountCents) : out(movement.amountCents)}
              </td>
            </tr>
          ))}
          <tr className="report-total">
            <th scope="row">Expected in drawer</th>
            <td className="cell-amount" data-testid="report-expected">
              {money(report.expectedCashCents)}
            </td>
          </tr>
          {report.countedCents !== null && (
            <>
              <tr className="report-total">
                <th scope="row">Counted</th>
                <td className="cell-amount" data-testid="report-counted">
                  {money(report.countedCents)}
                </td>
              </tr>
              <tr className="report-total">
                <th scope="row">Over / short</th>
                <td className="cell-amount">
                  <OverShort cents={report.overShortCents ?? 0} currency={currency} />
                </td>
              </tr>
            </>
          )}
        </tbody>
      </table>
    </section>
  );
}
