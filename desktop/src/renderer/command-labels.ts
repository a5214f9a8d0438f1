import type { CommandName } from '@janix/schemas';

/** How each outbox command reads in the "Rejected changes" history. */
const COMMAND_LABELS: Readonly<Record<CommandName, string>> = {
  createEvent: 'Create event',
  updateEvent: 'Update event',
  createQuota: 'Create quota',
  updateQuota: 'Update quota',
  createTicketType: 'Create ticket type',
  updateTicketType: 'Update ticket type',
  openShift: 'Open shift',
  recordCashMovement: 'Paid in / paid out',
  closeShift: 'Close shift',
  requestAllocation: 'Request seats',
  sellTickets: 'Sale',
  refundOrder: 'Refund or void',
  createCheckInList: 'Create check-in list',
  updateCheckInList: 'Update check-in list',
  recordScan: 'Ticket scan',
  resendOrderEmail: 'Resend order email',
};

export function commandLabel(name: string): string {
  return (COMMAND_LABELS as Record<string, string>)[name] ?? name;
}
