import Stripe from 'stripe';
import { GatewayError, idempotencyKeyOf, type CardGateway, type JanixRef } from './card-gateway.ts';

/** Where the Stripe SDK sends its requests: Stripe itself, or stripe-mock in tests (STRIPE_API_BASE). */
export interface StripeApiBase {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export function stripeApiBaseOf(url: string): StripeApiBase {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'http:' ? 'http' : 'https';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/** The Stripe SDK as this server uses it: pinned API version, bounded time and retries per call. */
export function stripeClient(secretKey: string, apiBase?: StripeApiBase): Stripe {
  return new Stripe(secretKey, {
    // The SDK retries network failures and 409/5xx itself, reusing the request's idempotency key.
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(apiBase ?? {}),
  });
}

const metadataOf = (ref: JanixRef) => ({ janix_org_id: ref.orgId, janix_payment_id: ref.paymentId });

/**
 * A Stripe failure in our terms. Stripe's message is kept out of it (it may quote the request); the code and
 * the kind decide what the cashier is told.
 */
function gatewayError(error: unknown): GatewayError {
  if (error instanceof Stripe.errors.StripeError) {
    const code = error.code ?? error.decline_code ?? null;
    const unavailable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      (error.statusCode !== undefined && error.statusCode >= 500);
    return new GatewayError(
      unavailable ? 'unavailable' : 'refused',
      code,
      `Stripe ${unavailable ? 'could not be reached' : 'refused the request'} (${error.type}${code ? `, ${code}` : ''})`,
    );
  }
  return new GatewayError(
    'unavailable',
    null,
    `Stripe could not be reached (${(error as Error)?.name ?? 'error'})`,
  );
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw gatewayError(error);
  }
}

/** Stripe's brand names are lower-case words; anything else is not kept. */
function brandOf(brand: string | null | undefined): string | null {
  return brand && /^[a-z_]{1,30}$/.test(brand) ? brand : null;
}

function last4Of(last4: string | null | undefined): string | null {
  return last4 && /^[0-9]{4}$/.test(last4) ? last4 : null;
}

/** The card brand and last four digits of a charge, card present or online; nothing else of the card. */
export function cardOfCharge(charge: {
  payment_method_details?: {
    card_present?: { brand?: string | null; last4?: string | null } | null;
    card?: { brand?: string | null; last4?: string | null } | null;
  } | null;
}): { brand: string | null; last4: string | null } {
  const card = charge.payment_method_details?.card_present ?? charge.payment_method_details?.card ?? null;
  return { brand: brandOf(card?.brand), last4: last4Of(card?.last4) };
}

export function createStripeGateway(stripe: Stripe): CardGateway {
  return {
    async createTerminalPayment(input) {
      const intent = await call(() =>
        stripe.paymentIntents.create(
          {
            amount: input.amountCents,
            currency: input.currency.toLowerCase(),
            payment_method_types: ['card_present'],
            capture_method: 'automatic',
            description: input.description,
            metadata: metadataOf(input),
          },
          { idempotencyKey: idempotencyKeyOf('payment', input.paymentId, 'create') },
        ),
      );
      return { paymentIntentId: intent.id };
    },

    async processOnReader(input) {
      await call(() =>
        stripe.terminal.readers.processPaymentIntent(
          input.stripeReaderId,
          { payment_intent: input.paymentIntentId },
          { idempotencyKey: idempotencyKeyOf('payment', input.paymentId, 'process') },
        ),
      );
    },

    async cancelReaderAction(stripeReaderId) {
      try {
        await stripe.terminal.readers.cancelAction(stripeReaderId);
      } catch (error) {
        const failure = gatewayError(error);
        // Nothing in progress on the reader (it finished or was never started): nothing to cancel.
        if (failure.kind === 'refused') return;
        throw failure;
      }
    },

    async cancelPaymentIntent(input) {
      try {
        await stripe.paymentIntents.cancel(
          input.paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: idempotencyKeyOf('payment', input.paymentId, 'cancel') },
        );
        return 'cancelled';
      } catch (error) {
        const failure = gatewayError(error);
        if (failure.code !== 'payment_intent_unexpected_state') throw failure;
        // Cancelled already, or too late: which one, Stripe's own record says.
        const intent = await call(() => stripe.paymentIntents.retrieve(input.paymentIntentId));
        return intent.status === 'succeeded' ? 'succeeded' : 'cancelled';
      }
    },

    async createCheckoutSession(input) {
      const session = await call(() =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: input.lines.map((line) => ({
              quantity: line.quantity,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: line.unitAmountCents,
                product_data: { name: line.name },
              },
            })),
            expires_at: Math.floor(input.expiresAt.getTime() / 1000),
            client_reference_id: input.paymentId,
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
            metadata: metadataOf(input),
            // The PaymentIntent Stripe makes when the buyer pays carries our ids too: its events name it alone.
            payment_intent_data: { metadata: metadataOf(input) },
          },
          { idempotencyKey: idempotencyKeyOf('payment', input.paymentId, 'checkout') },
        ),
      );
      if (!session.url)
        throw new GatewayError('refused', null, 'Stripe made a Checkout Session without a page');
      return { sessionId: session.id, url: session.url };
    },

    async expireCheckoutSession(input) {
      try {
        await stripe.checkout.sessions.expire(input.sessionId, undefined, {
          idempotencyKey: idempotencyKeyOf('payment', input.paymentId, 'expire'),
        });
        return 'expired';
      } catch (error) {
        const failure = gatewayError(error);
        if (failure.kind !== 'refused') throw failure;
        const session = await call(() => stripe.checkout.sessions.retrieve(input.sessionId));
        return session.status === 'complete' ? 'completed' : 'expired';
      }
    },

    async refund(input) {
      const refund = await call(() =>
        stripe.refunds.create(
          {
            payment_intent: input.paymentIntentId,
            amount: input.amountCents,
            reason: 'requested_by_customer',
            metadata: { ...metadataOf(input), janix_refund_id: input.refundId },
          },
          { idempotencyKey: idempotencyKeyOf('refund', input.refundId, 'create') },
        ),
      );
      return { stripeRefundId: refund.id, status: refund.status ?? 'pending' };
    },

    async cardOf(paymentIntentId) {
      const intent = await call(() =>
        stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] }),
      );
      const charge = intent.latest_charge;
      return charge && typeof charge === 'object' ? cardOfCharge(charge) : { brand: null, last4: null };
    },

    async createLocation(input) {
      const location = await call(() =>
        stripe.terminal.locations.create(
          {
            display_name: input.displayName,
            address: {
              line1: input.address.line1,
              city: input.address.city,
              postal_code: input.address.postalCode,
              country: input.address.country,
            },
            metadata: { janix_org_id: input.orgId },
          },
          { idempotencyKey: idempotencyKeyOf('reader', input.readerId, 'location') },
        ),
      );
      return { locationId: location.id };
    },

    async registerReader(input) {
      const reader = await call(() =>
        stripe.terminal.readers.create(
          {
            registration_code: input.registrationCode,
            label: input.label,
            location: input.locationId,
            metadata: { janix_org_id: input.orgId, janix_reader_id: input.readerId },
          },
          { idempotencyKey: idempotencyKeyOf('reader', input.readerId, 'register') },
        ),
      );
      return {
        stripeReaderId: reader.id,
        deviceType: reader.device_type ?? null,
        serialNumber: reader.serial_number ?? null,
      };
    },

    async readerStatus(stripeReaderId) {
      const reader = await call(() => stripe.terminal.readers.retrieve(stripeReaderId));
      if ('deleted' in reader && reader.deleted) return null;
      const status: string | null = (reader as Stripe.Terminal.Reader).status;
      return status === 'online' ? 'online' : status === 'offline' ? 'offline' : null;
    },

    async removeReader(stripeReaderId) {
      try {
        await stripe.terminal.readers.del(stripeReaderId);
      } catch (error) {
        const failure = gatewayError(error);
        // Deleted at Stripe already: ours goes too.
        if (failure.code === 'resource_missing') return;
        throw failure;
      }
    },
  };
}
