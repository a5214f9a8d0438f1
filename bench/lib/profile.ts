import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './output.ts';
import { childOptions } from './rpc.ts';

/**
 * With --profile, records a V8 CPU profile of this process for the duration of `work` (the measured window
 * only, not the data generation) into .profiles/<name>.cpuprofile; otherwise just runs `work`.
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!childOptions.profileDir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = join(childOptions.profileDir, `${name}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    log(`CPU profile of the measured window: ${file}`);
  }
}
