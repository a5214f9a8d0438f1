import { describe, expect, it } from 'vitest';
import { orgRoleSchema, type OrgRole } from '@janix/schemas';
import { roleAllows, type OrgAction } from './permissions.ts';

const actions: OrgAction[] = [
  'events.read',
  'events.write',
  'devices.enroll',
  'devices.manage',
  'members.manage',
  'sales.sell',
  'checkin.scan',
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
    'checkin.scan': true,
  },
  admin: {
    'events.read': true,
    'events.write': true,
    'devices.enroll': true,
    'devices.manage': true,
    'members.manage': true,
    'sales.sell': true,
    'checkin.scan': true,
  },
  organizer: {
    'events.read': true,
    'events.write': true,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': true,
    'checkin.scan': true,
  },
  box_office: {
    'events.read': true,
    'events.write': false,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': true,
    'checkin.scan': true,
  },
  check_in: {
    'events.read': true,
    'events.write': false,
    'devices.enroll': true,
    'devices.manage': false,
    'members.manage': false,
    'sales.sell': false,
    'checkin.scan': true,
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
