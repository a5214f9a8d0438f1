import { useRef, type KeyboardEvent, type RefObject } from 'react';
import { formatMoney } from '../money.ts';
import { quantityKey, typedQuantity } from '../sale-keys.ts';
import { heldSeatsText, type HeldSeatsView, type SaleTicketTypeView } from '../sale-form-model.ts';
import { formatDateTime } from '../date-time.ts';

const WINDOW_LABELS = { not_started: 'Not on sale yet', closed: 'Sales closed' } as const;

/**
 * The ticket types of the event with a quantity each. Keyboard first: type the number, + and - step it, the
 * arrows move between ticket types, Enter confirms the sale (the form's submit).
 */
export function SaleTickets({
  ticketTypes,
  quotas,
  quantities,
  onQuantity,
  error,
  firstFieldRef,
}: {
  ticketTypes: readonly (SaleTicketTypeView & { salesStartAt: string | null; salesEndAt: string | null })[];
  /** The seats this device holds, per quota: each ticket type says what its quota has left here. */
  quotas: readonly HeldSeatsView[];
  quantities: Record<string, number>;
  onQuantity: (ticketTypeId: string, quantity: number) => void;
  error: string | undefined;
  firstFieldRef: RefObject<HTMLInputElement | null>;
}) {
  const fields = useRef<Array<HTMLInputElement | null>>([]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>, index: number, ticketTypeId: string) {
    const action = quantityKey(event.nativeEvent, quantities[ticketTypeId] ?? 0);
    if (!action) return;
    event.preventDefault();
    if ('quantity' in action) onQuantity(ticketTypeId, action.quantity);
    else {
      const next = fields.current[index + action.move];
      next?.focus();
      next?.select();
    }
  }

  if (ticketTypes.length === 0) {
    return (
      <p className="muted" data-testid="no-ticket-types">
        This event has no ticket types sold at the box office.
      </p>
    );
  }
  return (
    <div className="sale-tickets">
      <table className="table table-compact" aria-describedby={error ? 'sale-tickets-error' : undefined}>
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col" className="cell-amount">
              Price
            </th>
            <th scope="col" className="cell-quantity">
              Quantity
            </th>
          </tr>
        </thead>
        <tbody>
          {ticketTypes.map((type, index) => {
            const quantity = quantities[type.id] ?? 0;
            const windowLabel = type.window === 'open' ? null : WINDOW_LABELS[type.window];
            const when = type.window === 'not_started' ? type.salesStartAt : type.salesEndAt;
            const seats = quotas.find((quota) => quota.quotaId === type.quotaId);
            return (
              <tr key={type.id} className={quantity > 0 ? 'row-chosen' : undefined}>
                <th scope="row" className="cell-name">
                  {type.name}
                  {windowLabel && (
                    <span className="tag tag-notice" title={when ? formatDateTime(when) : undefined}>
                      {windowLabel}
                    </span>
                  )}
                  {seats && (
                    <span className={seats.left === 0 ? 'row-seats seats-none' : 'row-seats'}>
                      {heldSeatsText(seats)}
                    </span>
                  )}
                </th>
                <td className="cell-amount">{formatMoney(type.priceCents, type.currency)}</td>
                <td className="cell-quantity">
                  <div className="quantity">
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`One less ${type.name}`}
                      tabIndex={-1}
                      onClick={() => onQuantity(type.id, Math.max(0, quantity - 1))}
                    >
                      −
                    </button>
                    <input
                      ref={(element) => {
                        fields.current[index] = element;
                        if (index === 0) firstFieldRef.current = element;
                      }}
                      type="text"
                      inputMode="numeric"
                      autoComplete="off"
                      aria-label={`Quantity of ${type.name}`}
                      data-testid="ticket-quantity"
                      data-ticket-type={type.name}
                      value={quantity === 0 ? '' : String(quantity)}
                      placeholder="0"
                      onFocus={(event) => event.target.select()}
                      onChange={(event) => onQuantity(type.id, typedQuantity(event.target.value))}
                      onKeyDown={(event) => onKeyDown(event, index, type.id)}
                    />
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`One more ${type.name}`}
                      tabIndex={-1}
                      onClick={() => onQuantity(type.id, quantity + 1)}
                    >
                      +
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {error && (
        <p id="sale-tickets-error" className="field-error" role="alert" data-testid="sale-tickets-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The seats this device holds per quota of the event (a sale offline draws only on these), and a way to ask
 * the server for more while online.
 */
export function HeldSeats({
  quotas,
  seatsToRequest,
  onSeatsToRequest,
  onRequest,
  requesting,
  canRequest,
}: {
  quotas: readonly HeldSeatsView[];
  seatsToRequest: number;
  onSeatsToRequest: (seats: number) => void;
  onRequest: (quotaId: string) => void;
  requesting: boolean;
  canRequest: boolean;
}) {
  if (quotas.length === 0) return null;
  return (
    <div className="held-seats">
      <h3 className="held-seats-title">Seats on this device</h3>
      <ul className="held-seats-list">
        {quotas.map((quota) => (
          <li key={quota.quotaId} className="held-seats-row" data-testid="held-seats" data-quota={quota.name}>
            <span className="held-seats-name">{quota.name}</span>
            <span
              className={quota.left === 0 ? 'held-seats-text seats-none' : 'held-seats-text'}
              aria-live="polite"
            >
              {heldSeatsText(quota)}
            </span>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => onRequest(quota.quotaId)}
              disabled={requesting || !canRequest}
              aria-label={`Request ${seatsToRequest} seats for ${quota.name}`}
            >
              Request seats
            </button>
          </li>
        ))}
      </ul>
      <label className="held-seats-size">
        Seats per request{' '}
        <input
          type="number"
          min={1}
          max={500}
          value={seatsToRequest}
          onChange={(event) => onSeatsToRequest(Math.max(1, Math.min(500, Number(event.target.value) || 1)))}
          data-testid="seats-per-request"
        />
      </label>
    </div>
  );
}
