/** One receipt line: a ticket type at one price, with how many, their total and the tax recorded on them. */
export interface ReceiptLine {
  ticketTypeName: string;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  taxRateBp: number;
  taxCents: number;
}

export interface ReceiptTicket {
  ticketTypeId: string;
  priceCents: number | null;
  taxCents: number | null;
}

/**
 * One line per ticket type and price, from the tickets themselves (what was charged and the tax recorded on
 * each), so a price changed since the sale never changes its receipt, printed or emailed. Lines come in the
 * order their first ticket does.
 */
export function receiptLines(
  tickets: Iterable<ReceiptTicket>,
  ticketTypes: ReadonlyMap<string, { name: string; taxRateBp: number }>,
): ReceiptLine[] {
  const lines = new Map<string, ReceiptLine>();
  for (const ticket of tickets) {
    const type = ticketTypes.get(ticket.ticketTypeId);
    const unit = ticket.priceCents ?? 0;
    const key = `${ticket.ticketTypeId}:${unit}`;
    const line = lines.get(key) ?? {
      ticketTypeName: type?.name ?? 'Ticket',
      quantity: 0,
      unitPriceCents: unit,
      totalCents: 0,
      taxRateBp: type?.taxRateBp ?? 0,
      taxCents: 0,
    };
    lines.set(key, {
      ...line,
      quantity: line.quantity + 1,
      totalCents: line.totalCents + unit,
      taxCents: line.taxCents + (ticket.taxCents ?? 0),
    });
  }
  return [...lines.values()];
}
