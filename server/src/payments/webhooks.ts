import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Pool, PoolClient } from '../db/pools.ts';
import { singleHeader } from '../trpc/context.ts';

/**
 * Stripe's webhooks: POST /webhooks/stripe, verified on the raw body (its signature covers the exact bytes),
 * stored before anything is done (table stripe_events, one row per event id), claimed by one delivery, then
 * handed to the handler of its type. A repeated delivery of a handled event is answered at once without acting
 * again, one that meets the event being handled is asked to come back (409); a handler that fails answers 500,
 * so Stripe delivers the event again later (the handlers are idempotent, and their state machine never moves a
 * payment backwards, so any order of delivery ends the same).
 */

/** Every event's envelope, as far as the dispatcher needs it; each handler checks its own object. */
export const stripeEventSchema = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_]+$/),
  type: z.string().min(1).max(100),
  created: z.number().int().nonnegative(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.infer<typeof stripeEventSchema>;

/**
 * What a handler did, in a few words for the log (no personal data); `recorded` when the handler marked the
 * event handled itself, in the transaction that wrote its effect (`markStripeEventsHandled`).
 */
export type StripeEventOutcome = string | { recorded: string };

/** Handles one event. */
export type StripeEventHandler = (event: StripeEvent) => Promise<StripeEventOutcome>;

/**
 * Handlers by event type, from several modules (card payments at the till; the web shop's Checkout later):
 * each type belongs to one of them.
 */
export function createStripeEventDispatcher(
  ...handlerSets: Array<Record<string, StripeEventHandler>>
): StripeEventHandler {
  const handlers = new Map<string, StripeEventHandler>();
  for (const set of handlerSets) {
    for (const [type, handler] of Object.entries(set)) {
      if (handlers.has(type)) throw new Error(`two handlers for Stripe event ${type}`);
      handlers.set(type, handler);
    }
  }
  return async (event) => {
    const handler = handlers.get(event.type);
    return handler ? handler(event) : 'ignored: not an event Janix handles';
  };
}

export interface StripeWebhookDeps {
  pool: Pool;
  /** Verifies the signature (tolerance 300 s) and parses the event; throws on anything else. Null: not set up. */
  verify: ((rawBody: Buffer, signature: string) => unknown) | null;
  dispatch: StripeEventHandler;
}

/** How long a delivery may take to handle its event before another delivery may handle it instead. */
const CLAIM_SECONDS = 120;

/**
 * The event's own bookkeeping is one statement in its own (implicit) transaction whose commit does not wait for
 * the disk: `set_config(..., true)` in the statement lasts to that transaction's commit, which reads it. One
 * round trip instead of three (BEGIN, the statement, COMMIT): on loopback each costs more CPU in socket writes
 * than the statement itself, and two or three disk flushes per event would cost more than handling it. Safe:
 * the commit of whatever the handler then writes (an order) flushes the write-ahead log up to and past the
 * event's row, so it is durable before any effect of it is; and a row lost to a crash only means Stripe's next
 * delivery of the event is handled again, which every handler tolerates.
 */
const WITHOUT_FLUSH = `WITH no_flush AS (SELECT set_config('synchronous_commit', 'off', true))`;

/**
 * Marks events handled inside the transaction that wrote their effects: they are handled exactly when their
 * effects are committed, and the webhook skips its own bookkeeping statement for them.
 */
export async function markStripeEventsHandled(
  client: PoolClient,
  handled: Array<{ eventId: string; outcome: string }>,
): Promise<void> {
  if (handled.length === 0) return;
  await client.query(
    `UPDATE stripe_events e SET processed_at = now(), outcome = t.outcome, claimed_until = NULL
     FROM unnest($1::text[], $2::text[]) AS t(id, outcome) WHERE e.id = t.id`,
    [handled.map((event) => event.eventId), handled.map((event) => event.outcome.slice(0, 200))],
  );
}

/**
 * Stores the event unless it was stored before and claims it for this delivery, in one statement:
 * 'claimed' (handle it now), 'handled' (a repeat: nothing to do) or 'busy' (another delivery is handling it
 * right now).
 */
async function storeAndClaim(pool: Pool, event: StripeEvent): Promise<'claimed' | 'handled' | 'busy'> {
  const objectId = typeof event.data.object.id === 'string' ? event.data.object.id.slice(0, 255) : null;
  const claimed = await pool.query(
    `${WITHOUT_FLUSH}
     INSERT INTO stripe_events (id, type, object_id, created_at, claimed_until)
     SELECT $1, $2, $3, to_timestamp($4), now() + make_interval(secs => $5) FROM no_flush
     ON CONFLICT (id) DO UPDATE SET claimed_until = excluded.claimed_until
       WHERE stripe_events.processed_at IS NULL
         AND (stripe_events.claimed_until IS NULL OR stripe_events.claimed_until < now())
     RETURNING id`,
    [event.id, event.type, objectId, event.created, CLAIM_SECONDS],
  );
  if (claimed.rowCount) return 'claimed';
  const earlier = await pool.query<{ processed_at: Date | null }>(
    'SELECT processed_at FROM stripe_events WHERE id = $1',
    [event.id],
  );
  return earlier.rows[0]?.processed_at ? 'handled' : 'busy';
}

export async function registerStripeWebhooks(app: FastifyInstance, deps: StripeWebhookDeps): Promise<void> {
  // An encapsulated scope: the raw-body parser applies to this route alone; every other route keeps JSON.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );

    scope.post('/webhooks/stripe', async (request, reply) => {
      if (!deps.verify)
        return reply.code(503).send({ error: 'Card payments are not set up on this server.' });
      const signature = singleHeader(request.headers['stripe-signature']);
      if (!signature || !Buffer.isBuffer(request.body)) {
        return reply.code(400).send({ error: 'A signed Stripe event is expected.' });
      }
      let verified: unknown;
      try {
        verified = deps.verify(request.body, signature);
      } catch {
        // A forged, tampered, replayed-too-late or wrongly signed request: never acted on.
        request.log.warn('stripe webhook: signature refused');
        return reply.code(400).send({ error: 'The signature does not match.' });
      }
      const parsed = stripeEventSchema.safeParse(verified);
      if (!parsed.success) {
        // Signed by Stripe but not an event we can read: acknowledged, or Stripe would send it for days.
        request.log.warn('stripe webhook: unreadable event acknowledged');
        return { received: true };
      }
      const event = parsed.data;
      const claim = await storeAndClaim(deps.pool, event);
      if (claim === 'handled') return { received: true, duplicate: true };
      // Not acknowledged: should the other delivery fail, this one's retry handles the event.
      if (claim === 'busy') return reply.code(409).send({ error: 'Being handled; deliver it again later.' });
      let outcome: StripeEventOutcome;
      try {
        outcome = await deps.dispatch(event);
      } catch (error) {
        await deps.pool
          .query('UPDATE stripe_events SET claimed_until = NULL WHERE id = $1', [event.id])
          .catch(() => {});
        request.log.error(
          { stripeEvent: event.id, type: event.type, err: { name: (error as Error).name } },
          'stripe webhook: handling failed (Stripe will deliver it again)',
        );
        return reply.code(500).send({ error: 'Not handled yet; deliver it again.' });
      }
      if (typeof outcome === 'string') {
        await deps.pool.query(
          `${WITHOUT_FLUSH}
           UPDATE stripe_events SET processed_at = now(), outcome = $2, claimed_until = NULL FROM no_flush
           WHERE id = $1`,
          [event.id, outcome.slice(0, 200)],
        );
      }
      request.log.info(
        {
          stripeEvent: event.id,
          type: event.type,
          outcome: typeof outcome === 'string' ? outcome : outcome.recorded,
        },
        'stripe webhook',
      );
      return { received: true };
    });
  });
}
