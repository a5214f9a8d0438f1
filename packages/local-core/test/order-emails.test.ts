import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_OWNER_EMAIL, generateDemoOrg, makeTempDir } from '@janix/testkit';
import {
  resendMailerFor,
  seedDemoOrg,
  signInCodeFromCapture,
  startResendCapture,
  startTestServer,
  type ResendCapture,
  type TestServer,
} from '@janix/server/testing';
import { openLocalCore, type LocalCore } from '../src/index.ts';

/**
 * Order emails as a console sees them: a sale's emails and how their delivery went arrive through the feed
 * (Resend refusing the buyer's address included, in plain words), and the order screen's resend asks the
 * server for a new email, which goes out under a key of its own. Resend is the real SDK against the local
 * capture server (@janix/server/testing).
 */

const demo = generateDemoOrg({ seed: 47, attendees: 10 });
let capture: ResendCapture;
let server: TestServer;
let core: LocalCore;
const dir = makeTempDir('order-emails');

/** Polls `read` (syncing first) until `done`, for what the server does after a sync on its own. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await core.syncNow();
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  capture = await startResendCapture();
  server = await startTestServer(inject('pgAdminUrl'), {
    mailer: resendMailerFor(capture),
    orderEmails: { backoffMs: () => 300, maxAttempts: 3 },
  });
  await seedDemoOrg(server.db.adminPool, demo);
  core = await openLocalCore({ dataDir: join(dir.path, 'console'), serverUrl: server.url, autoSync: false });
  // The sign-in code goes through Resend too: read it from the capture.
  await core.caller.auth.requestCode({ email: DEMO_OWNER_EMAIL });
  await core.caller.auth.verifyCode({
    email: DEMO_OWNER_EMAIL,
    code: await signInCodeFromCapture(capture, server.db.adminPool, DEMO_OWNER_EMAIL),
  });
  const [membership] = await core.caller.auth.memberships();
  await core.caller.device.enroll({ orgId: membership!.orgId, name: 'Email till' });
  await core.syncNow();
}, 60_000);

afterAll(async () => {
  await core?.close();
  await server?.close();
  await capture?.close();
  dir.remove();
});

/** A cash sale of one ticket to a buyer with this address, pushed to the server. */
async function sellTo(email: string | null): Promise<string> {
  const events = await core.caller.boxOffice.saleEvents();
  let sellable: { eventId: string; ticketTypeId: string; quotaId: string; priceCents: number } | null = null;
  for (const event of events) {
    const type = (await core.caller.boxOffice.catalog({ eventId: event.id })).ticketTypes.find(
      (candidate) => candidate.window === 'open' && candidate.priceCents > 0,
    );
    if (type) {
      sellable = {
        eventId: event.id,
        ticketTypeId: type.id,
        quotaId: type.quotaId,
        priceCents: type.priceCents,
      };
      break;
    }
  }
  if (!sellable) throw new Error('nothing on sale at the box office');
  if (!(await core.caller.boxOffice.shifts.current())) {
    await core.caller.boxOffice.shifts.open({ shiftId: randomUUID(), floatCents: 0 });
  }
  await core.caller.boxOffice.requestSeats({ quotaId: sellable.quotaId, seats: 1 });
  await eventually(
    () => core.caller.boxOffice.catalog({ eventId: sellable.eventId }),
    (catalog) => (catalog.quotas.find((quota) => quota.quotaId === sellable.quotaId)?.left ?? 0) >= 1,
    'the seat and its code',
  );
  const orderId = randomUUID();
  await core.caller.boxOffice.sell({
    orderId,
    eventId: sellable.eventId,
    lines: [{ ticketTypeId: sellable.ticketTypeId, quantity: 1 }],
    buyer: { firstName: 'Ada', lastName: 'Lovelace', email, phone: null, ageRange: null },
    payment: { method: 'cash', tenderedCents: sellable.priceCents },
  });
  await core.syncNow();
  return orderId;
}

describe('order emails on the console', () => {
  it('shows an address Resend refused as failed, with why; a resend goes out again under a new key', async () => {
    const address = `refused-${randomUUID().slice(0, 8)}@buyers.janix.test`;
    capture.refuseAddress(address);
    const orderId = await sellTo(address);

    const failed = await eventually(
      () => core.caller.orderEmails.list({ orderId }),
      (list) => list.emails.length === 2 && list.emails.every((email) => email.status === 'failed'),
      'both emails to fail',
    );
    const reason =
      "Resend refused the buyer's email address as invalid (validation_error 422). Correct the address, then resend.";
    expect(
      failed.emails.map((email) => [email.kind, email.status, email.attempts, email.failureReason]).sort(),
    ).toEqual([
      ['confirmation', 'failed', 1, reason],
      ['receipt', 'failed', 1, reason],
    ]);
    expect(failed.resend).toEqual([
      { kind: 'confirmation', allowed: true, reason: null },
      { kind: 'receipt', allowed: true, reason: null },
      { kind: 'refund', allowed: false, reason: 'This order was not refunded or voided.' },
    ]);

    // The buyer's mailbox works now. The resend is queued here at once, and twice asked is once.
    capture.acceptAddress(address);
    const emailId = randomUUID();
    await core.caller.orderEmails.resend({ orderId, emailId, kind: 'confirmation' });
    await core.caller.orderEmails.resend({ orderId, emailId, kind: 'confirmation' });
    const queued = await core.caller.orderEmails.list({ orderId });
    expect(queued.emails.find((email) => email.id === emailId)).toMatchObject({
      status: 'queued',
      attempts: 0,
      pending: true,
    });
    expect(queued.resend[0]).toEqual({
      kind: 'confirmation',
      allowed: false,
      reason: 'This email is already waiting to go out.',
    });

    const sent = await eventually(
      () => core.caller.orderEmails.list({ orderId }),
      (list) => list.emails.find((email) => email.id === emailId)?.status === 'sent',
      'the resent confirmation',
    );
    expect(sent.emails.find((email) => email.id === emailId)).toMatchObject({ attempts: 1, pending: false });
    expect(sent.emails.find((email) => email.id === emailId)!.sentAt).not.toBeNull();
    const delivered = capture.emails.filter((email) => email.body.to === address);
    expect(delivered.map((email) => email.idempotencyKey)).toEqual([`order-email-${emailId}`]);
    expect(capture.attachmentsOf(delivered[0]!).map((attachment) => attachment.contentType)).toEqual([
      'application/pdf',
      'image/png',
    ]);
  });

  it('offers no resend for a buyer without an address, and refuses one asked for anyway', async () => {
    const orderId = await sellTo(null);
    const list = await core.caller.orderEmails.list({ orderId });
    expect(list.emails).toEqual([]);
    expect(list.resend[0]).toEqual({
      kind: 'confirmation',
      allowed: false,
      reason: 'The buyer gave no email address for this order.',
    });
    await expect(
      core.caller.orderEmails.resend({ orderId, emailId: randomUUID(), kind: 'confirmation' }),
    ).rejects.toThrow('The buyer gave no email address for this order.');
  });
});
