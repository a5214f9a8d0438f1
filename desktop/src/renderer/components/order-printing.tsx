import { useMutation } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTRPC } from '../trpc.ts';
import { PrintStatus } from './print-status.tsx';

/** Printing an order's receipt and tickets, with how each print went. */
export function useOrderPrinting(orderId: string) {
  const trpc = useTRPC();
  const receipt = useMutation(trpc.printing.receipt.mutationOptions());
  const tickets = useMutation(trpc.printing.tickets.mutationOptions());
  const { mutate: sendReceipt } = receipt;
  const { mutate: sendTickets } = tickets;
  return {
    receipt,
    tickets,
    /** `openDrawer` as a cash sale or refund completes; a reprint leaves the drawer shut. */
    printReceipt: (openDrawer: boolean) => sendReceipt({ orderId, openDrawer }),
    printTickets: () => sendTickets({ orderId }),
    sendReceipt,
    sendTickets,
  };
}
export type OrderPrinting = ReturnType<typeof useOrderPrinting>;

/** The two print buttons (with their keys where the screen has them) and the outcome of each print. */
export function OrderPrintActions({
  printing,
  ticketsDisabled = false,
  withKeys = false,
  children,
}: {
  printing: OrderPrinting;
  ticketsDisabled?: boolean;
  withKeys?: boolean;
  /** More buttons for the same row. */
  children?: ReactNode;
}) {
  const { receipt, tickets } = printing;
  return (
    <>
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => printing.printReceipt(false)}
          disabled={receipt.isPending}
        >
          Print receipt {withKeys && <kbd>R</kbd>}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={printing.printTickets}
          disabled={tickets.isPending || ticketsDisabled}
        >
          Print tickets {withKeys && <kbd>T</kbd>}
        </button>
        {children}
      </div>
      {/* Below the buttons: an outcome that arrives as the cashier reaches for "Next sale" moves nothing. */}
      <PrintStatus
        what="Receipt"
        pending={receipt.isPending}
        result={receipt.data}
        error={receipt.error}
        testId="receipt-print-status"
      />
      <PrintStatus
        what="Tickets"
        pending={tickets.isPending}
        result={tickets.data}
        error={tickets.error}
        testId="tickets-print-status"
      />
    </>
  );
}
