/**
 * G4, no oversell, checked on the server after every run: each quota's counters agree with the tickets and
 * allocations behind them and never exceed its capacity, no allocation slot became two tickets, every
 * ticket's secret verifies with the organization's keys, every sale a till accepted ended applied (with its
 * tickets) or rejected (with none), and each till's own record of spent seats agrees with the server.
 */
import { createTicketSecretVerifier } from '@janix/domain/ticket-secrets';
import { loadTicketVerificationKeys } from '../../../server/src/tickets/signing-keys.ts';
import { deriveTicketId } from '../../../server/src/tickets/ticket-ids.ts';
import type { CheckInput } from './checks.ts';
import { fail } from './failure.ts';

interface QuotaRow {
  id: string;
  capacity: number;
  sold: number;
  allocated: number;
  valid_tickets: number;
  held: number;
}

interface AllocationRow {
  id: string;
  quota_id: string;
  event_id: string;
  device_id: string;
  shift_id: string | null;
  shift_status: string | null;
  shift_device: string | null;
  requested: number;
  granted: number;
  used: number;
  returned: number;
  status: string;
  tickets: number;
}

interface TicketRow {
  id: string;
  order_id: string;
  event_id: string;
  ticket_type_id: string;
  status: string;
  secret: string;
  allocation_id: string | null;
  slot: number | null;
  quota_id: string | null;
}

const show = (value: unknown) => JSON.stringify(value).slice(0, 600);

/**
 * Every quota: sold is its ticket types' valid tickets, allocated is what its allocations still hold
 * (granted - used - returned: `used` moved to sold, `returned` went back to the pool), and the two together
 * fit the capacity. Answers the quotas of `watched` with no seat left free.
 */
async function checkQuotas(input: CheckInput, orgId: string, watched: Set<string>): Promise<number> {
  const quotas = await input.pool.query<QuotaRow>(
    `SELECT q.id, q.capacity, q.sold, q.allocated,
       (SELECT count(*)::int FROM tickets t JOIN ticket_types y ON y.org_id = t.org_id AND y.id = t.ticket_type_id
        WHERE t.org_id = q.org_id AND y.quota_id = q.id AND t.status = 'valid') AS valid_tickets,
       (SELECT coalesce(sum(a.granted - a.used - a.returned), 0)::int FROM allocations a
        WHERE a.org_id = q.org_id AND a.quota_id = q.id) AS held
     FROM quotas q WHERE q.org_id = $1 ORDER BY q.id`,
    [orgId],
  );
  let soldOut = 0;
  for (const quota of quotas.rows) {
    if (quota.sold < 0 || quota.allocated < 0 || quota.sold + quota.allocated > quota.capacity) {
      fail('G4', `quota ${quota.id} is oversold: ${show(quota)}`);
    }
    if (quota.sold !== quota.valid_tickets) {
      fail('G4', `quota ${quota.id} counts ${quota.sold} sold but has ${quota.valid_tickets} valid tickets`);
    }
    if (quota.allocated !== quota.held) {
      fail(
        'G4',
        `quota ${quota.id} counts ${quota.allocated} allocated but its allocations hold ${quota.held} unsold, unreturned seats`,
      );
    }
    if (watched.has(quota.id) && quota.sold + quota.allocated === quota.capacity) soldOut += 1;
  }
  return soldOut;
}

/** Each allocation's own counters and status agree with the tickets sold from it and its shift. */
async function checkAllocations(input: CheckInput, orgId: string): Promise<Map<string, AllocationRow>> {
  const allocations = await input.pool.query<AllocationRow>(
    `SELECT a.id, a.quota_id, a.event_id, a.device_id, a.shift_id, s.status AS shift_status,
       s.device_id AS shift_device, a.requested, a.granted, a.used, a.returned, a.status,
       (SELECT count(*)::int FROM tickets t WHERE t.org_id = a.org_id AND t.allocation_id = a.id) AS tickets
     FROM allocations a LEFT JOIN shifts s ON s.org_id = a.org_id AND s.id = a.shift_id
     WHERE a.org_id = $1 ORDER BY a.id`,
    [orgId],
  );
  const byId = new Map<string, AllocationRow>();
  for (const allocation of allocations.rows) {
    byId.set(allocation.id, allocation);
    const wrong = (what: string) => fail('G4', `allocation ${allocation.id} ${what}: ${show(allocation)}`);
    if (allocation.used !== allocation.tickets)
      wrong(`counts ${allocation.used} used but sold ${allocation.tickets}`);
    if (allocation.granted > allocation.requested) wrong('granted more than was asked for');
    if (allocation.used + allocation.returned > allocation.granted)
      wrong('used and returned more than granted');
    if (allocation.shift_device !== allocation.device_id) wrong("is not held by its shift's device");
    switch (allocation.status) {
      case 'refused':
        if (allocation.granted !== 0 || allocation.used !== 0 || allocation.returned !== 0)
          wrong('is refused');
        break;
      case 'granted':
        if (allocation.granted === 0 || allocation.returned !== 0) wrong('is granted');
        // Closing a shift returns every allocation it still holds.
        if (allocation.shift_status !== 'open') wrong('is still held after its shift closed');
        break;
      case 'returned':
        if (allocation.returned !== allocation.granted - allocation.used) wrong('kept seats it returned');
        break;
      default:
        wrong(`has status ${allocation.status} on the server`);
    }
  }
  return byId;
}

/**
 * Tickets: one per slot, with the id derived from its allocation and slot, of a type of the allocation's
 * quota, sold in the allocation's shift; every secret verifies and names its own ticket; every order's
 * tickets follow its status and add up to its total.
 */
async function checkTickets(
  input: CheckInput,
  orgId: string,
  allocations: Map<string, AllocationRow>,
): Promise<TicketRow[]> {
  const tickets = await input.pool.query<TicketRow>(
    `SELECT t.id, t.order_id, t.event_id, t.ticket_type_id, t.status, t.secret, t.allocation_id, t.slot,
       y.quota_id
     FROM tickets t LEFT JOIN ticket_types y ON y.org_id = t.org_id AND y.id = t.ticket_type_id
     WHERE t.org_id = $1 ORDER BY t.id`,
    [orgId],
  );
  const verifier = createTicketSecretVerifier(await loadTicketVerificationKeys(input.pool, orgId));
  const slots = new Map<string, string>();
  for (const ticket of tickets.rows) {
    const verdict = verifier.verify(ticket.secret);
    if (!verdict.ok) fail('G4', `ticket ${ticket.id}'s secret does not verify (${verdict.reason})`);
    const { payload } = verdict;
    if (
      payload.ticketId !== ticket.id ||
      payload.eventId !== ticket.event_id ||
      payload.ticketTypeId !== ticket.ticket_type_id
    ) {
      fail('G4', `ticket ${ticket.id}'s secret is signed for another ticket: ${show(payload)}`);
    }
    if (ticket.allocation_id === null) continue;
    const key = `${ticket.allocation_id}:${ticket.slot}`;
    const other = slots.get(key);
    if (other) fail('G4', `slot ${key} was sold twice: tickets ${other} and ${ticket.id}`);
    slots.set(key, ticket.id);
    const allocation = allocations.get(ticket.allocation_id);
    if (!allocation) fail('G4', `ticket ${ticket.id} sold from unknown allocation ${ticket.allocation_id}`);
    if (ticket.slot === null || ticket.slot < 0 || ticket.slot >= allocation.granted) {
      fail('G4', `ticket ${ticket.id} is slot ${ticket.slot} of an allocation granted ${allocation.granted}`);
    }
    if (ticket.id !== deriveTicketId(ticket.allocation_id, ticket.slot)) {
      fail('G4', `ticket ${ticket.id} does not have the id of slot ${key}`);
    }
    if (ticket.quota_id !== allocation.quota_id || ticket.event_id !== allocation.event_id) {
      fail('G4', `ticket ${ticket.id} is of another quota or event than its allocation ${allocation.id}`);
    }
  }

  const orders = await input.pool.query<{
    id: string;
    status: string;
    total_cents: number;
    payment_method: string | null;
    shift_id: string | null;
    ticket_statuses: string[];
    ticket_total: number;
    allocation_shifts: Array<string | null>;
  }>(
    `SELECT o.id, o.status, o.total_cents, o.payment_method, o.shift_id,
       array_agg(t.status) AS ticket_statuses, sum(t.price_cents)::int AS ticket_total,
       array_agg(DISTINCT a.shift_id) FILTER (WHERE a.id IS NOT NULL) AS allocation_shifts
     FROM orders o JOIN tickets t ON t.org_id = o.org_id AND t.order_id = o.id
     LEFT JOIN allocations a ON a.org_id = t.org_id AND a.id = t.allocation_id
     WHERE o.org_id = $1 AND o.shift_id IS NOT NULL GROUP BY o.org_id, o.id ORDER BY o.id`,
    [orgId],
  );
  const ticketStatus: Record<string, string> = { paid: 'valid', refunded: 'refunded', void: 'void' };
  for (const order of orders.rows) {
    const expected = ticketStatus[order.status];
    if (!expected || order.ticket_statuses.some((status) => status !== expected)) {
      fail('G4', `order ${order.id} is ${order.status} with tickets ${order.ticket_statuses.join(', ')}`);
    }
    if (order.total_cents !== order.ticket_total) {
      fail('G4', `order ${order.id} totals ${order.total_cents} but its tickets ${order.ticket_total}`);
    }
    if (order.allocation_shifts.some((shift) => shift !== order.shift_id)) {
      fail(
        'G4',
        `order ${order.id} of shift ${order.shift_id} sold seats held by ${show(order.allocation_shifts)}`,
      );
    }
  }
  return tickets.rows;
}

/**
 * Every sale a till accepted ended applied, as an order with one ticket per seat, or rejected, with no order
 * at all; and each till's record of spent seats names the order the server holds for that seat.
 */
async function checkSales(
  input: CheckInput,
  orgId: string,
  allocations: Map<string, AllocationRow>,
  tickets: TicketRow[],
): Promise<void> {
  const bySlot = new Map(
    tickets
      .filter((ticket) => ticket.allocation_id)
      .map((ticket) => [`${ticket.allocation_id}:${ticket.slot}`, ticket]),
  );
  const ticketsOf = new Map<string, number>();
  for (const ticket of tickets) ticketsOf.set(ticket.order_id, (ticketsOf.get(ticket.order_id) ?? 0) + 1);
  for (const { device, state } of input.devices) {
    const org = input.orgs.find((candidate) => candidate.key === device.org)!;
    if (org.id !== orgId) continue;
    const results = await input.pool.query<{ seq: number; status: string }>(
      'SELECT seq::int AS seq, status FROM command_results WHERE device_id = $1',
      [device.deviceId],
    );
    const statusOf = new Map(results.rows.map((row) => [row.seq, row.status]));
    for (const command of device.accepted.values()) {
      if (command.name !== 'sellTickets') continue;
      const orderId = String(command.args.orderId);
      const sold = ticketsOf.get(orderId) ?? 0;
      const status = statusOf.get(command.seq);
      if (status === 'applied' && sold === 0) {
        fail('G4', `${device.label}: sale ${command.seq} was applied but order ${orderId} has no tickets`);
      }
      if (status === 'rejected' && sold > 0) {
        fail(
          'G4',
          `${device.label}: sale ${command.seq} was rejected but order ${orderId} has ${sold} tickets`,
        );
      }
    }

    const held = new Set(state.slots.map((slot) => slot.allocationId));
    for (const slot of state.slots) {
      const allocation = allocations.get(slot.allocationId);
      if (allocation?.device_id !== device.deviceId) {
        fail('G4', `${device.label} holds codes of allocation ${slot.allocationId}, which is not its own`);
      }
      if (allocation.status !== 'granted') {
        fail(
          'G4',
          `${device.label} still holds the codes of ${allocation.status} allocation ${allocation.id}`,
        );
      }
      const ticket = bySlot.get(`${slot.allocationId}:${slot.slot}`);
      if (ticket && slot.spentOrderId !== ticket.order_id) {
        fail(
          'G4',
          `${device.label}: slot ${slot.allocationId}:${slot.slot} is ticket ${ticket.id} of order ${ticket.order_id} on the server, but the till has it ${slot.spentOrderId ? `spent by ${slot.spentOrderId}` : 'unspent'}`,
        );
      }
    }
    // Once synced, a till holds the codes of every seat it was granted (fetched after each sync).
    for (const allocation of allocations.values()) {
      if (
        allocation.device_id === device.deviceId &&
        allocation.status === 'granted' &&
        !held.has(allocation.id)
      ) {
        fail('G4', `${device.label} never fetched the codes of its granted allocation ${allocation.id}`);
      }
    }
  }
}

/** G4 for every organization; answers how many of the box-office quotas ended with no seat free. */
export async function checkNoOversell(input: CheckInput): Promise<{ soldOut: number }> {
  const watched = new Set(input.boxOfficeQuotas);
  let soldOut = 0;
  for (const org of input.orgs) {
    soldOut += await checkQuotas(input, org.id, watched);
    const allocations = await checkAllocations(input, org.id);
    const tickets = await checkTickets(input, org.id, allocations);
    await checkSales(input, org.id, allocations, tickets);
  }
  return { soldOut };
}
