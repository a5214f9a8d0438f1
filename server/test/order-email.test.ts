import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ticketQrPng } from '@janix/documents';
import { sendOrderEmail } from '../src/jobs/order-email.ts';
import type { Mailer } from '../src/mail/mailer.ts';
import {
  resendMailerFor,
  signInCodeFromCapture,
  startResendCapture,
  type CapturedEmail,
  type ResendCapture,
} from '../src/testing/resend-capture.ts';
import {
  emailRows,
  openTill,
  push,
  refund,
  sell,
  startEmailServer,
  uniqueAddress,
  writeAtNewVersion,
  type EmailServer,
} from './order-email-fixture.ts';
import { memberWithRole, waitFor } from './support.ts';

/**
 * Order emails through the real Resend SDK, against a local server that speaks Resend's documented API
 * (resend-capture.ts): what a paid order, a refund and each kind of refusal lead to, on the wire and in
 * order_emails.
 */

let capture: ResendCapture;
let env: EmailServer;

beforeAll(async () => {
  capture = await startResendCapture();
  const mailer = resendMailerFor(capture);
  env = await startEmailServer(inject('pgAdminUrl'), {
    mailer,
    signInCode: (email, server) => signInCodeFromCapture(capture, server.db.adminPool, email),
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await capture?.close();
});

const emailsTo = (address: string) => capture.emails.filter((email) => email.body.to === address);
const requestsFor = (emailId: string) =>
  capture.requests.filter((request) => request.idempotencyKey === `order-email-${emailId}`);

async function settled(orderId: string, count: number, timeoutMs = 15_000) {
  await waitFor(
    async () => {
      const rows = await emailRows(env, orderId);
      return rows.length === count && rows.every((row) => row.status !== 'queued');
    },
    `the order's ${count} email(s) to be sent or failed`,
    timeoutMs,
  );
  return emailRows(env, orderId);
}

/** A moment for any stray send to happen. */
const quietly = () => new Promise((resolve) => setTimeout(resolve, 1500));

/** One try of an email by hand, as a job would run it (a duplicate job, say), its log kept. */
async function tryAgain(emailId: string, lines: string[] = []) {
  const mailer = resendMailerFor(capture);
  return sendOrderEmail(
    { pool: env.server.db.appPool, mailer, now: () => new Date(), log: (line) => lines.push(line) },
    { orgId: env.orgId, emailId },
  );
}

describe('a paid order with a buyer email', () => {
  it('gets its confirmation (a PDF of the tickets and a QR image per ticket) and its receipt, once each', async () => {
    const address = uniqueAddress('paid');
    const sale = await sell(env, { quantity: 2, buyer: { email: address, firstName: 'Grace' } });
    const rows = await settled(sale.orderId, 2);
    expect(rows.map((row) => [row.kind, row.status, row.attempts])).toEqual([
      ['confirmation', 'sent', 1],
      ['receipt', 'sent', 1],
    ]);
    const mails = emailsTo(address);
    expect(mails).toHaveLength(2);
    const confirmation = mails.find((mail) => mail.body.subject.startsWith('Your tickets'))!;
    const receipt = mails.find((mail) => mail.body.subject.startsWith('Receipt'))!;
    for (const [mail, row] of [
      [confirmation, rows[0]!],
      [receipt, rows[1]!],
    ] as Array<[CapturedEmail, (typeof rows)[number]]>) {
      expect(mail.idempotencyKey).toBe(`order-email-${row.id}`);
      expect(row.provider_message_id).toBe(mail.id);
      expect(row.sent_at).not.toBeNull();
      expect(mail.body.from).toBe('Janix <tickets@janix.test>');
    }

    const code = (
      await env.server.db.adminPool.query<{ code: string }>('SELECT code FROM orders WHERE id = $1', [
        sale.orderId,
      ])
    ).rows[0]!.code;
    const attachments = capture.attachmentsOf(confirmation);
    expect(attachments.map((a) => [a.filename, a.contentType, a.contentId])).toEqual([
      [`tickets-${code}.pdf`, 'application/pdf', null],
      ['ticket-1.png', 'image/png', 'ticket-1'],
      ['ticket-2.png', 'image/png', 'ticket-2'],
    ]);
    const pdf = attachments[0]!.content.toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf.match(/\/Type \/Page\b/g)).toHaveLength(2);
    // Each image is the QR code of its ticket's signed secret, drawn as the console draws it.
    const secrets = await env.server.db.adminPool.query<{ secret: string }>(
      'SELECT secret FROM tickets WHERE org_id = $1 AND order_id = $2 ORDER BY allocation_id, slot',
      [env.orgId, sale.orderId],
    );
    for (const [index, { secret }] of secrets.rows.entries()) {
      expect(attachments[index + 1]!.content.equals(await ticketQrPng(secret))).toBe(true);
    }
    expect(confirmation.body.html).toContain('src="cid:ticket-1"');
    expect(confirmation.body.html).toContain('Hello Grace Lovelace,');
    expect(confirmation.body.text).toContain(`order ${code}`);
    expect(receipt.body.text).toMatch(/2 × .+ at €[\d.,]+: €[\d.,]+/);
    expect(receipt.body.text).toContain('Paid: Cash');
    expect(capture.attachmentsOf(receipt)).toEqual([]);

    // A job that runs again for a sent email (a duplicate, a sweep) finds it sent and sends nothing.
    for (const row of rows) expect(await tryAgain(row.id)).toEqual({ outcome: 'done' });
    await quietly();
    expect(emailsTo(address)).toHaveLength(2);
    for (const row of rows) expect(requestsFor(row.id)).toHaveLength(1);
  });

  it('a card order names the card by brand and last four digits on its receipt, and nothing more of it', async () => {
    const address = uniqueAddress('card');
    const sale = await sell(env, { buyer: { email: address } });
    await settled(sale.orderId, 2);
    // As a card sale leaves them: the order paid by card, its payment with what Stripe reported of the card.
    const order = await env.server.db.adminPool.query<{ event_id: string; total_cents: number }>(
      'SELECT event_id, total_cents FROM orders WHERE id = $1',
      [sale.orderId],
    );
    await writeAtNewVersion(
      env,
      "UPDATE orders SET payment_method = 'card', version = $3 WHERE org_id = $1 AND id = $2",
      [sale.orderId],
    );
    await writeAtNewVersion(
      env,
      `INSERT INTO payments (org_id, id, kind, status, event_id, order_id, amount_cents, currency,
         stripe_payment_intent_id, card_brand, card_last4, created_at, completed_at, version)
       VALUES ($1, $2, 'terminal', 'succeeded', $3, $4, $5, 'EUR', 'pi_3Janixcardbrand', 'visa', '4242', now(),
         now(), $6)`,
      [randomUUID(), order.rows[0]!.event_id, sale.orderId, order.rows[0]!.total_cents],
    );
    const emailId = randomUUID();
    const args = { emailId, orderId: sale.orderId, kind: 'receipt', at: new Date().toISOString() };
    expect(await push(env.till, [['resendOrderEmail', args]])).toEqual(['applied']);
    await settled(sale.orderId, 3);
    const receipt = emailsTo(address).find((mail) => mail.idempotencyKey === `order-email-${emailId}`)!;
    expect(receipt.body.text).toContain('Paid: Card (Visa •••• 4242),');
    expect(receipt.body.html).toContain('Paid: Card (Visa •••• 4242),');
    expect(receipt.body.text).not.toContain('pi_3Janixcardbrand');
  });

  it('a comp gets its tickets but no receipt; a buyer without an address, or no buyer, gets nothing', async () => {
    const address = uniqueAddress('comp');
    const comp = await sell(env, { comp: true, buyer: { email: address } });
    const silent = await sell(env, { buyer: { email: null } });
    const anonymous = await sell(env, { buyer: null });
    expect((await settled(comp.orderId, 1)).map((row) => [row.kind, row.status])).toEqual([
      ['confirmation', 'sent'],
    ]);
    expect(await emailRows(env, silent.orderId)).toEqual([]);
    expect(await emailRows(env, anonymous.orderId)).toEqual([]);
    expect(emailsTo(address)).toHaveLength(1);
  });

  it('the demo history seeded with the organization mailed nobody', async () => {
    const seeded = await env.server.db.adminPool.query(
      'SELECT 1 FROM order_emails WHERE org_id = $1 AND order_id = ANY($2::uuid[])',
      [env.orgId, env.demo.orders.map((order) => order.id)],
    );
    expect(seeded.rowCount).toBe(0);
  });
});

describe('retries', () => {
  it('a provider failing with 500s is tried again with the same idempotency key, and sends once', async () => {
    capture.script({ status: 500 }, { status: 503 });
    const address = uniqueAddress('retry');
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    const [row] = await settled(sale.orderId, 1);
    expect(row).toMatchObject({ kind: 'confirmation', status: 'sent', attempts: 3 });
    const tries = requestsFor(row!.id);
    expect(tries.map((request) => request.status)).toEqual([500, 503, 200]);
    expect(emailsTo(address)).toHaveLength(1);
  });

  it('a 429 waits for the retry-after Resend gives before trying again', async () => {
    capture.script({ status: 429, retryAfterSeconds: 2 });
    const address = uniqueAddress('limited');
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    const [row] = await settled(sale.orderId, 1);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const [limited, sent] = requestsFor(row!.id);
    expect(limited!.status).toBe(429);
    expect(sent!.status).toBe(200);
    // The backoff alone is 300 ms: the wait is Resend's.
    expect(sent!.at - limited!.at).toBeGreaterThanOrEqual(1900);
  });

  it('gives up after the last try, with a plain reason', async () => {
    capture.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const address = uniqueAddress('gives-up');
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    const [row] = await settled(sale.orderId, 1);
    expect(row).toMatchObject({ status: 'failed', attempts: 4, provider_message_id: null });
    expect(row!.failure_reason).toBe(
      'Resend kept failing (internal_server_error 500); gave up after 4 tries. Resend to try again.',
    );
    expect(requestsFor(row!.id)).toHaveLength(4);
  });
});

describe('a crash after Resend accepted an email, before its row recorded it', () => {
  /** A confirmation row for an order already mailed, due only an hour from now (the workers leave it alone). */
  async function parkedEmail(orderId: string): Promise<string> {
    const id = randomUUID();
    await writeAtNewVersion(
      env,
      `INSERT INTO order_emails (org_id, id, order_id, kind, created_at, next_attempt_at, version)
       VALUES ($1, $2, $3, 'confirmation', now(), now() + interval '1 hour', $4)`,
      [id, orderId],
    );
    return id;
  }
  const later = () => new Date(Date.now() + 2 * 3_600_000);
  /** Resend takes the mail, then the process dies before its transaction commits. */
  const crashing = (): Mailer => {
    const real = resendMailerFor(capture);
    return {
      kind: 'resend',
      async send(mail) {
        await real.send(mail);
        throw new Error('the process died');
      },
    };
  };
  const deps = (mailer: Mailer) => ({ pool: env.server.db.appPool, mailer, now: later, log: () => {} });

  /** A sold order's confirmation whose first try crashed after Resend took it. */
  async function crashedOnce(label: string) {
    const address = uniqueAddress(label);
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    await settled(sale.orderId, 1);
    const emailId = await parkedEmail(sale.orderId);
    await expect(sendOrderEmail(deps(crashing()), { orgId: env.orgId, emailId })).rejects.toThrow('died');
    return { address, sale, emailId };
  }

  it('the next try sends the same body under the same key: Resend answers the first send, nobody gets two', async () => {
    const { address, sale, emailId } = await crashedOnce('crash');
    expect((await emailRows(env, sale.orderId)).find((row) => row.id === emailId)).toMatchObject({
      status: 'queued',
      attempts: 0,
    });
    const real = resendMailerFor(capture);
    expect(await sendOrderEmail(deps(real), { orgId: env.orgId, emailId })).toEqual({ outcome: 'sent' });
    const row = (await emailRows(env, sale.orderId)).find((candidate) => candidate.id === emailId)!;
    const first = emailsTo(address).filter((mail) => mail.idempotencyKey === `order-email-${emailId}`);
    expect(first).toHaveLength(1);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: first[0]!.id });
    expect(requestsFor(emailId).map((request) => request.status)).toEqual([200, 200]);
  });

  it('when the email changed since (a name corrected), Resend refuses the key with another body: it was sent', async () => {
    const { address, sale, emailId } = await crashedOnce('changed');
    await writeAtNewVersion(
      env,
      "UPDATE people SET first_name = 'Augusta', version = $3 WHERE org_id = $1 AND id = $2",
      [sale.personId],
    );
    const real = resendMailerFor(capture);
    expect(await sendOrderEmail(deps(real), { orgId: env.orgId, emailId })).toEqual({ outcome: 'sent' });
    expect(requestsFor(emailId).map((request) => request.status)).toEqual([200, 409]);
    expect(emailsTo(address).filter((mail) => mail.idempotencyKey === `order-email-${emailId}`)).toHaveLength(
      1,
    );
    expect((await emailRows(env, sale.orderId)).find((row) => row.id === emailId)).toMatchObject({
      status: 'sent',
      provider_message_id: null,
    });
  });
});

describe('an address Resend refuses', () => {
  it('fails at once with a reason that names no address, and is not tried again', async () => {
    const address = uniqueAddress('bounce');
    capture.refuseAddress(address);
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    const [row] = await settled(sale.orderId, 1);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, sent_at: null });
    expect(row!.failure_reason).toBe(
      "Resend refused the buyer's email address as invalid (validation_error 422). Correct the address, then resend.",
    );
    expect(row!.failure_reason).not.toContain('@');
    await quietly();
    expect(requestsFor(row!.id)).toHaveLength(1);
  });
});

describe('refunds', () => {
  it('a refunded order gets a refund notice; a voided one a cancellation', async () => {
    const address = uniqueAddress('refund');
    const refunded = await sell(env, { buyer: { email: address } });
    await settled(refunded.orderId, 2);
    expect(await refund(env, refunded.orderId)).toEqual(['applied']);
    const rows = await settled(refunded.orderId, 3);
    expect(rows.find((row) => row.kind === 'refund')).toMatchObject({ status: 'sent', attempts: 1 });
    const notice = emailsTo(address).find((mail) => mail.body.subject.startsWith('Order'))!;
    expect(notice.body.subject).toMatch(/^Order \S+ refunded/);
    expect(notice.body.text).toMatch(/is given back \(Cash\)/);
    expect(notice.body.text).toContain('Its tickets no longer let anyone in.');

    const voidAddress = uniqueAddress('void');
    const voided = await sell(env, { comp: true, buyer: { email: voidAddress } });
    await settled(voided.orderId, 1);
    expect(await refund(env, voided.orderId, 'void')).toEqual(['applied']);
    await settled(voided.orderId, 2);
    const cancelled = emailsTo(voidAddress).find((mail) => mail.body.subject.startsWith('Order'))!;
    expect(cancelled.body.subject).toMatch(/^Order \S+ cancelled/);
    expect(cancelled.body.text).not.toContain('given back');
  });

  it('a confirmation still waiting when its order is refunded is not sent', async () => {
    const address = uniqueAddress('late');
    // Resend asks for a wait long enough for the refund to come first.
    capture.script({ status: 429, retryAfterSeconds: 3 });
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    await waitFor(async () => (await emailRows(env, sale.orderId))[0]?.attempts === 1, 'the first try');
    expect(await refund(env, sale.orderId, 'void')).toEqual(['applied']);
    const rows = await settled(sale.orderId, 2);
    expect(rows.map((row) => [row.kind, row.status])).toEqual([
      ['confirmation', 'failed'],
      ['refund', 'sent'],
    ]);
    expect(rows[0]!.failure_reason).toBe(
      'The order has no valid tickets any more (refunded or voided before the email went out).',
    );
  });
});

describe('resending from a console (resendOrderEmail)', () => {
  it('queues a new email that goes out under a new key; the role, the order and the address are checked', async () => {
    const address = uniqueAddress('resend');
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    const [first] = await settled(sale.orderId, 1);
    const emailId = randomUUID();
    const args = { emailId, orderId: sale.orderId, kind: 'confirmation', at: new Date().toISOString() };
    expect(await push(env.till, [['resendOrderEmail', args]])).toEqual(['applied']);
    const rows = await settled(sale.orderId, 2);
    expect(rows.find((row) => row.id === emailId)).toMatchObject({ status: 'sent', attempts: 1 });
    const mails = emailsTo(address);
    expect(mails.map((mail) => mail.idempotencyKey)).toEqual([
      `order-email-${first!.id}`,
      `order-email-${emailId}`,
    ]);
    expect(mails[1]!.body.subject).toBe(mails[0]!.body.subject);

    const silent = await sell(env, { buyer: { email: null } });
    expect(
      await push(env.till, [
        ['resendOrderEmail', { ...args, emailId }],
        ['resendOrderEmail', { ...args, emailId: randomUUID(), orderId: silent.orderId }],
        ['resendOrderEmail', { ...args, emailId: randomUUID(), kind: 'refund' }],
      ]),
    ).toEqual(['already_exists', 'no_email', 'not_applicable']);
    const scanner = await openTill(
      env.server,
      await env.signIn(memberWithRole(env.demo, 'check_in')),
      env.orgId,
      'Door',
      false,
    );
    expect(await push(scanner, [['resendOrderEmail', { ...args, emailId: randomUUID() }]])).toEqual([
      'forbidden',
    ]);
  });
});

describe('privacy', () => {
  it('jobs hold ids only, and the log names no address, name or secret', async () => {
    const address = uniqueAddress('private');
    capture.refuseAddress(address);
    const sale = await sell(env, { comp: true, buyer: { email: address, firstName: 'Zebedee' } });
    await settled(sale.orderId, 1);
    const jobs = await env.server.db.adminPool.query<{ name: string; data: unknown }>(
      `SELECT name, data FROM pgboss.job WHERE name LIKE 'order-email%'
       UNION ALL SELECT name, data FROM pgboss.archive WHERE name LIKE 'order-email%'`,
    );
    expect(jobs.rows.length).toBeGreaterThan(0);
    for (const job of jobs.rows) {
      if (job.name !== 'order-email') continue;
      expect(Object.keys(job.data as object).sort()).toEqual(['emailId', 'orgId']);
    }
    expect(JSON.stringify(jobs.rows)).not.toMatch(/@|Zebedee|Lovelace/);

    // One more try of a refused email by hand, its log kept: the email's id and the error's name only.
    const lines: string[] = [];
    const refused = uniqueAddress('private-log');
    capture.refuseAddress(refused);
    const other = await sell(env, { comp: true, buyer: { email: refused, firstName: 'Zebedee' } });
    const [row] = await settled(other.orderId, 1);
    await writeAtNewVersion(
      env,
      "UPDATE order_emails SET status = 'queued', version = $3 WHERE org_id = $1 AND id = $2",
      [row!.id],
    );
    const result = await tryAgain(row!.id, lines);
    expect(result.outcome).toBe('failed');
    expect(lines).toEqual([`order-email: email ${row!.id} try 2 not sent: validation_error (422)`]);
  });
});
