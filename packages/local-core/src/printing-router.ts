import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { uuidSchema } from '@janix/schemas';
import { boxOfficeQueries, shiftReportOf } from './box-office-router.ts';
import { enrolledProcedure, localTrpc } from './enrolled-procedure.ts';
import {
  receiptDocument,
  shiftReportDocument,
  ticketDocuments,
  type PrintContext,
} from './printing-documents.ts';
import {
  printerSettingsSchema,
  printReceipt,
  printTickets,
  type PrinterSettings,
  type PrintResult,
} from './printing/printer-delivery.ts';
import { encodeReceipt, encodeShiftReport, encodeTestPage } from './printing/receipt-escpos.ts';
import { renderTicketsPdf } from '@janix/documents';

/**
 * Printing from the console: receipts, tickets and shift reports on this device's printers, set up here. Every
 * print answers a PrintResult, so a missing or unreachable printer shows as a sentence and never as an error
 * that would make the cashier think the sale failed.
 */

const DEFAULT_SETTINGS: PrinterSettings = printerSettingsSchema.parse({});

function escPosOptions(settings: PrinterSettings, kickDrawer: boolean) {
  return {
    paperWidthChars: settings.paperWidthChars,
    kickDrawerPin: kickDrawer ? settings.drawerPin : null,
  };
}

export const printingRouter = localTrpc.router({
  /** The stored settings (null when none were saved yet) and the defaults a new form starts from. */
  settings: enrolledProcedure.query(({ ctx }) => ({
    settings: ctx.core.replica().meta.get('printerSettings'),
    defaults: DEFAULT_SETTINGS,
  })),
  saveSettings: enrolledProcedure.input(printerSettingsSchema).mutation(({ ctx, input }) => {
    ctx.core.replica().meta.set('printerSettings', input);
    return input;
  }),

  /** A test page on the receipt printer: of the given settings (to try them before saving), else the stored. */
  testPage: enrolledProcedure
    .input(z.object({ settings: printerSettingsSchema.optional() }))
    .mutation(({ ctx, input }): Promise<PrintResult> => {
      const settings = input.settings ?? ctx.core.replica().meta.get('printerSettings') ?? DEFAULT_SETTINGS;
      return printReceipt(settings, encodeTestPage(ctx.device.name, escPosOptions(settings, true)), {
        documentName: 'Printer test',
      });
    }),

  /**
   * An order's receipt (of its refund or void once it has one). `openDrawer` opens the cash drawer for an
   * order paid or refunded in cash, as the sale or refund completes; a reprint leaves the drawer shut.
   */
  receipt: enrolledProcedure
    .input(z.object({ orderId: uuidSchema, openDrawer: z.boolean().default(false) }))
    .mutation(({ ctx, input }): Promise<PrintResult> => {
      const bundle = boxOfficeQueries(ctx.core).order(input.orderId);
      if (!bundle) throw new TRPCError({ code: 'NOT_FOUND', message: 'This order is not on this console.' });
      const settings = ctx.core.replica().meta.get('printerSettings') ?? DEFAULT_SETTINGS;
      const doc = receiptDocument(bundle, printContext(ctx.device));
      const cash = bundle.order.paymentMethod === 'cash';
      return printReceipt(settings, encodeReceipt(doc, escPosOptions(settings, input.openDrawer && cash)), {
        documentName: `Receipt ${bundle.order.code}`,
      });
    }),

  /** An order's valid tickets, as a PDF on the ticket printer (or saved to its folder). */
  tickets: enrolledProcedure
    .input(z.object({ orderId: uuidSchema }))
    .mutation(async ({ ctx, input }): Promise<PrintResult> => {
      const bundle = boxOfficeQueries(ctx.core).order(input.orderId);
      if (!bundle) throw new TRPCError({ code: 'NOT_FOUND', message: 'This order is not on this console.' });
      const tickets = ticketDocuments(bundle, printContext(ctx.device));
      if (tickets.length === 0) {
        return {
          ok: false,
          reason: 'print_failed',
          message: `Order ${bundle.order.code} has no valid tickets to print.`,
        };
      }
      const settings = ctx.core.replica().meta.get('printerSettings') ?? DEFAULT_SETTINGS;
      const name = `Tickets ${bundle.order.code}`;
      const pdf = await renderTicketsPdf(tickets, { layout: settings.ticketLayout, title: name });
      return printTickets(settings, pdf, { documentName: name });
    }),

  /** A shift's X report while it is open, its Z report once closed. */
  shiftReport: enrolledProcedure
    .input(z.object({ shiftId: uuidSchema }))
    .mutation(({ ctx, input }): Promise<PrintResult> => {
      const found = shiftReportOf(boxOfficeQueries(ctx.core), input.shiftId);
      if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'This shift is not on this device.' });
      const settings = ctx.core.replica().meta.get('printerSettings') ?? DEFAULT_SETTINGS;
      const doc = shiftReportDocument(found.report, {
        ...printContext(ctx.device),
        currency: found.currency,
        printedAt: new Date(),
      });
      return printReceipt(settings, encodeShiftReport(doc, escPosOptions(settings, false)), {
        documentName: `${doc.kind} report`,
      });
    }),
});

function printContext(device: { orgName: string; name: string }): PrintContext {
  return { organizationName: device.orgName, deviceName: device.name };
}
