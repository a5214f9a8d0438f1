import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { formatDateTime } from '../date-time.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import { label, ORDER_STATUS_LABELS } from '../order-labels.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { useTRPC } from '../trpc.ts';
import '../box-office.css';

/** The shortest search the local core answers (fewer characters match too many orders to be useful). */
const MIN_SEARCH = 3;

/** Finding an order at the counter: by the code on its receipt, or by the buyer's name or email. */
export function OrdersScreen() {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [text, setText] = useState('');
  const searching = text.trim().length >= MIN_SEARCH;
  const results = useQuery({
    ...trpc.boxOffice.orders.search.queryOptions({ text: text.trim() }),
    ...reads('orders', 'people', 'tickets', 'events'),
    enabled: searching,
    placeholderData: (previous) => previous,
  });

  return (
    <section className="screen" aria-labelledby="orders-heading">
      <div className="screen-header">
        <h1 id="orders-heading" ref={heading} tabIndex={-1}>
          Orders
        </h1>
      </div>
      <div className="card">
        <form className="search-row" role="search" onSubmit={(event) => event.preventDefault()}>
          <FormField label="Order code, buyer name or email" hint={`At least ${MIN_SEARCH} characters`}>
            {(props) => (
              <input
                {...props}
                type="search"
                autoFocus
                autoComplete="off"
                value={text}
                onChange={(event) => setText(event.target.value)}
                data-testid="order-search"
              />
            )}
          </FormField>
        </form>
      </div>
      <ErrorAlert error={results.error} />
      {searching && results.data && (
        <div className="table-wrap">
          {results.data.length === 0 ? (
            <p className="empty-state" data-testid="no-orders-found">
              No order matches “{text.trim()}”.
            </p>
          ) : (
            <table className="table" data-testid="order-results">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Buyer</th>
                  <th scope="col">Event</th>
                  <th scope="col">Sold</th>
                  <th scope="col" className="cell-amount">
                    Total
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {results.data.map((order) => (
                  <tr key={order.id}>
                    <th scope="row" className="cell-name">
                      <a href={routeHref({ screen: 'order', orderId: order.id })} className="order-code">
                        {order.code}
                      </a>
                      {order.pending && (
                        <span className="tag tag-pending" title="Saved on this console, not yet synced">
                          Pending
                        </span>
                      )}
                    </th>
                    <td>{order.buyerName ?? order.buyerEmail ?? <span className="muted">Anonymous</span>}</td>
                    <td>{order.eventName ?? '—'}</td>
                    <td>{formatDateTime(order.createdAt)}</td>
                    <td className="cell-amount">{formatMoney(order.totalCents, order.currency)}</td>
                    <td>
                      <span className={`status status-${order.status}`}>
                        {label(ORDER_STATUS_LABELS, order.status)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
