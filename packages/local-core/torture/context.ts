import type { DemoOrg } from '@janix/testkit';
import type { Pool } from '../../../server/src/db/pools.ts';
import type { CheckInput, OrgFacts } from './checks.ts';
import type { Device } from './device.ts';
import type { Random } from './random.ts';
import type { TortureServer } from './server.ts';

export interface EventFacts {
  id: string;
  startsAt: number;
  endsAt: number;
}

/** The events box offices sell, each ticket type with the quota it sells from (the demo gives each its own). */
export interface BoxOfficeFacts {
  events: Array<{ id: string; types: Array<{ id: string; quotaId: string; priceCents: number }> }>;
}

/** What the box-office steps did, for the run's summary line. */
export interface BoxOfficeCounters {
  sales: number;
  tickets: number;
  /** Sales of more seats than held, refused locally with allocation_exhausted as they must be. */
  exhausted: number;
  requests: number;
  refunds: number;
  closes: number;
  offlineSales: number;
}

/** A check-in list the workload created; its rules never change in a run (only its name), see checkin-workload.ts. */
export interface CheckInListFacts {
  id: string;
  eventId: string;
  /** The device that created it: the one that renames it (the list screen updates only a list it holds). */
  creator: Device;
  /** The router input it was saved with. */
  input: Record<string, unknown> & { allowMultipleEntries: boolean };
}

/** What the check-in steps did, for the run's summary line. */
export interface CheckInCounters {
  lists: number;
  /** Scans the devices recorded (queued), and of those admitted, made offline, and picked by hand. */
  scans: number;
  admitted: number;
  offline: number;
  manual: number;
  /** Texts that are no ticket of this organization (every one must be refused). */
  garbage: number;
  /** Times two devices apart from each other scanned the same ticket. */
  doubleEntries: number;
  /** Scans that found no list on the device yet (not synced there), so were not made. */
  noList: number;
}

/** The doors: their lists, the tickets they scan (refreshed from the server as sales sync), and the counters. */
export interface CheckInFacts {
  lists: CheckInListFacts[];
  tickets: Array<{ id: string; eventId: string; secret: string }>;
  counters: CheckInCounters;
}

/**
 * What setup, workload and quiescence share. One `random` stream runs through all three in order, so a
 * phase must draw exactly what it drew when they were one function, or a seed stops replaying its run.
 */
export interface RunContext {
  seed: number;
  random: Random;
  note: (line: string) => void;
  server: TortureServer;
  pool: Pool;
  /** Org A as seeded: org-B devices reach for its event ids to test tenant isolation. */
  demoA: DemoOrg;
  orgs: OrgFacts[];
  orgIdOf: (key: 'A' | 'B') => string;
  devices: Device[];
  autoSync: boolean;
  stepCount: number;
  counters: { kills: number; deviceRestarts: number; serverRestarts: number; localRejected: number };
  boxOffice: BoxOfficeFacts;
  sales: BoxOfficeCounters;
  checkIn: CheckInFacts;
  /** Events created by the workload, so a step can name one the server has not seen yet. */
  created: Map<string, EventFacts & { org: 'A' | 'B' }>;
  crossOrg: CheckInput['crossOrg'];
  poison: CheckInput['poison'];
  /** Work the harness does not wait for (a sync in the background); a dead device is not an error here. */
  track: (work: Promise<unknown>) => void;
  background: Set<Promise<unknown>>;
}
