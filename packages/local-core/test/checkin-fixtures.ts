import { randomUUID } from 'node:crypto';
import { DEMO_OWNER_EMAIL, type DemoOrg } from '@janix/testkit';
import { latestSignInCode } from '@janix/server/testing';
import { switchableNetwork, type ConsoleSuite } from './console-fixtures.ts';
import { openLocalCore, type LocalCore } from '../src/index.ts';

export const SCANNER_EMAIL = 'scanner@janix.test';

export interface Door {
  core: LocalCore;
  network: ReturnType<typeof switchableNetwork>;
}

/**
 * A console signed in as `email` and enrolled under `name` (with the device profile given, if any), synced once.
 * Its network can be cut.
 */
export async function openDoor(
  suite: ConsoleSuite,
  name: string,
  options: { email?: string; profile?: 'attendees' | 'no_attendee_data' } = {},
): Promise<Door> {
  const network = switchableNetwork();
  const core = await openLocalCore({
    dataDir: suite.dataDir('checkin'),
    serverUrl: suite.server.url,
    autoSync: false,
    fetch: network.fetch,
  });
  suite.defer(() => core.close());
  const email = options.email ?? DEMO_OWNER_EMAIL;
  await core.caller.auth.requestCode({ email });
  await core.caller.auth.verifyCode({ email, code: await latestSignInCode(suite.server, email) });
  const [membership] = await core.caller.auth.memberships();
  await core.caller.device.enroll({ orgId: membership!.orgId, name, profile: options.profile });
  await core.syncNow();
  return { core, network };
}

/** A list admitting every ticket type of the event, open now, one entry at a time, no re-entry. */
export const openListDraft = {
  name: 'Main door',
  ticketTypeIds: [] as string[],
  validFrom: null,
  validUntil: null,
  allowReentry: false,
  allowMultipleEntries: false,
  maxEntriesPerDay: null,
  autoCheckoutAt: null,
  timeZone: 'Europe/Berlin',
};

/** Creates a list (`openListDraft` unless overridden) on the owner's console and syncs it to the server. */
export async function createList(
  owner: LocalCore,
  eventId: string,
  overrides: Partial<Parameters<LocalCore['caller']['checkin']['saveList']>[0]> = {},
): Promise<string> {
  const { listId } = await owner.caller.checkin.saveList({
    listId: randomUUID(),
    eventId,
    ...openListDraft,
    ...overrides,
  });
  await owner.syncNow();
  return listId;
}

/** The demo's tickets of an event with their holders' names (the seeder signed each secret into `demo`). */
export function ticketsOf(demo: DemoOrg, eventId: string) {
  const people = new Map(demo.people.map((person) => [person.id, person]));
  return demo.tickets
    .filter((ticket) => ticket.eventId === eventId)
    .map((ticket) => {
      const person = ticket.personId ? people.get(ticket.personId) : undefined;
      return { ...ticket, name: person ? `${person.firstName} ${person.lastName}` : null, person };
    });
}

/** Waits for something the console does after a sync on its own (fetching the seats' signed codes). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sells one ticket at the box office of `till` (an owner's console), for cash, and syncs the sale. */
export async function sellOne(
  till: LocalCore,
  eventId: string,
): Promise<{ orderId: string; ticketId: string; secret: string }> {
  const catalog = await till.caller.boxOffice.catalog({ eventId });
  const type = catalog.ticketTypes.find(
    (candidate) => candidate.window === 'open' && candidate.priceCents > 0,
  );
  if (!type) throw new Error('no ticket type of this event on sale at the box office');
  if (!(await till.caller.boxOffice.shifts.current())) {
    await till.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 5_000 });
  }
  await till.caller.boxOffice.requestSeats({ quotaId: type.quotaId, seats: 1 });
  await till.syncNow();
  await eventually(
    () => till.caller.boxOffice.catalog({ eventId }),
    (seen) => seen.quotas.some((quota) => quota.quotaId === type.quotaId && quota.left >= 1),
    'the seat’s code',
  );
  const { orderId } = await till.caller.boxOffice.sell({
    orderId: randomUUID(),
    eventId,
    lines: [{ ticketTypeId: type.id, quantity: 1 }],
    buyer: null,
    payment: { method: 'cash', tenderedCents: type.priceCents },
  });
  await till.syncNow();
  const ticket = till
    .replica()
    .db.prepare('SELECT id, secret FROM tickets WHERE order_id = ?')
    .get(orderId) as { id: string; secret: string } | undefined;
  if (!ticket) throw new Error('the sale has no ticket on the till');
  return { orderId, ticketId: ticket.id, secret: ticket.secret };
}

/** Sells one ticket like `sellOne` and refunds it (cash, from the till's shift); synced to the server. */
export async function soldAndRefunded(
  till: LocalCore,
  eventId: string,
): Promise<{ ticketId: string; secret: string }> {
  const sold = await sellOne(till, eventId);
  await till.caller.boxOffice.orders.refund({
    orderId: sold.orderId,
    auditId: randomUUID(),
    action: 'refund',
    reason: 'Cannot come',
  });
  await till.syncNow();
  return sold;
}
