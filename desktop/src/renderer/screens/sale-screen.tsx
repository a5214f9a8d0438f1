import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { consoleAllows } from '@janix/domain';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { TRPCClientError } from '@trpc/client';
import { loadCardCharge, saveCardCharge } from '../card-charge-store.ts';
import { cardOffer } from '../card-payment-model.ts';
import { BuyerFields } from '../components/buyer-fields.tsx';
import { CardChargePanel, type CardCharge } from '../components/card-charge.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { SalePayment, SaleTotalsView } from '../components/sale-payment.tsx';
import { SaleReceipt } from '../components/sale-receipt.tsx';
import { HeldSeats, SaleTickets } from '../components/sale-tickets.tsx';
import { formatDateTime } from '../date-time.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { moneyInputText } from '../money.ts';
import { reads } from '../replica-tables.ts';
import {
  checkCardSale,
  checkSale,
  EMPTY_SALE_FORM,
  saleTotalsOf,
  type SaleFieldErrors,
  type SaleForm,
} from '../sale-form-model.ts';
import { saleFormKey, type KeyedPaymentKind } from '../sale-keys.ts';
import { quickTenders } from '../tender.ts';
import { useTRPC, type LocalStatus } from '../trpc.ts';
import '../box-office.css';

type Device = NonNullable<LocalStatus['device']>;

const newOrderId = () => crypto.randomUUID();

/** Whether this till can take cards is asked again now and then: a reader may be assigned meanwhile. */
const CARD_AVAILABILITY_POLL_MS = 30_000;

/** The core could not ask the server (no network): said as such rather than as the transport's error. */
function unreachable(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data?.code === 'SERVICE_UNAVAILABLE';
}

/**
 * Selling at the counter, keyboard first: pick the event (the last one is remembered), type quantities, take
 * the payment and press Enter. The order id is made once per sale, here, and the confirm button is disabled
 * while the sale is sent, so a double click or a double Enter records one sale. A refusal (no shift, no
 * seats, window closed, cash short) shows in place and the form keeps everything entered.
 *
 * A card sale is charged first (online only): the charge's payment and order ids are made once per charge,
 * the card panel follows the payment until it ends, and the sale completes like any other once the order
 * it became is on this console. The form is kept meanwhile, so a declined card can be paid another way.
 */
export function SaleScreen({
  device,
  online,
  onOpenShift,
}: {
  device: Device;
  online: boolean;
  onOpenShift: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const canComp = consoleAllows(device, 'sales.comp');

  const preferences = useQuery(trpc.boxOffice.preferences.queryOptions());
  const events = useQuery({ ...trpc.boxOffice.saleEvents.queryOptions(), ...reads('events') });
  const shift = useQuery({ ...trpc.boxOffice.shifts.current.queryOptions(), ...reads('shifts') });
  const [chosenEventId, setChosenEventId] = useState<string | null>(null);
  const remembered = preferences.data?.lastEventId;
  const eventId =
    [chosenEventId, remembered].find((id) => id && events.data?.some((event) => event.id === id)) ??
    events.data?.[0]?.id ??
    null;
  const catalog = useQuery({
    ...trpc.boxOffice.catalog.queryOptions({ eventId: eventId ?? '' }),
    ...reads('events', 'ticket_types', 'quotas', 'allocations'),
    enabled: eventId !== null,
  });
  const ticketTypes = catalog.data?.ticketTypes ?? [];
  const quotas = catalog.data?.quotas ?? [];
  const currency = ticketTypes[0]?.currency ?? 'EUR';

  const [form, setForm] = useState<SaleForm>(EMPTY_SALE_FORM);
  const [errors, setErrors] = useState<SaleFieldErrors>({});
  const [orderId, setOrderId] = useState(newOrderId);
  const [finished, setFinished] = useState<string | null>(null);
  const [seatsToRequest, setSeatsToRequest] = useState<number | null>(null);
  // A charge still running when the cashier left this screen (or reloaded) is shown again, not lost.
  const [charge, setCharge] = useState<CardCharge | null>(() => loadCardCharge(window.sessionStorage));
  // Guards the moment between a charge and the re-render that shows it: a second click starts nothing.
  const charging = useRef(charge !== null);
  const keepCharge = (next: CardCharge | null) => {
    saveCardCharge(window.sessionStorage, next);
    setCharge(next);
  };

  const availability = useQuery({
    ...trpc.payments.availability.queryOptions(),
    ...reads('card_readers'),
    enabled: online,
    retry: false,
    refetchInterval: CARD_AVAILABILITY_POLL_MS,
  });
  const card = cardOffer({
    online,
    availability: availability.data,
    failure: availability.error
      ? { message: availability.error.message, unreachable: unreachable(availability.error) }
      : null,
  });

  const sell = useMutation(trpc.boxOffice.sell.mutationOptions());
  const requestSeats = useMutation(trpc.boxOffice.requestSeats.mutationOptions());
  const setPreferences = useMutation(
    trpc.boxOffice.setPreferences.mutationOptions({
      onSuccess: (next) => queryClient.setQueryData(trpc.boxOffice.preferences.queryKey(), next),
    }),
  );

  const firstQuantity = useRef<HTMLInputElement | null>(null);
  const fieldRefs = {
    cash: useRef<HTMLInputElement | null>(null),
    terminal: useRef<HTMLInputElement | null>(null),
    comp: useRef<HTMLInputElement | null>(null),
  };
  // The field to focus once the form has re-rendered (after a method key, or when the next sale starts).
  const [focusTarget, setFocusTarget] = useState<KeyedPaymentKind | 'tickets' | null>(null);
  useEffect(() => {
    if (!focusTarget) return;
    const field = focusTarget === 'tickets' ? firstQuantity.current : fieldRefs[focusTarget].current;
    field?.focus();
    setFocusTarget(null);
    // fieldRefs holds refs, read only when a focus is asked for.
  }, [focusTarget]);

  const totals = saleTotalsOf(form, ticketTypes);
  const noShift = shift.isSuccess && shift.data === null;
  // Guards the moment between the submit and the mutation reporting itself pending.
  const sending = useRef(false);

  const update = (patch: Partial<SaleForm>) => setForm((current) => ({ ...current, ...patch }));

  function chooseEvent(id: string) {
    setChosenEventId(id);
    update({ quantities: {} });
    setErrors({});
    sell.reset();
    setPreferences.mutate({ lastEventId: id });
  }

  function chargeCard() {
    if (charging.current || !eventId || !shift.data) return;
    const check = checkCardSale(form, { ticketTypes });
    const errors = check.ok ? {} : { ...check.errors };
    if (!card.usable) errors.payment = card.reason;
    setErrors(errors);
    if (!check.ok || !card.usable) return;
    charging.current = true;
    const { buyer, lines } = check.sale;
    keepCharge({
      readerLabel: card.readerLabel,
      request: {
        paymentId: crypto.randomUUID(),
        orderId: crypto.randomUUID(),
        method: card.method,
        eventId,
        // The core charges the prices of its own list and this till's open shift.
        lines: lines.map(({ ticketTypeId, quantity }) => ({ ticketTypeId, quantity })),
        buyer,
      },
    });
  }

  function endCharge() {
    charging.current = false;
    keepCharge(null);
  }

  function chargePaid(paidOrderId: string) {
    // Shown as a finished sale from here on: coming back to this screen starts a new one.
    saveCardCharge(window.sessionStorage, null);
    setFinished(paidOrderId);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (form.payment === 'card') {
      chargeCard();
      return;
    }
    if (sending.current || sell.isPending || !eventId) return;
    const check = checkSale(form, { ticketTypes, quotas, canComp });
    setErrors(check.ok ? {} : check.errors);
    if (!check.ok) return;
    sending.current = true;
    sell.mutate(
      { orderId, eventId, ...check.sale },
      {
        onSuccess: () => setFinished(orderId),
        onSettled: () => {
          sending.current = false;
        },
      },
    );
  }

  function nextSale() {
    endCharge();
    setFinished(null);
    setForm(EMPTY_SALE_FORM);
    setErrors({});
    setOrderId(newOrderId());
    sell.reset();
    setFocusTarget('tickets');
  }

  function onFormKey(event: KeyboardEvent) {
    const action = saleFormKey(event.nativeEvent);
    if (!action) return;
    event.preventDefault();
    if ('payment' in action) {
      if (action.payment === 'comp' && !canComp) return;
      update({ payment: action.payment });
      setFocusTarget(action.payment);
      return;
    }
    const amount = quickTenders(totals.totalCents, currency)[action.quickTender];
    if (amount !== undefined) {
      update({ payment: 'cash', tendered: moneyInputText(amount, currency) });
      setFocusTarget('cash');
    }
  }

  function requestFor(quotaId: string) {
    const seats = seatsToRequest ?? preferences.data?.defaultAllocationSeats ?? 20;
    requestSeats.mutate({ quotaId, seats });
  }

  return (
    <section className="screen sale-screen" aria-labelledby="sale-heading">
      <div className="screen-header">
        <h1 id="sale-heading" ref={heading} tabIndex={-1}>
          Sell tickets
        </h1>
        {events.data && events.data.length > 0 && (
          <label className="event-picker">
            <span>Event</span>
            <select
              value={eventId ?? ''}
              onChange={(event) => chooseEvent(event.target.value)}
              disabled={finished !== null || charge !== null}
              data-testid="sale-event"
            >
              {events.data.map((event) => (
                <option key={event.id} value={event.id}>
                  {event.name} · {formatDateTime(event.startsAt)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ErrorAlert error={events.error ?? catalog.error ?? shift.error} />
      {noShift && (
        <div className="alert alert-warning shift-needed" role="status" data-testid="no-open-shift">
          <span>
            <strong>No shift is open on this device.</strong> Open one with the cash float before selling.
          </span>
          <button type="button" className="button button-primary button-small" onClick={onOpenShift}>
            Open a shift
          </button>
        </div>
      )}
      {events.data?.length === 0 ? (
        <div className="card empty-state" data-testid="no-events-on-sale">
          <p>No event is on sale.</p>
          <p className="muted">Put an event on sale (Events) to sell its tickets here.</p>
        </div>
      ) : finished ? (
        <SaleReceipt
          orderId={finished}
          autoPrint={{
            receipt: preferences.data?.autoPrintReceipt ?? true,
            tickets: preferences.data?.autoPrintTickets ?? false,
          }}
          onNextSale={nextSale}
        />
      ) : charge ? (
        <CardChargePanel
          key={charge.request.paymentId}
          charge={charge}
          onPaid={chargePaid}
          onChargeAgain={() => {
            endCharge();
            chargeCard();
          }}
          onBack={endCharge}
        />
      ) : (
        <form className="sale-form" onSubmit={submit} onKeyDown={onFormKey} noValidate aria-label="Sale">
          <div className="sale-grid">
            <div className="card sale-card">
              <h2>Tickets</h2>
              {catalog.isPending && eventId ? (
                <p className="muted">Loading ticket types…</p>
              ) : (
                <SaleTickets
                  ticketTypes={ticketTypes}
                  quotas={quotas}
                  quantities={form.quantities}
                  onQuantity={(id, quantity) =>
                    setForm((current) => ({
                      ...current,
                      quantities: { ...current.quantities, [id]: quantity },
                    }))
                  }
                  error={errors.tickets}
                  firstFieldRef={firstQuantity}
                />
              )}
              <HeldSeats
                quotas={quotas}
                seatsToRequest={seatsToRequest ?? preferences.data?.defaultAllocationSeats ?? 20}
                onSeatsToRequest={setSeatsToRequest}
                onRequest={requestFor}
                requesting={requestSeats.isPending}
                canRequest={!noShift}
              />
              <ErrorAlert error={requestSeats.error} />
            </div>
            <div className="card sale-card">
              <BuyerFields
                values={form.buyer}
                errors={errors}
                onChange={(buyer) => setForm((current) => ({ ...current, buyer }))}
              />
            </div>
            <div className="card sale-card sale-pay">
              <SaleTotalsView totals={totals} currency={currency} />
              <SalePayment
                form={form}
                totals={totals}
                currency={currency}
                errors={errors}
                canComp={canComp}
                card={card}
                onChange={update}
                fieldRefs={fieldRefs}
              />
              <ErrorAlert error={sell.error} />
              <button
                type="submit"
                className="button button-primary button-confirm"
                disabled={sell.isPending || noShift || !eventId}
                aria-busy={sell.isPending}
                data-testid="confirm-sale"
              >
                {form.payment !== 'card'
                  ? sell.isPending
                    ? 'Recording the sale…'
                    : 'Confirm sale'
                  : card.usable && card.method === 'checkout_link'
                    ? "Show QR for the buyer's phone"
                    : 'Charge the card'}{' '}
                <kbd>Enter</kbd>
              </button>
            </div>
          </div>
          <p className="keyboard-help muted">
            Keys: digits set a quantity, <kbd>+</kbd>/<kbd>−</kbd> change it, <kbd>↑</kbd>/<kbd>↓</kbd> move
            between tickets; <kbd>F2</kbd> cash, <kbd>F3</kbd> external card terminal
            {canComp && (
              <>
                , <kbd>F4</kbd> comp
              </>
            )}
            ; <kbd>F6</kbd>–<kbd>F9</kbd> cash given; <kbd>Enter</kbd> confirms.
          </p>
        </form>
      )}
    </section>
  );
}
