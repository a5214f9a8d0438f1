import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { CardPaymentLine, CardRefund } from '../components/order-card-payment.tsx';
import { FormField } from '../components/form-field.tsx';
import { OrderEmails } from '../components/order-emails.tsx';
import { OrderPrintActions, useOrderPrinting } from '../components/order-printing.tsx';
import { formatDateTime } from '../date-time.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import {
  AUDIT_ACTION_LABELS,
  label,
  ORDER_STATUS_LABELS,
  PAYMENT_METHOD_LABELS,
  TICKET_STATUS_LABELS,
} from '../order-labels.ts';
import { checkUndoReason, undoConfirmText, undoOffer, type UndoAction } from '../refund-form-model.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC, type LocalOutputs } from '../trpc.ts';
import '../box-office.css';

type OrderDetail = LocalOutputs['boxOffice']['orders']['get'];

/**
 * One order: its tickets, payment and audit (who refunded or voided it, on which device, when and why), with
 * reprints and, where the role allows, a refund or void behind a confirmation. An undo shows at once (the
 * replica's pending rows), before the server has it. A card order shows its card (brand and last four) and
 * is refunded through Stripe instead, online only.
 */
export function OrderScreen({
  orderId,
  canRefund,
  online,
  onBack,
}: {
  orderId: string;
  canRefund: boolean;
  online: boolean;
  onBack: () => void;
}) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const detail = useQuery({
    ...trpc.boxOffice.orders.get.queryOptions({ orderId }),
    ...reads('orders', 'tickets', 'order_audit', 'people', 'events', 'ticket_types', 'shifts'),
  });
  const printing = useOrderPrinting(orderId);
  const data = detail.data;
  const byCard = data?.order.paymentMethod === 'card';
  const cardPayment = useQuery({
    ...trpc.payments.forOrder.queryOptions({ orderId }),
    ...reads('payments'),
    enabled: byCard,
  });

  return (
    <section className="screen" aria-labelledby="order-heading">
      <div className="screen-header">
        <h1 id="order-heading" ref={heading} tabIndex={-1}>
          Order {data && <span className="order-code">{data.order.code}</span>}
          {data && <span className="heading-sub">{data.eventName}</span>}
        </h1>
        <button type="button" className="button button-secondary" onClick={onBack}>
          Back to orders
        </button>
      </div>
      <ErrorAlert error={detail.error} />
      {data && (
        <div className="shift-grid">
          <div className="card">
            <dl className="details">
              <dt>Status</dt>
              <dd>
                <span className={`status status-${data.order.status}`} data-testid="order-status">
                  {label(ORDER_STATUS_LABELS, data.order.status)}
                </span>
                {data.order.pending && (
                  <span className="tag tag-pending" title="Saved on this console, not yet synced">
                    Pending
                  </span>
                )}
              </dd>
              <dt>Sold</dt>
              <dd>
                {formatDateTime(data.order.createdAt)}
                {data.cashier && <> · {data.cashier}</>}
              </dd>
              <dt>Buyer</dt>
              <dd>
                {data.buyer
                  ? [
                      `${data.buyer.firstName} ${data.buyer.lastName}`.trim(),
                      data.buyer.email,
                      data.buyer.phone,
                    ]
                      .filter(Boolean)
                      .join(' · ') || 'Anonymous'
                  : 'Anonymous'}
              </dd>
              <dt>Payment</dt>
              <dd>
                {label(PAYMENT_METHOD_LABELS, data.order.paymentMethod)}
                {byCard && <CardPaymentLine payment={cardPayment.data ?? null} />}
                {data.order.paymentReference && <> · ref {data.order.paymentReference}</>}
                {data.order.compReason && <> · {data.order.compReason}</>}
              </dd>
              <dt>Total</dt>
              <dd data-testid="order-total">{formatMoney(data.order.totalCents, data.order.currency)}</dd>
            </dl>
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Ticket</th>
                  <th scope="col" className="cell-amount">
                    Price
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.tickets.map((ticket) => (
                  <tr key={ticket.id} data-testid="order-ticket">
                    <th scope="row">{ticket.ticketTypeName}</th>
                    <td className="cell-amount">{formatMoney(ticket.priceCents, data.order.currency)}</td>
                    <td>
                      <span className={`status status-${ticket.status}`}>
                        {label(TICKET_STATUS_LABELS, ticket.status)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <OrderPrintActions printing={printing} ticketsDisabled={data.order.status !== 'paid'} />
            <OrderEmails orderId={orderId} />
          </div>
          <div className="card">
            <h2>History</h2>
            <AuditList audit={data.audit} currency={data.order.currency} />
            {byCard ? (
              <CardRefund
                orderId={orderId}
                orderStatus={data.order.status}
                payment={cardPayment.data ?? null}
                canRefund={canRefund}
                online={online}
              />
            ) : canRefund ? (
              <UndoOrder detail={data} onReceipt={() => printing.printReceipt(true)} />
            ) : (
              <p className="muted" data-testid="no-refund-role">
                Your role cannot refund or void orders on this console.
              </p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function AuditList({ audit, currency }: { audit: OrderDetail['audit']; currency: string }) {
  if (audit.length === 0) return <p className="muted">Not refunded or voided.</p>;
  return (
    <ul className="audit-list" data-testid="order-audit">
      {audit.map((entry) => (
        <li key={entry.id} className="audit-entry">
          <strong>{label(AUDIT_ACTION_LABELS, entry.action)}</strong>{' '}
          {formatMoney(entry.amountCents, currency)} · {formatDateTime(entry.at)}
          {entry.pending && <span className="tag tag-pending">Pending</span>}
          <br />
          by {entry.userName || 'unknown'} on {entry.deviceName ?? `device ${entry.deviceId.slice(0, 8)}`}
          <br />
          <span className="muted">Reason:</span> {entry.reason}
        </li>
      ))}
    </ul>
  );
}

/** Refund or void: choose, give the reason, then confirm a sentence that says what will happen. */
function UndoOrder({ detail, onReceipt }: { detail: OrderDetail; onReceipt: () => void }) {
  const trpc = useTRPC();
  const offer = undoOffer(detail.order);
  const [action, setAction] = useState<UndoAction>('refund');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [auditId, setAuditId] = useState(() => crypto.randomUUID());
  const undo = useMutation(
    trpc.boxOffice.orders.refund.mutationOptions({
      onSuccess: () => {
        setConfirming(null);
        setReason('');
        setAuditId(crypto.randomUUID());
        // The drawer opens for the cash going back, and the buyer gets a refund receipt.
        if (detail.order.paymentMethod === 'cash') onReceipt();
      },
    }),
  );

  if (offer.actions.length === 0) return offer.note ? <p className="muted">{offer.note}</p> : null;

  function review(event: FormEvent) {
    event.preventDefault();
    const check = checkUndoReason(reason);
    setError(check.ok ? undefined : check.error);
    if (check.ok) setConfirming(check.reason);
  }

  return (
    <form className="form" onSubmit={review} noValidate aria-labelledby="undo-heading">
      <h3 id="undo-heading">Refund or void</h3>
      <div className="segmented" role="radiogroup" aria-label="Refund or void">
        {offer.actions.map((choice) => (
          <label key={choice}>
            <input
              type="radio"
              name="undo-action"
              checked={action === choice}
              onChange={() => {
                setAction(choice);
                setConfirming(null);
              }}
              data-testid={`undo-${choice}`}
            />
            {choice === 'refund' ? 'Refund' : 'Void (a mistake just now)'}
          </label>
        ))}
      </div>
      <FormField label="Reason" error={error}>
        {(props) => (
          <input
            {...props}
            autoComplete="off"
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              setConfirming(null);
            }}
            data-testid="undo-reason"
          />
        )}
      </FormField>
      {confirming === null ? (
        <div className="form-actions">
          <button type="submit" className="button button-secondary" data-testid="undo-review">
            {action === 'refund' ? 'Refund…' : 'Void…'}
          </button>
        </div>
      ) : (
        <div className="confirm-box" role="alertdialog" aria-labelledby="undo-confirm-text">
          <p id="undo-confirm-text">{undoConfirmText(action, detail.order)}</p>
          <ErrorAlert error={undo.error} />
          <div className="form-actions">
            <button
              type="button"
              className="button button-danger"
              disabled={undo.isPending}
              onClick={() => undo.mutate({ orderId: detail.order.id, auditId, action, reason: confirming })}
              data-testid="undo-confirm"
            >
              {action === 'refund' ? 'Confirm refund' : 'Confirm void'}
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setConfirming(null)}
              disabled={undo.isPending}
            >
              Back
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
