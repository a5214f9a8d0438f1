import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  printerSettingsSchema,
  printReceipt,
  printTickets,
  printWithLp,
  sendRawTcp,
  type PrintResult,
} from './printer-delivery.ts';
import { encodeReceipt } from './receipt-escpos.ts';

let scratch: string;
const servers: net.Server[] = [];
const connections: net.Socket[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'janix-printing-'));
});

afterEach(async () => {
  // A paused connection never sees the client's close, and server.close() waits for every connection.
  for (const socket of connections.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(scratch, { recursive: true, force: true });
});

/** A stand-in network printer on an ephemeral loopback port that keeps every byte it is sent. */
async function fakePrinter(
  onConnection?: (socket: net.Socket) => void,
): Promise<{ port: number; received: Promise<Buffer> }> {
  let deliver!: (bytes: Buffer) => void;
  const received = new Promise<Buffer>((resolve) => (deliver = resolve));
  const server = net.createServer((socket) => {
    connections.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => deliver(Buffer.concat(chunks)));
    socket.on('error', () => {});
    onConnection?.(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, received };
}

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timed(run: () => Promise<PrintResult>): Promise<{ result: PrintResult; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

const RECEIPT = encodeReceipt(
  {
    kind: 'sale',
    currency: 'EUR',
    organizationName: 'Janix Theatre',
    eventName: 'Spring Gala',
    orderCode: 'Q7K2M',
    at: '2026-03-12T18:05:00Z',
    lines: [
      {
        ticketTypeName: 'Adult',
        quantity: 1,
        unitPriceCents: 1200,
        totalCents: 1200,
        taxRateBp: 2000,
        taxCents: 200,
      },
    ],
    totalCents: 1200,
    payment: { method: 'cash', tenderedCents: 2000, changeCents: 800 },
    cashier: 'Alice',
    deviceName: 'Box office 1',
  },
  { paperWidthChars: 42, kickDrawerPin: 2 },
);

describe('printer settings', () => {
  it('fills in the defaults: port 9100, 48 columns, no drawer, A4 tickets', () => {
    expect(printerSettingsSchema.parse({ receipt: { kind: 'network', host: '192.0.2.10' } })).toEqual({
      receipt: { kind: 'network', host: '192.0.2.10', port: 9100 },
      paperWidthChars: 48,
      drawerPin: null,
      ticketLayout: 'a4',
    });
  });

  it('accepts host names, IPv6, CUPS queue names and absolute folders', () => {
    for (const host of ['printer.local', '::1', 'fe80::1%eth0', '10.0.0.7']) {
      expect(printerSettingsSchema.safeParse({ receipt: { kind: 'network', host } }).success, host).toBe(
        true,
      );
    }
    for (const name of ['EPSON_TM-T20III', 'Star@office', 'boca.1']) {
      expect(printerSettingsSchema.safeParse({ tickets: { kind: 'system', name } }).success, name).toBe(true);
    }
    expect(printerSettingsSchema.safeParse({ tickets: { kind: 'folder', path: scratch } }).success).toBe(
      true,
    );
  });

  it('refuses names lp could misread, bad hosts and ports, relative folders, odd widths and pins', () => {
    const bad: unknown[] = [
      { receipt: { kind: 'system', name: 'two words' } },
      { receipt: { kind: 'system', name: '-o raw' } },
      { receipt: { kind: 'system', name: 'a/b' } },
      { receipt: { kind: 'system', name: 'a#b' } },
      { receipt: { kind: 'system', name: 'nul\u0000' } },
      { receipt: { kind: 'system', name: '' } },
      { receipt: { kind: 'network', host: 'printer; rm -rf /' } },
      { receipt: { kind: 'network', host: '10.0.0.7', port: 0 } },
      { receipt: { kind: 'network', host: '10.0.0.7', port: 70_000 } },
      { tickets: { kind: 'folder', path: 'relative/dir' } },
      { paperWidthChars: 40 },
      { drawerPin: 3 },
      { ticketLayout: 'letter' },
    ];
    for (const settings of bad)
      expect(printerSettingsSchema.safeParse(settings).success, JSON.stringify(settings)).toBe(false);
  });
});

describe('printReceipt and printTickets without a usable printer', () => {
  it('says no receipt printer is set, without throwing', async () => {
    expect(await printReceipt({}, RECEIPT)).toEqual({
      ok: false,
      reason: 'no_printer',
      message: 'No receipt printer is set for this device. Choose one in Settings → Printers.',
    });
    expect(await printTickets({ receipt: { kind: 'network', host: '127.0.0.1' } }, new Uint8Array())).toEqual(
      {
        ok: false,
        reason: 'no_printer',
        message: 'No ticket printer is set for this device. Choose one in Settings → Printers.',
      },
    );
  });

  it('reports invalid settings as a result naming the field', async () => {
    const result = await printReceipt({ receipt: { kind: 'network', host: '127.0.0.1', port: -1 } }, RECEIPT);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({
      reason: 'invalid_settings',
      message: expect.stringContaining('receipt.port'),
    });
  });
});

describe('network receipt printer', () => {
  it('delivers exactly the receipt bytes over TCP', async () => {
    const printer = await fakePrinter();
    const result = await printReceipt(
      { receipt: { kind: 'network', host: '127.0.0.1', port: printer.port } },
      RECEIPT,
    );
    expect(result).toEqual({ ok: true, destination: `127.0.0.1:${printer.port}` });
    expect((await printer.received).equals(Buffer.from(RECEIPT))).toBe(true);
  });

  it('delivers a large job intact, in order', async () => {
    const printer = await fakePrinter();
    const job = randomBytes(3 * 1024 * 1024);
    expect((await sendRawTcp({ host: '127.0.0.1', port: printer.port }, job)).ok).toBe(true);
    expect((await printer.received).equals(job)).toBe(true);
  });

  it('says the printer refused when nothing listens on the port, well within the timeout', async () => {
    const port = await closedPort();
    const { result, ms } = await timed(() =>
      sendRawTcp({ host: '127.0.0.1', port }, RECEIPT, { connectTimeoutMs: 2_000 }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'refused' });
    expect(!result.ok && result.message).toContain(`127.0.0.1:${port} refused the connection`);
    expect(ms).toBeLessThan(2_000);
  });

  it('gives up on a printer that never answers when the connect timeout runs out', async () => {
    const silent: net.Socket[] = [];
    const connect = (): net.Socket => {
      // A socket that never connects, as with a printer switched off behind a switch that drops the SYN.
      const socket = new net.Socket();
      silent.push(socket);
      return socket;
    };
    const { result, ms } = await timed(() =>
      sendRawTcp({ host: '192.0.2.10', port: 9100 }, RECEIPT, { connect, connectTimeoutMs: 300 }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'timed_out' });
    expect(!result.ok && result.message).toContain('192.0.2.10:9100 did not answer within 0.3 s (timed out)');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_000);
    expect(silent[0]!.destroyed).toBe(true);
  });

  it('maps an unreachable network to its own reason', async () => {
    const connect = (): net.Socket => {
      const socket = new net.Socket();
      setImmediate(() =>
        socket.emit('error', Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' })),
      );
      return socket;
    };
    const result = await sendRawTcp({ host: 'fe80::1', port: 9100 }, RECEIPT, { connect });
    expect(result).toEqual({
      ok: false,
      reason: 'unreachable',
      message:
        'The receipt printer at [fe80::1]:9100 is unreachable (EHOSTUNREACH). Check that it is on and on this network, and its address.',
    });
  });

  it('gives up on a printer that accepts the connection but stops reading (out of paper)', async () => {
    const printer = await fakePrinter((socket) => socket.pause());
    const job = new Uint8Array(64 * 1024 * 1024);
    const { result, ms } = await timed(() =>
      sendRawTcp({ host: '127.0.0.1', port: printer.port }, job, { writeTimeoutMs: 400 }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'timed_out' });
    expect(!result.ok && result.message).toContain('took the connection but not the receipt within 0.4 s');
    expect(ms).toBeLessThan(2_000);
  });
});

/** A stand-in for lp that records its arguments and stdin, then behaves as `tail` says. */
async function fakeLp(tail = 'echo "request id is $2-42 (1 file(s))"'): Promise<string> {
  const script = path.join(scratch, 'lp');
  const record = `printf '%s\\n' "$@" > "${scratch}/args"\ncat > "${scratch}/stdin"`;
  await writeFile(script, `#!/bin/sh\n${record}\n${tail}\n`);
  await chmod(script, 0o755);
  return script;
}

const lpArgs = async (): Promise<string[]> =>
  (await readFile(path.join(scratch, 'args'), 'utf8')).trimEnd().split('\n');

describe('system printers through lp', () => {
  it('sends a receipt as a raw job on stdin and reports the job id', async () => {
    const lpCommand = await fakeLp();
    const result = await printReceipt({ receipt: { kind: 'system', name: 'EPSON_TM-T20III' } }, RECEIPT, {
      lpCommand,
      documentName: 'Receipt Q7K2M',
    });
    expect(result).toEqual({ ok: true, destination: 'EPSON_TM-T20III (job EPSON_TM-T20III-42)' });
    expect(await lpArgs()).toEqual(['-d', 'EPSON_TM-T20III', '-o', 'raw', '-t', 'Receipt Q7K2M']);
    expect((await readFile(path.join(scratch, 'stdin'))).equals(Buffer.from(RECEIPT))).toBe(true);
  });

  it('sends tickets as a PDF job, without -o raw so CUPS renders it', async () => {
    const lpCommand = await fakeLp();
    const pdf = Buffer.from('%PDF-1.3 stand-in');
    const result = await printTickets({ tickets: { kind: 'system', name: 'BOCA' } }, pdf, { lpCommand });
    expect(result.ok).toBe(true);
    expect(await lpArgs()).toEqual(['-d', 'BOCA', '-t', 'Tickets']);
    expect((await readFile(path.join(scratch, 'stdin'))).equals(pdf)).toBe(true);
  });

  it("passes on lp's own complaint when it fails", async () => {
    const lpCommand = await fakeLp('echo "lp: The printer or class does not exist." >&2; exit 1');
    const result = await printReceipt({ receipt: { kind: 'system', name: 'Gone' } }, RECEIPT, { lpCommand });
    expect(result).toEqual({
      ok: false,
      reason: 'print_failed',
      message: 'Printing to Gone failed: lp: The printer or class does not exist.',
    });
  });

  it('stops waiting for an lp that hangs, even one whose child keeps the pipes open', async () => {
    const lpCommand = await fakeLp('sleep 5');
    const { result, ms } = await timed(() =>
      printReceipt({ receipt: { kind: 'system', name: 'Stuck' } }, RECEIPT, {
        lpCommand,
        commandTimeoutMs: 300,
      }),
    );
    expect(result).toEqual({
      ok: false,
      reason: 'timed_out',
      message: 'Printing to Stuck did not finish within 0.3 s (timed out).',
    });
    expect(ms).toBeLessThan(2_000);
  });

  it('explains a missing lp instead of throwing', async () => {
    const result = await printReceipt({ receipt: { kind: 'system', name: 'Any' } }, RECEIPT, {
      lpCommand: path.join(scratch, 'no-such-lp'),
    });
    expect(result).toMatchObject({
      ok: false,
      reason: 'print_failed',
      message: expect.stringContaining('CUPS'),
    });
  });

  it('never runs lp for a name that fails the check', async () => {
    const lpCommand = await fakeLp();
    const result = await printWithLp('-o evil', RECEIPT, { raw: true, lpCommand });
    expect(result).toMatchObject({ ok: false, reason: 'invalid_settings' });
    await expect(readFile(path.join(scratch, 'args'))).rejects.toThrow();
  });
});

describe('saving tickets to a folder', () => {
  it('writes the PDF under a safe name and never replaces an earlier file', async () => {
    const folder = path.join(scratch, 'tickets', 'nested');
    const settings = { tickets: { kind: 'folder' as const, path: folder } };
    const pdf = Buffer.from('%PDF-1.3 first');
    const first = await printTickets(settings, pdf, { documentName: '../Tickets Q7K2M/é' });
    expect(first).toEqual({ ok: true, destination: path.join(folder, 'Tickets-Q7K2M.pdf') });
    const second = await printTickets(settings, Buffer.from('%PDF-1.3 second'), {
      documentName: '../Tickets Q7K2M/é',
    });
    expect(second).toEqual({ ok: true, destination: path.join(folder, 'Tickets-Q7K2M-2.pdf') });
    expect(await readdir(folder)).toEqual(['Tickets-Q7K2M-2.pdf', 'Tickets-Q7K2M.pdf']);
    expect((await readFile(path.join(folder, 'Tickets-Q7K2M.pdf'))).equals(pdf)).toBe(true);
  });

  it('reports a folder it cannot write to', async () => {
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'not a folder');
    const result = await printTickets({ tickets: { kind: 'folder', path: file } }, Buffer.from('%PDF'));
    expect(result).toMatchObject({
      ok: false,
      reason: 'save_failed',
      message: expect.stringContaining('(EEXIST)'),
    });
  });
});
