import type { OrgRole } from '@janix/schemas';

/** What a member may do inside an organization. One table, read by the server and the console alike. */
export type OrgAction =
  | 'events.read'
  | 'events.write'
  | 'devices.enroll'
  | 'devices.manage'
  | 'members.manage'
  | 'sales.sell'
  /** Give money back, or undo a sale: a cashier at the door may, a scanner may not. */
  | 'sales.refund'
  /** Hand out free tickets (comps): a decision for whoever runs the event, not the cashier. */
  | 'sales.comp'
  | 'checkin.scan'
  | DataAction;

/**
 * What a member's devices receive. These follow from what the member may do (below), so the tables and
 * columns a device replicates (replicated-tables.ts) never drift from the permission table.
 */
export type DataAction =
  | 'tickets.read'
  | 'tickets.secrets'
  /** The organization's public ticket keys and the revoked tickets: enough to verify a signed code alone. */
  | 'tickets.verify'
  | 'orders.read'
  | 'people.names'
  | 'people.contact'
  | 'people.profile';

const grants: Record<OrgRole, readonly OrgAction[]> = {
  owner: [
    'events.read',
    'events.write',
    'devices.enroll',
    'devices.manage',
    'members.manage',
    'sales.sell',
    'sales.refund',
    'sales.comp',
    'checkin.scan',
  ],
  admin: [
    'events.read',
    'events.write',
    'devices.enroll',
    'devices.manage',
    'members.manage',
    'sales.sell',
    'sales.refund',
    'sales.comp',
    'checkin.scan',
  ],
  organizer: [
    'events.read',
    'events.write',
    'devices.enroll',
    'sales.sell',
    'sales.refund',
    'sales.comp',
    'checkin.scan',
  ],
  box_office: ['events.read', 'devices.enroll', 'sales.sell', 'sales.refund', 'checkin.scan'],
  check_in: ['events.read', 'devices.enroll', 'checkin.scan'],
};

/** A data action is granted to a role holding any of these: a device holds what its member's work needs. */
const needs: Record<DataAction, readonly OrgAction[]> = {
  // Scanning admits tickets and selling issues them; both need the tickets and their secrets.
  'tickets.read': ['checkin.scan', 'sales.sell'],
  'tickets.secrets': ['checkin.scan', 'sales.sell'],
  // A scanner verifies signed codes offline, and a till checks the code it prints; both need the public keys.
  'tickets.verify': ['checkin.scan', 'sales.sell'],
  'orders.read': ['sales.sell'],
  // The name on a ticket is checked at the gate.
  'people.names': ['checkin.scan', 'sales.sell'],
  // Contact data for whoever sells (receipts, lookups); profile data for whoever runs events.
  'people.contact': ['sales.sell'],
  'people.profile': ['events.write'],
};

export function roleAllows(role: OrgRole, action: OrgAction): boolean {
  const granted = grants[role];
  if (granted.includes(action)) return true;
  const through = Object.hasOwn(needs, action) ? needs[action as DataAction] : [];
  return through.some((capability) => granted.includes(capability));
}

/**
 * Who acts when a console pushes a command: the signed-in user on a device enrolled by a member (whose
 * current role scopes the device). An action is allowed only if both roles allow it, so an owner signed in
 * on a scanner cannot create events there.
 */
export interface ActorRoles {
  userRole: OrgRole;
  deviceRole: OrgRole;
}

export function actorAllows(actor: ActorRoles, action: OrgAction): boolean {
  return roleAllows(actor.userRole, action) && roleAllows(actor.deviceRole, action);
}

/**
 * What a console offers and queues: what both its device's role and the signed-in user's role allow, as the
 * server decides. A user whose role the console has not learned yet (a session from before it kept roles) is
 * bounded by the device alone; a user who is not a member of the device's organization gets nothing.
 */
export function consoleAllows(
  device: { role: OrgRole; userRole?: OrgRole | null | undefined },
  action: OrgAction,
): boolean {
  if (device.userRole === undefined) return roleAllows(device.role, action);
  return (
    device.userRole !== null && actorAllows({ userRole: device.userRole, deviceRole: device.role }, action)
  );
}
