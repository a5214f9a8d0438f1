import type { OrgRole } from '@janix/schemas';

/** What a member may do inside an organization. One table, read by the server and the console alike. */
export type OrgAction =
  | 'events.read'
  | 'events.write'
  | 'devices.enroll'
  | 'devices.manage'
  | 'members.manage'
  | 'sales.sell'
  | 'checkin.scan';

const grants: Record<OrgRole, readonly OrgAction[]> = {
  owner: [
    'events.read',
    'events.write',
    'devices.enroll',
    'devices.manage',
    'members.manage',
    'sales.sell',
    'checkin.scan',
  ],
  admin: [
    'events.read',
    'events.write',
    'devices.enroll',
    'devices.manage',
    'members.manage',
    'sales.sell',
    'checkin.scan',
  ],
  organizer: ['events.read', 'events.write', 'devices.enroll', 'sales.sell', 'checkin.scan'],
  box_office: ['events.read', 'devices.enroll', 'sales.sell', 'checkin.scan'],
  check_in: ['events.read', 'devices.enroll', 'checkin.scan'],
};

export function roleAllows(role: OrgRole, action: OrgAction): boolean {
  return grants[role].includes(action);
}
