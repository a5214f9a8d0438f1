import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { loggerOptions } from './logging.ts';
import { appRouter, type AppRouter } from './trpc/router.ts';
import { bearerToken, singleHeader, type Context, type ServerDeps } from './trpc/context.ts';
import { createSharedFeedPages } from './sync/shared-feed-pages.ts';
import { createSnapshotReadAhead } from './sync/snapshot-read-ahead.ts';
import { guardHosts, hostAllowlist } from './http/allowed-hosts.ts';
import { limitRequests } from './http/request-limits.ts';
import { registerCheckoutPages } from './payments/checkout-pages.ts';
import { registerStripeWebhooks } from './payments/webhooks.ts';
import { WEB_SHOP_FORMS, registerWebShop, type WebShopOptions } from './web-shop/routes.ts';

export interface BuildAppOptions {
  logLevel?: string;
  /** Sign-in attempts (code requests and guesses together) allowed per client address per minute. */
  signInPerMinute?: number;
  bodyLimitBytes?: number;
  /** Calls one batched tRPC request may carry; the console's client never batches more. */
  maxBatchSize?: number;
  /** Fastify's trustProxy (env TRUST_PROXY): whose X-Forwarded-For names the client. Default: nobody's. */
  trustProxy?: boolean | number | string[];
  /** Host header values answered (env ALLOWED_HOSTS); see http/allowed-hosts.ts for the default. */
  allowedHosts?: string[];
  /** The address the server listens on (env HOST); decides the default host allowlist. */
  listenHost?: string;
  timeouts?: Partial<HttpTimeouts>;
  /** The public web shop (/shop/<event id>): its per-address limits. */
  webShop?: WebShopOptions;
}

/**
 * Limits on how long a client may take to send a request: a client that trickles headers or a body holds a
 * socket and memory. None of them limits a response, so a live stream (a long response) is not cut.
 */
export interface HttpTimeouts {
  /** The request line and headers. */
  headersMs: number;
  /** The whole request, body included (bodies are small: 1 MiB at most). */
  requestMs: number;
  /** An idle keep-alive connection; above the usual 60 s of load balancers, so they close first. */
  keepAliveMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 72_000,
};

/** A hop count becomes "trust the nearest n proxies", which Fastify's types take only as a function. */
function fastifyTrustProxy(trust: boolean | number | string[]) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** Builds the HTTP app around its dependencies without listening, so tests can inject requests. */
export async function buildApp(deps: ServerDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const maxBatchSize = options.maxBatchSize ?? 20;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    logger: loggerOptions(options.logLevel ?? 'info'),
    bodyLimit: bodyLimitBytes,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the headers and request timeouts on this interval (default 30 s, too coarse for them).
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
    // Batched GET requests carry their inputs in the path.
    routerOptions: { maxParamLength: 5000 },
    // A stopping server drops its connections instead of waiting out keep-alive and streaming clients: live
    // streams end first (preClose), and every other call is safe to retry (pushes are idempotent by sequence).
    forceCloseConnections: true,
  });

  guardHosts(
    app,
    hostAllowlist({ allowedHosts: options.allowedHosts, listenHost: options.listenHost ?? '127.0.0.1' }),
  );
  limitRequests(app, { bodyLimitBytes, maxBatchSize, forms: WEB_SHOP_FORMS });

  await app.register(rateLimit, { global: false });
  const signInLimiter = app.createRateLimit({
    max: options.signInPerMinute ?? 30,
    timeWindow: 60_000,
    keyGenerator: (request) => `sign-in:${request.ip}`,
  });

  app.get('/health', async () => {
    await deps.pool.query('SELECT 1');
    return { status: 'ok', service: 'janix-server', time: deps.now().toISOString() };
  });

  // Stripe's events (raw body, its own parser) and the page a paid Checkout returns the buyer to.
  await registerStripeWebhooks(app, deps.payments.webhooks);
  registerCheckoutPages(app);
  await registerWebShop(app, deps, options.webShop);

  const pages = { shared: createSharedFeedPages(deps.changes), readAhead: createSnapshotReadAhead() };
  // Live streams would hold a graceful shutdown open for up to a minute; end them first (consoles reconnect).
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      // Backstops behind limitRequests, in tRPC's own terms.
      maxBatchSize,
      maxBodySize: bodyLimitBytes,
      createContext: ({ req }): Context => ({
        deps,
        pages,
        closing: closing.signal,
        sessionToken: bearerToken(req.headers.authorization),
        deviceToken: bearerToken(req.headers['x-janix-device']),
        devMailboxSecret: singleHeader(req.headers['x-janix-dev-mailbox']),
        log: req.log,
        allowSignInAttempt: async () => {
          const verdict = await signInLimiter(req);
          return verdict.isAllowed || !verdict.isExceeded;
        },
      }),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          // The message of an unexpected error may quote data; log its stack trace frames by path only.
          app.log.error(
            { path, err: { name: error.name, stack: error.cause?.stack ?? error.stack } },
            'procedure failed',
          );
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  return app;
}
