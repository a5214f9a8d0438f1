import pg from 'pg';
import { ORG_CHANGES_CHANNEL } from '../db/org-transaction.ts';

/**
 * Tells waiting devices that their organization committed a new version. One LISTEN connection per server
 * process; every process hears every commit, so a device may hold its long poll on any node.
 */
export interface ChangeNotifier {
  /** Resolves with the organization's newest known version once it exceeds `after`, or at the timeout. */
  waitForChange(
    orgId: string,
    after: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number | null>;
  /** The newest version this process knows the organization has committed, if it has heard of one. */
  latest(orgId: string): number | undefined;
  /**
   * Records a committed version learnt first-hand (this process committed it, or read it from the database),
   * so waiters wake without the round trip through NOTIFY and later reads know how fresh they must be.
   */
  publish(orgId: string, version: number): void;
  close(): Promise<void>;
}

interface Waiter {
  after: number;
  resolve: (version: number | null) => void;
}

export async function startChangeNotifier(
  connectionString: string,
  log: (line: string) => void,
): Promise<ChangeNotifier> {
  const latest = new Map<string, number>();
  const waiters = new Map<string, Set<Waiter>>();
  let client: pg.Client | null = null;
  let closed = false;

  function publish(orgId: string, version: number): void {
    if ((latest.get(orgId) ?? 0) < version) latest.set(orgId, version);
    const waiting = waiters.get(orgId);
    if (!waiting) return;
    for (const waiter of waiting) {
      if (version > waiter.after) {
        waiting.delete(waiter);
        waiter.resolve(version);
      }
    }
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      const [orgId, version] = (message.payload ?? '').split(':');
      if (orgId && version) publish(orgId, Number(version));
    });
    next.on('error', () => {
      // The connection dropped (database restart); reconnect, and wake everyone so they pull and see.
      if (closed) return;
      log('change notifier lost its connection; reconnecting');
      for (const [orgId, waiting] of waiters)
        for (const waiter of waiting) waiter.resolve(latest.get(orgId) ?? null);
      waiters.clear();
      setTimeout(() => void connect().catch(() => {}), 500);
    });
    await next.connect();
    await next.query(`LISTEN ${ORG_CHANGES_CHANNEL}`);
    client = next;
  }
  await connect();

  return {
    waitForChange(orgId, after, timeoutMs, signal) {
      const known = latest.get(orgId);
      if (known !== undefined && known > after) return Promise.resolve(known);
      return new Promise((resolve) => {
        const waiter: Waiter = {
          after,
          resolve: (version) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(version);
          },
        };
        const onAbort = () => {
          waiters.get(orgId)?.delete(waiter);
          waiter.resolve(null);
        };
        const timer = setTimeout(onAbort, timeoutMs);
        signal?.addEventListener('abort', onAbort);
        let set = waiters.get(orgId);
        if (!set) waiters.set(orgId, (set = new Set()));
        set.add(waiter);
      });
    },
    latest: (orgId) => latest.get(orgId),
    publish,
    async close() {
      closed = true;
      for (const waiting of waiters.values()) for (const waiter of waiting) waiter.resolve(null);
      waiters.clear();
      await client?.end().catch(() => {});
    },
  };
}
