import type { Random } from './random.ts';

/** Per-request probabilities of each transport fault; at most one fault is rolled per request. */
export interface FaultRates {
  /** Reject with "fetch failed" without sending anything. */
  dropRequest: number;
  /** Send, let the server process it, then reject as if the response was lost. */
  dropResponse: number;
  /** Send two copies at once and return one of the two responses. */
  duplicate: number;
  /** Answer normally, and send a copy again later, after newer requests (an old push arriving late). */
  lateDuplicate: number;
  /** Re-send an old push this device made earlier, now, alongside the current request. */
  staleReplay: number;
  /** Wait 0–200 ms before sending. */
  delay: number;
  /** Hold the request 200–900 ms so later requests (prefetches, other devices) overtake it. */
  reorder: number;
}

export type FaultKind = keyof FaultRates;
export const faultKinds: readonly FaultKind[] = [
  'dropRequest',
  'dropResponse',
  'duplicate',
  'lateDuplicate',
  'staleReplay',
  'delay',
  'reorder',
];

export function noFaults(): FaultRates {
  return {
    dropRequest: 0,
    dropResponse: 0,
    duplicate: 0,
    lateDuplicate: 0,
    staleReplay: 0,
    delay: 0,
    reorder: 0,
  };
}

/** Fault rates for one run, drawn from the run's seed: some runs are gentle, some hostile. */
export function drawFaultRates(random: Random): FaultRates {
  const severity = random.pick([0.5, 1, 1, 1.5, 2]);
  const rate = (base: number) => Math.min(0.3, base * severity * (0.5 + random.next()));
  return {
    dropRequest: rate(0.05),
    dropResponse: rate(0.05),
    duplicate: rate(0.05),
    lateDuplicate: rate(0.05),
    staleReplay: rate(0.03),
    delay: rate(0.15),
    reorder: rate(0.04),
  };
}

export class FetchFailed extends TypeError {
  constructor(why: string) {
    super('fetch failed');
    this.cause = new Error(`torture: ${why}`);
  }
}

interface SentPush {
  url: string;
  init: RequestInit;
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** A copy of the request that can be sent again; bodies are strings for tRPC, cloned as is, never altered. */
function replayable(init: RequestInit | undefined): RequestInit {
  const { signal: _signal, ...rest } = init ?? {};
  const headers =
    rest.headers instanceof Headers
      ? Object.fromEntries(rest.headers.entries())
      : { ...(rest.headers ?? {}) };
  if (rest.body !== undefined && rest.body !== null && typeof rest.body !== 'string') {
    throw new Error('torture: the faulty fetch only clones string bodies');
  }
  return { ...rest, headers };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A `fetch` for one device that injects transport faults by seeded chance. It never corrupts a body: a request
 * either goes through whole (once, twice, late) or not at all, and a response either arrives whole or is lost.
 */
export function createFaultyFetch(options: {
  random: Random;
  rates: FaultRates;
  realFetch?: typeof fetch;
  onFault?: (kind: FaultKind, path: string) => void;
}) {
  const real = options.realFetch ?? fetch;
  const random = options.random;
  let rates = options.rates;
  let enabled = false;
  let online = true;
  const pastPushes: SentPush[] = [];
  const fire = (url: string, init: RequestInit) =>
    void real(url, init)
      .then((response) => response.arrayBuffer())
      .catch(() => {});

  const faultyFetch: typeof fetch = async (input, init) => {
    const url = urlOf(input);
    const path = new URL(url).pathname.replace(/^\/trpc\//, '');
    if (!online) throw new FetchFailed('offline');
    if (!enabled || !path.startsWith('sync.')) return real(input, init);
    const isPush = path === 'sync.push';
    if (isPush) {
      pastPushes.push({ url, init: replayable(init) });
      if (pastPushes.length > 12) pastPushes.shift();
    }

    let roll = random.next();
    let fault: FaultKind | null = null;
    for (const kind of faultKinds) {
      if (roll < rates[kind]) {
        fault = kind;
        break;
      }
      roll -= rates[kind];
    }
    if (fault === 'staleReplay' && (!isPush || pastPushes.length < 2)) fault = null;
    if (fault) options.onFault?.(fault, path);

    switch (fault) {
      case null:
        return real(input, init);
      case 'dropRequest':
        throw new FetchFailed(`dropped request ${path}`);
      case 'dropResponse': {
        const response = await real(input, init);
        // Let the server finish the whole answer (the command committed), then lose it.
        await response.arrayBuffer().catch(() => {});
        throw new FetchFailed(`dropped response of ${path}`);
      }
      case 'duplicate': {
        const copy = replayable(init);
        const [first, second] = await Promise.allSettled([
          real(input, init),
          real(url, { ...copy, ...(init?.signal ? { signal: init.signal } : {}) }),
        ]);
        const chosen = random.chance(0.5) ? [first, second] : [second, first];
        const [keep, other] = chosen as [typeof first, typeof first];
        if (keep.status === 'fulfilled') {
          if (other.status === 'fulfilled') void other.value.arrayBuffer().catch(() => {});
          return keep.value;
        }
        if (other.status === 'fulfilled') return other.value;
        throw keep.reason;
      }
      case 'lateDuplicate': {
        const copy = replayable(init);
        setTimeout(() => fire(url, copy), random.int(100, 1500));
        return real(input, init);
      }
      case 'staleReplay': {
        const old = pastPushes[random.int(0, pastPushes.length - 2)]!;
        fire(old.url, old.init);
        return real(input, init);
      }
      case 'delay':
        await sleep(random.int(0, 200));
        return real(input, init);
      case 'reorder':
        await sleep(random.int(200, 900));
        return real(input, init);
    }
  };

  return {
    fetch: faultyFetch,
    setEnabled(value: boolean) {
      enabled = value;
    },
    setOnline(value: boolean) {
      online = value;
    },
    setRates(value: FaultRates) {
      rates = value;
    },
  };
}
