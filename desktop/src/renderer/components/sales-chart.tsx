import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, minorDigits } from '../money.ts';
import type { Granularity, SalesBucket } from '../sales-buckets.ts';

/** Revenue in one currency, or tickets (which add up across currencies). */
export type ChartMeasure = { kind: 'revenue'; currency: string } | { kind: 'tickets' };

// Told apart by colour-blind readers too (blue and orange), and by the legend and the table under the chart.
const BOX_OFFICE_COLOUR = '#1d4ed8';
const ONLINE_COLOUR = '#d97706';

const ticketFormat = new Intl.NumberFormat();

function valueFormatter(measure: ChartMeasure): (value: number) => string {
  if (measure.kind === 'tickets') return (value) => ticketFormat.format(value);
  return (value) => formatMoney(value, measure.currency);
}

/** Axis ticks stay short: "€1.2K". */
function axisFormatter(measure: ChartMeasure): (value: number) => string {
  if (measure.kind === 'tickets') return (value) => ticketFormat.format(value);
  let compact: Intl.NumberFormat;
  try {
    compact = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: measure.currency,
      notation: 'compact',
      maximumFractionDigits: 1,
    });
  } catch {
    return valueFormatter(measure);
  }
  const scale = 10 ** minorDigits(measure.currency);
  return (value) => compact.format(value / scale);
}

/**
 * Sales per hour or day as stacked bars, box office under online, with the same figures as a table under
 * it (for screen readers, and for reading exact amounts).
 */
export function SalesChart({
  buckets,
  granularity,
  measure,
}: {
  buckets: readonly SalesBucket[];
  granularity: Granularity;
  measure: ChartMeasure;
}) {
  const revenue = measure.kind === 'revenue';
  const boxOfficeKey = revenue ? 'boxOfficeCents' : 'boxOfficeTickets';
  const onlineKey = revenue ? 'onlineCents' : 'onlineTickets';
  const format = valueFormatter(measure);
  const what = revenue ? `Revenue in ${measure.currency}` : 'Tickets sold';
  const per = granularity === 'hour' ? 'per hour' : 'per day';
  const total = buckets.reduce((sum, bucket) => sum + bucket[boxOfficeKey] + bucket[onlineKey], 0);

  return (
    <figure className="sales-chart-figure" data-testid="sales-chart">
      <div
        className="sales-chart"
        role="img"
        aria-label={`${what} ${per}, ${buckets.length} ${granularity === 'hour' ? 'hours' : 'days'}, ${format(total)} in all`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={[...buckets]} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tickLine={false} minTickGap={12} />
            <YAxis tickFormatter={axisFormatter(measure)} allowDecimals={false} width={72} />
            <Tooltip
              formatter={(value) => format(Number(value))}
              cursor={{ fill: 'rgb(29 78 216 / 0.08)' }}
            />
            <Legend />
            <Bar
              dataKey={boxOfficeKey}
              name="Box office"
              stackId="sales"
              fill={BOX_OFFICE_COLOUR}
              isAnimationActive={false}
            />
            <Bar
              dataKey={onlineKey}
              name="Online"
              stackId="sales"
              fill={ONLINE_COLOUR}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="visually-hidden">
        {what} {per}
      </figcaption>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <div className="table-wrap">
          <table className="table table-compact" data-testid="sales-chart-table">
            <thead>
              <tr>
                <th scope="col">{granularity === 'hour' ? 'Hour' : 'Day'}</th>
                <th scope="col" className="cell-number">
                  Box office
                </th>
                <th scope="col" className="cell-number">
                  Online
                </th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr key={bucket.key}>
                  <th scope="row">{bucket.label}</th>
                  <td className="cell-number">{format(bucket[boxOfficeKey])}</td>
                  <td className="cell-number">{format(bucket[onlineKey])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
