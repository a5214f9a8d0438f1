import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_MAIL_LIFETIME_MS } from '../src/mail/mailer.ts';
import { emailRows, sell, startEmailServer, uniqueAddress, type EmailServer } from './order-email-fixture.ts';
import { apiClient, serverError, waitFor } from './support.ts';

/**
 * Without a Resend key (development), order emails go to the dev mailbox, attachments included, kept for days
 * rather than a sign-in code's minutes, and readable only with the per-run secret.
 */

let env: EmailServer;

beforeAll(async () => {
  env = await startEmailServer(inject('pgAdminUrl'), { seed: 43 });
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('order emails in the dev mailbox', () => {
  it('keeps the confirmation with its PDF and QR images, and the receipt, for a week', async () => {
    const address = uniqueAddress('dev');
    const sale = await sell(env, { quantity: 2, buyer: { email: address } });
    await waitFor(
      async () => (await emailRows(env, sale.orderId)).filter((row) => row.status === 'sent').length === 2,
      'both emails in the dev mailbox',
    );
    for (const row of await emailRows(env, sale.orderId)) expect(row.provider_message_id).toMatch(/^dev-/);

    const mailbox = env.server.deps.devMailbox!;
    const messages = await mailbox.list(address);
    expect(messages.map((message) => message.subject.split(' ')[0]).sort()).toEqual(['Receipt', 'Your']);
    const confirmation = messages.find((message) => message.subject.startsWith('Your tickets'))!;
    expect(confirmation.html).toContain('cid:ticket-1');
    expect(confirmation.attachments.map(({ filename, contentType }) => [filename, contentType])).toEqual([
      [expect.stringMatching(/^tickets-.+\.pdf$/), 'application/pdf'],
      ['ticket-1.png', 'image/png'],
      ['ticket-2.png', 'image/png'],
    ]);
    const pdf = await mailbox.attachment(confirmation.id, confirmation.attachments[0]!.filename);
    expect(pdf!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf!.size).toBe(pdf!.content.length);

    const kept = await env.server.db.adminPool.query<{ lifetime_ms: number }>(
      `SELECT extract(epoch FROM expires_at - created_at) * 1000 AS lifetime_ms FROM dev_mailbox
       WHERE to_address = $1`,
      [address],
    );
    for (const row of kept.rows) expect(Number(row.lifetime_ms)).toBe(DEV_MAIL_LIFETIME_MS.order);
    const signIn = await env.server.db.adminPool.query<{ lifetime_ms: number }>(
      `SELECT extract(epoch FROM expires_at - created_at) * 1000 AS lifetime_ms FROM dev_mailbox
       WHERE subject LIKE 'Your Janix sign-in code%' LIMIT 1`,
    );
    expect(Number(signIn.rows[0]!.lifetime_ms)).toBe(DEV_MAIL_LIFETIME_MS['sign-in']);
  });

  it('shows them, attachments by name and size, to the per-run secret only', async () => {
    const address = uniqueAddress('dev-api');
    const sale = await sell(env, { comp: true, buyer: { email: address } });
    await waitFor(async () => (await emailRows(env, sale.orderId))[0]?.status === 'sent', 'the confirmation');
    const listed = await apiClient(env.server, {
      devMailbox: env.server.devMailboxSecret,
    }).devMailbox.list.query({
      to: address,
    });
    expect(listed).toHaveLength(1);
    expect(listed[0]!.attachments).toEqual([
      expect.objectContaining({ contentType: 'application/pdf', size: expect.any(Number) }),
      expect.objectContaining({ filename: 'ticket-1.png', contentId: 'ticket-1' }),
    ]);
    expect(JSON.stringify(listed)).not.toContain('"content"');
    const stranger = apiClient(env.server, { devMailbox: 'x'.repeat(32) });
    expect((await serverError(stranger.devMailbox.list.query({ to: address }))).code).toBe('NOT_FOUND');
  });
});
