import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, requireExternal, spawnUntilLine, stopProcess } from '@janix/testkit';

/**
 * Vitest global setup: one stripe-mock (Stripe's own API stand-in, Go, installed by `.ci/run` with
 * `go install github.com/stripe/stripe-mock@v0.203.0`) for the whole run, on free ports; the suites that call
 * Stripe read its URL with `inject('stripeMockUrl')`. It checks every request's shape against Stripe's API
 * description (a wrong or missing parameter answers 400); it keeps no state and sends no webhooks.
 *
 * Missing: in CI (`CI` set) the run fails; elsewhere the suites that need it skip, saying how to get it.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of stripe-mock, or null when it is not installed (outside CI). */
    stripeMockUrl: string | null;
  }
}

export const STRIPE_MOCK_INSTALL =
  'GOBIN="$HOME/.cache/janix-tools/bin" go install github.com/stripe/stripe-mock@v0.203.0 (or run .ci/run)';

/** Where stripe-mock is: $STRIPE_MOCK_BIN, where .ci/run installs it, Go's bin folder, or the PATH. */
export function findStripeMock(): string | null {
  const candidates = [
    process.env.STRIPE_MOCK_BIN,
    join(homedir(), '.cache', 'janix-tools', 'bin', 'stripe-mock'),
    join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'stripe-mock'),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'stripe-mock')),
  ];
  return candidates.find((path): path is string => !!path && existsSync(path)) ?? null;
}

export default async function stripeMockGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const binary = findStripeMock();
  if (!requireExternal('stripe-mock', binary !== null, STRIPE_MOCK_INSTALL, { ci: !!process.env.CI })) {
    project.provide('stripeMockUrl', null);
    return async () => {};
  }
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const { child } = await spawnUntilLine(
    binary!,
    ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`],
    /Listening for HTTP at address/,
    { timeoutMs: 30_000 },
  );
  project.provide('stripeMockUrl', `http://127.0.0.1:${httpPort}`);
  return () => stopProcess(child);
}
