import { z } from 'zod';

/** Roles a user holds inside one organization. */
export const orgRoleSchema = z.enum(['owner', 'admin', 'organizer', 'box_office', 'check_in']);
export type OrgRole = z.infer<typeof orgRoleSchema>;

/** Roles held across the whole platform, independent of any organization. */
export const platformRoleSchema = z.enum(['privacy_admin']);
export type PlatformRole = z.infer<typeof platformRoleSchema>;
