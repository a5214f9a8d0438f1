import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { paymentsSuite } from './stripe-fixture.ts';
import { apiClient, enroll, memberWithRole, serverError, signIn } from './support.ts';

/**
 * The organization's card readers: registered once by the code a reader shows, on one till at a time, removed;
 * and a reader that is offline or busy when a payment is handed to it ends that payment plainly, seats back.
 */
const suite = paymentsSuite();

async function reader(readerId: string) {
  const result = await suite.server.db.adminPool.query<Record<string, unknown>>(
    'SELECT * FROM card_readers WHERE id = $1',
    [readerId],
  );
  return result.rows[0] ?? null;
}

describe.skipIf(!suite.available)('card readers', () => {
  it('registers a reader once however often asked, at the location of the first', async () => {
    const calls = suite.calls.registerReader ?? 0;
    const readerId = randomUUID();
    const register = () =>
      suite.till.api.payments.readers.register.mutate({
        readerId,
        registrationCode: 'simulated-wpe',
        label: 'Spare reader',
        deviceId: null,
      });
    const first = await register();
    expect(await register()).toEqual(first);
    expect((suite.calls.registerReader ?? 0) - calls).toBe(1);
    expect(await reader(readerId)).toMatchObject({
      label: 'Spare reader',
      status: 'active',
      device_id: null,
      stripe_reader_id: expect.stringMatching(/^tmr_/),
      stripe_location_id: (await reader(suite.readerId))!.stripe_location_id,
    });
  });

  it('keeps one reader per till: assigning one takes the till from the other', async () => {
    const other = await suite.newTill('Till with a spare');
    const readerId = randomUUID();
    await suite.till.api.payments.readers.register.mutate({
      readerId,
      registrationCode: 'simulated-wpe',
      label: 'Second reader',
      deviceId: other.id,
    });
    expect(await other.api.payments.availability.query()).toMatchObject({ reader: { id: readerId } });
    // Whether Stripe sees the reader connected comes with it; when Stripe cannot say, null (still usable).
    const { reader: asked } = await other.api.payments.availability.query();
    expect([true, false]).toContain(asked!.online);
    suite.faults.set('readerStatus', null);
    try {
      expect(await other.api.payments.availability.query()).toMatchObject({
        available: true,
        reader: { id: readerId, online: null },
      });
    } finally {
      suite.faults.delete('readerStatus');
    }
    // The first till's reader moves to the other till; the second reader is left without one.
    await suite.till.api.payments.readers.assign.mutate({ readerId: suite.readerId, deviceId: other.id });
    expect(await reader(readerId)).toMatchObject({ device_id: null });
    expect(await other.api.payments.availability.query()).toMatchObject({ reader: { id: suite.readerId } });
    expect(await suite.till.api.payments.availability.query()).toMatchObject({ reader: null });
    await suite.till.api.payments.readers.assign.mutate({
      readerId: suite.readerId,
      deviceId: suite.till.id,
    });

    expect(await suite.till.api.payments.readers.remove.mutate({ readerId })).toMatchObject({
      status: 'removed',
    });
    expect((suite.calls.removeReader ?? 0) >= 1).toBe(true);
    expect(
      (await serverError(suite.till.api.payments.readers.assign.mutate({ readerId, deviceId: other.id })))
        .code,
    ).toBe('NOT_FOUND');
  });

  it('lets only an owner or admin manage readers', async () => {
    const cashier = await signIn(suite.server, memberWithRole(suite.demo, 'box_office'));
    const device = await enroll(suite.server, cashier.session, suite.orgId, 'Cashier till');
    const api = apiClient(suite.server, { session: cashier.session, device: device.deviceToken });
    expect(await api.payments.availability.query()).toMatchObject({ available: true });
    const refused = await serverError(
      api.payments.readers.register.mutate({
        readerId: randomUUID(),
        registrationCode: 'simulated-wpe',
        label: 'Mine',
        deviceId: device.deviceId,
      }),
    );
    expect(refused.code).toBe('FORBIDDEN');
  });

  it('ends a payment plainly when the reader is offline, with nothing charged and the seats back', async () => {
    suite.faults.set('processOnReader', 'terminal_reader_offline');
    let started: Awaited<ReturnType<typeof suite.startPayment>>;
    try {
      started = await suite.startPayment(2);
    } finally {
      suite.faults.delete('processOnReader');
    }
    expect(started.state).toMatchObject({
      status: 'failed',
      failureReason: 'The reader is offline: check its power and network.',
    });
    expect(await suite.quota(started.sale.quotaId)).toMatchObject({ allocated: 0, sold: 0 });
  });

  it('ends a payment when the reader goes offline while it waits for the card', async () => {
    const { paymentId, intentId, sale } = await suite.startPayment(1);
    await suite.postEvent('terminal.reader.action_failed', {
      id: 'tmr_FrontDesk',
      object: 'terminal.reader',
      action: {
        status: 'failed',
        failure_code: 'terminal_reader_timeout',
        process_payment_intent: { payment_intent: intentId },
      },
    });
    expect(await suite.paymentRow(paymentId)).toMatchObject({
      status: 'declined',
      failure_reason: 'The reader did not answer in time: check it is on and online.',
    });
    expect(await suite.quota(sale.quotaId)).toMatchObject({ allocated: 0 });
  });
});
