import { roleAllows, type OrgAction } from '@janix/domain';
import type { OrgRole } from '@janix/schemas';

/**
 * What the screens offer: what both the device's role and the signed-in user's role allow (the lesser of the
 * two decides, as on the server). A user whose role the console has not learned yet (a session from before)
 * is bounded by the device alone; a user who is not a member of the device's organization gets nothing.
 */
export function consoleAllows(
  device: { role: OrgRole; userRole?: OrgRole | null | undefined },
  action: OrgAction,
): boolean {
  if (!roleAllows(device.role, action)) return false;
  if (device.userRole === undefined) return true;
  return device.userRole !== null && roleAllows(device.userRole, action);
}
