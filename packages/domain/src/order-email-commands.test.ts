import { describe, expect, it } from 'vitest';
import type { RowOf } from './replicated-tables.ts';
import { commandContext } from './testing/command-context.ts';
import { boxOfficeIds as ids, orderRow } from './testing/box-office-rows.ts';
import { runCommand, writesOf, type TestDatabase } from './testing/run-command.ts';

const buyerId = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const failedEmail = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const newEmail = 'e2f3a4b5-c6d7-4e8f-9a0b-1c2d3e4f5a6b';
const at = '2026-12-05T21:15:00Z';

const buyer = (email: string | null): RowOf<'people'> => ({
  id: buyerId,
  version: 5,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email,
  phone: null,
  ageRange: null,
  company: null,
  city: null,
  country: null,
  marketingConsent: false,
  updatedAt: '2026-12-05T17:00:00.000Z',
  updatedBy: 'Office',
});

const emailRow = (over: Partial<RowOf<'order_emails'>> = {}): RowOf<'order_emails'> => ({
  id: failedEmail,
  version: 6,
  orderId: ids.order,
  kind: 'confirmation',
  status: 'failed',
  attempts: 1,
  failureReason: "Resend refused the buyer's email address as invalid (validation_error 422).",
  providerMessageId: null,
  sentAt: null,
  createdAt: '2026-12-05T18:10:00.000Z',
  updatedAt: '2026-12-05T18:10:01.000Z',
  updatedBy: null,
  ...over,
});

const db = (over: TestDatabase = {}): TestDatabase => ({
  orders: [orderRow({ personId: buyerId })],
  people: [buyer('ada@example.org')],
  order_emails: [emailRow()],
  ...over,
});

const resend = (database: TestDatabase, kind = 'confirmation', ctx = commandContext()) =>
  runCommand('resendOrderEmail', { emailId: newEmail, orderId: ids.order, kind, at }, database, ctx);

describe('resendOrderEmail', () => {
  it('queues the email again as a new one, which the server sends under a key of its own', () => {
    expect(writesOf(resend(db()))).toEqual([
      {
        table: 'order_emails',
        op: 'insert',
        row: {
          id: newEmail,
          orderId: ids.order,
          kind: 'confirmation',
          status: 'queued',
          attempts: 0,
          failureReason: null,
          providerMessageId: null,
          sentAt: null,
          createdAt: at,
        },
      },
    ]);
  });

  it.each([
    ['a role that does not sell', db(), 'confirmation', { allows: () => false }, 'forbidden'],
    ['an order not here', db({ orders: [] }), 'confirmation', {}, 'order_not_found'],
    ['a buyer without an address', db({ people: [buyer(null)] }), 'confirmation', {}, 'no_email'],
    ['an order without a buyer', db({ orders: [orderRow()] }), 'receipt', {}, 'no_email'],
    [
      'one of its kind still waiting',
      db({ order_emails: [emailRow({ status: 'queued' })] }),
      'confirmation',
      {},
      'already_queued',
    ],
    [
      'tickets of a refunded order',
      db({ orders: [orderRow({ personId: buyerId, status: 'refunded' })] }),
      'confirmation',
      {},
      'not_applicable',
    ],
    ['a refund notice of a paid order', db(), 'refund', {}, 'not_applicable'],
    [
      'a receipt of a comp',
      db({ orders: [orderRow({ personId: buyerId, paymentMethod: 'comp', totalCents: 0 })] }),
      'receipt',
      {},
      'not_applicable',
    ],
    [
      'the same request twice',
      db({ order_emails: [emailRow({ id: newEmail })] }),
      'confirmation',
      {},
      'already_exists',
    ],
  ])('refuses %s', (_what, database, kind, ctx, code) => {
    const decision = resend(database, kind, commandContext(ctx));
    expect(decision.ok ? 'applied' : decision.code).toBe(code);
  });

  it('sends a refunded order its refund notice or its receipt again', () => {
    const refunded = db({ orders: [orderRow({ personId: buyerId, status: 'refunded', refundedAt: at })] });
    expect(resend(refunded, 'refund').ok).toBe(true);
    expect(resend(refunded, 'receipt').ok).toBe(true);
  });
});
