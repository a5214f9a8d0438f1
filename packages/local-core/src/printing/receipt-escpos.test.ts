import CodepageEncoder, { type Codepage } from '@point-of-sale/codepage-encoder';
import { describe, expect, it } from 'vitest';
import {
  encodeReceipt,
  encodeShiftReport,
  encodeTestPage,
  PAPER_WIDTHS,
  type ReceiptDocument,
  type ShiftReportDocument,
} from './receipt-escpos.ts';

/** ESC t n numbers of Epson's code page table, written out here so the test checks the encoder's choice. */
const EPSON_CODEPAGES: Record<number, Codepage> = {
  0: 'cp437',
  14: 'cp737',
  17: 'cp866',
  18: 'cp852',
  19: 'cp858',
};

interface Printout {
  /** Printed lines, decoded through the code page in force, with how many columns each took and if any was bold. */
  lines: { text: string; columns: number; bold: boolean }[];
  commands: string[];
}

const hex = (bytes: ArrayLike<number>): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');

/**
 * Reads the bytes as a printer would, knowing only the commands a receipt may contain: any other control byte
 * (a NUL, an ESC or a code-page glyph below 0x20 leaking from the text) fails the test.
 */
function readEscPos(bytes: Uint8Array): Printout {
  const lines: Printout['lines'] = [];
  const commands: string[] = [];
  let codepage: number[] = CodepageEncoder.getCodepoints('cp437', true);
  let widthScale = 1;
  let bold = false;
  let lineBold = false;
  let text = '';
  let columns = 0;
  let i = 0;
  const take = (length: number): number[] => {
    if (i + length > bytes.length) throw new Error(`truncated command at byte ${i}`);
    const command = Array.from(bytes.subarray(i, i + length));
    commands.push(hex(command));
    i += length;
    return command;
  };
  while (i < bytes.length) {
    const byte = bytes[i]!;
    const next = bytes[i + 1];
    if (byte === 0x0a) {
      lines.push({ text, columns, bold: lineBold });
      text = '';
      columns = 0;
      lineBold = false;
      i += 1;
    } else if (byte === 0x1b && next === 0x40) take(2);
    else if (byte === 0x1c && next === 0x2e) take(2);
    else if (byte === 0x1b && next === 0x4d) take(3);
    else if (byte === 0x1b && next === 0x45) bold = take(3)[2] === 1;
    else if (byte === 0x1b && next === 0x70) take(5);
    else if (byte === 0x1d && next === 0x42) take(3);
    else if (byte === 0x1d && next === 0x56) take(3);
    else if (byte === 0x1d && next === 0x21) widthScale = (take(3)[2]! >> 4) + 1;
    else if (byte === 0x1b && next === 0x74) {
      const n = take(3)[2]!;
      const name = EPSON_CODEPAGES[n];
      if (!name) throw new Error(`ESC t ${n}: a code page this printer family may lack`);
      codepage = CodepageEncoder.getCodepoints(name, true);
    } else if (byte < 0x20 || byte === 0x7f) {
      throw new Error(`unexpected control byte ${hex([byte])} at ${i}: ${hex(bytes.subarray(i - 8, i + 8))}`);
    } else {
      text += String.fromCodePoint(codepage[byte]!);
      columns += widthScale;
      lineBold ||= bold;
      i += 1;
    }
  }
  if (text !== '') throw new Error(`text after the last line feed: ${JSON.stringify(text)}`);
  return { lines, commands };
}

const textOf = (printout: Printout): string => printout.lines.map((line) => line.text).join('\n');

const ORGANIZATION = { currency: 'EUR', locale: 'en-GB', organizationName: 'Janix Theatre' };

function sale(overrides: Partial<ReceiptDocument> = {}): ReceiptDocument {
  return {
    ...ORGANIZATION,
    kind: 'sale',
    timeZone: 'Europe/Paris',
    eventName: 'Spring Gala',
    orderCode: 'Q7K2M',
    at: '2026-03-12T18:05:00Z',
    lines: [
      {
        ticketTypeName: 'Adult',
        quantity: 2,
        unitPriceCents: 1200,
        totalCents: 2400,
        taxRateBp: 2000,
        taxCents: 400,
      },
      {
        ticketTypeName: 'Child',
        quantity: 1,
        unitPriceCents: 800,
        totalCents: 800,
        taxRateBp: 1000,
        taxCents: 73,
      },
    ],
    totalCents: 3200,
    payment: { method: 'cash', tenderedCents: 5000, changeCents: 1800 },
    cashier: 'Alice Martin',
    deviceName: 'Box office 1',
    ...overrides,
  };
}

function shift(overrides: Partial<ShiftReportDocument> = {}): ShiftReportDocument {
  return {
    ...ORGANIZATION,
    kind: 'Z',
    timeZone: 'UTC',
    deviceName: 'Box office 1',
    cashier: 'Alice Martin',
    shiftId: 'shf_01J8',
    openedAt: '2026-03-12T17:00:00Z',
    closedAt: '2026-03-12T23:10:00Z',
    printedAt: '2026-03-12T23:11:00Z',
    floatCents: 10000,
    salesByMethod: [
      { method: 'cash', orders: 12, amountCents: 24000 },
      { method: 'terminal', orders: 3, amountCents: 6000 },
      { method: 'comp', orders: 2, amountCents: 0 },
    ],
    salesByTicketType: [
      { ticketTypeName: 'Adult', quantity: 20, amountCents: 24000 },
      { ticketTypeName: 'Child', quantity: 7, amountCents: 5600 },
    ],
    refunds: { orders: 1, amountCents: 1200 },
    voids: { orders: 0, amountCents: 0 },
    comps: { orders: 2, tickets: 3 },
    cashMovements: [
      { kind: 'paid_in', amountCents: 1000, reason: 'Change from bar' },
      { kind: 'paid_out', amountCents: 500, reason: 'Taxi for artist' },
    ],
    expectedCashCents: 33300,
    countedCents: 32800,
    ...overrides,
  };
}

/** Strings people do type into names: emoji, NUL, ESC, RTL, CJK, lone surrogates, combining marks, huge. */
const HOSTILE = [
  'Concert 😀🎉👨‍👩‍👧',
  'NUL\u0000inside\u0007bell\u001b@reset\u001dV\u0000cut',
  'שלום עולם مرحبا',
  '王小明 さくら',
  'lone \ud800 surrogate \udfff',
  'Zoe\u0301 e\u0308\u0308 \u202eevil\u202c \u200b\ufeff',
  '•§¶☺♥ ↑↓ ⌂',
  'x'.repeat(5000),
  `${'Supercalifragilistic '.repeat(300)}end`,
  '\t\n\r  \u00a0\u2028 ',
];

describe('encodeReceipt', () => {
  it('starts with ESC @, feeds and cuts at the end, and opens no drawer unless asked', () => {
    const bytes = encodeReceipt(sale(), { paperWidthChars: 42 });
    expect(hex(bytes.subarray(0, 2))).toBe('1B 40');
    const printout = readEscPos(bytes);
    expect(printout.commands.filter((c) => c.startsWith('1B 70'))).toEqual([]);
    expect(hex(bytes)).toMatch(/0A 0A 0A 0A 1D 56 00( 0A)?$/);
    expect(printout.commands.filter((c) => c.startsWith('1D 56'))).toEqual(['1D 56 00']);
  });

  it('leaves the cut out when asked', () => {
    const printout = readEscPos(encodeReceipt(sale(), { paperWidthChars: 42, cut: false }));
    expect(printout.commands.some((c) => c.startsWith('1D 56'))).toBe(false);
  });

  it.each([
    [2, '1B 70 00 19 FA'],
    [5, '1B 70 01 19 FA'],
  ] as const)('kicks the drawer on pin %i with exactly %s, right after init', (pin, kick) => {
    const bytes = encodeReceipt(sale(), { paperWidthChars: 42, kickDrawerPin: pin });
    const printout = readEscPos(bytes);
    expect(printout.commands.filter((c) => c.startsWith('1B 70'))).toEqual([kick]);
    expect(hex(bytes)).toContain(`1B 40 1C 2E 1B 4D 00 ${kick}`);
  });

  it('prints the sale: names, order, lines with unit and line price, total, tax per rate, cash, people', () => {
    const text = textOf(readEscPos(encodeReceipt(sale(), { paperWidthChars: 42 })));
    expect(text).toContain('Janix');
    expect(text).toContain('Spring Gala');
    expect(text).toMatch(/^Order +Q7K2M$/m);
    expect(text).toMatch(/^Date +12 Mar 2026, 19:05$/m);
    expect(text).toMatch(/^Adult +€24\.00\n {2}2 x €12\.00$/m);
    expect(text).toMatch(/^Child +€8\.00\n {2}1 x €8\.00$/m);
    expect(text).toMatch(/^TOTAL +€32\.00$/m);
    expect(text).toMatch(/^incl\. tax 20% +€4\.00\nincl\. tax 10% +€0\.73$/m);
    expect(text).toMatch(/^Payment +Cash$/m);
    expect(text).toMatch(/^Tendered +€50\.00$/m);
    expect(text).toMatch(/^Change +€18\.00$/m);
    expect(text).toContain('Cashier: Alice Martin');
    expect(text).toContain('Device: Box office 1');
    expect(text).not.toMatch(/REFUND|VOID/);
  });

  it('sums tax per rate across lines and leaves zero-rated lines out', () => {
    const lines = [
      {
        ticketTypeName: 'A',
        quantity: 1,
        unitPriceCents: 1000,
        totalCents: 1000,
        taxRateBp: 550,
        taxCents: 52,
      },
      {
        ticketTypeName: 'B',
        quantity: 1,
        unitPriceCents: 2000,
        totalCents: 2000,
        taxRateBp: 550,
        taxCents: 104,
      },
      { ticketTypeName: 'C', quantity: 1, unitPriceCents: 500, totalCents: 500, taxRateBp: 0, taxCents: 0 },
    ];
    const text = textOf(
      readEscPos(encodeReceipt(sale({ lines, totalCents: 3500 }), { paperWidthChars: 32 })),
    );
    expect(text.match(/incl\. tax/g)).toHaveLength(1);
    expect(text).toMatch(/^incl\. tax 5\.5% +€1\.56$/m);
  });

  it('heads refunds and voids, with the reason, and no tendered or change', () => {
    for (const [kind, header, total] of [
      ['refund', '*** REFUND ***', 'REFUNDED'],
      ['void', '*** VOID ***', 'VOIDED'],
    ] as const) {
      const printout = readEscPos(
        encodeReceipt(sale({ kind, reason: 'Show cancelled' }), { paperWidthChars: 32 }),
      );
      const heading = printout.lines.find((line) => line.text.includes(header));
      expect(heading?.bold).toBe(true);
      expect(heading!.columns).toBeLessThanOrEqual(32);
      const text = textOf(printout);
      expect(text).toMatch(new RegExp(`^${total} +€32\\.00$`, 'm'));
      expect(text).toContain('Reason: Show cancelled');
      expect(text).not.toContain('Tendered');
    }
  });

  it('prints the comp reason and the terminal reference', () => {
    const comp = textOf(
      readEscPos(
        encodeReceipt(sale({ payment: { method: 'comp', compReason: 'Press' } }), { paperWidthChars: 32 }),
      ),
    );
    expect(comp).toMatch(/^Payment +Complimentary$/m);
    expect(comp).toContain('Comp reason: Press');
    const terminal = textOf(
      readEscPos(
        encodeReceipt(sale({ payment: { method: 'terminal', reference: 'pi_3Nabc' } }), {
          paperWidthChars: 32,
        }),
      ),
    );
    expect(terminal).toMatch(/^Payment +Card terminal$/m);
    expect(terminal).toContain('Terminal ref: pi_3Nabc');
  });

  it.each(PAPER_WIDTHS)('keeps every line within %i columns, double-size headings counted twice', (width) => {
    const long = 'The Extraordinarily Long Annual Midsummer Festival of Chamber Music and Friends';
    const doc = sale({
      organizationName: long,
      eventName: long.repeat(3),
      lines: [{ ...sale().lines[0]!, ticketTypeName: long }],
      kind: 'refund',
      reason: long,
    });
    const printout = readEscPos(encodeReceipt(doc, { paperWidthChars: width }));
    for (const line of printout.lines) expect(line.columns, line.text).toBeLessThanOrEqual(width);
    expect(printout.lines.some((line) => line.columns === width)).toBe(true);
    expect(textOf(printout)).toContain('...');
  });

  it('prints accented Latin, Polish, Cyrillic, Greek and € through code page switches', () => {
    const doc = sale({ cashier: 'Zoë Łódź Жанна Ωμέγα', eventName: 'Café € Straße' });
    const text = textOf(readEscPos(encodeReceipt(doc, { paperWidthChars: 48 })));
    expect(text).toContain('Cashier: Zoë Łódź Жанна Ωμέγα');
    expect(text).toContain('Café € Straße');
  });

  it('never throws and never leaks a control byte, whatever the names hold', () => {
    for (const width of PAPER_WIDTHS) {
      for (const name of HOSTILE) {
        const doc = sale({
          organizationName: name,
          eventName: name,
          orderCode: name,
          cashier: name,
          deviceName: name,
          reason: name,
          kind: 'void',
          lines: [{ ...sale().lines[0]!, ticketTypeName: name }],
          payment: { method: 'comp', compReason: name },
        });
        const printout = readEscPos(encodeReceipt(doc, { paperWidthChars: width }));
        for (const line of printout.lines) expect(line.columns).toBeLessThanOrEqual(width);
        expect(printout.lines.length).toBeLessThan(60);
      }
    }
  });

  it('replaces what the printer cannot print, and one emoji run is one ?', () => {
    const text = textOf(readEscPos(encodeReceipt(sale({ cashier: HOSTILE[0]! }), { paperWidthChars: 48 })));
    expect(text).toContain('Cashier: Concert ?');
    const symbols = textOf(
      readEscPos(encodeReceipt(sale({ cashier: '“Quote” • 5–6 … ©' }), { paperWidthChars: 48 })),
    );
    expect(symbols).toContain('Cashier: "Quote" * 5-6 ... ©');
  });

  it('formats other currencies and locales, and falls back instead of throwing on bad ones', () => {
    const yen = textOf(
      readEscPos(
        encodeReceipt(sale({ currency: 'JPY', totalCents: 3200, locale: 'en-US' }), { paperWidthChars: 42 }),
      ),
    );
    expect(yen).toMatch(/^TOTAL +¥3,200$/m);
    const german = textOf(readEscPos(encodeReceipt(sale({ locale: 'de-DE' }), { paperWidthChars: 42 })));
    expect(german).toMatch(/^TOTAL +32,00 €$/m);
    const broken = sale({
      currency: 'NOT A CODE',
      locale: 'zz-!!',
      timeZone: 'Mars/Olympus',
      at: 'yesterday',
    });
    const text = textOf(readEscPos(encodeReceipt(broken, { paperWidthChars: 42 })));
    expect(text).toMatch(/^TOTAL +32\.00 NOT A CODE$/m);
    expect(text).toMatch(/^Date +yesterday$/m);
  });
});

describe('encodeShiftReport', () => {
  it('prints a Z report: float, sales by method and type, refunds, comps, paid in/out, expected, counted, short', () => {
    const printout = readEscPos(encodeShiftReport(shift(), { paperWidthChars: 42, kickDrawerPin: 5 }));
    expect(printout.commands).toContain('1B 70 01 19 FA');
    const text = textOf(printout);
    expect(text).toContain('Z REPORT');
    expect(text).toMatch(/^Opened +12 Mar 2026, 17:00$/m);
    expect(text).toMatch(/^Closed +12 Mar 2026, 23:10$/m);
    expect(text).toMatch(/^Cash \(12\) +€240\.00$/m);
    expect(text).toMatch(/^Card terminal \(3\) +€60\.00$/m);
    expect(text).toMatch(/^Complimentary \(2\) +€0\.00$/m);
    expect(text).toMatch(/^20 x Adult +€240\.00$/m);
    expect(text).toMatch(/^Refunds \(1\) +-€12\.00$/m);
    expect(text).toContain('Comps: 2 orders, 3 tickets');
    expect(text).toMatch(/^Float +€100\.00$/m);
    expect(text).toMatch(/^Paid in: Change from bar +€10\.00$/m);
    expect(text).toMatch(/^Paid out: Taxi for artist +-€5\.00$/m);
    expect(text).toMatch(/^Expected in drawer +€333\.00$/m);
    expect(text).toMatch(/^Counted +€328\.00$/m);
    expect(text).toMatch(/^Short +-€5\.00$/m);
  });

  it('prints an X report of an open shift without counted or over/short, and says "Over" for a surplus', () => {
    const x = textOf(
      readEscPos(
        encodeShiftReport(shift({ kind: 'X', closedAt: null, countedCents: null }), { paperWidthChars: 32 }),
      ),
    );
    expect(x).toContain('X REPORT');
    expect(x).not.toMatch(/Closed|Counted|Short|Over/);
    const over = textOf(
      readEscPos(encodeShiftReport(shift({ countedCents: 33350 }), { paperWidthChars: 32 })),
    );
    expect(over).toMatch(/^Over +\+€0\.50$/m);
  });

  it.each(PAPER_WIDTHS)('stays within %i columns with hostile names', (width) => {
    for (const name of HOSTILE) {
      const doc = shift({
        organizationName: name,
        cashier: name,
        deviceName: name,
        shiftId: name,
        salesByTicketType: [{ ticketTypeName: name, quantity: 1, amountCents: 100 }],
        cashMovements: [{ kind: 'paid_out', amountCents: 100, reason: name }],
      });
      for (const line of readEscPos(encodeShiftReport(doc, { paperWidthChars: width })).lines) {
        expect(line.columns).toBeLessThanOrEqual(width);
      }
    }
  });
});

describe('encodeTestPage', () => {
  it('prints a ruler exactly as wide as the paper', () => {
    for (const width of PAPER_WIDTHS) {
      const printout = readEscPos(
        encodeTestPage('Box office 1', { paperWidthChars: width, kickDrawerPin: 2 }),
      );
      const ruler = printout.lines.find((line) => line.text.startsWith('1234567890'));
      expect(ruler?.columns).toBe(width);
      expect(printout.commands).toContain('1B 70 00 19 FA');
    }
  });
});
