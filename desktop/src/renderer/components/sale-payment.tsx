import type { RefObject } from 'react';
import type { SaleTotals } from '@janix/domain';
import type { CardOffer } from '../card-payment-model.ts';
import { formatMoney, moneyInputText, parseMoneyInput } from '../money.ts';
import { QUICK_TENDER_KEYS, type KeyedPaymentKind } from '../sale-keys.ts';
import type { SaleFieldErrors, SaleForm } from '../sale-form-model.ts';
import { cashTender, quickTenders } from '../tender.ts';
import { FormField } from './form-field.tsx';

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 2 });

/** The total, the tax inside it, and what the buyer pays with. */
export function SaleTotalsView({ totals, currency }: { totals: SaleTotals; currency: string }) {
  return (
    <div className="sale-totals" aria-live="polite">
      <div className="sale-total">
        <span>Total</span>
        <strong data-testid="sale-total">{formatMoney(totals.totalCents, currency)}</strong>
      </div>
      {totals.taxByRate.map((rate) => (
        <div key={rate.taxRateBp} className="sale-tax muted">
          <span>incl. tax {percent.format(rate.taxRateBp / 10_000)}</span>
          <span>{formatMoney(rate.taxCents, currency)}</span>
        </div>
      ))}
    </div>
  );
}

const METHODS: Array<{ kind: KeyedPaymentKind; label: string; key: string }> = [
  { kind: 'cash', label: 'Cash', key: 'F2' },
  { kind: 'terminal', label: 'External card terminal', key: 'F3' },
  { kind: 'comp', label: 'Comp (free)', key: 'F4' },
];

/** The one text field of a payment that is not cash: the terminal's reference, or why the tickets are free. */
const NOTE_FIELDS = {
  terminal: {
    field: 'reference',
    label: 'Terminal reference',
    hint: "From the card terminal's slip",
    testId: 'terminal-reference',
  },
  comp: {
    field: 'compReason',
    label: 'Reason for the comp',
    hint: 'Shown on the receipt and the Z report',
    testId: 'comp-reason',
  },
} as const;

export function SalePayment({
  form,
  totals,
  currency,
  errors,
  canComp,
  card,
  onChange,
  fieldRefs,
}: {
  form: SaleForm;
  totals: SaleTotals;
  currency: string;
  errors: SaleFieldErrors;
  canComp: boolean;
  /** Whether this till can take cards now, and how; why not otherwise. */
  card: CardOffer;
  onChange: (patch: Partial<SaleForm>) => void;
  fieldRefs: Record<KeyedPaymentKind, RefObject<HTMLInputElement | null>>;
}) {
  const tendered = form.tendered.trim() === '' ? totals.totalCents : parseMoneyInput(form.tendered, currency);
  const tender = tendered === null ? null : cashTender(totals.totalCents, tendered);
  const note =
    form.payment === 'terminal' || form.payment === 'comp'
      ? { ...NOTE_FIELDS[form.payment], ref: fieldRefs[form.payment] }
      : null;
  return (
    <fieldset className="sale-payment">
      <legend>Payment</legend>
      <div className="payment-methods" role="radiogroup" aria-label="Payment method">
        {METHODS.filter((method) => method.kind !== 'comp' || canComp).map((method) => (
          <label
            key={method.kind}
            className={form.payment === method.kind ? 'method method-chosen' : 'method'}
          >
            <input
              type="radio"
              name="payment"
              value={method.kind}
              checked={form.payment === method.kind}
              onChange={() => onChange({ payment: method.kind })}
              data-testid={`payment-${method.kind}`}
            />
            {method.label} <kbd>{method.key}</kbd>
          </label>
        ))}
        <label
          className={
            !card.usable
              ? 'method method-disabled'
              : form.payment === 'card'
                ? 'method method-chosen'
                : 'method'
          }
        >
          <input
            type="radio"
            name="payment"
            value="card"
            checked={form.payment === 'card'}
            disabled={!card.usable}
            aria-describedby="card-method-note"
            onChange={() => onChange({ payment: 'card' })}
            data-testid="payment-card"
          />
          Card (Stripe)
          <span className="method-note" id="card-method-note" data-testid="card-method-note">
            {card.usable ? card.note : card.reason}
          </span>
        </label>
      </div>
      {errors.payment && (
        <p className="field-error" role="alert">
          {errors.payment}
        </p>
      )}

      {form.payment === 'cash' && (
        <>
          <FormField
            label="Cash given"
            hint={`Leave empty for the exact amount (${formatMoney(totals.totalCents, currency)})`}
            error={errors.tendered}
          >
            {(props) => (
              <input
                {...props}
                ref={fieldRefs.cash}
                inputMode="decimal"
                autoComplete="off"
                className="input-money"
                value={form.tendered}
                onChange={(event) => onChange({ tendered: event.target.value })}
                data-testid="cash-given"
              />
            )}
          </FormField>
          <div className="quick-tenders" role="group" aria-label="Cash given">
            {quickTenders(totals.totalCents, currency).map((amount, index) => (
              <button
                key={amount}
                type="button"
                className="button button-secondary button-small"
                onClick={() => onChange({ tendered: moneyInputText(amount, currency) })}
                data-testid="quick-tender"
              >
                {index === 0 ? 'Exact' : formatMoney(amount, currency)} <kbd>{QUICK_TENDER_KEYS[index]}</kbd>
              </button>
            ))}
          </div>
          {tender && tender.kind !== 'short' && totals.totalCents > 0 && (
            <p className="change-due" data-testid="change-due" aria-live="polite">
              Change:{' '}
              <strong>{formatMoney(tender.kind === 'change' ? tender.changeMinor : 0, currency)}</strong>
            </p>
          )}
        </>
      )}
      {note && (
        <FormField label={note.label} hint={note.hint} error={errors[note.field]}>
          {(props) => (
            <input
              {...props}
              ref={note.ref}
              autoComplete="off"
              value={form[note.field]}
              onChange={(event) => onChange({ [note.field]: event.target.value })}
              data-testid={note.testId}
            />
          )}
        </FormField>
      )}
    </fieldset>
  );
}
