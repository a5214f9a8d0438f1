import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ticketQrPng } from './ticket-qr.ts';

const secret = `v1.tkt_01J8ZQ4X9YH7K3.${'AbC-d_E1fG2hI3jK4lM5nO6pQ7rS8tU9vW0xYz'.repeat(3)}.1`;

describe('ticketQrPng', () => {
  it('is a PNG whose code reads back as the secret exactly, with white all round it', async () => {
    const png = await ticketQrPng(secret);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const image = PNG.sync.read(png);
    expect(image.width).toBe(360);
    const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(code?.data).toBe(secret);
    // The quiet zone: the image's border rows and columns are white.
    const isWhite = (x: number, y: number) => image.data[(y * image.width + x) * 4]! > 200;
    for (let i = 0; i < image.width; i++) {
      expect(isWhite(i, 0) && isWhite(0, i) && isWhite(i, image.height - 1)).toBe(true);
    }
  });

  it('is the same image for the same secret, and refuses an empty one', async () => {
    expect((await ticketQrPng(secret)).equals(await ticketQrPng(secret))).toBe(true);
    await expect(ticketQrPng('')).rejects.toThrow('empty secret');
  });
});
