import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { loggerOptions } from './logging.ts';
import { appRouter, type AppRouter } from './trpc/router.ts';
import { bearerToken, type Context, type ServerDeps } from './trpc/context.ts';
import { createSharedFeedPages } from './sync/shared-feed-pages.ts';
import { createSnapshotReadAhead } from './sync/snapshot-read-ahead.ts';

export interface BuildAppOptions {
  logLevel?: string;
  /** Sign-in attempts allowed per client address per minute. */
  signInPerMinute?: number;
  bodyLimitBytes?: number;
}

/** Builds the HTTP app around its dependencies without listening, so tests can inject requests. */
export async function buildApp(deps: ServerDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logLevel ?? 'info'),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Batched GET requests carry their inputs in the path.
    routerOptions: { maxParamLength: 5000 },
    // A stopping server drops its connections instead of waiting out keep-alive and streaming clients: live
    // streams end first (preClose), and every other call is safe to retry (pushes are idempotent by sequence).
    forceCloseConnections: true,
  });

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

  const pages = { shared: createSharedFeedPages(deps.changes), readAhead: createSnapshotReadAhead() };
  // Live streams would hold a graceful shutdown open for up to a minute; end them first (consoles reconnect).
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }): Context => ({
        deps,
        pages,
        closing: closing.signal,
        sessionToken: bearerToken(req.headers.authorization),
        deviceToken: bearerToken(req.headers['x-janix-device']),
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
