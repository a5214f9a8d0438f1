import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartBucket } from '../check-in-model.ts';

// Told apart by colour-blind readers too (blue and orange), and by the legend and the table under the chart.
const ENTRY_COLOUR = '#1d4ed8';
const EXIT_COLOUR = '#d97706';

/**
 * Entries and exits per quarter hour, with the same figures as a table (for screen readers, and for exact
 * numbers). The door screens are loaded on first use, so neither this nor jsQR weighs on the console's start.
 */
export function CheckInChart({ buckets }: { buckets: readonly ChartBucket[] }) {
  const entries = buckets.reduce((sum, bucket) => sum + bucket.entries, 0);
  const exits = buckets.reduce((sum, bucket) => sum + bucket.exits, 0);
  return (
    <figure className="sales-chart-figure" data-testid="check-in-chart">
      <div
        className="checkin-chart"
        role="img"
        aria-label={`Check-ins per quarter hour: ${entries} entries and ${exits} exits over ${buckets.length} quarter hours`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={[...buckets]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tickLine={false} minTickGap={12} />
            <YAxis allowDecimals={false} width={40} />
            <Tooltip cursor={{ fill: 'rgb(29 78 216 / 0.08)' }} />
            <Legend />
            <Bar dataKey="entries" name="Entries" fill={ENTRY_COLOUR} isAnimationActive={false} />
            <Bar dataKey="exits" name="Exits" fill={EXIT_COLOUR} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="visually-hidden">Entries and exits per quarter hour</figcaption>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <div className="table-wrap">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Quarter hour</th>
                <th scope="col" className="cell-number">
                  Entries
                </th>
                <th scope="col" className="cell-number">
                  Exits
                </th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr key={bucket.key}>
                  <th scope="row">{bucket.label}</th>
                  <td className="cell-number">{bucket.entries}</td>
                  <td className="cell-number">{bucket.exits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
