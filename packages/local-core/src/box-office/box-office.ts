import { randomUUID } from 'node:crypto';
import type { Buyer, EnrolledDevice, Payment } from '@janix/schemas';
import type { ReplicaDb } from '../replica/open-replica.ts';
import type { AllocationSecrets, SlotSecret } from '../replica/allocation-secrets.ts';

/** A sale as the cashier enters it; seats, ids and prices are the console's to fill in. */
export interface SaleInput {
  eventId: string;
  lines: Array<{ ticketTypeId: string; quantity: number }>;
  buyer: Omit<Buyer, 'personId'> | null;
  payment: Payment;
}

/** Seats this device holds for a quota, as the cashier sees them. */
export interface HeldSeats {
  quotaId: string;
  /** Seats left to sell offline: unspent slots of granted allocations whose codes are on this device. */
  left: number;
  /** Granted seats whose signed codes have not been fetched yet (the device was offline since). */
  awaitingCodes: number;
  /** Seats asked for and not yet answered by the server. */
  requested: number;
}

export interface BoxOfficeDeps {
  db: () => ReplicaDb;
  secrets: () => AllocationSecrets;
  now: () => Date;
  /** Queues a command (rule, local effect and outbox in one transaction) or throws the rule's refusal. */
  submit(device: EnrolledDevice, name: 'sellTickets' | 'requestAllocation', args: unknown): void;
  /** The server's signed codes of an allocation's seats; throws when the server cannot be reached. */
  fetchSlotSecrets(allocationId: string): Promise<Array<Omit<SlotSecret, 'allocationId'>>>;
  tablesChanged(tables: string[]): void;
  log(line: string): void;
}

export class SaleRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SaleRefused';
  }
}

/**
 * The box office on a console: picks the seats a sale draws from this device's allocations, keeps the
 * allocations' signed codes on the device, and asks for more seats while online. The rules themselves are
 * the domain's (`sellTickets`, `requestAllocation`); this only gathers what they need.
 */
export function createBoxOffice(deps: BoxOfficeDeps) {
  const db = () => deps.db();
  // Prepared once per replica (a wiped device opens a new one): a sale is a few milliseconds at most, and
  // preparing its statements again each time was a good part of that.
  const statementsOf = new WeakMap<ReplicaDb, ReturnType<typeof prepare>>();
  const prepare = (replica: ReplicaDb) => ({
    openShift: replica.prepare<[string], { id: string }>(
      `SELECT id FROM shifts_current WHERE device_id = ? AND status = 'open' ORDER BY opened_at DESC`,
    ),
    ticketType: replica.prepare<
      [string],
      { id: string; quota_id: string; price_cents: number; currency: string; name: string }
    >('SELECT id, quota_id, price_cents, currency, name FROM ticket_types_current WHERE id = ?'),
    // Oldest first: a slot is used once, ever, and older allocations go back to the quota first anyway.
    grantedAllocations: replica.prepare<[string, string], { id: string }>(
      `SELECT id FROM allocations_current WHERE device_id = ? AND quota_id = ? AND status = 'granted'
       ORDER BY created_at, id`,
    ),
    // Spending marks every ticket type's row of a slot, so an unspent row is an unspent slot (index
    // allocation_secrets_unspent walks exactly these, in slot order).
    unspentSlots: replica.prepare<[string, string, number], { slot: number }>(
      `SELECT slot FROM allocation_secrets
       WHERE allocation_id = ? AND ticket_type_id = ? AND spent_order_id IS NULL ORDER BY slot LIMIT ?`,
    ),
    spend: replica.prepare<[string, string, number]>(
      'UPDATE allocation_secrets SET spent_order_id = ? WHERE allocation_id = ? AND slot = ?',
    ),
  });
  const statements = () => {
    const replica = db();
    let prepared = statementsOf.get(replica);
    if (!prepared) {
      prepared = prepare(replica);
      statementsOf.set(replica, prepared);
    }
    return prepared;
  };

  function openShiftId(deviceId: string): string {
    const shift = statements().openShift.get(deviceId);
    if (!shift) throw new SaleRefused('no_open_shift', 'Open a shift on this device before selling.');
    return shift.id;
  }

  /** Free seats of a quota this device may sell now, oldest allocation first: a slot is used once, ever. */
  function freeSlots(deviceId: string, quotaId: string, ticketTypeId: string, count: number) {
    const { grantedAllocations, unspentSlots } = statements();
    const picked: Array<{ allocationId: string; slot: number }> = [];
    for (const { id } of grantedAllocations.all(deviceId, quotaId)) {
      for (const { slot } of unspentSlots.all(id, ticketTypeId, count - picked.length)) {
        picked.push({ allocationId: id, slot });
      }
      if (picked.length === count) break;
    }
    return picked;
  }

  return {
    /**
     * Records a sale: its seats are taken from this device's allocations and marked spent in the same SQLite
     * transaction as the command, so a crash never leaves a seat half-sold, and a double submit is a second
     * sale only if the cashier meant one (the screen sends each sale once, by its order id).
     */
    sell(device: EnrolledDevice, input: SaleInput, orderId: string = randomUUID()): { orderId: string } {
      const run = db().transaction(() => {
        const shiftId = openShiftId(device.deviceId);
        const lines = [];
        const slots = [];
        let currency: string | null = null;
        for (const line of input.lines) {
          const type = statements().ticketType.get(line.ticketTypeId);
          if (!type) throw new SaleRefused('not_found', 'A ticket type of this sale does not exist.');
          currency ??= type.currency;
          const picked = freeSlots(device.deviceId, type.quota_id, type.id, line.quantity);
          if (picked.length < line.quantity) {
            throw new SaleRefused(
              'allocation_exhausted',
              picked.length === 0
                ? `This device holds no seats for ${type.name}. Request seats while online.`
                : `This device holds only ${picked.length} seat${picked.length === 1 ? '' : 's'} for ${type.name}.`,
            );
          }
          lines.push({ ticketTypeId: type.id, quantity: line.quantity, unitPriceCents: type.price_cents });
          for (const slot of picked) slots.push({ ...slot, ticketTypeId: type.id });
          const { spend } = statements();
          for (const slot of picked) spend.run(orderId, slot.allocationId, slot.slot);
        }
        deps.submit(device, 'sellTickets', {
          orderId,
          eventId: input.eventId,
          shiftId,
          soldAt: deps.now().toISOString(),
          currency: currency ?? 'EUR',
          lines,
          slots,
          buyer: input.buyer ? { ...input.buyer, personId: randomUUID() } : null,
          payment: input.payment,
        });
      });
      run();
      return { orderId };
    },

    /** Asks the server for seats of a quota, for this device's open shift (applied when it is reached). */
    requestSeats(device: EnrolledDevice, quotaId: string, seats: number): { allocationId: string } {
      const allocationId = randomUUID();
      deps.submit(device, 'requestAllocation', {
        allocationId,
        quotaId,
        shiftId: openShiftId(device.deviceId),
        seats,
        at: deps.now().toISOString(),
      });
      return { allocationId };
    },

    /** What this device holds, per quota of an event. */
    heldSeats(deviceId: string, eventId: string): HeldSeats[] {
      return db()
        .prepare(
          `SELECT q.id AS quotaId,
             coalesce((SELECT count(DISTINCT s.allocation_id || ':' || s.slot) FROM allocation_secrets s
               JOIN allocations_current a ON a.id = s.allocation_id
               WHERE a.quota_id = q.id AND a.device_id = @device AND a.status = 'granted'
                 AND NOT EXISTS (SELECT 1 FROM allocation_secrets x WHERE x.allocation_id = s.allocation_id
                                 AND x.slot = s.slot AND x.spent_order_id IS NOT NULL)), 0) AS "left",
             coalesce((SELECT sum(a.granted - a.returned - a.used) FROM allocations_current a
               WHERE a.quota_id = q.id AND a.device_id = @device AND a.status = 'granted'
                 AND NOT EXISTS (SELECT 1 FROM allocation_secrets s WHERE s.allocation_id = a.id)), 0) AS awaitingCodes,
             coalesce((SELECT sum(a.requested) FROM allocations_current a
               WHERE a.quota_id = q.id AND a.device_id = @device AND a.status = 'requested'), 0) AS requested
           FROM quotas_current q WHERE q.event_id = @event ORDER BY q.name`,
        )
        .all({ device: deviceId, event: eventId }) as HeldSeats[];
    },

    /**
     * Fetches the signed codes of every granted allocation of this device that has none on it yet, and
     * forgets the codes of allocations that went back to their quota. Called after each sync; offline it
     * leaves things as they are and tries again next time.
     */
    async syncSlotSecrets(deviceId: string): Promise<void> {
      const missing = db()
        .prepare(
          `SELECT a.id FROM allocations a WHERE a.device_id = ? AND a.status = 'granted'
           AND NOT EXISTS (SELECT 1 FROM allocation_secrets s WHERE s.allocation_id = a.id)`,
        )
        .all(deviceId) as Array<{ id: string }>;
      let fetched = false;
      for (const { id } of missing) {
        try {
          const slots = await deps.fetchSlotSecrets(id);
          deps.secrets().store(slots.map((slot) => ({ ...slot, allocationId: id })));
          fetched = true;
        } catch (error) {
          deps.log(`could not fetch the codes of an allocation yet: ${(error as Error).name}`);
          break;
        }
      }
      const finished = db()
        .prepare(
          `SELECT DISTINCT s.allocation_id AS id FROM allocation_secrets s JOIN allocations a ON a.id = s.allocation_id
           WHERE a.status IN ('returned', 'refused')`,
        )
        .all() as Array<{ id: string }>;
      for (const { id } of finished) deps.secrets().forget(id);
      if (fetched || finished.length) deps.tablesChanged(['allocations']);
    },
  };
}
export type BoxOffice = ReturnType<typeof createBoxOffice>;
