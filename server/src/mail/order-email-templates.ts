import { cardText } from '@janix/domain';
import { dateTimeFormatter, moneyFormatter, renderTicketsPdf, ticketQrPng } from '@janix/documents';
import type { MailAttachment } from './mailer.ts';
import type { OrderEmailContent } from './order-email-content.ts';

/**
 * The order emails' words and attachments, from their content alone: the same content makes the same mail,
 * byte for byte (dates in a fixed locale and the event's zone, the PDF dated by its order), so a retried send
 * carries exactly the body its idempotency key was first used with.
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
}

const LOCALE = 'en-GB';

const PAYMENT_WORDS: Record<string, string> = {
  cash: 'Cash',
  card: 'Card',
  terminal: 'Card (terminal)',
  comp: 'Complimentary',
};

/** How the order was paid: "Cash", or "Card (Visa •••• 4242)" for a card Janix took. */
function paidWith(order: OrderEmailContent['order']): string {
  const words = PAYMENT_WORDS[order.paymentMethod ?? 'card'] ?? 'Card';
  const card = order.card && cardText(order.card.brand, order.card.last4);
  return card ? `${words} (${card})` : words;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A file name part made of the order code's safe characters only. */
const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9-]/g, '') || 'order';

function formatters(content: OrderEmailContent) {
  return {
    money: moneyFormatter({ currency: content.order.currency, locale: LOCALE }),
    date: dateTimeFormatter({ locale: LOCALE, timeZone: content.timeZone }, 'full'),
  };
}

/** The event's name, date and place, as lines. */
function eventLines(content: OrderEmailContent): string[] {
  const { date } = formatters(content);
  return [content.event.name, date(content.event.startsAt), content.event.venue ?? ''].filter(Boolean);
}

function greeting(content: OrderEmailContent): string {
  return content.buyerName ? `Hello ${content.buyerName},` : 'Hello,';
}

/** Plain text and HTML from the same paragraphs; `htmlExtra` goes after the paragraph it is keyed to. */
function bodies(paragraphs: string[][], htmlExtra: Map<number, string> = new Map()) {
  const text = `${paragraphs.map((lines) => lines.join('\n')).join('\n\n')}\n`;
  const html = paragraphs
    .map(
      (lines, index) =>
        `<p style="margin:0 0 16px">${lines.map(escapeHtml).join('<br>')}</p>${htmlExtra.get(index) ?? ''}`,
    )
    .join('\n');
  return {
    text,
    html: `<!doctype html><html><body style="font-family:Helvetica,Arial,sans-serif;color:#222;max-width:600px">\n${html}\n</body></html>`,
  };
}

function footer(content: OrderEmailContent): string[] {
  return [`${content.organizationName} · order ${content.order.code}`, 'Sent through Janix.'];
}

async function confirmation(content: OrderEmailContent): Promise<RenderedEmail> {
  const count = content.validTickets.length;
  const pdfName = `tickets-${fileSafe(content.order.code)}.pdf`;
  const pdf = await renderTicketsPdf(
    content.validTickets.map((ticket) => ({
      secret: ticket.secret,
      eventName: content.event.name,
      venue: content.event.venue,
      startsAt: content.event.startsAt,
      ticketTypeName: ticket.ticketTypeName,
      attendeeName: content.buyerName,
      orderCode: content.order.code,
      organizationName: content.organizationName,
    })),
    {
      layout: 'a4',
      locale: LOCALE,
      timeZone: content.timeZone,
      title: `Tickets ${content.order.code}`,
      createdAt: content.order.createdAt,
    },
  );
  const images = await Promise.all(
    content.validTickets.map(async (ticket, index) => ({
      filename: `ticket-${index + 1}.png`,
      contentType: 'image/png',
      content: await ticketQrPng(ticket.secret),
      contentId: `ticket-${index + 1}`,
    })),
  );
  const ticketList = content.validTickets.map(
    (ticket, index) => `Ticket ${index + 1} of ${count}: ${ticket.ticketTypeName}`,
  );
  const codesHtml = content.validTickets
    .map(
      (ticket, index) =>
        `<div style="margin:0 0 24px"><p style="margin:0 0 8px"><strong>${escapeHtml(ticketList[index]!)}</strong></p>` +
        `<img src="cid:${images[index]!.contentId}" width="240" height="240" alt="${escapeHtml(`QR code of ticket ${index + 1}`)}"></div>`,
    )
    .join('\n');
  const paragraphs = [
    [greeting(content)],
    [
      `Thank you for your order ${content.order.code} from ${content.organizationName}.`,
      `Your ${count === 1 ? 'ticket is' : `${count} tickets are`} attached as a PDF (${pdfName}), and each ticket's code is shown in this email.`,
    ],
    eventLines(content),
    ticketList,
    ['Show each code at the entrance, on paper or on a screen. Each code lets one person in once.'],
    footer(content),
  ];
  return {
    subject: `Your tickets for ${content.event.name} (order ${content.order.code})`,
    ...bodies(paragraphs, new Map([[3, codesHtml]])),
    attachments: [
      { filename: pdfName, contentType: 'application/pdf', content: Buffer.from(pdf) },
      ...images,
    ],
  };
}

function receipt(content: OrderEmailContent): RenderedEmail {
  const { money, date } = formatters(content);
  const { order } = content;
  const lines = content.lines.map(
    (line) =>
      `${line.quantity} × ${line.ticketTypeName} at ${money(line.unitPriceCents)}: ${money(line.totalCents)}`,
  );
  const paragraphs = [
    [greeting(content)],
    [`This is your receipt for order ${order.code} from ${content.organizationName}.`],
    eventLines(content),
    lines,
    [
      `Total: ${money(order.totalCents)}`,
      ...(order.taxCents > 0 ? [`Of which tax: ${money(order.taxCents)}`] : []),
      `Paid: ${paidWith(order)}, ${date(order.createdAt)}`,
    ],
    footer(content),
  ];
  return {
    subject: `Receipt for order ${order.code} (${content.event.name})`,
    ...bodies(paragraphs),
    attachments: [],
  };
}

function refund(content: OrderEmailContent): RenderedEmail {
  const { money, date } = formatters(content);
  const { order } = content;
  const voided = order.status === 'void';
  const when = order.refundedAt ? ` on ${date(order.refundedAt)}` : '';
  const moneyBack =
    order.paymentMethod === 'comp' || order.totalCents === 0
      ? []
      : [`${money(order.totalCents)} ${voided ? 'is not charged' : 'is given back'} (${paidWith(order)}).`];
  const paragraphs = [
    [greeting(content)],
    [
      `Your order ${order.code} from ${content.organizationName} was ${voided ? 'cancelled' : 'refunded'}${when}.`,
      ...moneyBack,
      'Its tickets no longer let anyone in.',
    ],
    eventLines(content),
    content.lines.map((line) => `${line.quantity} × ${line.ticketTypeName}`),
    footer(content),
  ];
  return {
    subject: `Order ${order.code} ${voided ? 'cancelled' : 'refunded'} (${content.event.name})`,
    ...bodies(paragraphs),
    attachments: [],
  };
}

export async function renderOrderEmail(content: OrderEmailContent): Promise<RenderedEmail> {
  switch (content.kind) {
    case 'confirmation':
      return confirmation(content);
    case 'receipt':
      return receipt(content);
    case 'refund':
      return refund(content);
  }
}
