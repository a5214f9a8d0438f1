/**
 * `npm run test:torture -- --seed N --runs R`: runs seeds N, N+1, … against one embedded PostgreSQL and
 * prints one line per run. A failure prints its seed, the guarantee it broke and how to replay it; exit 1.
 * A soak is `npm run test:torture -- --runs 200 --keep-going`: it runs every seed even after a failure and
 * ends with the list of failed seeds (a hang shows as a failure: every wait in the harness has a deadline).
 */
import { parseArgs } from 'node:util';
import { startTestCluster } from '@janix/server/testing';
import { TortureFailure } from './failure.ts';
import { runTorture } from './harness.ts';
import { failureText, okLine, writeTrace } from './report.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '3' },
    steps: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
  },
});
const first = values.seed !== undefined ? Number(values.seed) : Date.now() % 1e9;
const runs = Number(values.runs);
const steps = values.steps !== undefined ? Number(values.steps) : undefined;
if (!Number.isInteger(first) || first < 0 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write(
    'usage: npm run test:torture -- [--seed N] [--runs R] [--steps S] [--verbose] [--keep-going]\n',
  );
  process.exit(2);
}

const cluster = await startTestCluster();
const failedSeeds: number[] = [];
let passed = 0;
const startedAt = Date.now();
try {
  for (let seed = first; seed < first + runs; seed += 1) {
    try {
      const summary = await runTorture({
        seed,
        clusterAdminUrl: cluster.adminUrl,
        ...(steps !== undefined ? { steps } : {}),
        ...(values.verbose ? { log: (line: string) => process.stdout.write(`    ${line}\n`) } : {}),
      });
      passed += 1;
      process.stdout.write(`${okLine(summary)}\n`);
    } catch (error) {
      if (!(error instanceof TortureFailure)) throw error;
      failedSeeds.push(seed);
      process.stdout.write(`${failureText(seed, error, writeTrace(seed, error))}\n`);
      if (!values['keep-going']) break;
    }
  }
} finally {
  await cluster.stop();
}
process.stdout.write(
  `torture: ${passed} of ${runs} runs passed in ${((Date.now() - startedAt) / 1000).toFixed(1)}s` +
    `${failedSeeds.length ? `; failed seeds: ${failedSeeds.join(', ')}` : ''}\n`,
);
process.exit(failedSeeds.length ? 1 : 0);
