import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrgRole } from '@janix/schemas';
import type { FaultKind, FaultRates } from './faulty-fetch.ts';
import type {
  BoxOfficeState,
  CheckInView,
  CommandName,
  DeviceConfig,
  DeviceMessage,
  DeviceRequest,
  DeviceState,
  SubmitReply,
  SyncReply,
} from './protocol.ts';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const entry = join(here, 'device-process.ts');

/** The device process went away (kill -9) before it answered. */
export class DeviceGone extends Error {
  constructor(label: string) {
    super(`${label} exited before answering`);
  }
}

export interface AcceptedCommand {
  seq: number;
  /** A command name, or whatever a poison command was injected with. */
  name: string;
  args: Record<string, unknown>;
  eventId: string;
  /** The harness never saw the reply (kill -9 mid-submit); confirmed from the device's disk after restart. */
  confirmedAfterKill?: boolean;
}

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
type Outgoing = Distribute<DeviceRequest>;

/**
 * The harness's handle on one console: forks its process, talks to it over IPC, kills it with SIGKILL and
 * starts it again on the same data directory. Keeps what the harness knows about its commands.
 */
export class Device {
  readonly label: string;
  readonly org: 'A' | 'B';
  readonly role: OrgRole;
  readonly email: string;
  readonly dataDir: string;
  readonly autoSync: boolean;
  readonly pageSize: number;
  readonly rates: FaultRates;
  private readonly seedOf: (incarnation: number) => number;
  private readonly onFault: (kind: FaultKind, path: string) => void;

  child: ChildProcess | null = null;
  incarnation = 0;
  deviceId: string | null = null;
  faults = false;
  online = true;
  /** Every command the device is known to have accepted, by sequence number. */
  readonly accepted = new Map<number, AcceptedCommand>();
  /** A submit whose reply was lost to a kill: it may or may not have committed. */
  maybe: { name: string; args: Record<string, unknown> } | null = null;
  localRejections = 0;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  private output: string[] = [];

  constructor(options: {
    label: string;
    org: 'A' | 'B';
    role: OrgRole;
    email: string;
    dataDir: string;
    autoSync: boolean;
    pageSize: number;
    rates: FaultRates;
    seedOf: (incarnation: number) => number;
    onFault: (kind: FaultKind, path: string) => void;
  }) {
    this.label = options.label;
    this.org = options.org;
    this.role = options.role;
    this.email = options.email;
    this.dataDir = options.dataDir;
    this.autoSync = options.autoSync;
    this.pageSize = options.pageSize;
    this.rates = options.rates;
    this.seedOf = options.seedOf;
    this.onFault = options.onFault;
  }

  get alive(): boolean {
    return this.child !== null;
  }

  get highestAccepted(): number {
    return Math.max(0, ...this.accepted.keys());
  }

  /** What the device printed lately (stderr and stdout), for a failure report. */
  recentOutput(): string {
    return this.output.join('').slice(-4000);
  }

  async start(serverUrl: string): Promise<void> {
    if (this.child) throw new Error(`${this.label} is already running`);
    this.incarnation += 1;
    const config: DeviceConfig = {
      label: this.label,
      dataDir: this.dataDir,
      serverUrl,
      seed: this.seedOf(this.incarnation),
      autoSync: this.autoSync,
      pageSize: this.pageSize,
      rates: this.rates,
      faults: this.faults,
      online: this.online,
    };
    const child = fork(entry, [], {
      cwd: packageDir,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, TORTURE_DEVICE: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output = this.output.slice(-100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label} did not start in 60 s`)), 60_000);
      child.on('message', (message: DeviceMessage) => {
        if ('type' in message) {
          if (message.type === 'ready') {
            clearTimeout(timer);
            resolve();
          } else if (message.type === 'fault') this.onFault(message.kind, message.path);
          return;
        }
        const waiter = this.waiting.get(message.id);
        if (!waiter) return;
        this.waiting.delete(message.id);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new Error(`${this.label}: ${message.error}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = null;
        for (const waiter of this.waiting.values()) waiter.reject(new DeviceGone(this.label));
        this.waiting.clear();
        reject(new Error(`${this.label} exited (${signal ?? code}) while starting:\n${this.recentOutput()}`));
      });
    });
    await ready;
  }

  private request<T>(message: Outgoing, timeoutMs = 120_000): Promise<T> {
    const child = this.child;
    if (!child) return Promise.reject(new DeviceGone(this.label));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.label}: no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ ...message, id } as DeviceRequest, (error) => {
        const waiter = error ? this.waiting.get(id) : undefined;
        if (!waiter) return;
        this.waiting.delete(id);
        waiter.reject(new DeviceGone(this.label));
      });
    });
  }

  requestCode(email: string): Promise<unknown> {
    return this.request({ type: 'requestCode', email });
  }

  async enroll(code: string, orgId: string): Promise<void> {
    const enrolled = await this.request<{ deviceId: string }>({
      type: 'enroll',
      email: this.email,
      code,
      orgId,
      name: this.label,
    });
    this.deviceId = enrolled.deviceId;
  }

  submit(
    name: CommandName,
    args: Record<string, unknown>,
    options: { direct?: boolean; overHeld?: number } = {},
  ): Promise<SubmitReply> {
    return this.request({ type: 'submit', name, args, ...options });
  }

  boxOfficeState(eventIds: string[]): Promise<BoxOfficeState> {
    return this.request({ type: 'boxOfficeState', eventIds });
  }

  checkInView(listIds: string[], eventIds: string[]): Promise<CheckInView> {
    return this.request({ type: 'checkInView', listIds, eventIds });
  }

  /** Queues a command past every local check (see protocol.ts `inject`). */
  inject(name: string, args: unknown): Promise<SubmitReply> {
    return this.request({ type: 'inject', name, args });
  }

  sync(): Promise<SyncReply> {
    return this.request({ type: 'sync' });
  }

  state(): Promise<DeviceState> {
    return this.request({ type: 'state' });
  }

  async setFaults(enabled: boolean): Promise<void> {
    this.faults = enabled;
    if (this.child) await this.request({ type: 'faults', enabled });
  }

  async setOnline(online: boolean): Promise<void> {
    this.online = online;
    if (this.child) await this.request({ type: 'network', online });
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
