import { z } from 'zod';
import { deviceProfileSchema, orgRoleSchema, platformRoleSchema } from './roles.ts';
import { uuidSchema } from './ids.ts';

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'email is too long')
  .pipe(z.email({ message: 'must be an email address' }))
  .transform((email) => email.toLowerCase());

export const loginCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the sign-in code is 6 digits');

export const requestCodeInputSchema = z.object({ email: emailSchema });
export const verifyCodeInputSchema = z.object({ email: emailSchema, code: loginCodeSchema });

export const membershipSchema = z.object({
  orgId: uuidSchema,
  orgName: z.string(),
  role: orgRoleSchema,
});
export type Membership = z.infer<typeof membershipSchema>;

export const signedInUserSchema = z.object({
  id: uuidSchema,
  email: z.string(),
  displayName: z.string(),
  platformRole: platformRoleSchema.nullable(),
});
export type SignedInUser = z.infer<typeof signedInUserSchema>;

export const deviceNameSchema = z
  .string()
  .trim()
  .min(1, 'give this device a name')
  .max(80, 'name is too long');

export const enrollDeviceInputSchema = z.object({
  orgId: uuidSchema,
  name: deviceNameSchema,
  /** A scanner that should hold no attendee data says so when it enrolls; an admin may change it later. */
  profile: deviceProfileSchema.default('attendees'),
});

export const enrolledDeviceSchema = z.object({
  deviceId: uuidSchema,
  deviceToken: z.string(),
  orgId: uuidSchema,
  orgName: z.string(),
  role: orgRoleSchema,
  name: z.string(),
  /** Absent on a console enrolled before profiles: 'attendees'. */
  profile: deviceProfileSchema.optional(),
});
export type EnrolledDevice = z.infer<typeof enrolledDeviceSchema>;
