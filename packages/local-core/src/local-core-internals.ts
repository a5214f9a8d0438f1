import type { CommandName, EnrolledDevice } from '@janix/schemas';
import type { EventsRepository } from './replica/events-repository.ts';
import type { MetaStore } from './replica/meta-store.ts';
import type { ReplicaDb } from './replica/open-replica.ts';
import type { ServerClient } from './server-client.ts';
import type { Outbox } from './sync/outbox.ts';
import type { SyncEngine } from '@janix/sync';

export interface Replica {
  db: ReplicaDb;
  meta: MetaStore;
  events: EventsRepository;
  outbox: Outbox;
}

/** What the local router needs from the running core; the replica may be replaced when a device is wiped. */
export interface LocalCoreInternals {
  serverUrl: string;
  server: ServerClient;
  replica(): Replica;
  sync(): SyncEngine;
  /** Changes whenever replicated or pending data may have changed. */
  revision(): number;
  /** The console was just enrolled: start syncing. */
  enrolled(): void;
  /** Accepts a command locally (effect + outbox in one transaction) or throws the rule's rejection. */
  submit(device: EnrolledDevice, name: CommandName, args: unknown): { seq: number };
}
