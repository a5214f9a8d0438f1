import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { SalesChart, type ChartMeasure } from '../components/sales-chart.tsx';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import { reads } from '../replica-tables.ts';
import { bucketSales } from '../sales-buckets.ts';
import { channelLabel, totalsByCurrency } from '../sales-totals.ts';
import { useTRPC } from '../trpc.ts';
import '../event-setup.css';

const numberFormat = new Intl.NumberFormat();
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * What has been sold, from this console's replica: totals per currency, sales over time, and the breakdown
 * by event, ticket type and channel. Paid orders only; refunds are shown apart, voided sales only counted.
 */
export function SalesScreen() {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [eventId, setEventId] = useState<string | null>(null);
  const [measure, setMeasure] = useState<'revenue' | 'tickets'>('revenue');
  const [chosenCurrency, setChosenCurrency] = useState<string | null>(null);
  const events = useQuery({ ...trpc.events.list.queryOptions(), ...reads('events') });
  const report = useQuery({
    ...trpc.salesReport.get.queryOptions({ eventId }),
    ...reads('orders', 'tickets', 'events', 'ticket_types'),
  });

  const data = report.data;
  const currencies = data?.currencies ?? [];
  const currency = chosenCurrency && currencies.includes(chosenCurrency) ? chosenCurrency : currencies[0];
  const chartMeasure: ChartMeasure | null =
    measure === 'tickets' ? { kind: 'tickets' } : currency ? { kind: 'revenue', currency } : null;
  const chart = data
    ? bucketSales(data.slots, {
        timeZone,
        currency: chartMeasure?.kind === 'revenue' ? chartMeasure.currency : null,
      })
    : null;
  const totals = data ? totalsByCurrency(data) : [];
  const allEvents = eventId === null;

  return (
    <section className="screen" aria-labelledby="sales-heading" data-testid="sales-dashboard">
      <div className="screen-header">
        <h1 id="sales-heading" ref={heading} tabIndex={-1}>
          Sales
        </h1>
        <div className="sales-filters">
          <FormField label="Event">
            {(props) => (
              <select
                {...props}
                name="event"
                value={eventId ?? ''}
                onChange={(event) => setEventId(event.target.value || null)}
              >
                <option value="">All events</option>
                {(events.data ?? []).map((event) => (
                  <option key={event.id} value={event.id}>
                    {event.name}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        </div>
      </div>
      <ErrorAlert error={report.error ?? events.error} />
      {report.isPending && <p className="muted">Adding up sales…</p>}

      {data && totals.length === 0 && (
        <div className="card empty-state" data-testid="no-sales">
          <p>No sales yet{allEvents ? '' : ' for this event'}.</p>
          <p className="muted">Paid orders appear here as they are made or synced.</p>
        </div>
      )}

      {totals.map((total) => (
        <dl className="stats sales-stats" key={total.currency} data-testid={`sales-totals-${total.currency}`}>
          <div className="stat">
            <dt>Takings{totals.length > 1 ? ` in ${total.currency}` : ''}</dt>
            <dd data-testid="sales-gross">{formatMoney(total.grossCents, total.currency)}</dd>
            <p className="stat-note">Tax included: {formatMoney(total.taxCents, total.currency)}</p>
          </div>
          <div className="stat">
            <dt>Tickets sold</dt>
            <dd data-testid="sales-tickets">{numberFormat.format(total.tickets)}</dd>
          </div>
          <div className="stat">
            <dt>Orders</dt>
            <dd data-testid="sales-orders">{numberFormat.format(total.orders)}</dd>
          </div>
          <div className={total.refundedCents > 0 ? 'stat stat-refunds' : 'stat'}>
            <dt>Refunded</dt>
            <dd data-testid="sales-refunded">{formatMoney(total.refundedCents, total.currency)}</dd>
            <p className="stat-note">
              {total.refundedOrders === 1 ? '1 order' : `${numberFormat.format(total.refundedOrders)} orders`}
              , not in the takings
            </p>
          </div>
        </dl>
      ))}

      {data && chart && chartMeasure && chart.buckets.length > 0 && (
        <section className="card sales-chart-card" aria-labelledby="sales-over-time-heading">
          <div className="chart-controls">
            <h2 id="sales-over-time-heading">
              Sales {chart.granularity === 'hour' ? 'per hour' : 'per day'}
            </h2>
            <div className="chart-controls">
              {measure === 'revenue' && currencies.length > 1 && (
                <label className="inline-select">
                  Currency
                  <select value={currency} onChange={(event) => setChosenCurrency(event.target.value)}>
                    {currencies.map((code) => (
                      <option key={code}>{code}</option>
                    ))}
                  </select>
                </label>
              )}
              <div className="segmented" role="group" aria-label="Show">
                <button
                  type="button"
                  aria-pressed={measure === 'revenue'}
                  onClick={() => setMeasure('revenue')}
                >
                  Revenue
                </button>
                <button
                  type="button"
                  aria-pressed={measure === 'tickets'}
                  onClick={() => setMeasure('tickets')}
                >
                  Tickets
                </button>
              </div>
            </div>
          </div>
          <SalesChart buckets={chart.buckets} granularity={chart.granularity} measure={chartMeasure} />
        </section>
      )}

      {data && totals.length > 0 && (
        <div className="sales-grid">
          {allEvents && (
            <FiguresCard
              title="By event"
              testId="sales-by-event"
              columns={['Event', 'Tickets', 'Takings']}
              rows={data.byEvent.map((row) => ({
                key: `${row.eventId}:${row.currency}`,
                name: (
                  <button type="button" className="table-link" onClick={() => setEventId(row.eventId)}>
                    {row.eventName || 'Unnamed event'}
                  </button>
                ),
                figures: [numberFormat.format(row.tickets), formatMoney(row.grossCents, row.currency)],
              }))}
            />
          )}
          <FiguresCard
            title="By channel"
            testId="sales-by-channel"
            columns={['Channel', 'Orders', 'Tickets', 'Takings']}
            rows={data.byChannel.map((row) => ({
              key: `${row.channel}:${row.currency}`,
              name: channelLabel(row.channel),
              figures: [
                numberFormat.format(row.orders),
                numberFormat.format(row.tickets),
                formatMoney(row.grossCents, row.currency),
              ],
            }))}
          />
          <FiguresCard
            title="By ticket type"
            testId="sales-by-ticket-type"
            wide={allEvents}
            columns={
              allEvents
                ? ['Ticket type', 'Event', 'Tickets', 'Takings']
                : ['Ticket type', 'Tickets', 'Takings']
            }
            rows={data.byTicketType.map((row) => ({
              key: `${row.ticketTypeId}:${row.currency}`,
              name: row.ticketTypeName || 'Deleted ticket type',
              text: allEvents ? [row.eventName] : [],
              figures: [numberFormat.format(row.tickets), formatMoney(row.grossCents, row.currency)],
            }))}
          />
          {(data.refunds.length > 0 || data.voidedOrders > 0) && (
            <FiguresCard
              title="Refunds"
              testId="sales-refunds"
              columns={['Event', 'Orders', 'Refunded']}
              rows={data.refunds.map((row) => ({
                key: `${row.eventId}:${row.currency}`,
                name: row.eventName,
                figures: [numberFormat.format(row.orders), formatMoney(row.amountCents, row.currency)],
              }))}
            >
              {data.voidedOrders > 0 && (
                <p className="muted" data-testid="sales-voided">
                  {data.voidedOrders === 1
                    ? '1 sale was'
                    : `${numberFormat.format(data.voidedOrders)} sales were`}{' '}
                  voided at the till (undone, never counted).
                </p>
              )}
            </FiguresCard>
          )}
        </div>
      )}
    </section>
  );
}

interface FiguresRow {
  key: string;
  /** The row's header: what the figures are of. */
  name: ReactNode;
  /** Text columns after the name. */
  text?: string[];
  /** Right-aligned figures, last. */
  figures: string[];
}

/** One breakdown of the report: a titled table whose first column names each row and whose figures align. */
function FiguresCard({
  title,
  testId,
  columns,
  rows,
  wide = false,
  children,
}: {
  title: string;
  testId: string;
  columns: string[];
  rows: FiguresRow[];
  wide?: boolean;
  children?: ReactNode;
}) {
  const headingId = useId();
  const figureCount = rows[0]?.figures.length ?? 0;
  return (
    <section className={wide ? 'card span-all' : 'card'} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid={testId}>
            <thead>
              <tr>
                {columns.map((column, index) => (
                  <th
                    key={column}
                    scope="col"
                    className={index >= columns.length - figureCount ? 'cell-number' : undefined}
                  >
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.name}</th>
                  {row.text?.map((text, index) => (
                    <td key={index}>{text}</td>
                  ))}
                  {row.figures.map((figure, index) => (
                    <td key={index} className="cell-number">
                      {figure}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {children}
    </section>
  );
}
