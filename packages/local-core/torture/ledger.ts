/**
 * The harness's record of what each device accepted. Every submit and every restart after kill -9 goes
 * through here, so a lost or out-of-order command (G1, G2) fails at the moment it shows, not at the end.
 */
import type { RunContext } from './context.ts';
import { DeviceGone, type Device } from './device.ts';
import { fail } from './failure.ts';
import type { CommandName, ScanFact } from './protocol.ts';

export async function restart(run: RunContext, device: Device): Promise<void> {
  await device.start(run.server.url);
  run.counters.deviceRestarts += 1;
  const state = await device.state();
  const durable = Math.max(state.lastAppliedSeq, ...state.outbox.map((entry) => entry.seq));
  const highest = device.highestAccepted;
  if (durable < highest) {
    fail('G1', `${device.label}: accepted command ${highest} is gone after kill -9 (disk knows ${durable})`);
  }
  if (device.maybe && durable === highest + 1) {
    const queued = state.outbox.find((entry) => entry.seq === durable);
    if (queued && queued.name !== device.maybe.name) {
      fail(
        'G1',
        `${device.label}: command ${durable} is ${queued.name}, the harness sent ${device.maybe.name}`,
      );
    }
    const args = (queued?.args ?? device.maybe.args) as Record<string, unknown>;
    device.accepted.set(durable, {
      seq: durable,
      name: device.maybe.name,
      args,
      eventId: String(args.eventId ?? '?'),
      confirmedAfterKill: true,
    });
    run.note(`${device.label} restarted: the submit cut by kill -9 had committed as ${durable}`);
  } else if (durable > highest) {
    fail('G1', `${device.label}: the disk knows command ${durable}, the harness only ${highest}`);
  } else {
    run.note(`${device.label} restarted (incarnation ${device.incarnation}, outbox ${state.outbox.length})`);
  }
  device.maybe = null;
}

/** What a trace line says about a command's arguments: an edit's patch, a sale's lines and payment. */
function gist(args: Record<string, unknown>, reply: { quantity?: number; scan?: ScanFact }): string {
  if (args.patch !== undefined) return JSON.stringify(args.patch);
  const parts = [
    args.lines !== undefined && JSON.stringify(args.lines),
    reply.quantity !== undefined && `(${reply.quantity} tickets)`,
    args.payment !== undefined && (args.payment as { method: string }).method,
    args.seats !== undefined && `${String(args.seats)} seats of ${String(args.quotaId).slice(0, 8)}`,
    args.action !== undefined && `${String(args.action)} ${String(args.orderId).slice(0, 8)}`,
    args.kind !== undefined && `${String(args.kind)} ${String(args.amountCents)}`,
    reply.scan !== undefined &&
      `${String(args.direction)}${args.ticketId !== undefined ? ' by hand' : ''} ${reply.scan.code} (scan ${reply.scan.scanId.slice(0, 8)})`,
  ];
  return parts.filter(Boolean).join(' ');
}

export interface SubmitOptions {
  /** Straight into the queue with the harness's ids, past the router (see device-process.ts). */
  direct?: boolean;
  /** The device must refuse this locally (any code, unless `expectCode` names one). */
  expectLocalRejection?: boolean;
  /** The device must refuse this locally with exactly this code. */
  expectCode?: string;
  /** See DeviceRequest `overHeld`. */
  overHeld?: number;
}

/** Null when the device refused the command or died before answering. */
export async function submit(
  run: RunContext,
  device: Device,
  name: CommandName,
  args: Record<string, unknown>,
  options: SubmitOptions = {},
): Promise<{ seq: number; eventId: string; quantity?: number; scan?: ScanFact } | null> {
  if (!device.alive) return null;
  device.maybe = { name, args };
  let reply;
  try {
    reply = await device.submit(name, args, { direct: options.direct, overHeld: options.overHeld });
  } catch (error) {
    if (error instanceof DeviceGone) return null;
    throw error;
  }
  device.maybe = null;
  if (!reply.accepted) {
    if (reply.code === 'not_queued') fail('harness', `${device.label} ${name}: ${reply.message}`);
    if (reply.code === 'skipped') return null;
    if (options.expectCode !== undefined && reply.code !== options.expectCode) {
      fail(
        'local rules',
        `${device.label} refused ${name} ${JSON.stringify(args)} with ${reply.code} (${reply.message}), expected ${options.expectCode}`,
      );
    }
    run.counters.localRejected += 1;
    run.note(`${device.label} ${name} refused locally: ${reply.code ?? ''} ${reply.message}`);
    return null;
  }
  if (options.expectLocalRejection || options.expectCode !== undefined) {
    fail(
      'local rules',
      `${device.label} (${device.role}) queued ${name} ${JSON.stringify(args)} as ${reply.seq}` +
        `${reply.quantity !== undefined ? ` (${reply.quantity} tickets)` : ''}, expected a refusal ${options.expectCode ?? ''}`,
    );
  }
  if (reply.seq !== device.highestAccepted + 1) {
    fail(
      'G2',
      `${device.label}: accepted ${name} as ${reply.seq} after ${device.highestAccepted} (not gapless)`,
    );
  }
  // A scan's id is made by the device; kept with the command so the checks can find the scan on the server.
  const kept = reply.scan ? { ...args, ...reply.scan } : args;
  device.accepted.set(reply.seq, { seq: reply.seq, name, args: kept, eventId: reply.eventId });
  run.note(
    `${device.label} accepted ${name} ${reply.eventId.slice(0, 8)} as ${reply.seq} ${gist(args, reply)}`,
  );
  return reply;
}

/**
 * Queues a poison command straight into the device's outbox, past every local check, as a buggy or newer
 * console would; the server must reject it with `code` and the device's queue must move on (G9).
 */
export async function injectPoison(
  run: RunContext,
  device: Device,
  poison: { what: string; name: string; args: Record<string, unknown>; code: string },
): Promise<void> {
  if (!device.alive) return;
  device.maybe = { name: poison.name, args: poison.args };
  let reply;
  try {
    reply = await device.inject(poison.name, poison.args);
  } catch (error) {
    if (error instanceof DeviceGone) return;
    throw error;
  }
  device.maybe = null;
  if (!reply.accepted) fail('harness', `${device.label} refused an injected command: ${reply.message}`);
  if (reply.seq !== device.highestAccepted + 1) {
    fail('G2', `${device.label}: injected ${poison.name} as ${reply.seq} after ${device.highestAccepted}`);
  }
  device.accepted.set(reply.seq, { seq: reply.seq, name: poison.name, args: poison.args, eventId: '?' });
  run.poison.push({ device, seq: reply.seq, code: poison.code, what: poison.what });
  run.note(`${device.label} injected poison (${poison.what}) as ${reply.seq}, expecting ${poison.code}`);
}
