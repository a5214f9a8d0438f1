import { describe, expect, it } from 'vitest';
import { orgRoleSchema, type OrgRole } from '@janix/schemas';
import { actorAllows, roleAllows, type OrgAction } from './permissions.ts';

const actions: OrgAction[] = [
  'events.read',
  'events.write',
  'devices.enroll',
  'devices.manage',
  'members.manage',
  'sales.sell',
  'sales.refund',
  'sales.comp',
  'checkin.scan',
  'tickets.read',
  'tickets.secrets',
  'tickets.verify',
  'orders.read',
  'people.names',
  'people.contact',
  'people.profile',
];

/** The intended matrix, written out in full: a change to the grants must change this table too. */
const expected: Record<OrgRole, Record<OrgAction, boolean>> = {
  owner: {
    'events.read': true,
    'events.write': true,
    'devices.enroll': true,
    'devices.manage': true,
    'members.manage': true,
    'sales.sell': true,
    'sales.refund': true,
    'sales.comp': true,
    'checkin.scan': true,
    'tickets.read': true,
    'tickets.secrets': true,
    'tickets.verify': true,
    'orders.read': true,
    'people.names': true,
    'people.contact': true,
    'people.profile': true,
  },
  admin: {
    'events.read': true,
    'events.write': true,
    'devices.enroll': true,
    'devices.manage': true,
    'members.manage': true,
    'sales.sell': true,
    'sales.refund': true,
    'sales.comp': true,
    'checkin.scan': true,
    'tickets.read': true,
    'tickets.secrets': true,
    'tickets.verify': true,
    'orders.read': true,
    'people.names': true,
    'people.contact': true,
    'people.profile': true,
  },
  organizer: {
    'events.read': true,
    'events.write': true,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': true,
    'sales.refund': true,
    'sales.comp': true,
    'checkin.scan': true,
    'tickets.read': true,
    'tickets.secrets': true,
    'tickets.verify': true,
    'orders.read': true,
    'people.names': true,
    'people.contact': true,
    'people.profile': true,
  },
  box_office: {
    'events.read': true,
    'events.write': false,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': true,
    'sales.refund': true,
    'sales.comp': false,
    'checkin.scan': true,
    'tickets.read': true,
    'tickets.secrets': true,
    'tickets.verify': true,
    'orders.read': true,
    'people.names': true,
    'people.contact': true,
    'people.profile': false,
  },
  check_in: {
    'events.read': true,
    'events.write': false,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': false,
    'sales.refund': false,
    'sales.comp': false,
    'checkin.scan': true,
    'tickets.read': true,
    'tickets.secrets': true,
    'tickets.verify': true,
    'orders.read': false,
    'people.names': true,
    'people.contact': false,
    'people.profile': false,
  },
};

describe('roleAllows', () => {
  it('the matrix covers every role there is', () => {
    expect(Object.keys(expected).sort()).toEqual([...orgRoleSchema.options].sort());
  });

  for (const role of orgRoleSchema.options) {
    for (const action of actions) {
      it(`${role} ${expected[role][action] ? 'may' : 'may not'} ${action}`, () => {
        expect(roleAllows(role, action)).toBe(expected[role][action]);
      });
    }
  }

  it('check_in cannot write events and box_office cannot manage devices', () => {
    expect(roleAllows('check_in', 'events.write')).toBe(false);
    expect(roleAllows('box_office', 'devices.manage')).toBe(false);
  });

  it('every role can read events and enroll a device; only owner and admin manage members', () => {
    for (const role of orgRoleSchema.options) {
      expect(roleAllows(role, 'events.read')).toBe(true);
      expect(roleAllows(role, 'devices.enroll')).toBe(true);
    }
    expect(orgRoleSchema.options.filter((role) => roleAllows(role, 'members.manage')).sort()).toEqual([
      'admin',
      'owner',
    ]);
  });

  it('an unknown action is never allowed', () => {
    for (const role of orgRoleSchema.options) {
      expect(roleAllows(role, 'events.delete' as OrgAction)).toBe(false);
    }
  });
});

describe('actorAllows: the lesser of the signed-in user and the device', () => {
  it('allows an action only when both roles allow it', () => {
    for (const userRole of orgRoleSchema.options) {
      for (const deviceRole of orgRoleSchema.options) {
        for (const action of actions) {
          expect(
            actorAllows({ userRole, deviceRole }, action),
            `${userRole} on ${deviceRole}: ${action}`,
          ).toBe(roleAllows(userRole, action) && roleAllows(deviceRole, action));
        }
      }
    }
    expect(actorAllows({ userRole: 'owner', deviceRole: 'check_in' }, 'events.write')).toBe(false);
    expect(actorAllows({ userRole: 'check_in', deviceRole: 'owner' }, 'events.write')).toBe(false);
    expect(actorAllows({ userRole: 'owner', deviceRole: 'organizer' }, 'events.write')).toBe(true);
  });
});

describe('what a device receives follows from what its member may do', () => {
  it('ticket secrets go to every role that may scan or sell (organizers scan too)', () => {
    for (const role of orgRoleSchema.options) {
      expect(roleAllows(role, 'tickets.secrets')).toBe(
        roleAllows(role, 'checkin.scan') || roleAllows(role, 'sales.sell'),
      );
    }
    expect(roleAllows('organizer', 'tickets.secrets')).toBe(true);
  });

  it('orders and contact data go only to roles that sell; profile data only to roles that run events', () => {
    for (const role of orgRoleSchema.options) {
      expect(roleAllows(role, 'orders.read')).toBe(roleAllows(role, 'sales.sell'));
      expect(roleAllows(role, 'people.contact')).toBe(roleAllows(role, 'sales.sell'));
      expect(roleAllows(role, 'people.profile')).toBe(roleAllows(role, 'events.write'));
    }
  });
});
