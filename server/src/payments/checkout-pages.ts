import type { FastifyInstance } from 'fastify';

/**
 * Where a Stripe Checkout page sends the buyer afterwards (success_url, cancel_url). Whether the order went
 * through is Stripe's webhook's to say, never this page's: it only tells the buyer what happens next.
 */
export function registerCheckoutPages(app: FastifyInstance): void {
  app.get('/checkout/done', async (request, reply) => {
    const cancelled = (request.query as Record<string, unknown>).cancelled === '1';
    const message = cancelled
      ? 'The payment was cancelled. Nothing was charged.'
      : 'Thank you: your payment was received. Your tickets are on their way at the box office.';
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'")
      .send(
        `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
          `<title>Janix</title><p style="font-family:sans-serif;font-size:1.4rem;margin:2rem">${message}</p></html>`,
      );
  });
}
