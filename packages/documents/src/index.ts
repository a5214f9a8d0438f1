/**
 * Documents the box office hands to buyers, shared by the console (printing) and the server (email): tickets as
 * a PDF and as QR images, and how text, money and dates read on them.
 */
export * from './print-formatting.ts';
export * from './printable-text.ts';
export * from './receipt-lines.ts';
export * from './ticket-pdf.ts';
export * from './ticket-qr.ts';
