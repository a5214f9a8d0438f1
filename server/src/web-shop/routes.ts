import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PAYMENT_HOLD_MINUTES } from '@janix/domain';
import { uuidSchema } from '@janix/schemas';
import { PaymentRefused } from '../payments/card-payments.ts';
import type { ServerDeps } from '../trpc/context.ts';
import { parseCheckoutForm } from './checkout-form.ts';
import { loadShopEvent, shopEventOrg, type ShopEvent } from './shop-catalog.ts';
import {
  SHOP_HEADERS,
  renderMessage,
  renderNotFound,
  renderShopPage,
  type ShopFormState,
} from './shop-pages.ts';
import { createWebCheckout } from './web-checkout.ts';

/**
 * The public web shop: GET /shop/<event id> (the event page with its form), POST /shop/<event id>/checkout
 * (holds the seats, then sends the buyer to Stripe Checkout), GET /shop/<event id>/done (where Stripe sends
 * the buyer back: how the order stands). No account, no cookie; each client address may post a limited
 * number of checkouts a minute.
 */

export interface WebShopOptions {
  /** Checkouts one client address may start per minute (and pages it may load, ten times that). */
  checkoutsPerMinute?: number;
}

const paramsSchema = z.object({ eventId: uuidSchema });
const doneQuerySchema = z.object({ payment: uuidSchema, cancelled: z.literal('1').optional() });

const SHOP_CLOSED =
  'Tickets are not sold online on this site right now (card payments are not set up). They are on sale at the box office.';

/** A form body is small: names, an email, a few quantities. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** The one path that takes a form's post (the server's request limits take JSON alone elsewhere). */
export const WEB_SHOP_FORMS = { path: /^\/shop\/[^/]+\/checkout$/, limitBytes: FORM_LIMIT_BYTES };

function send(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).headers(SHOP_HEADERS).send(html);
}

/** The words for a refused checkout; what the domain says of the seats is kept (it names what is left). */
function problemOf(code: string, message: string): string {
  if (code === 'sold_out')
    return `Sorry, not enough tickets are left for this order: ${message} The list below shows what is left now.`;
  if (code === 'sales_closed' || code === 'sales_not_started' || code === 'not_sold_here') {
    return `${message} The list below shows what is on sale now.`;
  }
  if (code === 'price_changed')
    return `${message.replace(/check the sale again\.?$/, 'the list below shows it now.')}`;
  return message;
}

export async function registerWebShop(
  app: FastifyInstance,
  deps: ServerDeps,
  options: WebShopOptions = {},
): Promise<void> {
  const checkout = createWebCheckout({
    pool: deps.pool,
    now: deps.now,
    changes: deps.changes,
    payments: deps.payments,
  });
  const perMinute = options.checkoutsPerMinute ?? 20;

  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, new URLSearchParams(body as string)),
    );
    /** A preHandler that answers 429 with a page once this client address has had its `max` this minute. */
    const limited = (what: string, max: number) => {
      const check = scope.createRateLimit({
        max,
        timeWindow: 60_000,
        keyGenerator: (request) => `${what}:${request.ip}`,
      });
      return async (request: FastifyRequest, reply: FastifyReply) => {
        const verdict = await check(request);
        if (verdict.isAllowed || !verdict.isExceeded) return;
        return send(
          reply.header('retry-after', String(verdict.ttlInSeconds)),
          429,
          renderMessage(
            'Please wait a moment',
            'Too many requests came from your connection. Please try again in a minute.',
          ),
        );
      };
    };
    const pageLimit = limited('shop-page', perMinute * 10);
    const checkoutLimit = limited('shop-checkout', perMinute);
    // What Fastify refuses before a handler runs (a body too large or of another type) gets a page too.
    scope.setErrorHandler(async (error: { statusCode?: number }, request, reply) => {
      if (error.statusCode === 413 || error.statusCode === 415 || error.statusCode === 400) {
        return send(
          reply,
          error.statusCode,
          renderMessage('That did not work', 'The form could not be read. Please go back and try again.'),
        );
      }
      request.log.error({ err: { name: (error as Error).name } }, 'web shop failed');
      return send(
        reply,
        500,
        renderMessage('Something went wrong', 'Nothing was charged. Please try again in a moment.'),
      );
    });

    /** The event on sale, or null (a 404 page is sent). */
    async function eventOf(params: unknown): Promise<ShopEvent | null> {
      const parsed = paramsSchema.safeParse(params);
      if (!parsed.success) return null;
      const orgId = await shopEventOrg(deps.pool, parsed.data.eventId);
      return orgId ? loadShopEvent(deps.pool, orgId, parsed.data.eventId, deps.now()) : null;
    }

    const formPage = (
      reply: FastifyReply,
      event: ShopEvent,
      status: number,
      state: Omit<ShopFormState, 'attemptId'>,
    ) =>
      // Every form shown gets its own attempt: sending it twice is one order; a form shown again is a new one.
      send(reply, status, renderShopPage(event, { attemptId: randomUUID(), ...state }));

    scope.get('/shop/:eventId', { preHandler: pageLimit }, async (request, reply) => {
      const event = await eventOf(request.params);
      if (!event) return send(reply, 404, renderNotFound());
      // Without Stripe the event is still shown, with where its tickets are sold instead of a form.
      return formPage(reply, event, 200, deps.payments.gateway ? {} : { closed: SHOP_CLOSED });
    });

    scope.post('/shop/:eventId/checkout', { preHandler: checkoutLimit }, async (request, reply) => {
      const event = await eventOf(request.params);
      if (!event) return send(reply, 404, renderNotFound());
      if (!(request.body instanceof URLSearchParams)) {
        return formPage(reply, event, 400, {
          problem: 'The form could not be read. Please fill it in again.',
        });
      }
      const parsed = parseCheckoutForm(request.body);
      if (!parsed.ok) return formPage(reply, event, 422, { values: parsed.values, errors: parsed.errors });
      const { form, values } = parsed;
      const currencies = new Set(
        form.lines.map((line) => event.ticketTypes.find((type) => type.id === line.ticketTypeId)?.currency),
      );
      if (currencies.has(undefined)) {
        return formPage(reply, event, 409, {
          values,
          problem:
            'A ticket you chose is no longer on sale online. The list below shows what is on sale now.',
        });
      }
      if (currencies.size > 1) {
        return formPage(reply, event, 422, {
          values,
          errors: { tickets: 'Tickets priced in different currencies are bought in separate orders.' },
        });
      }
      const outcome = await checkout.start(event.orgId, {
        eventId: event.id,
        attemptId: form.attemptId,
        currency: [...currencies][0]!,
        lines: form.lines,
        buyer: { personId: randomUUID(), ...form.buyer },
        consent: form.consent,
      });
      if (outcome.ok) {
        const target =
          'checkoutUrl' in outcome
            ? outcome.checkoutUrl
            : `/shop/${event.id}/done?payment=${outcome.paidPaymentId}`;
        return reply.code(303).headers({ location: target, 'cache-control': 'no-store' }).send();
      }
      request.log.info({ shopEvent: event.id, refused: outcome.code }, 'web checkout refused');
      // Fresh counts: what is left now, after the refusal.
      const fresh = (await loadShopEvent(deps.pool, event.orgId, event.id, deps.now())) ?? event;
      const status = outcome.code === 'stripe_unavailable' || outcome.code === 'card_unavailable' ? 503 : 409;
      if (outcome.code === 'card_unavailable') return formPage(reply, fresh, status, { closed: SHOP_CLOSED });
      return formPage(reply, fresh, status, { values, problem: problemOf(outcome.code, outcome.message) });
    });

    scope.get('/shop/:eventId/done', { preHandler: pageLimit }, async (request, reply) => {
      const event = await eventOf(request.params);
      const query = doneQuerySchema.safeParse(request.query);
      if (!event || !query.success) return send(reply, 404, renderNotFound());
      const back = `/shop/${event.id}`;
      if (query.data.cancelled) {
        // Stripe's cancel link is a plain GET the buyer follows: it ends the checkout (expired at Stripe, seats
        // back on sale) unless it was paid meanwhile, which the status below then says.
        const after = await checkout
          .abandon(event.orgId, event.id, query.data.payment)
          .catch((error: unknown) => {
            if (!(error instanceof PaymentRefused)) throw error;
            request.log.warn({ shopEvent: event.id, refused: error.code }, 'web checkout not ended at once');
            return 'not_ended';
          });
        if (after === null) return send(reply, 404, renderNotFound());
        if (after === 'cancelled' || after === 'expired' || after === 'not_ended') {
          return send(
            reply,
            200,
            renderMessage(
              'Payment cancelled',
              after === 'not_ended'
                ? `You left the payment page: nothing was charged. The seats you chose go back on sale within ${PAYMENT_HOLD_MINUTES.web_checkout} minutes.`
                : 'You left the payment page: nothing was charged, and the seats you chose are back on sale.',
              { back },
            ),
          );
        }
      }
      const payment = await checkout.status(event.orgId, event.id, query.data.payment);
      if (!payment) return send(reply, 404, renderNotFound());
      if (['succeeded', 'partially_refunded'].includes(payment.status) && payment.orderCode) {
        return send(
          reply,
          200,
          renderMessage(
            'Thank you!',
            `Your order ${payment.orderCode} is confirmed. Your tickets are on their way to your email address.`,
          ),
        );
      }
      if (['pending', 'waiting_for_card', 'processing'].includes(payment.status)) {
        return send(
          reply,
          200,
          renderMessage(
            'Confirming your payment…',
            'This takes a few seconds. This page updates by itself.',
            {
              refresh: true,
            },
          ),
        );
      }
      const refunded = payment.status === 'refunded';
      return send(
        reply,
        200,
        renderMessage(
          refunded ? 'Your payment was refunded' : 'The payment did not go through',
          refunded
            ? 'The seats were no longer available when your payment arrived, so the full amount went back to your card.'
            : 'Nothing was charged. You can choose your tickets again.',
          { back },
        ),
      );
    });
  });
}
