import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import {
  dateTimeFormatter,
  fitLines,
  moneyFormatter,
  percentFormatter,
  RECEIPT_CHARSET,
  RECEIPT_CODEPAGES,
  toPrintable,
  type PrintFormatting,
  type ReceiptLine,
} from '@janix/documents';

export type { PrintFormatting } from '@janix/documents';

/**
 * Receipts and shift reports as raw ESC/POS bytes, for an 80 mm or 58 mm thermal printer reached over TCP or
 * a raw OS queue (printer-delivery.ts). The layout is done here, line by line in fixed columns, so the
 * encoder never wraps on its own and what a line holds is decided (and tested) in one place.
 */

export const PAPER_WIDTHS = [32, 42, 48] as const;
/** Characters per line in the printer's default font: 32 on 58 mm paper, 42 or 48 on 80 mm. */
export type PaperWidthChars = (typeof PAPER_WIDTHS)[number];
/** The connector pin of the printer's drawer port the cash drawer hangs on. */
export type DrawerPin = 2 | 5;

export interface EscPosOptions {
  paperWidthChars: PaperWidthChars;
  /** Open the cash drawer on this pin as printing starts; null or absent leaves it shut. */
  kickDrawerPin?: DrawerPin | null;
  /** Feed past the cutter and cut at the end (default true). */
  cut?: boolean;
}

export type PaymentMethod = 'cash' | 'comp' | 'terminal' | 'card';

export type ReceiptPayment =
  | { method: 'cash'; tenderedCents: number | null; changeCents: number | null }
  | { method: 'comp'; compReason: string }
  | { method: 'terminal'; reference: string | null }
  | { method: 'card'; reference: string | null };

/** One ticket type of an order; prices are gross (tax included), tax is the part recorded on its tickets. */
export type { ReceiptLine } from '@janix/documents';

export interface ReceiptDocument extends PrintFormatting {
  /** 'refund' and 'void' print a header saying so, and the reason. */
  kind: 'sale' | 'refund' | 'void';
  organizationName: string;
  eventName: string;
  orderCode: string;
  /** When the sale (or the refund or void) happened: a Date or an ISO 8601 string. */
  at: Date | string;
  lines: ReceiptLine[];
  totalCents: number;
  payment: ReceiptPayment;
  /** Why the order was refunded or voided. */
  reason?: string | null;
  cashier: string | null;
  deviceName: string;
}

export interface ShiftReportDocument extends PrintFormatting {
  /** X: interim read of an open shift; Z: the closing report. */
  kind: 'X' | 'Z';
  organizationName: string;
  deviceName: string;
  cashier: string | null;
  shiftId: string;
  openedAt: Date | string;
  closedAt: Date | string | null;
  printedAt: Date | string;
  floatCents: number;
  salesByMethod: { method: PaymentMethod; orders: number; amountCents: number }[];
  salesByTicketType: { ticketTypeName: string; quantity: number; amountCents: number }[];
  refunds: { orders: number; amountCents: number };
  voids: { orders: number; amountCents: number };
  comps: { orders: number; tickets: number };
  cashMovements: { kind: 'paid_in' | 'paid_out'; amountCents: number; reason: string }[];
  expectedCashCents: number;
  /** What the cashier counted at close; null while the shift is open. */
  countedCents: number | null;
}

/** ESC p m t1 t2: a 50 ms pulse, then 500 ms off (25 and 250 in the command's 2 ms units). */
export const DRAWER_KICK: Record<DrawerPin, readonly number[]> = {
  2: [0x1b, 0x70, 0x00, 0x19, 0xfa],
  5: [0x1b, 0x70, 0x01, 0x19, 0xfa],
};

/** Blank lines fed before cutting, so the last printed line clears the cutter blade. */
const FEED_BEFORE_CUT = 4;
const NAME_MAX_LINES = 3;
const NOTE_MAX_LINES = 4;

const METHOD_LABELS: Record<PaymentMethod, string> = {
  cash: 'Cash',
  comp: 'Complimentary',
  terminal: 'Card terminal',
  card: 'Card (other reader)',
};

interface PrintLine {
  text: string;
  bold?: boolean;
  /** Double width and height: half as many columns. */
  large?: boolean;
}

/** Lines of at most `width` columns (half that when large), already reduced to what the printer can print. */
class Layout {
  readonly lines: PrintLine[] = [];
  constructor(readonly width: number) {}

  private fit(text: unknown, width: number, maxLines: number): string[] {
    return fitLines(toPrintable(text, RECEIPT_CHARSET), width, maxLines);
  }

  private centre(text: string, width: number): string {
    return ' '.repeat(Math.floor((width - text.length) / 2)) + text;
  }

  heading(text: unknown): void {
    const half = Math.floor(this.width / 2);
    for (const line of this.fit(text, half, 2))
      this.lines.push({ text: this.centre(line, half), bold: true, large: true });
  }

  centred(text: unknown, maxLines = NAME_MAX_LINES, bold = false): void {
    for (const line of this.fit(text, this.width, maxLines))
      this.lines.push({ text: this.centre(line, this.width), bold });
  }

  text(text: unknown, maxLines = NOTE_MAX_LINES, indent = 0): void {
    const margin = ' '.repeat(indent);
    for (const line of this.fit(text, this.width - indent, maxLines))
      this.lines.push({ text: margin + line });
  }

  /** `left` wrapped on the left, `right` (an amount) flush right on its first line. */
  row(left: unknown, right: unknown, bold = false, maxLines = NAME_MAX_LINES): void {
    const value = this.fit(right, this.width, 1)[0]!;
    const room = this.width - value.length - 1;
    if (room < 1) {
      this.text(left, maxLines);
      this.lines.push({ text: value.padStart(this.width), bold });
      return;
    }
    this.fit(left, room, maxLines).forEach((line, index) => {
      this.lines.push({ text: index === 0 ? line.padEnd(room + 1) + value : line, bold });
    });
  }

  rule(): void {
    this.lines.push({ text: '-'.repeat(this.width) });
  }

  blank(): void {
    this.lines.push({ text: '' });
  }
}

function encode(layout: Layout, options: EscPosOptions): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: options.paperWidthChars,
    newline: '\n',
    errors: 'relaxed',
    codepageCandidates: RECEIPT_CODEPAGES,
  });
  encoder.initialize().codepage('auto');
  if (options.kickDrawerPin) encoder.raw([...DRAWER_KICK[options.kickDrawerPin]]);
  for (const line of layout.lines) {
    if (line.bold) encoder.bold(true);
    if (line.large) encoder.size(2, 2);
    encoder.text(line.text);
    if (line.large) encoder.size(1, 1);
    if (line.bold) encoder.bold(false);
    encoder.newline();
  }
  if (options.cut ?? true) encoder.newline(FEED_BEFORE_CUT).cut();
  return encoder.encode();
}

interface Formatters {
  money(cents: number): string;
  percent(basisPoints: number): string;
  dateTime(value: Date | string | null): string;
}

function formattersFor(formatting: PrintFormatting): Formatters {
  return {
    money: moneyFormatter(formatting),
    percent: percentFormatter(formatting),
    dateTime: dateTimeFormatter(formatting, 'medium'),
  };
}

function taxByRate(lines: readonly ReceiptLine[]): [number, number][] {
  const byRate = new Map<number, number>();
  for (const line of lines) {
    if (line.taxRateBp === 0) continue;
    byRate.set(line.taxRateBp, (byRate.get(line.taxRateBp) ?? 0) + line.taxCents);
  }
  return [...byRate].sort(([a], [b]) => b - a);
}

const RECEIPT_HEADERS = { sale: null, refund: 'REFUND', void: 'VOID' } as const;
const TOTAL_LABELS = { sale: 'TOTAL', refund: 'REFUNDED', void: 'VOIDED' } as const;

/** A sale, refund or void receipt. Total for any text in the document (see printable-text.ts). */
export function encodeReceipt(doc: ReceiptDocument, options: EscPosOptions): Uint8Array {
  const f = formattersFor(doc);
  const out = new Layout(options.paperWidthChars);
  out.heading(doc.organizationName);
  out.centred(doc.eventName);
  const header = RECEIPT_HEADERS[doc.kind];
  if (header) {
    out.blank();
    out.heading(`*** ${header} ***`);
  }
  out.rule();
  out.row('Order', doc.orderCode, true, 1);
  out.row('Date', f.dateTime(doc.at), false, 1);
  out.rule();
  for (const line of doc.lines) {
    out.row(line.ticketTypeName, f.money(line.totalCents));
    out.text(`${line.quantity} x ${f.money(line.unitPriceCents)}`, 1, 2);
  }
  out.rule();
  out.row(TOTAL_LABELS[doc.kind], f.money(doc.totalCents), true);
  for (const [rate, cents] of taxByRate(doc.lines)) out.row(`incl. tax ${f.percent(rate)}`, f.money(cents));
  out.rule();
  const payment = doc.payment;
  out.row('Payment', METHOD_LABELS[payment.method] ?? payment.method);
  if (payment.method === 'cash' && doc.kind === 'sale') {
    if (payment.tenderedCents !== null) out.row('Tendered', f.money(payment.tenderedCents));
    if (payment.changeCents !== null) out.row('Change', f.money(payment.changeCents));
  }
  if (payment.method === 'comp') out.text(`Comp reason: ${payment.compReason}`);
  if ((payment.method === 'terminal' || payment.method === 'card') && payment.reference) {
    out.text(`Terminal ref: ${payment.reference}`, 2);
  }
  if (header && doc.reason) out.text(`Reason: ${doc.reason}`);
  out.rule();
  if (doc.cashier) out.text(`Cashier: ${doc.cashier}`, 2);
  out.text(`Device: ${doc.deviceName}`, 2);
  return encode(out, options);
}

function signed(f: Formatters, cents: number): string {
  return cents > 0 ? `+${f.money(cents)}` : f.money(cents);
}

/** An X (interim) or Z (closing) report of one cashier shift on one device. */
export function encodeShiftReport(doc: ShiftReportDocument, options: EscPosOptions): Uint8Array {
  const f = formattersFor(doc);
  const out = new Layout(options.paperWidthChars);
  out.heading(doc.organizationName);
  out.blank();
  out.heading(doc.kind === 'Z' ? 'Z REPORT' : 'X REPORT');
  out.centred(doc.kind === 'Z' ? 'Shift closed' : 'Interim - shift still open');
  out.rule();
  out.text(`Device: ${doc.deviceName}`, 2);
  if (doc.cashier) out.text(`Cashier: ${doc.cashier}`, 2);
  out.text(`Shift: ${doc.shiftId}`, 2);
  out.row('Opened', f.dateTime(doc.openedAt), false, 1);
  if (doc.closedAt !== null) out.row('Closed', f.dateTime(doc.closedAt), false, 1);
  out.row('Printed', f.dateTime(doc.printedAt), false, 1);
  out.rule();
  out.text('SALES BY PAYMENT METHOD', 1);
  for (const sale of doc.salesByMethod) {
    out.row(`${METHOD_LABELS[sale.method] ?? sale.method} (${sale.orders})`, f.money(sale.amountCents));
  }
  out.rule();
  out.text('SALES BY TICKET TYPE', 1);
  for (const sale of doc.salesByTicketType) {
    out.row(`${sale.quantity} x ${sale.ticketTypeName}`, f.money(sale.amountCents));
  }
  out.rule();
  out.row(`Refunds (${doc.refunds.orders})`, f.money(-doc.refunds.amountCents));
  out.row(`Voids (${doc.voids.orders})`, f.money(-doc.voids.amountCents));
  out.text(`Comps: ${doc.comps.orders} orders, ${doc.comps.tickets} tickets`, 2);
  out.rule();
  out.text('CASH DRAWER', 1);
  out.row('Float', f.money(doc.floatCents));
  for (const movement of doc.cashMovements) {
    const paidIn = movement.kind === 'paid_in';
    out.row(
      `${paidIn ? 'Paid in' : 'Paid out'}: ${movement.reason}`,
      f.money(paidIn ? movement.amountCents : -movement.amountCents),
    );
  }
  out.row('Expected in drawer', f.money(doc.expectedCashCents), true);
  if (doc.countedCents !== null) {
    const difference = doc.countedCents - doc.expectedCashCents;
    out.row('Counted', f.money(doc.countedCents), true);
    out.row(difference > 0 ? 'Over' : difference < 0 ? 'Short' : 'Over/short', signed(f, difference), true);
  }
  if (doc.kind === 'Z') {
    out.blank();
    out.text('Counted by: ____________________', 1);
  }
  return encode(out, options);
}

/** A page to check a printer from Settings: width ruler, code page coverage, drawer and cutter. */
export function encodeTestPage(deviceName: string, options: EscPosOptions): Uint8Array {
  const out = new Layout(options.paperWidthChars);
  out.heading('Printer test');
  out.centred(deviceName);
  out.rule();
  const ruler = Array.from({ length: options.paperWidthChars }, (_, i) => String((i + 1) % 10)).join('');
  out.text(ruler, 1);
  out.text(`${options.paperWidthChars} characters per line`, 1);
  out.text('Aa Ää Éé Ññ Øø SSß Łł Žž € £', 1);
  out.text('Жж Ωω', 1);
  out.text(options.kickDrawerPin ? `Drawer: pin ${options.kickDrawerPin}` : 'Drawer: none', 1);
  return encode(out, options);
}
