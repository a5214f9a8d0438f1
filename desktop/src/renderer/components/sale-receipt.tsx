import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import { label, PAYMENT_METHOD_LABELS } from '../order-labels.ts';
import { reads } from '../replica-tables.ts';
import { receiptKey } from '../sale-keys.ts';
import { useTRPC } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';
import { CardPaymentLine } from './order-card-payment.tsx';
import { OrderPrintActions, useOrderPrinting } from './order-printing.tsx';

/** Keys typed into a control belong to it (Enter on a focused button clicks that button). */
function typedIntoControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('input, select, textarea, button, a') !== null;
}

/**
 * A finished sale, as the cashier hands it over: the change to give first, the order code, and what printed.
 * Read back from the replica (not from the form), so it shows the sale that was recorded. N starts the next
 * sale; Enter does too once the receipt has been on screen a moment (see RECEIPT_ENTER_GUARD_MS).
 */
export function SaleReceipt({
  orderId,
  autoPrint,
  onNextSale,
}: {
  orderId: string;
  autoPrint: { receipt: boolean; tickets: boolean };
  onNextSale: () => void;
}) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const detail = useQuery({
    ...trpc.boxOffice.orders.get.queryOptions({ orderId }),
    ...reads('orders', 'tickets', 'order_audit', 'people'),
  });
  const printing = useOrderPrinting(orderId);
  const byCard = detail.data?.order.paymentMethod === 'card';
  const cardPayment = useQuery({
    ...trpc.payments.forOrder.queryOptions({ orderId }),
    ...reads('payments'),
    enabled: byCard,
  });
  const { sendReceipt: printReceipt, sendTickets: printTickets } = printing;

  // Printed once per sale, however often React runs effects (StrictMode runs them twice in development).
  const printedFor = useRef<string | null>(null);
  useEffect(() => {
    if (printedFor.current === orderId) return;
    printedFor.current = orderId;
    // The drawer opens as the sale completes (for cash); reprints leave it shut.
    if (autoPrint.receipt) printReceipt({ orderId, openDrawer: true });
    if (autoPrint.tickets) printTickets({ orderId });
  }, [orderId, autoPrint.receipt, autoPrint.tickets, printReceipt, printTickets]);

  const shownAt = useRef(performance.now());
  const nextSale = useRef(onNextSale);
  nextSale.current = onNextSale;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (typedIntoControl(event.target)) return;
      const action = receiptKey(event, performance.now() - shownAt.current);
      if (!action) return;
      event.preventDefault();
      if (action === 'next-sale') nextSale.current();
      else if (action === 'print-receipt') printReceipt({ orderId, openDrawer: false });
      else printTickets({ orderId });
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [orderId, printReceipt, printTickets]);

  const order = detail.data?.order;
  const change = order?.paymentMethod === 'cash' ? (order.changeCents ?? 0) : null;
  return (
    <section className="card sale-done" aria-labelledby="sale-done-heading" data-testid="sale-done">
      <h2 id="sale-done-heading" ref={heading} tabIndex={-1}>
        Sale recorded{order && <span className="order-code"> · Order {order.code}</span>}
      </h2>
      <ErrorAlert error={detail.error} />
      {order && (
        <>
          {change !== null && (
            <p className="change-big" data-testid="change-to-give">
              Change to give: <strong>{formatMoney(change, order.currency)}</strong>
            </p>
          )}
          <dl className="details">
            <dt>Total</dt>
            <dd data-testid="sale-done-total">{formatMoney(order.totalCents, order.currency)}</dd>
            <dt>Payment</dt>
            <dd>
              {label(PAYMENT_METHOD_LABELS, order.paymentMethod)}
              {byCard && <CardPaymentLine payment={cardPayment.data ?? null} />}
              {order.paymentMethod === 'cash' && order.tenderedCents !== null && (
                <> · {formatMoney(order.tenderedCents, order.currency)} given</>
              )}
              {order.paymentReference && <> · ref {order.paymentReference}</>}
            </dd>
            <dt>Tickets</dt>
            <dd>{detail.data?.tickets.length}</dd>
          </dl>
          {order.pending && (
            <p className="muted" data-testid="sale-not-synced">
              Saved on this console; it reaches the server with the next sync.
            </p>
          )}
        </>
      )}
      <OrderPrintActions printing={printing} withKeys>
        <button type="button" className="button button-primary" onClick={onNextSale} data-testid="next-sale">
          Next sale <kbd>N</kbd>
        </button>
      </OrderPrintActions>
    </section>
  );
}
