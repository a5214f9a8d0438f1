import { deviceProfileSchema, orgRoleSchema, type DeviceProfile, type OrgRole } from '@janix/schemas';
import type { Pool } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { hashSecret } from './secrets.ts';

export interface AuthenticatedDevice {
  id: string;
  orgId: string;
  name: string;
  /** What the device replicates: the current role of the member who enrolled it. */
  role: OrgRole;
  /** Whether it holds attendee data (tickets, people, orders) at all. */
  profile: DeviceProfile;
  lastSeq: number;
}

/** The enrolled, unrevoked device a token belongs to; refuses anything else with a reason the console acts on. */
export async function authenticateDevice(pool: Pool, token: string | null): Promise<AuthenticatedDevice> {
  if (!token) {
    throw new ReasonedError({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
      message: 'This device is not enrolled.',
    });
  }
  const result = await pool.query<{
    id: string;
    org_id: string;
    name: string;
    role: string | null;
    revoked_at: Date | null;
    last_seq: number;
    profile: string;
  }>('SELECT * FROM device_for_token($1)', [hashSecret(token)]);
  const row = result.rows[0];
  if (!row) {
    throw new ReasonedError({
      code: 'UNAUTHORIZED',
      reason: 'unknown_device',
      message: 'This device is not enrolled.',
    });
  }
  if (row.revoked_at) {
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
      message: 'This device has been revoked by an administrator.',
    });
  }
  if (row.role === null) {
    // The member who enrolled it left the organization: the device goes with them.
    throw new ReasonedError({
      code: 'FORBIDDEN',
      reason: 'device_revoked',
      message: 'The member who enrolled this device no longer belongs to the organization.',
    });
  }
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    role: orgRoleSchema.parse(row.role),
    profile: deviceProfileSchema.parse(row.profile),
    lastSeq: row.last_seq,
  };
}
