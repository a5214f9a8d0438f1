import { setTimeout as sleep } from 'node:timers/promises';
import { orgVersion } from './checks.ts';
import type { RunContext } from './context.ts';
import { fail } from './failure.ts';
import { restart, submit } from './ledger.ts';
import type { DeviceState } from './protocol.ts';
import { knownEvents } from './workload.ts';

const MAX_QUIESCENCE_ROUNDS = 30;
/** A device in retry backoff may sleep up to the engine's 30 s ceiling before its loop follows the live feed again. */
const LIVE_LOOP_TIMEOUT_MS = 35_000;

/**
 * Heals every fault, brings every device back and syncs all of them until two rounds in a row change
 * nothing, so the checks compare settled replicas with the server rather than a snapshot mid-flight.
 * Returns each device's final state, in `run.devices` order.
 */
export async function quiesce(run: RunContext): Promise<{ states: DeviceState[]; rounds: number }> {
  const { devices, note } = run;
  note('quiescence');
  await Promise.all([...run.background]);
  for (const device of devices) if (!device.alive) await restart(run, device);
  for (const device of devices) {
    await device.setFaults(false);
    await device.setOnline(true);
  }
  let states: DeviceState[] = [];
  let previous = '';
  let unchanged = 0;
  let rounds = 0;
  while (unchanged < 2) {
    rounds += 1;
    if (rounds > MAX_QUIESCENCE_ROUNDS) {
      const stuck = devices
        .map((device, index) => {
          const state = states[index]!;
          return `${device.label}: outbox ${state.outbox.length}${state.outbox[0] ? ` (head ${JSON.stringify(state.outbox[0])})` : ''}, lastError ${state.sync.lastError}`;
        })
        .join('; ');
      fail('G9', `no quiescence after ${MAX_QUIESCENCE_ROUNDS} sync rounds (wedged): ${stuck}`);
    }
    await Promise.all(devices.map((device) => device.sync()));
    states = await Promise.all(devices.map((device) => device.state()));
    const heads = await Promise.all(run.orgs.map((org) => orgVersion(run.pool, org.id)));
    const fingerprint = JSON.stringify([heads, states]);
    const drained = states.every((state) => state.outbox.length === 0);
    unchanged = drained && fingerprint === previous ? unchanged + 1 : 0;
    previous = fingerprint;
  }
  note(`quiescent after ${rounds} rounds`);
  return { states, rounds };
}

/**
 * With autoSync the devices sync by themselves: an edit committed by one reaches every other device of its
 * organization through the live feed, with no one asking for a sync (G9: nobody stops syncing).
 */
export async function checkLiveLoop(run: RunContext): Promise<void> {
  const { devices, note } = run;
  const writer = devices.find((device) => device.org === 'A' && device.role === 'owner')!;
  const event = run.random.pick(await knownEvents(run, 'A'));
  const name = `Live ${run.seed}`;
  const reply = await submit(run, writer, 'updateEvent', { eventId: event.id, patch: { name } });
  if (!reply) fail('harness', `${writer.label} refused the live-loop edit`);
  const startedAt = Date.now();
  const deadline = startedAt + LIVE_LOOP_TIMEOUT_MS;
  const waiting = new Set(devices.filter((device) => device.org === 'A'));
  while (waiting.size && Date.now() < deadline) {
    await sleep(100);
    for (const device of [...waiting]) {
      const state = await device.state();
      const row = state.tables.events?.find((candidate) => candidate.id === event.id);
      if (row?.name === name && state.outbox.length === 0) {
        waiting.delete(device);
        note(`live loop: ${device.label} has the edit after ${Date.now() - startedAt} ms`);
      }
    }
  }
  if (waiting.size) {
    const who = [...waiting]
      .map((device) => `${device.label} (incarnation ${device.incarnation})`)
      .join(', ');
    fail(
      'G9',
      `live loop: an edit by ${writer.label} (seq ${reply.seq}) did not reach ${who} within ${LIVE_LOOP_TIMEOUT_MS} ms without a manual sync`,
    );
  }
  note('live loop: the edit reached every device by itself');
}
