import type { OrgRole } from '@janix/schemas';

export const ORG_ROLE_LABELS: Readonly<Record<OrgRole, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  organizer: 'Organizer',
  box_office: 'Box office',
  check_in: 'Check-in',
};
