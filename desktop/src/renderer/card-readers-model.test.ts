import { describe, expect, it } from 'vitest';
import {
  assignableDevices,
  assignNote,
  checkRegisterReader,
  EMPTY_REGISTER_READER_FORM,
  needsLocation,
  readerRows,
  type CardReader,
  type ReaderDevice,
} from './card-readers-model.ts';

const till: ReaderDevice = {
  id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  name: 'Till 1',
  revokedAt: null,
  thisConsole: true,
};
const office: ReaderDevice = {
  id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  name: 'Office',
  revokedAt: '2026-12-01T10:00:00Z',
  thisConsole: false,
};
const front: CardReader = {
  id: '11111111-1111-4111-8111-111111111111',
  label: 'Front desk',
  deviceId: till.id,
  deviceType: 'simulated_wisepos_e',
  serialNumber: 'SIM-1',
};
const other: CardReader = { ...front, id: '22222222-2222-4222-8222-222222222222', label: 'Aardvark' };
const spare: CardReader = {
  ...front,
  id: '44444444-4444-4444-8444-444444444444',
  label: 'Spare',
  deviceId: null,
  deviceType: null,
  serialNumber: null,
};

describe('reader rows', () => {
  it('lists the readers by name, each with its model and its till', () => {
    const elsewhere = { ...other, deviceId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' };
    expect(readerRows([spare, front, elsewhere], [till, office])).toEqual([
      expect.objectContaining({ label: 'Aardvark', deviceName: 'Device cccccccc' }),
      {
        id: front.id,
        label: 'Front desk',
        model: 'Simulated WisePOS E · SIM-1',
        deviceId: till.id,
        deviceName: 'Till 1 (this console)',
      },
      expect.objectContaining({ label: 'Spare', deviceName: 'Not assigned', model: null }),
    ]);
  });

  it('offers only devices that are not revoked, and says which reader an assignment frees', () => {
    expect(assignableDevices([till, office])).toEqual([till]);
    expect(assignNote(spare.id, till.id, [front, spare])).toBe(
      '“Front desk” is unassigned from that device: a till charges on one reader.',
    );
    expect(assignNote(front.id, till.id, [front, spare])).toBeNull();
    expect(assignNote(spare.id, null, [front, spare])).toBeNull();
  });
});

describe('register a reader', () => {
  const readerId = '55555555-5555-4555-8555-555555555555';
  const form = { ...EMPTY_REGISTER_READER_FORM, registrationCode: ' simulated-wpe ', label: 'Front desk' };

  it('needs the address for the organization’s first reader only', () => {
    expect(needsLocation([])).toBe(true);
    expect(needsLocation([other])).toBe(false);
    expect(checkRegisterReader(form, readerId, false)).toEqual({
      ok: true,
      input: { readerId, registrationCode: 'simulated-wpe', label: 'Front desk', deviceId: null },
    });
    const first = checkRegisterReader(form, readerId, true);
    expect(first.ok).toBe(false);
    expect(first.ok ? null : Object.keys(first.errors).sort()).toEqual([
      'city',
      'country',
      'displayName',
      'line1',
      'postalCode',
    ]);
    const located = checkRegisterReader(
      {
        ...form,
        deviceId: till.id,
        displayName: 'Harbour Hall',
        line1: 'Pier 9',
        city: 'Hamburg',
        postalCode: '20457',
        country: 'de',
      },
      readerId,
      true,
    );
    expect(located).toMatchObject({
      ok: true,
      input: { deviceId: till.id, location: { country: 'DE', city: 'Hamburg' } },
    });
  });

  it('says what is missing in words', () => {
    expect(checkRegisterReader(EMPTY_REGISTER_READER_FORM, readerId, false)).toEqual({
      ok: false,
      errors: {
        registrationCode: 'The registration code the reader shows is required.',
        label: 'Give the reader a name, e.g. “Front desk”.',
      },
    });
  });
});
