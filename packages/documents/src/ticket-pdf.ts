import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { dateTimeFormatter, type DateFormatting } from './print-formatting.ts';
import { toPrintable, WIN_ANSI_CHARSET } from './printable-text.ts';

/**
 * Tickets as a PDF, one ticket per page in both layouts:
 * - `a4`: an A4 page per ticket, the ticket in a framed box across the top with a 70 mm QR code. One per page
 *   so each ticket can be handed out or forwarded on its own, and so a print-at-home page needs no cutting.
 * - `80mm`: a page 80 mm wide per ticket for thermal roll stock, as long as its text plus a 52 mm QR code
 *   (about 110 mm); the printer driver cuts between pages.
 * The QR code holds the ticket's `secret` exactly, at error correction M, drawn as vector squares with the
 * four-module quiet zone the QR standard asks for kept clear of text and frame.
 */

export type TicketLayout = 'a4' | '80mm';

export interface TicketDocument {
  /** What the QR code carries: the signed ticket secret the scanners check. */
  secret: string;
  eventName: string;
  venue: string | null;
  startsAt: Date | string;
  ticketTypeName: string;
  attendeeName: string | null;
  orderCode: string;
  organizationName?: string | null;
}

export interface TicketPdfOptions extends DateFormatting {
  layout: TicketLayout;
  /** Document title shown by PDF viewers. */
  title?: string;
  /**
   * The document's creation date (default: now). An emailed PDF passes a fixed one (its order's), so the same
   * tickets make the same bytes and a retried send carries the very body its idempotency key was first used with.
   */
  createdAt?: Date;
}

const MM = 72 / 25.4;
/** The QR standard's quiet zone, kept clear around every ticket code (PDF and image alike). */
export const QUIET_ZONE_MODULES = 4;
/** Error correction M: a creased or smudged printout still scans, and a long signed secret still fits. */
export const TICKET_QR_CORRECTION = 'M';

interface TextStyle {
  font: 'Helvetica' | 'Helvetica-Bold';
  size: number;
  maxLines: number;
}

const STYLES = {
  organization: { font: 'Helvetica', size: 8, maxLines: 1 },
  event: { font: 'Helvetica-Bold', size: 14, maxLines: 3 },
  detail: { font: 'Helvetica', size: 9, maxLines: 2 },
  ticketType: { font: 'Helvetica-Bold', size: 11, maxLines: 2 },
  attendee: { font: 'Helvetica', size: 10, maxLines: 2 },
  code: { font: 'Helvetica', size: 8, maxLines: 1 },
} satisfies Record<string, TextStyle>;

interface TextBlock {
  text: string;
  style: TextStyle;
  gapAfter: number;
}

type Pdf = InstanceType<typeof PDFDocument>;
type QrCode = ReturnType<typeof QRCode.create>;

interface TicketPage {
  ticket: TicketDocument;
  qr: QrCode;
}

function blocksOf(ticket: TicketDocument, formatDate: (value: Date | string) => string): TextBlock[] {
  const blocks: [unknown, TextStyle, number][] = [
    [ticket.organizationName, STYLES.organization, 2],
    [ticket.eventName, STYLES.event, 4],
    [formatDate(ticket.startsAt), STYLES.detail, 2],
    [ticket.venue, STYLES.detail, 6],
    [ticket.ticketTypeName, STYLES.ticketType, 2],
    [ticket.attendeeName, STYLES.attendee, 6],
    [`Order ${toPrintable(ticket.orderCode, WIN_ANSI_CHARSET)}`, STYLES.code, 0],
  ];
  return blocks
    .map(([text, style, gapAfter]) => ({ text: toPrintable(text, WIN_ANSI_CHARSET), style, gapAfter }))
    .filter((block) => block.text !== '');
}

/** Text blocks stacked from the top, each cut to its line limit with an ellipsis; returns the height used. */
function layText(
  doc: Pdf,
  blocks: TextBlock[],
  at: { x: number; y: number; width: number },
  scale: number,
  draw: boolean,
): number {
  let y = at.y;
  for (const block of blocks) {
    doc.font(block.style.font).fontSize(block.style.size * scale);
    const maxHeight = doc.currentLineHeight(true) * block.style.maxLines;
    const height = Math.min(doc.heightOfString(block.text, { width: at.width }), maxHeight);
    if (draw) doc.text(block.text, at.x, y, { width: at.width, height: maxHeight, ellipsis: true });
    y += height + block.gapAfter * scale;
  }
  return y - at.y;
}

function drawQr(doc: Pdf, qr: QrCode, at: { x: number; y: number; side: number }): void {
  const count = qr.modules.size;
  const module = at.side / (count + 2 * QUIET_ZONE_MODULES);
  const origin = { x: at.x + QUIET_ZONE_MODULES * module, y: at.y + QUIET_ZONE_MODULES * module };
  doc.rect(at.x, at.y, at.side, at.side).fill('white');
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      // A hair of overlap closes the seams some rasterisers leave between adjacent squares.
      if (qr.modules.get(row, col))
        doc.rect(origin.x + col * module, origin.y + row * module, module + 0.01, module + 0.01);
    }
  }
  doc.fill('black');
}

/** A4 portrait: a framed ticket across the top, text on the left, a 70 mm code on the right. */
function drawA4(doc: Pdf, blocks: TextBlock[], qr: QrCode): void {
  const margin = 15 * MM;
  const width = 210 * MM;
  const frameHeight = 105 * MM;
  doc.addPage({ size: [width, 297 * MM], margin });
  doc
    .lineWidth(1)
    .roundedRect(margin, margin, width - 2 * margin, frameHeight, 8)
    .stroke('#444444');
  doc.fillColor('black');
  layText(doc, blocks, { x: 22 * MM, y: 25 * MM, width: 96 * MM }, 1.3, true);
  drawQr(doc, qr, { x: 123 * MM, y: 20 * MM, side: 70 * MM });
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#444444')
    .text(
      'Show this code at the entrance, on paper or on a screen. Each code lets one person in once.',
      margin,
      margin + frameHeight + 6 * MM,
      { width: width - 2 * margin, align: 'center' },
    );
}

/** 80 mm wide, as long as the text plus a 52 mm code below it, so roll stock wastes no paper. */
function drawReceiptWidth(doc: Pdf, blocks: TextBlock[], qr: QrCode): void {
  const width = 80 * MM;
  const text = { x: 5 * MM, y: 5 * MM, width: 70 * MM };
  const side = 52 * MM;
  const qrY = text.y + layText(doc, blocks, text, 1, false) + 3 * MM;
  doc.addPage({ size: [width, qrY + side + 6 * MM], margin: 0 });
  doc.fillColor('black');
  layText(doc, blocks, text, 1, true);
  drawQr(doc, qr, { x: (width - side) / 2, y: qrY, side });
}

/**
 * One PDF holding every ticket, in order. Throws when there is no ticket or a secret cannot be a QR code
 * (empty, or longer than a QR code holds): both are faults upstream, not something to print around.
 */
export async function renderTicketsPdf(
  tickets: readonly TicketDocument[],
  options: TicketPdfOptions,
): Promise<Uint8Array> {
  if (tickets.length === 0) throw new Error('No tickets to put in the PDF.');
  // Every code is made before the first page, so a bad secret fails the whole job rather than half a PDF.
  const pages = tickets.map((ticket, index): TicketPage => {
    try {
      return { ticket, qr: QRCode.create(ticket.secret, { errorCorrectionLevel: TICKET_QR_CORRECTION }) };
    } catch (error) {
      throw new Error(
        `Ticket ${index + 1} (order ${ticket.orderCode}) has a secret that cannot be a QR code: ${(error as Error).message}`,
      );
    }
  });
  const doc = new PDFDocument({
    autoFirstPage: false,
    info: {
      Title: toPrintable(options.title ?? 'Tickets', WIN_ANSI_CHARSET),
      Creator: 'Janix',
      CreationDate: options.createdAt ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const formatDate = dateTimeFormatter(options, 'full');
  const draw = options.layout === 'a4' ? drawA4 : drawReceiptWidth;
  for (const { ticket, qr } of pages) draw(doc, blocksOf(ticket, formatDate), qr);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
