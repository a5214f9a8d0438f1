import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import { cardStateText, latestPaymentState, qrCodePath } from '../card-payment-model.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC, type LocalInputs } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

/** One charge of a card sale: its ids are made once, when the cashier charges, so charging twice is one payment. */
export interface CardCharge {
  request: LocalInputs['payments']['start'];
  readerLabel: string | null;
}

/** How often the state is asked for while the payment runs, besides re-reading when the feed brings its row. */
const OPEN_PAYMENT_POLL_MS = 2000;

/**
 * A card payment as the cashier and the buyer watch it, large: waiting for the card on the reader (or the QR
 * for the buyer's phone), processing, then paid or why not. The state is the server's (the replicated
 * `payments` row, re-read as the feed moves it); the sale completes only once the order it became is on this
 * console, so the receipt and the tickets print from the replica as for a cash sale.
 */
export function CardChargePanel({
  charge,
  onPaid,
  onChargeAgain,
  onBack,
}: {
  charge: CardCharge;
  onPaid: (orderId: string) => void;
  onChargeAgain: () => void;
  onBack: () => void;
}) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { paymentId, orderId } = charge.request;
  const start = useMutation(trpc.payments.start.mutationOptions());
  const cancel = useMutation(trpc.payments.cancel.mutationOptions());

  // Sent once per charge, however often React runs effects; the server also answers a repeat with the same payment.
  const startedFor = useRef<string | null>(null);
  const { mutate: startPayment } = start;
  useEffect(() => {
    if (startedFor.current === paymentId) return;
    startedFor.current = paymentId;
    startPayment(charge.request);
  }, [paymentId, charge.request, startPayment]);

  const live = useQuery({
    ...trpc.payments.get.queryOptions({ paymentId }),
    ...reads('payments'),
    enabled: start.isSuccess,
    retry: false,
    refetchInterval: (query) =>
      query.state.data && cardStateText(query.state.data).phase !== 'open' ? false : OPEN_PAYMENT_POLL_MS,
  });
  const state = latestPaymentState(cancel.data, live.data, start.data);
  const text = state ? cardStateText(state, charge.readerLabel) : null;
  const paid = text?.phase === 'paid';

  // Paid: the order comes down the feed with its tickets; the receipt waits for it.
  const order = useQuery({
    ...trpc.boxOffice.orders.get.queryOptions({ orderId }),
    ...reads('orders', 'tickets'),
    enabled: paid,
    retry: false,
    refetchInterval: (query) => (query.state.data ? false : OPEN_PAYMENT_POLL_MS),
  });
  const arrived = order.isSuccess;
  const reported = useRef(false);
  useEffect(() => {
    if (!arrived || reported.current) return;
    reported.current = true;
    onPaid(orderId);
  }, [arrived, orderId, onPaid]);

  const qr = useMemo(() => (state?.checkoutUrl ? qrCodePath(state.checkoutUrl) : null), [state?.checkoutUrl]);
  const ended = text?.phase === 'unpaid';

  return (
    <section className="card card-charge" aria-labelledby="card-charge-heading" data-testid="card-charge">
      <h2 id="card-charge-heading" ref={heading} tabIndex={-1}>
        {charge.request.method === 'reader'
          ? 'Card payment on the reader'
          : "Card payment on the buyer's phone"}
      </h2>
      <div
        className={`card-state card-state-${text?.tone ?? 'busy'}`}
        role="status"
        aria-live="assertive"
        aria-atomic="true"
        data-testid="card-state"
        data-status={state?.status ?? 'starting'}
      >
        <p className="card-state-headline">
          {text?.headline ?? (start.isError ? 'Not started' : 'Starting the payment…')}
        </p>
        {text && <p className="card-state-detail">{text.detail}</p>}
        {paid && !arrived && (
          <p className="card-state-detail" data-testid="card-order-coming">
            The order is on its way to this console…
          </p>
        )}
      </div>
      {qr && text?.phase === 'open' && (
        <figure className="checkout-qr">
          <svg
            viewBox={`0 0 ${qr.size} ${qr.size}`}
            role="img"
            aria-label="QR code of the payment link for the buyer's phone"
            data-testid="checkout-qr"
            shapeRendering="crispEdges"
          >
            <rect width={qr.size} height={qr.size} fill="#fff" />
            <path d={qr.path} fill="#000" />
          </svg>
          <figcaption className="muted">
            The buyer scans this with their phone camera and pays there. The link:{' '}
            <span className="checkout-url" data-testid="checkout-url">
              {state?.checkoutUrl}
            </span>
          </figcaption>
        </figure>
      )}
      {/* The state asked for could not be read (the network went): the last one known stays above. */}
      <ErrorAlert error={start.error ?? cancel.error ?? (text?.phase === 'open' ? live.error : null)} />
      <div className="form-actions">
        {text?.canCancel && (
          <button
            type="button"
            className="button button-danger"
            onClick={() => cancel.mutate({ paymentId })}
            disabled={cancel.isPending}
            aria-busy={cancel.isPending}
            data-testid="card-cancel"
          >
            {cancel.isPending ? 'Cancelling…' : 'Cancel the payment'}
          </button>
        )}
        {start.isError && (
          // The same ids again: if the server made the payment before the answer was lost, this finds it.
          <button
            type="button"
            className="button button-primary"
            onClick={() => start.mutate(charge.request)}
            disabled={start.isPending}
            data-testid="card-retry"
          >
            Try again
          </button>
        )}
        {ended && (
          <button
            type="button"
            className="button button-primary"
            onClick={onChargeAgain}
            data-testid="card-charge-again"
          >
            Charge again
          </button>
        )}
        {(ended || start.isError) && (
          <button type="button" className="button button-secondary" onClick={onBack} data-testid="card-back">
            Back to the sale
          </button>
        )}
      </div>
    </section>
  );
}
