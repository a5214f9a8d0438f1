import QRCode from 'qrcode';
import { QUIET_ZONE_MODULES, TICKET_QR_CORRECTION } from './ticket-pdf.ts';

/**
 * A ticket's QR code as a PNG image, for an email that shows the codes inline (a phone at the door shows the
 * email, not the PDF). It holds the secret exactly, like the PDF's, with the same error correction and quiet
 * zone, so a scanner reads both alike.
 */
export async function ticketQrPng(secret: string, options: { widthPx?: number } = {}): Promise<Buffer> {
  if (secret === '') throw new Error('An empty secret cannot be a QR code.');
  return QRCode.toBuffer(secret, {
    type: 'png',
    errorCorrectionLevel: TICKET_QR_CORRECTION,
    margin: QUIET_ZONE_MODULES,
    // Big enough that each module is several pixels on a phone held to a scanner.
    width: options.widthPx ?? 360,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
}
