import {
  createCardPayments,
  PaymentRefused,
  type CardPayments,
  type CardPaymentsDeps,
  type CompletionHook,
} from './card-payments.ts';
import { createReaderManager, type ReaderManager } from './card-readers.ts';
import { cardPaymentWebhooks } from './card-webhooks.ts';
import type { CardGateway } from './card-gateway.ts';
import { createStripeGateway, stripeApiBaseOf, stripeClient } from './stripe-gateway.ts';
import { createStripeEventDispatcher, type StripeEventHandler, type StripeWebhookDeps } from './webhooks.ts';

/**
 * Everything Stripe on the server, built once from its settings: the card payments, the readers, and what the
 * webhook route needs. Without a Stripe key (or without the webhook secret, without which no payment could
 * ever complete) card payments are unavailable with a reason the console shows; everything else works.
 */

export interface StripeSettings {
  /** STRIPE_SECRET_KEY */
  secretKey?: string | null;
  /** STRIPE_WEBHOOK_SECRET */
  webhookSecret?: string | null;
  /** STRIPE_API_BASE: where the SDK sends its requests (stripe-mock in tests); Stripe itself when unset. */
  apiBase?: string | null;
  /** The server's public address, where a Checkout page sends the buyer back to. */
  publicUrl: string;
  /** Replaces the Stripe adapter (tests that count or break calls). */
  gateway?: CardGateway;
}

export interface PaymentServices {
  cards: CardPayments;
  readers: ReaderManager;
  webhooks: StripeWebhookDeps;
  /** For the web shop (server/src/web-shop), which opens its own Checkout pages; null without Stripe. */
  gateway: CardGateway | null;
  publicUrl: string;
}

export function unavailableReason(settings: StripeSettings): string | null {
  if (!settings.secretKey) {
    return 'Card payments are not set up on this server (no Stripe key): take cash or use the external terminal.';
  }
  if (!settings.webhookSecret) {
    return 'Card payments are not set up on this server (no Stripe webhook secret): take cash or use the external terminal.';
  }
  return null;
}

export function createPaymentServices(
  deps: CardPaymentsDeps,
  settings: StripeSettings,
  hooks: {
    completion?: CompletionHook;
    /**
     * Handlers that take an event type over from the card payments' own (which they may still hand an event
     * to): the web shop completes paid Checkout Sessions in batches (server/src/web-shop).
     */
    webhooks?: (built: {
      cards: CardPayments;
      handlers: Record<string, StripeEventHandler>;
    }) => Record<string, StripeEventHandler>;
  } = {},
): PaymentServices {
  const reason = unavailableReason(settings);
  const stripe = reason
    ? null
    : stripeClient(settings.secretKey!, settings.apiBase ? stripeApiBaseOf(settings.apiBase) : undefined);
  const gateway = reason ? null : (settings.gateway ?? createStripeGateway(stripe!));
  const cards = createCardPayments(deps, {
    gateway,
    unavailableReason: reason,
    publicUrl: settings.publicUrl,
    completion: hooks.completion,
  });
  const readers = createReaderManager(deps, () => {
    // The console shows why (no Stripe key), as it does for card payments.
    if (!gateway) throw new PaymentRefused('card_unavailable', reason ?? 'Card payments are not set up.');
    return gateway;
  });
  const handlers = cardPaymentWebhooks(deps.pool, cards);
  return {
    cards,
    readers,
    webhooks: {
      pool: deps.pool,
      // Stripe's check: HMAC-SHA256 of the raw body, timestamp within 300 s (its default tolerance).
      verify: stripe
        ? (rawBody, signature) => stripe.webhooks.constructEvent(rawBody, signature, settings.webhookSecret!)
        : null,
      dispatch: createStripeEventDispatcher({ ...handlers, ...hooks.webhooks?.({ cards, handlers }) }),
    },
    gateway,
    publicUrl: settings.publicUrl,
  };
}
