/**
 * Keeps this process's requests to a rate-limited API (Resend counts per team, 2 to 5 a second) within what it
 * allows: requests are spaced `minIntervalMs` apart, and when the API says its window is spent (a 429 with
 * retry-after, or ratelimit-remaining 0 with ratelimit-reset) every request waits until it says, instead of
 * each one being refused in turn. Shared by every send of the process (the jobs run several at once).
 */
export interface RateGate {
  /**
   * Reserves the next request slot and waits for it. Resolves null once the caller may send, or, without
   * reserving anything, with the milliseconds still to wait when that is longer than `maxWaitMs`.
   */
  take(maxWaitMs: number): Promise<number | null>;
  /** Learns from a response's headers; `limited` when it was a 429. */
  observe(headers: Record<string, string> | null, limited: boolean): void;
  /** Until when (epoch ms) the API asked us to wait; 0 when it never did. */
  readonly pausedUntil: number;
}

/** Seconds in a header, as milliseconds; null when absent or not a number. */
export function secondsHeader(headers: Record<string, string> | null, name: string): number | null {
  const value = headers?.[name];
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return null;
  return Math.round(Number(value) * 1000);
}

/** When the API gives no time with a 429: wait a second, as Resend's documentation suggests for bursts. */
const DEFAULT_PAUSE_MS = 1000;

export function createRateGate(options: {
  minIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): RateGate {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let nextSlot = 0;
  let pausedUntil = 0;
  return {
    get pausedUntil() {
      return pausedUntil;
    },
    async take(maxWaitMs) {
      for (;;) {
        const at = now();
        const start = Math.max(at, nextSlot, pausedUntil);
        const wait = start - at;
        if (wait > maxWaitMs) return wait;
        nextSlot = start + options.minIntervalMs;
        if (wait > 0) await sleep(wait);
        // A 429 another request met while this one slept moves the pause past its slot: wait for that too.
        if (pausedUntil <= now()) return null;
      }
    },
    observe(headers, limited) {
      const at = now();
      const retryAfter = secondsHeader(headers, 'retry-after');
      const reset = secondsHeader(headers, 'ratelimit-reset');
      const remaining = headers?.['ratelimit-remaining'];
      let until = 0;
      if (limited) until = at + (retryAfter ?? reset ?? DEFAULT_PAUSE_MS);
      else if (remaining !== undefined && Number(remaining) === 0 && reset !== null) until = at + reset;
      pausedUntil = Math.max(pausedUntil, until);
    },
  };
}
