// The dashboard's headline figures: what was sold and refunded, one line per currency (amounts in different
// currencies are never added together).

export interface CurrencyTotals {
  currency: string;
  orders: number;
  tickets: number;
  grossCents: number;
  taxCents: number;
  refundedOrders: number;
  refundedCents: number;
}

interface ReportParts {
  currencies: readonly string[];
  byEvent: ReadonlyArray<{
    currency: string;
    orders: number;
    tickets: number;
    grossCents: number;
    taxCents: number;
  }>;
  refunds: ReadonlyArray<{ currency: string; orders: number; amountCents: number }>;
}

/** Per currency, in the report's order (most sold first). */
export function totalsByCurrency(report: ReportParts): CurrencyTotals[] {
  return report.currencies.map((currency) => {
    const totals: CurrencyTotals = {
      currency,
      orders: 0,
      tickets: 0,
      grossCents: 0,
      taxCents: 0,
      refundedOrders: 0,
      refundedCents: 0,
    };
    for (const row of report.byEvent) {
      if (row.currency !== currency) continue;
      totals.orders += row.orders;
      totals.tickets += row.tickets;
      totals.grossCents += row.grossCents;
      totals.taxCents += row.taxCents;
    }
    for (const row of report.refunds) {
      if (row.currency !== currency) continue;
      totals.refundedOrders += row.orders;
      totals.refundedCents += row.amountCents;
    }
    return totals;
  });
}

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  box_office: 'Box office',
  online: 'Online',
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}
