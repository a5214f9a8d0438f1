import { z } from 'zod';

/** Roles a user holds inside one organization. */
export const orgRoleSchema = z.enum(['owner', 'admin', 'organizer', 'box_office', 'check_in']);
export type OrgRole = z.infer<typeof orgRoleSchema>;

/** Roles held across the whole platform, independent of any organization. */
export const platformRoleSchema = z.enum(['privacy_admin']);
export type PlatformRole = z.infer<typeof platformRoleSchema>;

/**
 * What a device holds besides what its role needs: 'no_attendee_data' is a scanner that verifies signed tickets
 * alone and holds no tickets, people or orders (a door staffed by a contractor, a device that may get lost).
 */
export const deviceProfileSchema = z.enum(['attendees', 'no_attendee_data']);
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;
