import { freePort, spawnUntilLine, stopProcess } from '@janix/testkit';
import { STRIPE_MOCK_INSTALL, findStripeMock } from '../../server/test/stripe-mock-setup.ts';
import { log } from './output.ts';

/**
 * stripe-mock (Stripe's API stand-in, installed by `.ci/run`) for the benchmarks that take card payments: it
 * answers the server's Stripe calls and checks their shape, found where the server's test setup finds it.
 */
export async function startStripeMock(): Promise<{ url: string; stop: () => Promise<void> }> {
  const binary = findStripeMock();
  if (!binary) throw new Error(`stripe-mock is not installed: ${STRIPE_MOCK_INSTALL}`);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const { child } = await spawnUntilLine(
    binary,
    ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`],
    /Listening for HTTP at address/,
    { timeoutMs: 30_000 },
  );
  log(`stripe-mock up on port ${httpPort}`);
  return { url: `http://127.0.0.1:${httpPort}`, stop: () => stopProcess(child) };
}
