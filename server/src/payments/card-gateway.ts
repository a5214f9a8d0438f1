/**
 * The port card payments talk to Stripe through: what the server asks of it, in our terms. The Stripe adapter
 * (stripe-gateway.ts) is the real one; tests point it at stripe-mock, which checks every call's shape.
 *
 * Every call that creates or changes money at Stripe carries an idempotency key derived from our own ids
 * (`idempotencyKeyOf`), so a retried request (a double click, a lost answer, a restarted job) is one action
 * at Stripe.
 */

/** Stripe refused or could not be reached; `code` is Stripe's error code when it gave one. */
export class GatewayError extends Error {
  constructor(
    /** unavailable: network, Stripe down, rate limited (try again later); refused: Stripe said no. */
    readonly kind: 'unavailable' | 'refused',
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** Ours, in Stripe's metadata: which organization and payment an object belongs to. */
export interface JanixRef {
  orgId: string;
  paymentId: string;
}

export interface CheckoutLine {
  name: string;
  unitAmountCents: number;
  quantity: number;
}

export interface CardGateway {
  /** A PaymentIntent for a card on a reader (card_present), captured automatically. */
  createTerminalPayment(
    input: JanixRef & { amountCents: number; currency: string; description: string },
  ): Promise<{
    paymentIntentId: string;
  }>;
  /** Hands the PaymentIntent to the reader, which then asks for the card (server-driven Terminal). */
  processOnReader(input: JanixRef & { stripeReaderId: string; paymentIntentId: string }): Promise<void>;
  /** Stops what the reader is doing (the cashier cancelled); a reader with nothing to cancel is fine. */
  cancelReaderAction(stripeReaderId: string): Promise<void>;
  /** 'succeeded': too late, the money is there (Stripe's webhook will say so). */
  cancelPaymentIntent(input: JanixRef & { paymentIntentId: string }): Promise<'cancelled' | 'succeeded'>;
  /** A hosted Checkout page for the buyer's phone (a QR at the till, or the web shop). */
  createCheckoutSession(
    input: JanixRef & {
      currency: string;
      lines: CheckoutLine[];
      expiresAt: Date;
      successUrl: string;
      cancelUrl: string;
    },
  ): Promise<{ sessionId: string; url: string }>;
  /** 'completed': too late, the buyer paid (Stripe's webhook will say so). */
  expireCheckoutSession(input: JanixRef & { sessionId: string }): Promise<'expired' | 'completed'>;
  /** Gives money back to the card; `refundId` is ours (its idempotency key). */
  refund(
    input: JanixRef & { refundId: string; paymentIntentId: string; amountCents: number },
  ): Promise<{ stripeRefundId: string; status: string }>;
  /** The card's brand and last four digits, as Stripe reports them; nothing else of the card. */
  cardOf(paymentIntentId: string): Promise<{ brand: string | null; last4: string | null }>;
  createLocation(input: {
    orgId: string;
    /** The reader it is made for: registering that reader again makes no second location. */
    readerId: string;
    displayName: string;
    address: { line1: string; city: string; postalCode: string; country: string };
  }): Promise<{ locationId: string }>;
  registerReader(input: {
    orgId: string;
    readerId: string;
    registrationCode: string;
    label: string;
    locationId: string;
  }): Promise<{ stripeReaderId: string; deviceType: string | null; serialNumber: string | null }>;
  removeReader(stripeReaderId: string): Promise<void>;
  /** Stripe's last word on whether the reader is connected; null when it has none (or the reader is gone). */
  readerStatus(stripeReaderId: string): Promise<'online' | 'offline' | null>;
}

/** One Stripe action of one of our objects: the same key every time that action is tried again. */
export function idempotencyKeyOf(kind: 'payment' | 'refund' | 'reader', id: string, action: string): string {
  return `janix:${kind}:${id}:${action}`;
}
