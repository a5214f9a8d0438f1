import { join } from 'node:path';
import { makeTempDir } from '@janix/testkit';
import { bigOrg, BIG_TICKETS } from '../lib/demo.ts';
import { emit, log } from '../lib/output.ts';
import { forkChild } from '../lib/rpc.ts';

/**
 * Peak RSS of a local core process that syncs the 100k-ticket organization into an empty replica and
 * then serves a few typical reads; measured inside the child (`resourceUsage().maxRSS`).
 */
export async function coreRss(): Promise<void> {
  const org = await bigOrg();
  const device = await org.enroll('Bench memory');
  const dir = makeTempDir('bench-rss');
  const child = forkChild('core-rss-child.ts');
  try {
    const report = await child.call<{
      tickets: number;
      events: number;
      searchHits: number;
      syncSeconds: number;
      baselineMb: number;
      afterSyncMb: number;
      peakMb: number;
    }>('run', { serverUrl: org.host.url, dataDir: join(dir.path, 'console'), session: org.owner, device });
    if (report.tickets !== BIG_TICKETS) throw new Error(`the replica holds ${report.tickets} tickets`);
    log(
      `core process: ${report.baselineMb} MB before opening, ${report.afterSyncMb} MB peak after the initial ` +
        `sync (${report.syncSeconds.toFixed(2)} s), ${report.peakMb} MB peak after the reads`,
    );
    emit({ bench: 'core.rss', tickets: report.tickets, rss_mb: report.peakMb });
  } finally {
    await child.close();
    dir.remove();
  }
}
