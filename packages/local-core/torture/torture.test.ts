import { describe, inject, it } from 'vitest';
import { TortureFailure } from './failure.ts';
import { runTorture } from './harness.ts';
import { failureText, okLine, writeTrace } from './report.ts';

/**
 * A bounded torture run for CI (about two minutes): six fixed seeds and two that change daily, so every day
 * explores new schedules. A failure names the guarantee and prints the command that replays its seed;
 * `npm run test:torture -- --runs 200` is the long soak.
 */
const today = Math.floor(Date.now() / 86_400_000);
const dailySeeds = [today, today * 7 + 1];
const seeds = [1, 2, 3, 4, 5, 6, ...dailySeeds];

describe('sync torture', () => {
  for (const seed of seeds) {
    it(`seed ${seed}${dailySeeds.includes(seed) ? ' (today)' : ''} keeps G1, G2, G3, G4, G5, G6 and G9`, async () => {
      try {
        const summary = await runTorture({ seed, clusterAdminUrl: inject('pgAdminUrl') });
        console.log(okLine(summary));
      } catch (error) {
        if (!(error instanceof TortureFailure)) throw error;
        throw new Error(failureText(seed, error, writeTrace(seed, error)));
      }
    });
  }
});
