import { latestSignInCode, startTestServer, stripeMockGateway, type TestServer } from '@janix/server/testing';
import { serveRpc } from './lib/rpc.ts';

/**
 * The real server (Fastify + tRPC, the product's pool sizes) on a fresh database of the shared embedded
 * PostgreSQL, in its own process as in production: its CPU does not compete with the clients' event loop.
 */
let server: TestServer | null = null;

/** stripe-mock's address and the keys the bench signs its webhook events with. */
export interface StripeMock {
  url: string;
  secretKey: string;
  webhookSecret: string;
}

serveRpc({
  async start(payload: { adminUrl: string; stripe?: StripeMock }) {
    const stripe = payload.stripe;
    server = await startTestServer(payload.adminUrl, {
      signInPerMinute: 100_000,
      // Card payments against stripe-mock, one Checkout Session per payment; the shop takes any number of
      // buyers from the bench's one address.
      ...(stripe && {
        stripe: {
          secretKey: stripe.secretKey,
          webhookSecret: stripe.webhookSecret,
          apiBase: stripe.url,
          publicUrl: 'https://tickets.janix.test',
          gateway: stripeMockGateway(stripe.url, stripe.secretKey),
        },
        app: { webShop: { checkoutsPerMinute: 1_000_000 } },
      }),
    });
    return { url: server.url, dbUrl: server.db.url };
  },
  code: (payload: { email: string }) => latestSignInCode(server!, payload.email),
  async close() {
    await server?.close();
    server = null;
  },
});
