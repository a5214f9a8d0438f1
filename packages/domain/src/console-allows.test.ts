import { describe, expect, it } from 'vitest';
import { consoleAllows } from './permissions.ts';

describe('consoleAllows', () => {
  it('does not offer event editing to a box-office user, even on a device an owner enrolled', () => {
    expect(consoleAllows({ role: 'owner', userRole: 'box_office' }, 'events.write')).toBe(false);
    expect(consoleAllows({ role: 'owner', userRole: 'box_office' }, 'sales.sell')).toBe(true);
  });

  it('does not offer it to an owner on a scanner device either', () => {
    expect(consoleAllows({ role: 'check_in', userRole: 'owner' }, 'events.write')).toBe(false);
  });

  it('offers it when both roles allow it', () => {
    expect(consoleAllows({ role: 'owner', userRole: 'organizer' }, 'events.write')).toBe(true);
  });

  it('offers nothing to a user who is not a member of the device’s organization', () => {
    expect(consoleAllows({ role: 'owner', userRole: null }, 'events.read')).toBe(false);
  });
});
