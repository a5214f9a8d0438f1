import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TortureFailure } from './failure.ts';
import type { TortureSummary } from './harness.ts';

export function replayCommand(seed: number): string {
  return `npm run test:torture -- --seed ${seed} --runs 1`;
}

export function okLine(summary: TortureSummary): string {
  return (
    `torture seed=${summary.seed} ok steps=${summary.steps} devices=${summary.devices}` +
    `${summary.autoSync ? ' autoSync' : ''} commands=${summary.commands}` +
    ` rejected=${summary.serverRejected} refused=${summary.localRejected} faults=${summary.faults}` +
    ` kills=${summary.kills} restarts=${summary.deviceRestarts}+${summary.serverRestarts}srv` +
    ` rounds=${summary.quiescenceRounds} sales=${summary.sales.sales}(${summary.sales.offlineSales} offline)` +
    `/${summary.sales.tickets}t exhausted=${summary.sales.exhausted} seatRequests=${summary.sales.requests}` +
    ` refunds=${summary.sales.refunds} closes=${summary.sales.closes} soldOut=${summary.soldOut}` +
    ` lists=${summary.checkIn.lists} scans=${summary.checkIn.scans}(${summary.checkIn.admitted} admitted,` +
    ` ${summary.checkIn.offline} offline, ${summary.checkIn.manual} by hand, ${summary.checkIn.garbage} garbage,` +
    ` ${summary.checkIn.noList} before the door had the list)` +
    ` doubleEntries=${summary.checkIn.doubleEntries} alerts=${summary.alerts}` +
    `  ${(summary.durationMs / 1000).toFixed(1)}s`
  );
}

/** Writes the whole step trace of a failed run next to the temp files; returns its path. */
export function writeTrace(seed: number, failure: TortureFailure): string {
  const path = join(tmpdir(), `janix-torture-seed-${seed}.log`);
  writeFileSync(path, [`${failure.guarantee}: ${failure.detail}`, '', ...failure.trace].join('\n'));
  return path;
}

export function failureText(seed: number, failure: TortureFailure, tracePath: string): string {
  // The last steps (transport faults and device output stay in the trace file).
  const steps = failure.trace
    .filter((line) => !line.startsWith('---') && !/s {3}fault /.test(line))
    .slice(-25);
  return [
    `torture seed=${seed} FAILED: ${failure.guarantee}: ${failure.detail}`,
    ...steps.map((line) => `  ${line}`),
    `  (full trace: ${tracePath})`,
    `replay: ${replayCommand(seed)}`,
  ].join('\n');
}
