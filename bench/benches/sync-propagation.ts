import { join } from 'node:path';
import { generateDemoOrg, makeTempDir } from '@janix/testkit';
import type { EnrolledDevice } from '@janix/schemas';
import { describeCpu, startCpuAccount, type CpuAccount } from '../lib/cpu.ts';
import { seededServer } from '../lib/demo.ts';
import { options, percentile } from '../lib/options.ts';
import { emit, log, round } from '../lib/output.ts';
import { forkChild, type RpcChild } from '../lib/rpc.ts';

const WARMUP_ROUNDS = 2;
const ROUND_TIMEOUT_MS = 10_000;
const PAUSE_MS = 200;

/**
 * 50 live devices of one organization (local cores with autoSync: the engine's live-feed loop) spread over
 * a few host processes. Round after round one device renames an event through its local API; each other
 * device's time until the new name is readable from its replica is one sample (checked every 2 ms).
 */
export async function syncPropagation(): Promise<void> {
  const DEVICES = options.devices;
  const org = await seededServer(generateDemoOrg({ attendees: 200 }));
  const root = makeTempDir('bench-propagation');
  const hosts: RpcChild[] = [];
  try {
    const devices: Array<{ dataDir: string; device: EnrolledDevice }> = [];
    for (let index = 0; index < DEVICES; index += 1) {
      devices.push({
        dataDir: join(root.path, `device-${index}`),
        device: await org.enroll(`Device ${index}`),
      });
    }
    // Device i lives in host i % hosts, at position floor(i / hosts).
    const hostCount = Math.max(1, Math.min(options.hosts, DEVICES));
    const placement = devices.map((_, index) => ({
      host: index % hostCount,
      local: Math.floor(index / hostCount),
    }));
    for (let h = 0; h < hostCount; h += 1) hosts.push(forkChild('device-host-child.ts'));
    const started = performance.now();
    await Promise.all(
      hosts.map((host, h) =>
        host.call('open', {
          serverUrl: org.host.url,
          devices: devices
            .filter((_, index) => index % hostCount === h)
            .map((entry) => ({ ...entry, session: org.owner })),
        }),
      ),
    );
    log(
      `${DEVICES} devices live in ${hostCount} host processes (initial syncs ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );

    const samples: number[] = [];
    let missing = 0;
    let cpu: CpuAccount | null = null;
    let measuredFrom = 0;
    for (let r = 0; r < WARMUP_ROUNDS + options.rounds; r += 1) {
      if (r === WARMUP_ROUNDS) {
        cpu = await startCpuAccount({ server: [org.host.process], hosts }, org.host.database);
        measuredFrom = performance.now();
      }
      const writer = r % DEVICES;
      const eventId = org.eventIds[r % org.eventIds.length]!;
      const name = `Propagation ${r} ${Math.random().toString(36).slice(2, 8)}`;
      await Promise.all(hosts.map((host) => host.call('arm', { eventId, name })));
      const { host, local } = placement[writer]!;
      const issuedAt = await hosts[host]!.call<number>('update', { index: local, eventId, name });
      const seen = await Promise.all(
        hosts.map((h) => h.call<Record<string, number>>('collect', { timeoutMs: ROUND_TIMEOUT_MS })),
      );
      if (r < WARMUP_ROUNDS) continue;
      const latencies: number[] = [];
      for (const [index, place] of placement.entries()) {
        if (index === writer) continue;
        const at = seen[place.host]![String(place.local)];
        if (at === undefined) {
          missing += 1;
          latencies.push(ROUND_TIMEOUT_MS);
        } else latencies.push(at - issuedAt);
      }
      samples.push(...latencies);
      latencies.sort((a, b) => a - b);
      log(
        `round ${r - WARMUP_ROUNDS + 1}/${options.rounds}: writer ${writer}, min ${latencies[0]!.toFixed(1)} ` +
          `p50 ${percentile(latencies, 50).toFixed(1)} max ${latencies.at(-1)!.toFixed(1)} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    log(
      `CPU during the measured rounds: ${describeCpu(await cpu!.read(), (performance.now() - measuredFrom) / 1000)}`,
    );
    if (missing)
      log(
        `WARNING: ${missing} samples did not arrive within ${ROUND_TIMEOUT_MS} ms (counted at the timeout)`,
      );
    samples.sort((a, b) => a - b);
    log(
      `propagation: min ${samples[0]!.toFixed(1)} p90 ${percentile(samples, 90).toFixed(1)} max ${samples.at(-1)!.toFixed(1)} ms`,
    );
    emit({
      bench: 'sync.propagation',
      devices: DEVICES,
      p50_ms: round(percentile(samples, 50)),
      p99_ms: round(percentile(samples, 99)),
      samples: samples.length,
    });
  } finally {
    await Promise.all(hosts.map((host) => host.close()));
    await org.close();
    root.remove();
  }
}
