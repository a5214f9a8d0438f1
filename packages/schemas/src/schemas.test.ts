import { describe, expect, it } from 'vitest';
import { emailSchema, eventDraftSchema, loginCodeSchema, pullInputSchema, pushInputSchema } from './index.ts';

describe('boundary schemas', () => {
  it('normalises email addresses and refuses what is not one', () => {
    expect(emailSchema.parse('  Dana@Example.COM ')).toBe('dana@example.com');
    expect(emailSchema.safeParse('dana@').success).toBe(false);
    expect(emailSchema.safeParse(`${'a'.repeat(250)}@x.io`).success).toBe(false);
  });

  it('accepts only six-digit codes', () => {
    expect(loginCodeSchema.safeParse('012345').success).toBe(true);
    expect(loginCodeSchema.safeParse('12345').success).toBe(false);
    expect(loginCodeSchema.safeParse('12345a').success).toBe(false);
  });

  it('requires date-times with an offset for events', () => {
    const draft = {
      name: 'Gala',
      venue: '',
      startsAt: '2026-12-01T19:00:00Z',
      endsAt: '2026-12-01T23:00:00+01:00',
      status: 'draft',
    };
    expect(eventDraftSchema.safeParse(draft).success).toBe(true);
    expect(eventDraftSchema.safeParse({ ...draft, startsAt: '2026-12-01 19:00' }).success).toBe(false);
    expect(eventDraftSchema.safeParse({ ...draft, name: '   ' }).success).toBe(false);
  });

  it('bounds sync messages', () => {
    const command = { seq: 1, name: 'createEvent', args: {}, clientTime: '2026-12-01T19:00:00Z' };
    const header = { protocolVersion: 1, schemaVersion: 1 };
    expect(pushInputSchema.safeParse({ ...header, commands: [] }).success).toBe(false);
    expect(pushInputSchema.safeParse({ ...header, commands: Array(101).fill(command) }).success).toBe(false);
    expect(
      pushInputSchema.safeParse({ ...header, commands: [{ ...command, name: 'dropTables' }] }).success,
    ).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: '' }).success).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: 'x'.repeat(5000) }).success).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: null, resync: ['payments'] }).success).toBe(false);
    expect(pullInputSchema.parse({ ...header, cursor: null }).limit).toBe(2000);
  });
});
