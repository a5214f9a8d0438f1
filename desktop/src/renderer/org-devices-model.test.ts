import { describe, expect, it } from 'vitest';
import { deviceRows, profileChangeNote, revokeConfirmText, type OrgDevice } from './org-devices-model.ts';

const now = new Date('2026-12-07T12:00:00Z');
const device = (overrides: Partial<OrgDevice>): OrgDevice => ({
  id: 'a',
  name: 'Till 1',
  profile: 'attendees',
  lastSeenAt: null,
  revokedAt: null,
  thisConsole: false,
  ...overrides,
});

describe('the devices of the organization', () => {
  it('says profiles, last contact and state in words', () => {
    const [till, door, old] = deviceRows(
      [
        device({ lastSeenAt: '2026-12-07T11:57:00Z' }),
        device({ id: 'b', name: 'Gate', profile: 'no_attendee_data' }),
        device({ id: 'c', name: 'Old till', revokedAt: '2026-12-01T10:00:00Z' }),
      ],
      now,
    );
    expect(till).toMatchObject({ profileLabel: 'Attendee data', lastSeen: '3 minutes ago', state: 'Active' });
    expect(door).toMatchObject({ profileLabel: 'No attendee data', lastSeen: 'Never', state: 'Active' });
    expect(old).toMatchObject({ state: 'Revoked', canRevoke: false, canChangeProfile: false });
  });

  it('never offers to revoke this console', () => {
    const [self, other] = deviceRows([device({ thisConsole: true }), device({ id: 'b' })], now);
    expect(self).toMatchObject({ thisConsole: true, canRevoke: false, canChangeProfile: true });
    expect(other).toMatchObject({ thisConsole: false, canRevoke: true });
  });

  it('names the device and what is lost before revoking', () => {
    const text = revokeConfirmText('Till 1');
    expect(text).toContain('“Till 1”');
    expect(text).toContain('erased');
    expect(text).toContain('not yet synced are lost');
  });

  it('says what a profile change does, and nothing when it does not change', () => {
    expect(profileChangeNote('attendees', 'attendees')).toBeNull();
    expect(profileChangeNote('attendees', 'no_attendee_data')).toContain('drops tickets, people and orders');
    expect(profileChangeNote('no_attendee_data', 'attendees')).toContain('fetches');
  });
});
