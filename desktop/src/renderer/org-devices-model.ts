// The organization's devices as Settings → Devices shows them: words for profiles and states, and what each
// row offers. Online only: the list is the server's record, not a replica.
import { formatRelativeTime } from './date-time.ts';

export type DeviceProfile = 'attendees' | 'no_attendee_data';

export const DEVICE_PROFILE_LABELS: Record<DeviceProfile, string> = {
  attendees: 'Attendee data',
  no_attendee_data: 'No attendee data',
};

export const DEVICES_NEED_SERVER = 'Managing devices needs the server. It cannot be reached now.';

/** A device as `orgDevices.list` returns it. */
export interface OrgDevice {
  id: string;
  name: string;
  profile: DeviceProfile;
  lastSeenAt: string | null;
  revokedAt: string | null;
  thisConsole: boolean;
}

export interface DeviceRow {
  id: string;
  name: string;
  profile: DeviceProfile;
  profileLabel: string;
  /** "3 minutes ago", or "Never" for a device that has not sent anything yet. */
  lastSeen: string;
  state: 'Active' | 'Revoked';
  thisConsole: boolean;
  /** A revoked device keeps its row for the record; nothing more is done to it. */
  canChangeProfile: boolean;
  /** Not this console (that would erase the data under its user) and not already revoked. */
  canRevoke: boolean;
}

export function deviceRows(devices: readonly OrgDevice[], now: Date): DeviceRow[] {
  return devices.map((device) => {
    const revoked = device.revokedAt !== null;
    return {
      id: device.id,
      name: device.name,
      profile: device.profile,
      profileLabel: DEVICE_PROFILE_LABELS[device.profile],
      lastSeen: device.lastSeenAt ? formatRelativeTime(device.lastSeenAt, now) : 'Never',
      state: revoked ? 'Revoked' : 'Active',
      thisConsole: device.thisConsole,
      canChangeProfile: !revoked,
      canRevoke: !revoked && !device.thisConsole,
    };
  });
}

/** The sentence a revocation is confirmed against: what is lost, and when. */
export function revokeConfirmText(name: string): string {
  return (
    `Revoke “${name}”? It can no longer sync. The next time it reaches the server its data is erased, ` +
    'and its changes not yet synced are lost.'
  );
}

/** What saving a profile does to the device, said before it is saved. */
export function profileChangeNote(from: DeviceProfile, to: DeviceProfile): string | null {
  if (from === to) return null;
  return to === 'no_attendee_data'
    ? 'On its next sync it drops tickets, people and orders, and checks codes by signature alone.'
    : 'On its next sync it fetches tickets, people and orders again.';
}
