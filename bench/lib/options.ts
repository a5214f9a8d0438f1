/** Tunables from the command line (`--name=value`); the defaults are the documented benchmark settings. */
export const options = {
  /** sync.propagation: live devices. */
  devices: 50,
  /** sync.propagation: processes the 50 devices are spread over (one SQLite writer each, like machines). */
  hosts: 5,
  /** sync.propagation: commands issued (each yields devices − 1 samples). */
  rounds: 25,
  /** sync.push: concurrent devices pushing, and concurrent connections of the raw-Postgres floor. */
  pushDevices: 8,
  /** sync.push: commands per device (in batches of 100). */
  pushCommands: 1000,
  /** sale.commit: offline sales measured (after 100 warm-up sales). */
  sales: 1000,
  /** scan.verdict: scans measured per replica size (after 100 warm-up ones). */
  scans: 1000,
  /** checkout.webhook: paid-checkout events measured (after 100 warm-up ones). */
  checkoutEvents: 1000,
  /** checkout.webhook: events in flight at once, as Stripe delivers them to one endpoint. */
  webhookSenders: 8,
};

export function parseOptions(args: string[]): void {
  for (const arg of args) {
    const match = arg.match(/^--([a-zA-Z]+)=(\d+)$/);
    if (!match) continue;
    const key = match[1] as keyof typeof options;
    if (!(key in options)) throw new Error(`unknown option --${key}`);
    options[key] = Number(match[2]);
  }
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
