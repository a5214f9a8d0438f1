import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { cardText } from '@janix/domain';
import {
  cardRefundConfirmText,
  cardRefundDoneText,
  cardRefundOffer,
  checkCardRefund,
  type CardRefundForm,
  type OrderCardPayment,
} from '../card-refund-model.ts';
import { formatMoney } from '../money.ts';
import { useTRPC } from '../trpc.ts';
import { ConfirmBox } from './confirm-box.tsx';
import { FormField } from './form-field.tsx';

const EMPTY_FORM: CardRefundForm = { amount: '', reason: '' };

/** The card an order was paid with (brand and last four, nothing more) and what was refunded of it. */
export function CardPaymentLine({ payment }: { payment: OrderCardPayment | null }) {
  if (!payment) return null;
  const card = cardText(payment.cardBrand, payment.cardLast4);
  return (
    <span className="card-payment-line" data-testid="order-card">
      {card && <> · {card}</>}
      {payment.refundedCents > 0 && (
        <> · {formatMoney(payment.refundedCents, payment.currency)} refunded to the card</>
      )}
    </span>
  );
}

/**
 * A card order's refund, through Stripe: all that is left or part of it, with a reason, confirmed against a
 * sentence naming the amount and the card. Online only (Stripe gives the money back); for roles without
 * sales.refund, it says so instead.
 */
export function CardRefund({
  orderId,
  orderStatus,
  payment,
  canRefund,
  online,
}: {
  orderId: string;
  orderStatus: string;
  payment: OrderCardPayment | null;
  canRefund: boolean;
  online: boolean;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState<CardRefundForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});
  const [confirming, setConfirming] = useState<{
    amountCents: number | undefined;
    reason: string;
    /** What goes back, as the cashier confirmed it (all that was left, when no amount was given). */
    givingBack: number;
  } | null>(null);
  // Made once per refund: sent twice (a double click, a retry after a lost answer), the money goes back once.
  const [refundId, setRefundId] = useState(() => crypto.randomUUID());
  const [done, setDone] = useState<string | null>(null);
  const refund = useMutation(trpc.payments.refund.mutationOptions());
  const offer = cardRefundOffer({ canRefund, online, orderStatus, payment });

  const result = done && (
    <p role="status" className="print-ok" data-testid="card-refund-done">
      {done}
    </p>
  );
  if (!offer.refundable || !payment) {
    return (
      <>
        {result}
        {!offer.refundable && (
          <p className="muted" data-testid="card-refund-unavailable">
            {offer.note}
          </p>
        )}
      </>
    );
  }

  function review(event: FormEvent) {
    event.preventDefault();
    if (!offer.refundable || !payment) return;
    const check = checkCardRefund(form, offer.leftCents, payment.currency);
    setErrors(check.ok ? {} : check.errors);
    setDone(null);
    if (check.ok) {
      setConfirming({
        amountCents: check.amountCents,
        reason: check.reason,
        givingBack: check.amountCents ?? offer.leftCents,
      });
    }
  }
  const edit = (patch: Partial<CardRefundForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setConfirming(null);
  };

  return (
    <form className="form" onSubmit={review} noValidate aria-labelledby="card-refund-heading">
      <h3 id="card-refund-heading">Refund to the card</h3>
      {result}
      <FormField
        label="Amount to refund"
        hint={`Leave empty to refund all that is left (${formatMoney(offer.leftCents, payment.currency)})`}
        error={errors.amount}
      >
        {(props) => (
          <input
            {...props}
            inputMode="decimal"
            autoComplete="off"
            className="input-money"
            value={form.amount}
            onChange={(event) => edit({ amount: event.target.value })}
            data-testid="card-refund-amount"
          />
        )}
      </FormField>
      <FormField label="Reason for the refund" error={errors.reason}>
        {(props) => (
          <input
            {...props}
            autoComplete="off"
            value={form.reason}
            onChange={(event) => edit({ reason: event.target.value })}
            data-testid="card-refund-reason"
          />
        )}
      </FormField>
      {confirming === null ? (
        <div className="form-actions">
          <button type="submit" className="button button-secondary" data-testid="card-refund-review">
            Refund to the card…
          </button>
        </div>
      ) : (
        <ConfirmBox
          id="card-refund-confirm-text"
          text={cardRefundConfirmText(confirming.amountCents, offer.leftCents, payment)}
          confirmLabel={refund.isPending ? 'Refunding through Stripe…' : 'Confirm refund to the card'}
          cancelLabel="Back"
          onCancel={() => setConfirming(null)}
          pending={refund.isPending}
          error={refund.error}
          testId="card-refund-confirm"
          onConfirm={() =>
            refund.mutate(
              {
                orderId,
                refundId,
                reason: confirming.reason,
                ...(confirming.amountCents === undefined ? {} : { amountCents: confirming.amountCents }),
              },
              {
                onSuccess: (result) => {
                  setDone(cardRefundDoneText(confirming.givingBack, result));
                  setConfirming(null);
                  setForm(EMPTY_FORM);
                  setRefundId(crypto.randomUUID());
                },
              },
            )
          }
        />
      )}
    </form>
  );
}
