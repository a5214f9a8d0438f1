import type { OrgRole, ScanCode } from '@janix/schemas';
import type { ListCounts } from '../src/checkin-router.ts';
import type { FaultKind, FaultRates } from './faulty-fetch.ts';

/** How the harness starts a device process (passed as JSON in the TORTURE_DEVICE environment variable). */
export interface DeviceConfig {
  label: string;
  dataDir: string;
  serverUrl: string;
  /** Seed of this incarnation's fault stream. */
  seed: number;
  autoSync: boolean;
  pageSize: number;
  rates: FaultRates;
  faults: boolean;
  online: boolean;
}

/** Commands the harness has a device queue, through the local router as the console's screens do. */
export type CommandName =
  | 'createEvent'
  | 'updateEvent'
  | 'openShift'
  | 'requestAllocation'
  | 'sellTickets'
  | 'refundOrder'
  | 'recordCashMovement'
  | 'closeShift'
  | 'createCheckInList'
  | 'updateCheckInList'
  /** A scanned text (`text`) or a ticket picked by hand (`ticketId`) at a list's door. */
  | 'recordScan';

/** What the door showed for a scan, and the id the scan fact carries to the server. */
export interface ScanFact {
  scanId: string;
  outcome: 'admitted' | 'refused';
  code: ScanCode;
  scannedAt: string;
}

/** A console's check-in screens after quiescence: per list (null: not on this console), and alerts per event. */
export interface CheckInView {
  lists: Record<
    string,
    {
      counts: ListCounts;
      /** The latest 200 scans' ids, newest first, and how many of them are still pending. */
      recent: string[];
      pending: number;
    } | null
  >;
  alerts: Record<string, Array<{ id: string; listId: string; ticketId: string }>>;
}

/** What a box-office device holds and has sold, as the harness needs it to choose the next step. */
export interface BoxOfficeState {
  /** The shift open on this device as it sees it (pending or confirmed). */
  openShiftId: string | null;
  /** Per quota of the events asked about: seats left to sell offline, awaiting codes, and asked for. */
  held: Record<string, { left: number; awaitingCodes: number; requested: number }>;
  /** Paid orders of this device's shifts, as it sees them. */
  orders: Array<{ id: string; shiftId: string | null; paymentMethod: string | null; pending: boolean }>;
}

/** Requests from the harness; every one is answered with a `DeviceReply` carrying the same id. */
export type DeviceRequest =
  | { id: number; type: 'requestCode'; email: string }
  | { id: number; type: 'enroll'; email: string; code: string; orgId: string; name: string }
  | {
      id: number;
      type: 'submit';
      name: CommandName;
      args: Record<string, unknown>;
      direct?: boolean;
      /**
       * For `sellTickets` of one line: sell this many seats more than the device holds for the line's quota,
       * counted in the same turn as the sale (a fetch of codes cannot land in between).
       */
      overHeld?: number;
    }
  /** Straight into the outbox, past every local check: what a buggy or newer console would queue. */
  | { id: number; type: 'inject'; name: string; args: unknown }
  | { id: number; type: 'sync' }
  | { id: number; type: 'state' }
  | { id: number; type: 'boxOfficeState'; eventIds: string[] }
  | { id: number; type: 'checkInView'; listIds: string[]; eventIds: string[] }
  | { id: number; type: 'faults'; enabled: boolean }
  | { id: number; type: 'network'; online: boolean };

export type SubmitReply =
  | { accepted: true; seq: number; eventId: string; quantity?: number; scan?: ScanFact }
  /** `skipped`: an over-held sale found no open shift or no such quota here, so it was not tried. */
  | { accepted: false; code: string | null; message: string };

export interface SyncReply {
  online: boolean | null;
  lastError: string | null;
}

export interface OutboxItem {
  seq: number;
  name: string;
  args: unknown;
  attempts: number;
  lastError: string | null;
}

export interface RejectionItem {
  seq: number;
  name: string;
  code: string;
  message: string;
}

export interface DeviceState {
  deviceId: string | null;
  orgId: string | null;
  role: OrgRole | null;
  /** The replica's server-row tables, every column, ordered by id. */
  tables: Record<string, Array<Record<string, unknown>>>;
  /** Pending overlay rows, over every replicated table. */
  pendingOverlay: number;
  /** The signed slots this device holds, one entry per slot, with the order that spent it. */
  slots: Array<{ allocationId: string; slot: number; spentOrderId: string | null }>;
  outbox: OutboxItem[];
  rejections: RejectionItem[];
  lastAppliedSeq: number;
  cursor: string | null;
  sync: {
    online: boolean | null;
    lastError: string | null;
    consecutiveFailures: number;
    headVersion: number;
    updateRequired: boolean;
    signInRequired: boolean;
  };
}

export type DeviceReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Unsolicited messages from a device process. */
export type DeviceEvent = { type: 'ready' } | { type: 'fault'; kind: FaultKind; path: string };

/** Everything a device process sends the harness; both ends of the IPC channel type it from here. */
export type DeviceMessage = DeviceEvent | DeviceReply;
