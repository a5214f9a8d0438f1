import { latestSignInCode, startTestServer, type TestServer } from '@janix/server/testing';
import { serveRpc } from './lib/rpc.ts';

/**
 * The real server (Fastify + tRPC, the product's pool sizes) on a fresh database of the shared embedded
 * PostgreSQL, in its own process as in production: its CPU does not compete with the clients' event loop.
 */
let server: TestServer | null = null;

serveRpc({
  async start(payload: { adminUrl: string }) {
    server = await startTestServer(payload.adminUrl, { signInPerMinute: 100_000 });
    return { url: server.url, dbUrl: server.db.url };
  },
  code: (payload: { email: string }) => latestSignInCode(server!, payload.email),
  async close() {
    await server?.close();
    server = null;
  },
});
