// End to end through every piece of the bridge that runs outside Electron: a real tRPC client in the
// renderer's shape, createBridgeFetch, a stand-in for the preload's id matching, handleBridgeMessage and a
// real tRPC fetch handler standing in for the local core.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBridgeFetch, type JanixBridge } from '../shared/bridge';
import { handleBridgeMessage, type BridgeTarget } from './handle-bridge-message';

const t = initTRPC.create();
const router = t.router({
  greet: t.procedure.input(z.object({ name: z.string() })).query(({ input }) => `hello ${input.name}`),
  rename: t.procedure
    .input(z.object({ to: z.string().min(1) }))
    .mutation(({ input }) => ({ renamed: input.to })),
});

const core: BridgeTarget = {
  fetch: (request) => fetchRequestHandler({ endpoint: '/trpc', req: request, router }),
};

let nextId = 0;
const bridge: JanixBridge = {
  request: (req) => handleBridgeMessage(core, structuredClone({ ...req, id: String(++nextId) })),
};

const client = createTRPCClient<typeof router>({
  links: [httpBatchLink({ url: '/trpc', fetch: createBridgeFetch(bridge) })],
});

describe('tRPC over the bridge', () => {
  it('runs batched queries and mutations', async () => {
    const [a, b] = await Promise.all([
      client.greet.query({ name: 'Ada' }),
      client.greet.query({ name: 'Bo' }),
    ]);
    expect([a, b]).toEqual(['hello Ada', 'hello Bo']);
    expect(await client.rename.mutate({ to: 'Janix' })).toEqual({ renamed: 'Janix' });
  });

  it('surfaces tRPC errors from the core as TRPCClientError', async () => {
    await expect(client.rename.mutate({ to: '' })).rejects.toMatchObject({ name: 'TRPCClientError' });
  });
});
