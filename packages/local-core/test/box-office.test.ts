import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTicketSecretVerifier } from '@janix/domain/ticket-secrets';
import { generateDemoOrg, makeTempDir } from '@janix/testkit';
import { consoleSuite, openEnrolledConsole, switchableNetwork } from './console-fixtures.ts';
import type { LocalCore } from '../src/index.ts';
import { DRAWER_KICK } from '../src/printing/receipt-escpos.ts';

const demo = generateDemoOrg({ attendees: 50 });
const suite = consoleSuite(demo);

const newConsole = (name: string, network = switchableNetwork()) =>
  openEnrolledConsole(suite, name, 'box-office', network);

/** Waits for something the console does after a sync on its own (fetching the seats' signed codes). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A receipt printer on a TCP port, keeping what each connection sent. */
async function fakeReceiptPrinter() {
  const jobs: Buffer[] = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => {
      jobs.push(Buffer.concat(chunks));
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  suite.defer(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as net.AddressInfo).port, jobs };
}

/** An event on sale with a ticket type the box office sells, and the quota it sells from. */
async function sellableTicketType(core: LocalCore) {
  for (const event of await core.caller.boxOffice.saleEvents()) {
    const catalog = await core.caller.boxOffice.catalog({ eventId: event.id });
    const type = catalog.ticketTypes.find(
      (candidate) => candidate.window === 'open' && candidate.priceCents > 0,
    );
    if (type) return { event, type };
  }
  throw new Error('the demo organization has no ticket type on sale at the box office');
}

describe('box office: a shift from float to Z report', () => {
  it('sells offline from held seats, syncs signed tickets to another console, refunds and closes', async () => {
    const network = switchableNetwork();
    const till = await newConsole('Till 1', network);
    const office = await newConsole('Back office');
    const { event, type } = await sellableTicketType(till);
    const quotaOf = async () =>
      (await till.caller.boxOffice.catalog({ eventId: event.id })).quotas.find(
        (q) => q.quotaId === type.quotaId,
      )!;

    // No shift yet: selling and asking for seats both say so.
    const sale = {
      orderId: randomUUID(),
      eventId: event.id,
      lines: [{ ticketTypeId: type.id, quantity: 2 }],
      buyer: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.org',
        phone: null,
        ageRange: null,
      },
      payment: { method: 'cash' as const, tenderedCents: type.priceCents * 2 + 1000 },
    };
    await expect(till.caller.boxOffice.sell(sale)).rejects.toThrow(
      'Open a shift on this device before selling.',
    );
    expect(await till.caller.boxOffice.shifts.current()).toBeNull();

    const shiftId = randomUUID();
    await till.caller.boxOffice.shifts.open({ shiftId, floatCents: 10_000 });
    // A second click on "Open shift" opens nothing more.
    await till.caller.boxOffice.shifts.open({ shiftId, floatCents: 10_000 });
    expect((await till.caller.boxOffice.shifts.current())?.shift).toMatchObject({
      id: shiftId,
      floatCents: 10_000,
    });

    // Seats are asked for offline-first and granted by the server; their signed codes follow by themselves.
    await till.caller.boxOffice.requestSeats({ quotaId: type.quotaId, seats: 2 });
    expect(await quotaOf()).toMatchObject({ left: 0, requested: 2 });
    await till.syncNow();
    const held = await eventually(quotaOf, (quota) => quota.left === 2, 'the seats’ codes');
    expect(held).toMatchObject({ left: 2, awaitingCodes: 0, requested: 0 });
    // The server granting the seats is no edit of someone else's: no "changed after your edit" notice.
    expect((await till.caller.notices.list()).filter((notice) => notice.kind === 'overwritten')).toEqual([]);

    // Offline: the sale is made from the held seats, at once, and sent again by a double click it is one sale.
    network.set(false);
    const sold = await till.caller.boxOffice.sell(sale);
    expect(sold).toMatchObject({ orderId: sale.orderId, repeated: false });
    expect(await till.caller.boxOffice.sell(sale)).toMatchObject({ repeated: true, code: sold.code });
    expect((await quotaOf()).left).toBe(0);
    const local = await till.caller.boxOffice.orders.get({ orderId: sale.orderId });
    expect(local.order).toMatchObject({
      status: 'paid',
      pending: true,
      totalCents: type.priceCents * 2,
      changeCents: 1000,
      paymentMethod: 'cash',
    });
    expect(local.tickets).toHaveLength(2);
    expect(await till.caller.boxOffice.preferences()).toMatchObject({ lastEventId: event.id });

    // The allocation is spent: the next sale is refused with the reason, and nothing is queued for it.
    const pendingBefore = (await till.caller.status()).sync.pending;
    await expect(
      till.caller.boxOffice.sell({
        ...sale,
        orderId: randomUUID(),
        lines: [{ ticketTypeId: type.id, quantity: 1 }],
      }),
    ).rejects.toThrow(`This device holds no seats for ${type.name}. Request seats while online.`);
    expect((await till.caller.status()).sync.pending).toBe(pendingBefore);

    // The order is found by its code and by its buyer.
    expect(
      (await till.caller.boxOffice.orders.search({ text: sold.code.slice(0, 4) })).map((o) => o.id),
    ).toContain(sale.orderId);
    expect((await till.caller.boxOffice.orders.search({ text: 'lovel' })).map((o) => o.id)).toContain(
      sale.orderId,
    );
    expect(await till.caller.boxOffice.orders.search({ text: 'lo' })).toEqual([]);

    // Back online: the server takes the sale, and the other console sees it with tickets that verify.
    network.set(true);
    await till.syncNow();
    expect((await till.caller.status()).sync).toMatchObject({ pending: 0, rejectionCount: 0 });
    expect((await till.caller.boxOffice.orders.get({ orderId: sale.orderId })).order.pending).toBe(false);
    await office.syncNow();
    const seen = await office.caller.boxOffice.orders.get({ orderId: sale.orderId });
    expect(seen.order).toMatchObject({ code: sold.code, status: 'paid', pending: false });
    expect(seen.buyer).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    const secrets = office
      .replica()
      .db.prepare('SELECT secret, event_id AS eventId FROM tickets WHERE order_id = ?')
      .all(sale.orderId) as Array<{ secret: string; eventId: string }>;
    expect(secrets).toHaveLength(2);
    const verifier = createTicketSecretVerifier(
      await suite.server.deps.tickets.verificationKeys(demo.org.id),
    );
    for (const ticket of secrets) {
      expect(verifier.verify(ticket.secret)).toMatchObject({
        ok: true,
        payload: { eventId: event.id, ticketTypeId: type.id },
      });
    }

    // A cash refund from the drawer shows at once, with who, where and why.
    await expect(
      till.caller.boxOffice.orders.refund({
        orderId: sale.orderId,
        auditId: randomUUID(),
        action: 'refund',
        reason: ' ',
      }),
    ).rejects.toThrow();
    const auditId = randomUUID();
    await till.caller.boxOffice.orders.refund({
      orderId: sale.orderId,
      auditId,
      action: 'refund',
      reason: 'Show clashes with a wedding',
    });
    await till.caller.boxOffice.orders.refund({
      orderId: sale.orderId,
      auditId,
      action: 'refund',
      reason: 'Show clashes with a wedding',
    });
    const refunded = await till.caller.boxOffice.orders.get({ orderId: sale.orderId });
    expect(refunded.order).toMatchObject({ status: 'refunded', pending: true });
    expect(refunded.tickets.map((ticket) => ticket.status)).toEqual(['refunded', 'refunded']);
    expect(refunded.audit).toEqual([
      expect.objectContaining({
        action: 'refund',
        reason: 'Show clashes with a wedding',
        amountCents: type.priceCents * 2,
        deviceName: 'Till 1',
        pending: true,
      }),
    ]);

    // Paid in and out, with reasons; then the blind count and the Z report.
    await till.caller.boxOffice.shifts.cashMovement({
      movementId: randomUUID(),
      kind: 'paid_in',
      amountCents: 2_000,
      reason: 'Change from the bank',
    });
    await till.caller.boxOffice.shifts.cashMovement({
      movementId: randomUUID(),
      kind: 'paid_out',
      amountCents: 350,
      reason: 'Cable ties',
    });
    const x = (await till.caller.boxOffice.shifts.current())!;
    expect(x.report).toMatchObject({
      status: 'open',
      expectedCashCents: 10_000 + 2_000 - 350,
      countedCents: null,
    });

    const counted = 10_000 + 2_000 - 350 - 150;
    await till.caller.boxOffice.shifts.close({ shiftId, countedCents: counted });
    await till.caller.boxOffice.shifts.close({ shiftId, countedCents: counted });
    expect(await till.caller.boxOffice.shifts.current()).toBeNull();
    const z = await till.caller.boxOffice.shifts.report({ shiftId });
    expect(z.currency).toBe(type.currency);
    expect(z.report).toMatchObject({
      status: 'closed',
      floatCents: 10_000,
      salesByMethod: [{ method: 'cash', orders: 1, amountCents: type.priceCents * 2 }],
      salesByTicketType: [{ ticketTypeId: type.id, quantity: 2, amountCents: type.priceCents * 2 }],
      refunds: { orders: 1, amountCents: type.priceCents * 2 },
      voids: { orders: 0, amountCents: 0 },
      comps: { orders: 0, tickets: 0 },
      cashSalesCents: type.priceCents * 2,
      cashRefundsCents: type.priceCents * 2,
      paidInCents: 2_000,
      paidOutCents: 350,
      expectedCashCents: 10_000 + 2_000 - 350,
      countedCents: counted,
      overShortCents: -150,
    });
    expect((await till.caller.boxOffice.shifts.closed()).map((shift) => shift.id)).toContain(shiftId);
    // Closing gave the shift's seats back: none is held for it any more.
    expect(
      till.replica().db.prepare('SELECT status FROM allocations_current WHERE shift_id = ?').all(shiftId),
    ).toEqual([{ status: 'returned' }]);

    // The server agrees: every command applied, the shift closed with the same expected cash.
    await till.syncNow();
    expect((await till.caller.status()).sync).toMatchObject({ pending: 0, rejectionCount: 0 });
    await office.syncNow();
    expect((await office.caller.boxOffice.orders.get({ orderId: sale.orderId })).order.status).toBe(
      'refunded',
    );
    const shiftRow = till.replica().db.prepare('SELECT * FROM shifts WHERE id = ?').get(shiftId);
    expect(shiftRow).toMatchObject({
      status: 'closed',
      expected_cents: 10_000 + 2_000 - 350,
      counted_cents: counted,
    });
  });
});

describe('box office: refusals and printing', () => {
  it('prints receipts (opening the drawer for cash), tickets and reports, and says why when it cannot', async () => {
    const till = await newConsole('Till 2');
    const { event, type } = await sellableTicketType(till);
    const shiftId = randomUUID();
    await till.caller.boxOffice.shifts.open({ shiftId, floatCents: 5_000 });
    await till.caller.boxOffice.requestSeats({ quotaId: type.quotaId, seats: 1 });
    await till.syncNow();
    await eventually(
      () => till.caller.boxOffice.catalog({ eventId: event.id }),
      (catalog) => catalog.quotas.some((q) => q.quotaId === type.quotaId && q.left === 1),
      'the seat’s code',
    );
    await expect(
      till.caller.boxOffice.sell({
        orderId: randomUUID(),
        eventId: event.id,
        lines: [{ ticketTypeId: type.id, quantity: 1 }],
        buyer: null,
        payment: { method: 'cash', tenderedCents: type.priceCents - 1 },
      }),
    ).rejects.toThrow('The cash given does not cover the total.');
    const { orderId } = await till.caller.boxOffice.sell({
      orderId: randomUUID(),
      eventId: event.id,
      lines: [{ ticketTypeId: type.id, quantity: 1 }],
      buyer: null,
      payment: { method: 'cash', tenderedCents: type.priceCents },
    });

    // Nothing set up: the result says so, the sale stands.
    expect(await till.caller.printing.receipt({ orderId, openDrawer: true })).toMatchObject({
      ok: false,
      reason: 'no_printer',
      message: expect.stringContaining('No receipt printer is set for this device.'),
    });

    const printer = await fakeReceiptPrinter();
    const folder = makeTempDir('tickets');
    suite.defer(folder.remove);
    await till.caller.printing.saveSettings({
      receipt: { kind: 'network', host: '127.0.0.1', port: printer.port },
      tickets: { kind: 'folder', path: folder.path },
      paperWidthChars: 42,
      drawerPin: 2,
      ticketLayout: '80mm',
    });
    expect((await till.caller.printing.settings()).settings).toMatchObject({
      paperWidthChars: 42,
      drawerPin: 2,
    });

    const kick = Buffer.from(DRAWER_KICK[2]);
    expect(await till.caller.printing.receipt({ orderId, openDrawer: true })).toMatchObject({ ok: true });
    expect(await till.caller.printing.receipt({ orderId, openDrawer: false })).toMatchObject({ ok: true });
    expect(await till.caller.printing.shiftReport({ shiftId })).toMatchObject({ ok: true });
    expect(await till.caller.printing.testPage({})).toMatchObject({ ok: true });
    await eventually(
      async () => printer.jobs.length,
      (count) => count === 4,
      'four print jobs',
    );
    const [sale, reprint, report, test] = printer.jobs;
    expect(sale!.includes(kick)).toBe(true);
    const { order } = await till.caller.boxOffice.orders.get({ orderId });
    expect(sale!.toString('latin1')).toContain(order.code);
    expect(reprint!.includes(kick)).toBe(false);
    expect(report!.toString('latin1')).toContain('X REPORT');
    expect(test!.toString('latin1')).toContain('Printer test');

    const tickets = await till.caller.printing.tickets({ orderId });
    expect(tickets).toMatchObject({ ok: true });
    const files = await readdir(folder.path);
    expect(files).toHaveLength(1);
    expect((await readFile(join(folder.path, files[0]!))).subarray(0, 5).toString()).toBe('%PDF-');

    // A voided order has no tickets left to print.
    await till.caller.boxOffice.orders.refund({
      orderId,
      auditId: randomUUID(),
      action: 'void',
      reason: 'Wrong event',
    });
    expect(await till.caller.printing.tickets({ orderId })).toMatchObject({
      ok: false,
      message: expect.stringContaining('no valid tickets'),
    });
  });
});
