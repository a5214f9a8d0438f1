import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkoutWebhook } from './benches/checkout-webhook.ts';
import { coreRss } from './benches/core-rss.ts';
import { saleCommit } from './benches/sale-commit.ts';
import { scanVerdict } from './benches/scan-verdict.ts';
import { syncInitial } from './benches/sync-initial.ts';
import { syncPropagation } from './benches/sync-propagation.ts';
import { syncPush } from './benches/sync-push.ts';
import { closeBigOrg } from './lib/demo.ts';
import { log, reserveStdoutForResults } from './lib/output.ts';
import { parseOptions } from './lib/options.ts';
import { childOptions } from './lib/rpc.ts';
import { stopSharedCluster } from './lib/server-host.ts';

/**
 * Usage: tsx run.ts [name-prefix ...] [--profile]
 * Runs every benchmark whose name starts with one of the prefixes (all without any), one JSON line each on
 * stdout. --profile writes V8 CPU profiles of the child processes (server, device hosts, core) to .profiles/.
 */
const benches: Array<{ name: string; run: () => Promise<void>; bigOrg?: boolean }> = [
  // These share the 100k-ticket organization, released once none is left to run.
  { name: 'sync.initial', run: syncInitial, bigOrg: true },
  { name: 'core.rss', run: coreRss, bigOrg: true },
  // After those two: its sales add rows their counts do not expect.
  { name: 'sale.commit', run: saleCommit, bigOrg: true },
  { name: 'scan.verdict', run: scanVerdict, bigOrg: true },
  { name: 'sync.propagation', run: syncPropagation },
  { name: 'sync.push', run: syncPush },
  { name: 'checkout.webhook', run: checkoutWebhook },
];

reserveStdoutForResults();
const args = process.argv.slice(2);
parseOptions(args);
const prefixes = args.filter((arg) => !arg.startsWith('--'));
if (args.includes('--profile')) {
  childOptions.profileDir = fileURLToPath(new URL('./.profiles', import.meta.url));
  mkdirSync(childOptions.profileDir, { recursive: true });
  log(`CPU profiles of child processes go to ${childOptions.profileDir}`);
}
const selected = benches.filter(
  (bench) => prefixes.length === 0 || prefixes.some((prefix) => bench.name.startsWith(prefix)),
);
if (selected.length === 0) {
  log(`no benchmark matches ${prefixes.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

let failed = false;
try {
  for (const [index, bench] of selected.entries()) {
    log(`--- ${bench.name}`);
    try {
      await bench.run();
    } catch (error) {
      failed = true;
      log(`${bench.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (!selected.slice(index + 1).some((later) => later.bigOrg)) await closeBigOrg();
  }
} finally {
  await closeBigOrg().catch(() => {});
  await stopSharedCluster();
}
process.exit(failed ? 1 : 0);
