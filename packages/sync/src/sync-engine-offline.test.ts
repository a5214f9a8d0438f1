import { describe, expect, it } from 'vitest';
import { createSyncEngine } from './sync-engine.ts';
import { SyncTransportError } from './ports.ts';
import { command, memoryStorage, page, scriptedTransport } from './sync-engine.test-support.ts';

describe('the sync engine while the network is down', () => {
  it('lets commands queued before the next retry wait for it instead of failing once each', async () => {
    const replica = memoryStorage([command(1)]);
    let networkUp = false;
    const offline = () => new SyncTransportError('offline', 'fetch failed');
    const transport = scriptedTransport({
      push: () => (networkUp ? { lastAppliedSeq: replica.outbox.at(-1)!.seq, results: [] } : offline()),
      pull: () => (networkUp ? page({ cursor: 'c' }) : offline()),
    });
    let clock = 1_000_000;
    const engine = createSyncEngine({
      storage: replica.storage,
      transport,
      schemaVersion: 2,
      now: () => clock,
      random: () => 0.5,
      baseRetryMs: 1000,
    });
    await engine.run();
    expect(engine.state.online).toBe(false);
    expect(transport.pushes).toHaveLength(1);

    // A till sells three times before the retry is due: nothing is tried, no failure is written again.
    for (const seq of [2, 3, 4]) {
      replica.outbox.push(command(seq));
      engine.poke();
      await engine.idle();
    }
    expect(transport.pushes).toHaveLength(1);
    expect(replica.log.filter((line) => line.startsWith('push failed'))).toHaveLength(1);

    // Once it is due, a poke tries again and the network, back by then, takes the whole queue.
    clock += 1000;
    networkUp = true;
    engine.poke();
    await new Promise((resolve) => setImmediate(resolve));
    await engine.idle();
    expect(transport.pushes.map((push) => push.commands.map((entry) => entry.seq))).toEqual([
      [1],
      [1, 2, 3, 4],
    ]);
    expect(engine.state.online).toBe(true);
    expect(replica.outbox).toEqual([]);
  });

  it('still tries at once when the server, not the network, failed', async () => {
    const replica = memoryStorage([command(1)]);
    let calls = 0;
    const transport = scriptedTransport({
      push: () =>
        calls++ === 0 ? new SyncTransportError('server', 'HTTP 503') : { lastAppliedSeq: 2, results: [] },
    });
    const engine = createSyncEngine({ storage: replica.storage, transport, schemaVersion: 2 });
    await engine.run();
    expect(engine.state.pushError).toContain('503');
    replica.outbox.push(command(2));
    engine.poke();
    await engine.idle();
    expect(transport.pushes).toHaveLength(2);
    expect(replica.outbox).toEqual([]);
  });
});
