import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '@janix/testkit';
import { seedDemoOrg } from '../src/demo-seed.ts';
import { readEnv, stripeSettingsOf } from '../src/env.ts';
import { unavailableReason } from '../src/payments/payment-services.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import { enrolledDevice, ownerOf, serverError, signIn } from './support.ts';

/**
 * A server without Stripe keys: card payments say why they are unavailable (the console shows it and offers
 * cash or the external terminal); nothing else changes. And a production server never talks to a stand-in.
 */
const demo = generateDemoOrg({ seed: 33, attendees: 5 });
let server: TestServer;
let api: Awaited<ReturnType<typeof enrolledDevice>>['api'];

beforeAll(async () => {
  server = await startTestServer(inject('pgAdminUrl'));
  await seedDemoOrg(server.db.adminPool, demo);
  const { session } = await signIn(server, ownerOf(demo));
  api = (await enrolledDevice(server, session, demo.org.id, 'Till')).api;
});

afterAll(async () => {
  await server?.close();
});

describe('card payments without Stripe keys', () => {
  const reason =
    'Card payments are not set up on this server (no Stripe key): take cash or use the external terminal.';

  it('are unavailable, with the reason, and refuse to start or refund', async () => {
    expect(await api.payments.availability.query()).toEqual({ available: false, reason, reader: null });
    const type = demo.ticketTypes[0]!;
    const start = await serverError(
      api.payments.start.mutate({
        paymentId: randomUUID(),
        orderId: randomUUID(),
        method: 'checkout_link',
        cart: {
          eventId: type.eventId,
          shiftId: randomUUID(),
          currency: 'EUR',
          lines: [{ ticketTypeId: type.id, quantity: 1, unitPriceCents: type.priceCents }],
          buyer: null,
        },
      }),
    );
    expect(start).toMatchObject({ code: 'PRECONDITION_FAILED', message: reason });
    const refund = await serverError(
      api.payments.refund.mutate({
        orderId: demo.orders[0]!.id,
        refundId: randomUUID(),
        reason: 'x',
        shiftId: null,
      }),
    );
    expect(refund).toMatchObject({ code: 'PRECONDITION_FAILED', message: reason });
    const register = await serverError(
      api.payments.readers.register.mutate({
        readerId: randomUUID(),
        registrationCode: 'simulated-wpe',
        label: 'Till reader',
        deviceId: null,
      }),
    );
    expect(register).toMatchObject({ code: 'PRECONDITION_FAILED', message: reason });
    expect(
      await server.db.adminPool.query('SELECT 1 FROM payments WHERE org_id = $1', [demo.org.id]),
    ).toMatchObject({
      rowCount: 0,
    });
  });

  it('answer Stripe’s webhooks with 503 and store nothing', async () => {
    const response = await fetch(`${server.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' }),
    });
    expect(response.status).toBe(503);
    expect((await server.db.adminPool.query('SELECT 1 FROM stripe_events')).rowCount).toBe(0);
  });

  it('say which setting is missing: the key, or the webhook secret without which no payment completes', () => {
    const base = { HOST: '127.0.0.1', PORT: '4000' };
    expect(unavailableReason(stripeSettingsOf(readEnv(base)))).toBe(reason);
    expect(
      unavailableReason(stripeSettingsOf(readEnv({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc' }))),
    ).toMatch(/no Stripe webhook secret/);
    expect(
      unavailableReason(
        stripeSettingsOf(
          readEnv({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }),
        ),
      ),
    ).toBeNull();
  });

  it('never let a production server send card payments to a stand-in for Stripe', () => {
    expect(() =>
      readEnv({
        NODE_ENV: 'production',
        RESEND_API_KEY: 're_x',
        AUTH_PEPPER: 'p'.repeat(32),
        STRIPE_SECRET_KEY: 'sk_live_abc',
        STRIPE_WEBHOOK_SECRET: 'whsec_abc',
        STRIPE_API_BASE: 'http://127.0.0.1:12111',
      }),
    ).toThrow(/STRIPE_API_BASE: not in production/);
  });
});
