import { describe, expect, it } from 'vitest';
import { printerFormFrom, printerSettingsFrom, type PrinterSettingsValue } from './printer-settings-model.ts';

const defaults: PrinterSettingsValue = { paperWidthChars: 48, drawerPin: null, ticketLayout: 'a4' };

describe('printer settings form', () => {
  it('round-trips settings through the form', () => {
    const settings: PrinterSettingsValue[] = [
      defaults,
      {
        receipt: { kind: 'network', host: '192.168.1.40', port: 9100 },
        tickets: { kind: 'folder', path: '/srv/tickets' },
        paperWidthChars: 42,
        drawerPin: 5,
        ticketLayout: '80mm',
      },
      {
        ...defaults,
        receipt: { kind: 'system', name: 'EPSON_TM' },
        tickets: { kind: 'system', name: 'Office' },
      },
    ];
    for (const value of settings)
      expect(printerSettingsFrom(printerFormFrom(value))).toEqual({ ok: true, settings: value });
  });

  it('says what is missing or malformed before saving', () => {
    const form = printerFormFrom(defaults);
    expect(printerSettingsFrom({ ...form, receiptKind: 'network', port: '70000' })).toEqual({
      ok: false,
      errors: {
        host: 'Enter the printer’s IP address or host name.',
        port: 'A port is a number from 1 to 65535.',
      },
    });
    expect(printerSettingsFrom({ ...form, receiptKind: 'system', receiptQueue: 'My printer' })).toEqual({
      ok: false,
      errors: { receiptQueue: 'A queue name has no spaces, "/" or "#".' },
    });
    expect(printerSettingsFrom({ ...form, ticketsKind: 'folder' })).toMatchObject({
      ok: false,
      errors: { folder: expect.any(String) },
    });
  });

  it('uses port 9100 when the port is left empty', () => {
    const form = {
      ...printerFormFrom(defaults),
      receiptKind: 'network' as const,
      host: 'printer.local',
      port: '',
    };
    expect(printerSettingsFrom(form)).toMatchObject({ ok: true, settings: { receipt: { port: 9100 } } });
  });
});
