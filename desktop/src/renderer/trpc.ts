// The renderer's only way to the local core: its tRPC router, over the Electron bridge when the preload
// provides one, else over HTTP to the dev host that served this page.
import type { LocalRouter } from '@janix/local-core';
import { createTRPCClient, httpBatchLink, httpLink, splitLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { CORE_ORIGIN, createBridgeFetch, type JanixBridge } from '../shared/bridge.ts';
import { LAUNCH_SECRET_HEADER } from '../shared/launch-secret.ts';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<LocalRouter>();

export type LocalInputs = inferRouterInputs<LocalRouter>;
export type LocalOutputs = inferRouterOutputs<LocalRouter>;
export type LocalStatus = LocalOutputs['status'];
export type EventListItem = LocalOutputs['events']['list'][number];

/** How often the shell asks the core for its status (online, sync progress, session, notices). */
export const STATUS_POLL_MS = 1500;

/**
 * Over the Electron bridge nothing else can reach the core; over HTTP (the dev host) every request carries
 * the launch secret the dev host printed, which only this page knows.
 */
export function createLocalCoreClient(
  bridge: JanixBridge | undefined,
  launchSecret: string | null,
): TRPCClient<LocalRouter> {
  const transport = bridge
    ? { url: `${CORE_ORIGIN}/trpc`, fetch: createBridgeFetch(bridge) }
    : {
        url: '/trpc',
        headers: (): Record<string, string> => (launchSecret ? { [LAUNCH_SECRET_HEADER]: launchSecret } : {}),
      };
  // The `changes` long poll goes alone: in a batch it would hold back the answers of the calls beside it.
  const link = splitLink({
    condition: (op) => op.path === 'changes',
    true: httpLink(transport),
    false: httpBatchLink(transport),
  });
  return createTRPCClient<LocalRouter>({ links: [link] });
}
