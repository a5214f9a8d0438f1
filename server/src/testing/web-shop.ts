import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { CardGateway } from '../payments/card-gateway.ts';
import { createStripeGateway, stripeApiBaseOf, stripeClient } from '../payments/stripe-gateway.ts';

/**
 * Helpers for suites and benchmarks that drive the web shop over HTTP as a buyer and as Stripe would: the
 * checkout form posted, and Stripe's events signed with the SDK's own test-header helper (the signature
 * Stripe itself sends), so the server verifies them exactly as it verifies Stripe's.
 */

const signer = new Stripe('sk_test_signing_only');

export interface SignedStripeEvent {
  payload: string;
  signature: string;
}

/** An event of `type` about `object`, as Stripe would send it to the webhook endpoint, signed. */
export function signedStripeEvent(
  type: string,
  object: Record<string, unknown>,
  secret: string,
  options: { id?: string; created?: number; timestamp?: number } = {},
): SignedStripeEvent {
  const payload = JSON.stringify({
    id: options.id ?? `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type,
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    api_version: '2026-08-26.dahlia',
    data: { object },
  });
  const signature = signer.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
  return { payload, signature };
}

/** Posts a signed event to the server's webhook endpoint. */
export async function postStripeEvent(
  serverUrl: string,
  event: SignedStripeEvent,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${serverUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
    body: event.payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A Checkout Session as checkout.session.* events carry it, naming our payment in its metadata. */
export function checkoutSessionObject(
  session: { id: string; orgId: string; paymentId: string },
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: session.id,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    payment_intent: `pi_${session.paymentId.replaceAll('-', '')}`,
    client_reference_id: session.paymentId,
    metadata: { janix_org_id: session.orgId, janix_payment_id: session.paymentId },
    ...over,
  };
}

/**
 * stripe-mock answers every Checkout Session with one fixture id; Stripe gives each its own. Each payment's
 * session gets an id and page of its own here (the request still goes to stripe-mock, which checks its shape),
 * as many sessions at once (the benchmark's buyers) need.
 */
export function distinctCheckoutSessions(gateway: CardGateway): CardGateway {
  return {
    ...gateway,
    async createCheckoutSession(input) {
      await gateway.createCheckoutSession(input);
      const id = `cs_test_${input.paymentId.replaceAll('-', '')}`;
      return { sessionId: id, url: `https://checkout.stripe.com/c/pay/${id}` };
    },
  };
}

/** The real Stripe adapter against stripe-mock at `url`, one Checkout Session per payment. */
export function stripeMockGateway(url: string, secretKey: string): CardGateway {
  return distinctCheckoutSessions(createStripeGateway(stripeClient(secretKey, stripeApiBaseOf(url))));
}

/** The attempt id of a checkout form as the shop rendered it. */
export function checkoutAttemptOf(html: string): string {
  const attempt = /name="attempt" value="([0-9a-f-]{36})"/.exec(html)?.[1];
  if (!attempt) throw new Error('the page has no checkout form');
  return attempt;
}

export interface ShopBuyer {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string;
  ageRange?: string;
  consent?: Array<'marketing' | 'ads' | 'enrichment'>;
}

/**
 * Posts the checkout form of an event as a browser would (urlencoded), without following the redirect:
 * `location` is Stripe's page on success; `html` is the form shown again otherwise.
 */
export async function submitCheckout(
  serverUrl: string,
  eventId: string,
  order: {
    attemptId?: string;
    lines: Array<{ ticketTypeId: string; quantity: number; unitPriceCents: number }>;
    buyer: ShopBuyer;
  },
  extra: Array<[string, string]> = [],
): Promise<{ status: number; location: string | null; html: string }> {
  const form = new URLSearchParams();
  form.set('attempt', order.attemptId ?? randomUUID());
  for (const line of order.lines) {
    form.set(`qty.${line.ticketTypeId}`, String(line.quantity));
    form.set(`price.${line.ticketTypeId}`, String(line.unitPriceCents));
  }
  const { consent = [], ...buyer } = order.buyer;
  form.set('firstName', buyer.firstName);
  form.set('lastName', buyer.lastName);
  form.set('email', buyer.email);
  form.set('phone', buyer.phone ?? '');
  form.set('ageRange', buyer.ageRange ?? '');
  for (const choice of consent) form.set(choice, 'yes');
  for (const [name, value] of extra) form.append(name, value);
  const response = await fetch(`${serverUrl}/shop/${eventId}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}
