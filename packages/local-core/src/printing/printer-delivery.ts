import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { PAPER_WIDTHS } from './receipt-escpos.ts';

/**
 * Sends receipts (ESC/POS bytes) and tickets (PDF) to the printers a device is set up with. Every path ends in
 * a `PrintResult` within its timeout: a cashier mid-sale gets "printer unreachable" and can carry on, never a
 * spinner or an exception. Receipts go raw over TCP (port 9100 on most network receipt printers) or through
 * CUPS as a raw job; tickets go to a CUPS queue or are saved as a file.
 */

/**
 * CUPS queue names: up to 127 printable characters other than space, tab, '/' and '#' (CUPS's own rule), kept
 * to ASCII, and never starting with '-' so lp cannot read the name as an option.
 */
const SYSTEM_PRINTER_NAME = /^(?!-)[!-"$-.0-~]{1,127}$/;
/** A host name, IPv4 or IPv6 address (with an optional %zone); DNS and the socket judge the rest. */
const HOST = /^[A-Za-z0-9._:%-]{1,253}$/;

const systemPrinter = z.object({
  kind: z.literal('system'),
  name: z.string().regex(SYSTEM_PRINTER_NAME, 'Not a printer queue name (no spaces, "/" or "#")'),
});

export const printerSettingsSchema = z.object({
  receipt: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('network'),
        host: z.string().trim().regex(HOST, 'Not a host name or IP address'),
        port: z.number().int().min(1).max(65_535).default(9100),
      }),
      systemPrinter,
    ])
    .optional(),
  tickets: z
    .discriminatedUnion('kind', [
      systemPrinter,
      z.object({
        kind: z.literal('folder'),
        path: z.string().refine((folder) => path.isAbsolute(folder), 'The folder must be a full path'),
      }),
    ])
    .optional(),
  paperWidthChars: z.literal(PAPER_WIDTHS).default(48),
  drawerPin: z.literal([2, 5]).nullable().default(null),
  ticketLayout: z.enum(['a4', '80mm']).default('a4'),
});

/** A device's printers, as stored and after defaults (port 9100, 48 columns, no drawer, A4 tickets). */
export type PrinterSettings = z.output<typeof printerSettingsSchema>;
export type PrinterSettingsInput = z.input<typeof printerSettingsSchema>;

export type PrintFailure =
  | 'no_printer'
  | 'invalid_settings'
  | 'unreachable'
  | 'refused'
  | 'timed_out'
  | 'print_failed'
  | 'save_failed';

/** The one outcome of every delivery: where it went, or why not in words to show the cashier. */
export type PrintResult =
  { ok: true; destination: string } | { ok: false; reason: PrintFailure; message: string };

export interface DeliveryOptions {
  /** Shown in the print queue and used for the file name when saving (default "Receipt" / "Tickets"). */
  documentName?: string;
  /** How long a network printer may take to accept the connection (default 3 s). */
  connectTimeoutMs?: number;
  /** How long it may take to accept all the bytes once connected (default 10 s). */
  writeTimeoutMs?: number;
  /** How long lp may take to queue the job (default 15 s). */
  commandTimeoutMs?: number;
  /** The lp program (default `lp` on PATH); tests pass a stand-in. */
  lpCommand?: string;
  /** Opens the TCP connection (default `net.connect`); tests pass one that never connects. */
  connect?: (target: { host: string; port: number }) => net.Socket;
}

const DEFAULTS = { connectTimeoutMs: 3_000, writeTimeoutMs: 10_000, commandTimeoutMs: 15_000 };
const SETTINGS_HINT = 'Choose one in Settings → Printers.';

function failure(reason: PrintFailure, message: string): PrintResult {
  return { ok: false, reason, message };
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

const PRINTER_ROLES = { receipt: 'receipt', tickets: 'ticket' } as const;

/** The device's printer for one role, or the result that explains why there is none to use. */
function printerFor<Role extends keyof typeof PRINTER_ROLES>(
  settings: PrinterSettingsInput,
  role: Role,
): NonNullable<PrinterSettings[Role]> | PrintResult {
  const parsed = printerSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
    );
    return failure(
      'invalid_settings',
      `The printer settings of this device are not valid (${problems.join('; ')}). Fix them in Settings → Printers.`,
    );
  }
  const printer = parsed.data[role];
  if (printer) return printer;
  return failure('no_printer', `No ${PRINTER_ROLES[role]} printer is set for this device. ${SETTINGS_HINT}`);
}

/**
 * Prints a receipt (ESC/POS bytes from receipt-escpos.ts) on the device's receipt printer. The settings are
 * validated here too, so stored settings can be passed as they are.
 */
export async function printReceipt(
  settings: PrinterSettingsInput,
  bytes: Uint8Array,
  options: DeliveryOptions = {},
): Promise<PrintResult> {
  const printer = printerFor(settings, 'receipt');
  if ('ok' in printer) return printer;
  if (printer.kind === 'network') return sendRawTcp(printer, bytes, options);
  return printWithLp(printer.name, bytes, {
    ...options,
    raw: true,
    documentName: options.documentName ?? 'Receipt',
  });
}

/** Prints tickets (a PDF from ticket-pdf.ts) on the device's ticket printer, or saves them to its folder. */
export async function printTickets(
  settings: PrinterSettingsInput,
  pdf: Uint8Array,
  options: DeliveryOptions = {},
): Promise<PrintResult> {
  const printer = printerFor(settings, 'tickets');
  if ('ok' in printer) return printer;
  const documentName = options.documentName ?? 'Tickets';
  if (printer.kind === 'folder') return savePdfToFolder(printer.path, documentName, pdf);
  return printWithLp(printer.name, pdf, { ...options, raw: false, documentName });
}

const UNREACHABLE_CODES = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

function socketFailure(error: NodeJS.ErrnoException, where: string): PrintResult {
  const code = error.code ?? 'error';
  if (code === 'ECONNREFUSED') {
    return failure(
      'refused',
      `The receipt printer at ${where} refused the connection. Check the port (usually 9100) in Settings → Printers.`,
    );
  }
  if (code === 'ETIMEDOUT') {
    return failure(
      'timed_out',
      `The receipt printer at ${where} did not answer (timed out). Check that it is on.`,
    );
  }
  if (UNREACHABLE_CODES.has(code)) {
    return failure(
      'unreachable',
      `The receipt printer at ${where} is unreachable (${code}). Check that it is on and on this network, and its address.`,
    );
  }
  return failure('print_failed', `Sending the receipt to ${where} failed (${code}): ${error.message}`);
}

/**
 * Raw TCP to a network printer. Resolves once every byte is handed to the operating system and the connection
 * is closing; the connect and write phases each have a deadline after which the socket is destroyed.
 */
export function sendRawTcp(
  target: { host: string; port: number },
  bytes: Uint8Array,
  options: DeliveryOptions = {},
): Promise<PrintResult> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const writeTimeoutMs = options.writeTimeoutMs ?? DEFAULTS.writeTimeoutMs;
  const where = target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    let settled = false;
    let socket: net.Socket;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (result: PrintResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (!result.ok) socket?.destroy();
      resolve(result);
    };
    try {
      socket = (options.connect ?? net.connect)({ host: target.host, port: target.port });
    } catch (error) {
      finish(socketFailure(error as NodeJS.ErrnoException, where));
      return;
    }
    deadline = setTimeout(() => {
      finish(
        failure(
          'timed_out',
          `The receipt printer at ${where} did not answer within ${seconds(connectTimeoutMs)} (timed out). ` +
            'Check that it is on and on this network.',
        ),
      );
    }, connectTimeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => finish(socketFailure(error, where)));
    // Printers may send status bytes back; reading them keeps the close from turning into a reset.
    socket.on('data', () => {});
    socket.once('connect', () => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        finish(
          failure(
            'timed_out',
            `The receipt printer at ${where} took the connection but not the receipt within ${seconds(writeTimeoutMs)} ` +
              '(timed out). It may be out of paper, have its cover open, or be busy.',
          ),
        );
      }, writeTimeoutMs);
      socket.end(bytes, (error?: Error | null) => {
        if (error) return finish(socketFailure(error, where));
        finish({ ok: true, destination: where });
        // A printer that keeps its side open would otherwise hold the socket forever.
        setTimeout(() => socket.destroy(), writeTimeoutMs).unref();
      });
    });
  });
}

/** Job titles travel as one argv entry, so only tidiness matters: printable ASCII, not too long. */
function jobTitle(name: string): string {
  return (
    name
      .replace(/[^ -~]+/g, ' ')
      .trim()
      .slice(0, 100) || 'Janix'
  );
}

/**
 * Queues bytes on a CUPS printer with `lp -d NAME` (plus `-o raw` for ESC/POS, so no filter touches them),
 * feeding them on stdin. No shell is involved and the name is checked first.
 */
export function printWithLp(
  name: string,
  bytes: Uint8Array,
  options: DeliveryOptions & { raw: boolean },
): Promise<PrintResult> {
  if (!SYSTEM_PRINTER_NAME.test(name)) {
    return Promise.resolve(
      failure('invalid_settings', `"${jobTitle(name)}" is not a printer queue name. ${SETTINGS_HINT}`),
    );
  }
  const timeoutMs = options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs;
  const args = [
    '-d',
    name,
    ...(options.raw ? ['-o', 'raw'] : []),
    '-t',
    jobTitle(options.documentName ?? 'Janix'),
  ];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PrintResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const timedOut = failure(
      'timed_out',
      `Printing to ${name} did not finish within ${seconds(timeoutMs)} (timed out).`,
    );
    const child = execFile(
      options.lpCommand ?? 'lp',
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024,
        windowsHide: true,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) {
          const job = /request id is (\S+)/.exec(stdout)?.[1];
          finish({ ok: true, destination: job ? `${name} (job ${job})` : name });
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          finish(
            failure(
              'print_failed',
              'The lp command was not found: system printers need CUPS (Linux or macOS).',
            ),
          );
        } else if (error.killed) {
          finish(timedOut);
        } else {
          finish(failure('print_failed', `Printing to ${name} failed: ${stderr.trim() || error.message}`));
        }
      },
    );
    // The callback waits for lp's output pipes to close, which a stuck grandchild could hold open.
    child.once('exit', () => {
      if (child.killed) finish(timedOut);
    });
    // lp may exit before reading everything (unknown printer); its exit status says why, not the broken pipe.
    child.stdin?.on('error', () => {});
    child.stdin?.end(bytes);
  });
}

const MAX_SAVE_ATTEMPTS = 100;

function pdfFileName(documentName: string, attempt: number): string {
  const base =
    documentName
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 80) || 'tickets';
  return attempt === 1 ? `${base}.pdf` : `${base}-${attempt}.pdf`;
}

/** Writes the PDF into the folder (created if missing) under a new name: an earlier file is never replaced. */
export async function savePdfToFolder(
  folder: string,
  documentName: string,
  pdf: Uint8Array,
): Promise<PrintResult> {
  try {
    await mkdir(folder, { recursive: true });
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      const file = path.join(folder, pdfFileName(documentName, attempt));
      try {
        await writeFile(file, pdf, { flag: 'wx' });
        return { ok: true, destination: file };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return failure(
      'save_failed',
      `Could not save the PDF in ${folder}: ${MAX_SAVE_ATTEMPTS} files of that name exist.`,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return failure(
      'save_failed',
      `Could not save the PDF in ${folder} (${code}). Choose another folder in Settings → Printers.`,
    );
  }
}
