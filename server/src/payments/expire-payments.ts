import type { JobDefinition } from '../jobs/job-queue.ts';
import type { CardPayments } from './card-payments.ts';

/**
 * Open card payments hold seats; nobody paying in time (a buyer who walked away, a reader that never
 * answered, a Checkout link never opened) must not hold them for good. Every minute, the payments past their
 * time are stopped at Stripe and their seats go back (card-payments.ts expireDue).
 */
export const EXPIRE_CARD_PAYMENTS = 'expire-card-payments';

export function expireCardPaymentsJob(cards: CardPayments): JobDefinition {
  return { name: EXPIRE_CARD_PAYMENTS, cron: '* * * * *', run: () => cards.expireDue() };
}
