// How box-office values read on screen.

export const PAYMENT_METHOD_LABELS: Readonly<Record<string, string>> = {
  cash: 'Cash',
  terminal: 'External card terminal',
  comp: 'Comp (free)',
  card: 'Card',
};

export const ORDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  pending: 'Awaiting payment',
  paid: 'Paid',
  refunded: 'Refunded',
  void: 'Voided',
};

export const TICKET_STATUS_LABELS: Readonly<Record<string, string>> = {
  valid: 'Valid',
  refunded: 'Refunded',
  void: 'Voided',
};

export const ORDER_EMAIL_KIND_LABELS: Readonly<Record<string, string>> = {
  confirmation: 'Tickets',
  receipt: 'Receipt',
  refund: 'Refund notice',
};

export const ORDER_EMAIL_STATUS_LABELS: Readonly<Record<string, string>> = {
  queued: 'Waiting to send',
  sent: 'Sent',
  failed: 'Not sent',
};

export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  refund: 'Refunded',
  void: 'Voided',
  // Part of a card payment given back: the order stays paid and its tickets valid.
  partial_refund: 'Partly refunded',
};

export const label = (labels: Readonly<Record<string, string>>, value: string | null | undefined): string =>
  value ? (labels[value] ?? value) : '—';
