import { createRequire } from 'node:module';
import path from 'node:path';
import jsQR, { type QRCode as DecodedQr } from 'jsqr';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { renderTicketsPdf, type TicketDocument, type TicketLayout } from './ticket-pdf.ts';

const MM = 72 / 25.4;
const STANDARD_FONTS = `${path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))}/standard_fonts/`;

async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  // pdf.js takes ownership of the buffer it is given, so it gets a copy.
  return getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 })
    .promise;
}

/** The part of pdf.js's Node canvas factory (backed by @napi-rs/canvas) these tests use. */
interface NodeCanvasFactory {
  create(
    width: number,
    height: number,
  ): { canvas: unknown; context: { getImageData(x: number, y: number, w: number, h: number): ImageLike } };
}

interface ImageLike {
  data: Uint8ClampedArray;
}

interface Raster {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The page as pixels, the way a phone camera or a scanner would see the printout. */
async function rasterise(pdf: PDFDocumentProxy, pageNumber: number, scale: number): Promise<Raster> {
  const page = await pdf.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const { canvas, context } = (pdf.canvasFactory as NodeCanvasFactory).create(width, height);
  await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
  const image = context.getImageData(0, 0, width, height);
  return { data: image.data, width, height };
}

async function decodePage(pdf: PDFDocumentProxy, pageNumber: number, scale = 2): Promise<DecodedQr> {
  const raster = await rasterise(pdf, pageNumber, scale);
  const code = jsQR(raster.data, raster.width, raster.height, { inversionAttempts: 'dontInvert' });
  if (!code) throw new Error(`no QR code found on page ${pageNumber}`);
  return code;
}

async function pageText(pdf: PDFDocumentProxy, pageNumber: number): Promise<string> {
  const content = await (await pdf.getPage(pageNumber)).getTextContent();
  return content.items.map((item) => ('str' in item ? item.str : '')).join(' ');
}

/** Pixels within `modules` module widths around the symbol that are not white (the quiet zone must be empty). */
async function darkPixelsAroundSymbol(
  pdf: PDFDocumentProxy,
  pageNumber: number,
  modules: number,
): Promise<number> {
  const scale = 3;
  const raster = await rasterise(pdf, pageNumber, scale);
  const code = jsQR(raster.data, raster.width, raster.height)!;
  const { topLeftCorner: tl, bottomRightCorner: br } = code.location;
  const moduleSize = (br.x - tl.x) / (17 + 4 * code.version);
  const band = { left: tl.x - modules * moduleSize, top: tl.y - modules * moduleSize };
  const right = br.x + modules * moduleSize;
  const bottom = br.y + modules * moduleSize;
  let dark = 0;
  for (let y = Math.floor(band.top); y <= Math.ceil(bottom); y++) {
    for (let x = Math.floor(band.left); x <= Math.ceil(right); x++) {
      const inSymbol = x >= tl.x - 1 && x <= br.x + 1 && y >= tl.y - 1 && y <= br.y + 1;
      if (inSymbol) continue;
      const i = (y * raster.width + x) * 4;
      if (x < 0 || y < 0 || x >= raster.width || y >= raster.height || raster.data[i]! < 200) dark += 1;
    }
  }
  return dark;
}

async function pageSizes(pdf: PDFDocumentProxy): Promise<[number, number][]> {
  const sizes: [number, number][] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const [x0, y0, x1, y1] = (await pdf.getPage(n)).view as [number, number, number, number];
    sizes.push([x1 - x0, y1 - y0]);
  }
  return sizes;
}

/** Shaped like the server's signed secrets: long, URL-safe, the kind of payload that makes a dense code. */
const secretFor = (n: number): string =>
  `v1.tkt_01J8ZQ4${n}X9YH7K3.${'AbC-d_E1fG2hI3jK4lM5nO6pQ7rS8tU9vW0xYz'.repeat(3)}.${n}`;

function ticket(n: number, overrides: Partial<TicketDocument> = {}): TicketDocument {
  return {
    secret: secretFor(n),
    eventName: 'Spring Gala',
    venue: 'Grand Hall, 12 Rue de la Paix, Paris',
    startsAt: '2026-03-12T18:30:00Z',
    ticketTypeName: 'Adult',
    attendeeName: `Guest ${n}`,
    orderCode: 'Q7K2M',
    organizationName: 'Janix Theatre',
    ...overrides,
  };
}

const OPTIONS = { locale: 'en-GB', timeZone: 'Europe/Paris' } as const;
const A4: [number, number] = [210 * MM, 297 * MM];

describe('renderTicketsPdf', () => {
  it.each([
    // A4 portrait exactly; 80 mm wide and as long as the ticket needs, which is well under a receipt's length.
    ['a4', [A4[0], A4[0]], [A4[1], A4[1]]],
    ['80mm', [80 * MM, 80 * MM], [90 * MM, 130 * MM]],
  ] as [TicketLayout, [number, number], [number, number]][])(
    '%s: one page per ticket of the right size, each QR decoding to its own secret',
    async (layout, widths, heights) => {
      const pdf = await openPdf(
        await renderTicketsPdf([ticket(1), ticket(2), ticket(3)], { ...OPTIONS, layout }),
      );
      const sizes = await pageSizes(pdf);
      expect(sizes).toHaveLength(3);
      for (const [width, height] of sizes) {
        expect(width).toBeGreaterThanOrEqual(widths[0] - 0.01);
        expect(width).toBeLessThanOrEqual(widths[1] + 0.01);
        expect(height).toBeGreaterThanOrEqual(heights[0] - 0.01);
        expect(height).toBeLessThanOrEqual(heights[1] + 0.01);
      }
      for (const n of [1, 2, 3]) expect((await decodePage(pdf, n)).data).toBe(secretFor(n));
    },
  );

  it.each(['a4', '80mm'] as const)(
    '%s: prints event, venue, date, ticket type, attendee and order code',
    async (layout) => {
      const pdf = await openPdf(await renderTicketsPdf([ticket(7)], { ...OPTIONS, layout }));
      const text = await pageText(pdf, 1);
      for (const expected of [
        'Janix Theatre',
        'Spring Gala',
        'Grand Hall',
        'Adult',
        'Guest 7',
        'Order Q7K2M',
      ]) {
        expect(text).toContain(expected);
      }
      expect(text).toMatch(/Thursday,? 12 March 2026 at 19:30/);
    },
  );

  it.each(['a4', '80mm'] as const)('%s: keeps four modules of white around the code', async (layout) => {
    const pdf = await openPdf(await renderTicketsPdf([ticket(1)], { ...OPTIONS, layout }));
    // 3.5 of the 4 modules: the corners jsQR reports are estimates, off by a fraction of a module.
    expect(await darkPixelsAroundSymbol(pdf, 1, 3.5)).toBe(0);
  });

  it('uses error correction M, so a smudge over part of the code still scans', async () => {
    const pdf = await openPdf(await renderTicketsPdf([ticket(4)], { ...OPTIONS, layout: '80mm' }));
    const raster = await rasterise(pdf, 1, 3);
    const { topLeftCorner: tl, bottomRightCorner: br } = jsQR(
      raster.data,
      raster.width,
      raster.height,
    )!.location;
    // Blot a square in the middle holding about 7 % of the modules: more than L (7 %) repairs, less than M (15 %).
    const side = (br.x - tl.x) * 0.27;
    const cx = (tl.x + br.x) / 2;
    const cy = (tl.y + br.y) / 2;
    for (let y = Math.floor(cy - side / 2); y < cy + side / 2; y++) {
      for (let x = Math.floor(cx - side / 2); x < cx + side / 2; x++)
        raster.data.fill(0, (y * raster.width + x) * 4, (y * raster.width + x) * 4 + 3);
    }
    expect(jsQR(raster.data, raster.width, raster.height)?.data).toBe(secretFor(4));
  });

  it.each(['a4', '80mm'] as const)(
    '%s: long and hostile names neither throw nor run into the code',
    async (layout) => {
      const long = `${'The Extraordinarily Long Annual Midsummer Festival '.repeat(12)}😀 \u0000 שלום 王小明`;
      const hostile = ticket(5, {
        eventName: long,
        venue: long,
        ticketTypeName: `${'x'.repeat(400)} Zoë Łódź`,
        attendeeName: 'Zoë “Quote” Łódź 😀',
        organizationName: long,
        orderCode: 'Q7K\u0000\u202e2M',
      });
      const pdf = await openPdf(await renderTicketsPdf([hostile], { ...OPTIONS, layout }));
      expect((await decodePage(pdf, 1)).data).toBe(secretFor(5));
      const text = await pageText(pdf, 1);
      expect(text).toContain('Zoë “Quote” Lódz ?');
      expect(text).toContain('Order Q7K2M');
      expect(text).toContain('…');
    },
  );

  it('makes the same bytes for the same tickets and date, so a retried email carries the same body', async () => {
    const options = { ...OPTIONS, layout: 'a4' as const, createdAt: new Date('2026-03-01T10:00:00Z') };
    const first = await renderTicketsPdf([ticket(1), ticket(2)], options);
    const again = await renderTicketsPdf([ticket(1), ticket(2)], options);
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
  });

  it('refuses an empty batch and a secret no QR code can hold', async () => {
    await expect(renderTicketsPdf([], { layout: 'a4' })).rejects.toThrow('No tickets');
    await expect(
      renderTicketsPdf([ticket(1, { secret: 'x'.repeat(3000) })], { layout: 'a4' }),
    ).rejects.toThrow(/Ticket 1 \(order Q7K2M\) has a secret that cannot be a QR code/);
  });
});
