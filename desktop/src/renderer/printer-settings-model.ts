// The printer settings form as data. The local core validates settings with its own schema (and says which
// field is wrong); this catches what a cashier would otherwise only learn from a failed test page.

export interface PrinterSettingsValue {
  receipt?: { kind: 'network'; host: string; port: number } | { kind: 'system'; name: string } | undefined;
  tickets?: { kind: 'system'; name: string } | { kind: 'folder'; path: string } | undefined;
  paperWidthChars: 32 | 42 | 48;
  drawerPin: 2 | 5 | null;
  ticketLayout: 'a4' | '80mm';
}

export interface PrinterForm {
  receiptKind: 'none' | 'network' | 'system';
  host: string;
  port: string;
  receiptQueue: string;
  ticketsKind: 'none' | 'system' | 'folder';
  ticketsQueue: string;
  folder: string;
  paperWidthChars: '32' | '42' | '48';
  drawerPin: 'none' | '2' | '5';
  ticketLayout: 'a4' | '80mm';
}

export type PrinterField = 'host' | 'port' | 'receiptQueue' | 'ticketsQueue' | 'folder';
export type PrinterFieldErrors = Partial<Record<PrinterField, string>>;

const DEFAULT_PORT = 9100;

export function printerFormFrom(settings: PrinterSettingsValue): PrinterForm {
  const { receipt, tickets } = settings;
  return {
    receiptKind: receipt?.kind ?? 'none',
    host: receipt?.kind === 'network' ? receipt.host : '',
    port: String(receipt?.kind === 'network' ? receipt.port : DEFAULT_PORT),
    receiptQueue: receipt?.kind === 'system' ? receipt.name : '',
    ticketsKind: tickets?.kind ?? 'none',
    ticketsQueue: tickets?.kind === 'system' ? tickets.name : '',
    folder: tickets?.kind === 'folder' ? tickets.path : '',
    paperWidthChars: String(settings.paperWidthChars) as PrinterForm['paperWidthChars'],
    drawerPin: settings.drawerPin === null ? 'none' : (String(settings.drawerPin) as '2' | '5'),
    ticketLayout: settings.ticketLayout,
  };
}

/** A queue name as CUPS takes it: no spaces, "/" or "#" (the core checks the rest). */
function queueError(name: string): string | undefined {
  if (name.trim() === '') return 'Enter the printer queue name.';
  return /[\s/#]/.test(name.trim()) ? 'A queue name has no spaces, "/" or "#".' : undefined;
}

export type PrinterSettingsCheck =
  { ok: true; settings: PrinterSettingsValue } | { ok: false; errors: PrinterFieldErrors };

export function printerSettingsFrom(form: PrinterForm): PrinterSettingsCheck {
  const errors: PrinterFieldErrors = {};
  let receipt: PrinterSettingsValue['receipt'];
  if (form.receiptKind === 'network') {
    const port = Number(form.port.trim() || DEFAULT_PORT);
    if (form.host.trim() === '') errors.host = 'Enter the printer’s IP address or host name.';
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      errors.port = 'A port is a number from 1 to 65535.';
    receipt = { kind: 'network', host: form.host.trim(), port };
  } else if (form.receiptKind === 'system') {
    const problem = queueError(form.receiptQueue);
    if (problem) errors.receiptQueue = problem;
    receipt = { kind: 'system', name: form.receiptQueue.trim() };
  }
  let tickets: PrinterSettingsValue['tickets'];
  if (form.ticketsKind === 'system') {
    const problem = queueError(form.ticketsQueue);
    if (problem) errors.ticketsQueue = problem;
    tickets = { kind: 'system', name: form.ticketsQueue.trim() };
  } else if (form.ticketsKind === 'folder') {
    if (form.folder.trim() === '') errors.folder = 'Enter the folder to save ticket PDFs in.';
    tickets = { kind: 'folder', path: form.folder.trim() };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      ...(receipt ? { receipt } : {}),
      ...(tickets ? { tickets } : {}),
      paperWidthChars: Number(form.paperWidthChars) as PrinterSettingsValue['paperWidthChars'],
      drawerPin: form.drawerPin === 'none' ? null : (Number(form.drawerPin) as 2 | 5),
      ticketLayout: form.ticketLayout,
    },
  };
}
