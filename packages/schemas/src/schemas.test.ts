import { describe, expect, it } from 'vitest';
import {
  emailSchema,
  enrollDeviceInputSchema,
  eventDraftSchema,
  int4Schema,
  isoDateTimeSchema,
  loginCodeSchema,
  pullInputSchema,
  pushInputSchema,
  storableTextSchema,
} from './index.ts';

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
    // A name this build does not know is no reason to refuse the batch: it is rejected per command.
    expect(
      pushInputSchema.safeParse({ ...header, commands: [{ ...command, name: 'dropTables' }] }).success,
    ).toBe(true);
    expect(pushInputSchema.safeParse({ ...header, commands: [{ ...command, name: 7 }] }).success).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: '' }).success).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: 'x'.repeat(5000) }).success).toBe(false);
    expect(pullInputSchema.safeParse({ ...header, cursor: null, resync: ['invoices'] }).success).toBe(false);
    expect(pullInputSchema.parse({ ...header, cursor: null }).limit).toBe(2000);
  });

  it('refuses text, numbers and date-times Postgres cannot store as the console holds them', () => {
    expect(storableTextSchema.safeParse('Jazz \ud83c\udfb7 Night').success).toBe(true);
    for (const text of ['a\u0000b', '\u0000', 'x\ud800', '\udc00x', '\ud800\ud800']) {
      expect(storableTextSchema.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
    expect(int4Schema.safeParse(2_147_483_647).success).toBe(true);
    expect(int4Schema.safeParse(2_147_483_648).success).toBe(false);
    expect(int4Schema.safeParse(-2_147_483_649).success).toBe(false);
    expect(isoDateTimeSchema.safeParse('1970-01-01T00:00:00Z').success).toBe(true);
    expect(isoDateTimeSchema.safeParse('9999-12-31T23:59:59.999Z').success).toBe(true);
    expect(isoDateTimeSchema.safeParse('2026-12-01T19:00:00+14:00').success).toBe(true);
    for (const at of [
      '1969-12-31T23:59:59Z',
      '9999-12-31T23:00:00-01:00',
      '0000-01-01T00:00:00Z',
      '2026-12-01T19:00:00+15:00',
      '2026-12-01T19:00:00-23:59',
      '2026-02-30T19:00:00Z',
    ]) {
      expect(isoDateTimeSchema.safeParse(at).success, at).toBe(false);
    }
  });

  it('enrolls a device with attendee data unless it asks for none', () => {
    const input = { orgId: '6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f', name: 'Gate 1' };
    expect(enrollDeviceInputSchema.parse(input).profile).toBe('attendees');
    expect(enrollDeviceInputSchema.parse({ ...input, profile: 'no_attendee_data' }).profile).toBe(
      'no_attendee_data',
    );
    expect(enrollDeviceInputSchema.safeParse({ ...input, profile: 'everything' }).success).toBe(false);
  });
});
