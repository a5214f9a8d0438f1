import type { TicketIssuer } from '@janix/domain';
import type { ReplicaDb } from './open-replica.ts';

/** One slot's signed secret for one ticket type, as the server hands it to the device that holds the slot. */
export interface SlotSecret {
  allocationId: string;
  slot: number;
  ticketTypeId: string;
  ticketId: string;
  secret: string;
}

/**
 * The signed secrets of this device's allocations. Only the server can sign (the organization's key never
 * leaves it), so a box office fetches them while online, when its allocation is granted, and an offline sale
 * turns slots into tickets from here. Never replicated, never sent anywhere.
 */
export function createAllocationSecrets(db: ReplicaDb) {
  const find = db.prepare<[string, number, string], { ticket_id: string; secret: string }>(
    `SELECT ticket_id, secret FROM allocation_secrets WHERE allocation_id = ? AND slot = ? AND ticket_type_id = ?`,
  );
  const insert = db.prepare(
    `INSERT INTO allocation_secrets (allocation_id, slot, ticket_type_id, ticket_id, secret)
     VALUES (@allocationId, @slot, @ticketTypeId, @ticketId, @secret) ON CONFLICT DO NOTHING`,
  );
  const countFor = db.prepare<[string], { count: number }>(
    'SELECT count(DISTINCT slot) AS count FROM allocation_secrets WHERE allocation_id = ?',
  );
  const forget = db.prepare('DELETE FROM allocation_secrets WHERE allocation_id = ?');
  return {
    /** The console's ticket issuer for command rules: a slot it holds no secret for yet gives null. */
    issuer: ((slot) => {
      const found = find.get(slot.allocationId, slot.slot, slot.ticketTypeId);
      return found ? { ticketId: found.ticket_id, secret: found.secret } : null;
    }) satisfies TicketIssuer as TicketIssuer,
    store: db.transaction((secrets: readonly SlotSecret[]) => {
      for (const secret of secrets) insert.run(secret);
    }),
    /** How many slots of an allocation this device holds secrets for. */
    slotsHeld: (allocationId: string): number => countFor.get(allocationId)?.count ?? 0,
    /** An allocation went back to the quota: its unsold secrets are worth nothing now. */
    forget: (allocationId: string): void => {
      forget.run(allocationId);
    },
  };
}
export type AllocationSecrets = ReturnType<typeof createAllocationSecrets>;
