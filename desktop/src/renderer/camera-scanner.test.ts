import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { cameraErrorMessage, decodeQrFrame, decodeSize, type FrameImage } from './camera-scanner.ts';

/**
 * A QR code as a camera frame: the `qrcode` package (which prints the tickets) lays out the modules, drawn
 * here dark on light at `scale` pixels per module, inside a quiet zone and an optional grey margin.
 */
function qrFrame(text: string, { scale = 4, margin = 0, invert = false } = {}): FrameImage {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const side = (modules.size + 2 * quiet) * scale + 2 * margin;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor((x - margin) / scale) - quiet;
      const my = Math.floor((y - margin) / scale) - quiet;
      const inside = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size;
      const inFrame = x >= margin && y >= margin && x < side - margin && y < side - margin;
      let dark = inside && modules.get(my, mx) === 1;
      if (invert) dark = !dark;
      const value = !inFrame ? 128 : dark ? 20 : 235;
      const offset = (y * side + x) * 4;
      data[offset] = data[offset + 1] = data[offset + 2] = value;
    }
  }
  return { data, width: side, height: side };
}

// The shape of a real signed ticket secret: 156 characters of base64url.
const SIGNED_SECRET = 'AQAAAAEH'.padEnd(156, 'x_Zk-9Q');

describe('decodeQrFrame', () => {
  it('reads a ticket secret from a frame', () => {
    expect(decodeQrFrame(qrFrame(SIGNED_SECRET))).toBe(SIGNED_SECRET);
  });

  it('reads a code that fills only part of the frame', () => {
    expect(decodeQrFrame(qrFrame('RANDOM-SECRET-7F3K', { scale: 3, margin: 120 }))).toBe(
      'RANDOM-SECRET-7F3K',
    );
  });

  it('finds nothing in a frame without a code', () => {
    const side = 200;
    const data = new Uint8ClampedArray(side * side * 4);
    // Deterministic noise, no finder patterns.
    let seed = 7;
    for (let index = 0; index < data.length; index++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      data[index] = index % 4 === 3 ? 255 : seed % 256;
    }
    expect(decodeQrFrame({ data, width: side, height: side })).toBeNull();
  });

  it('does not spend a second pass on inverted (light on dark) codes', () => {
    expect(decodeQrFrame(qrFrame('INVERTED-CODE', { invert: true }))).toBeNull();
  });
});

describe('decodeSize', () => {
  it('scales a large frame down to the long side, keeping its shape', () => {
    expect(decodeSize(1920, 1080)).toEqual({ width: 640, height: 360 });
    expect(decodeSize(720, 1280, 640)).toEqual({ width: 360, height: 640 });
  });

  it('keeps a small frame as it is, and a frame not there yet as nothing', () => {
    expect(decodeSize(320, 240)).toEqual({ width: 320, height: 240 });
    expect(decodeSize(0, 0)).toEqual({ width: 0, height: 0 });
  });
});

describe('cameraErrorMessage', () => {
  it('names a refused permission, a missing camera, a busy camera and no camera API apart', () => {
    const named = (name: string) => cameraErrorMessage(Object.assign(new Error('x'), { name }));
    expect(named('NotAllowedError')).toMatch(/refused/);
    expect(named('NotFoundError')).toMatch(/No camera was found/);
    expect(named('NotReadableError')).toMatch(/in use by another program/);
    expect(named('NoCameraApi')).toMatch(/cannot use a camera/);
    const messages = new Set(
      ['NotAllowedError', 'NotFoundError', 'NotReadableError', 'NoCameraApi'].map(named),
    );
    expect(messages.size).toBe(4);
  });

  it('still says something useful for anything else', () => {
    expect(cameraErrorMessage('boom')).toMatch(/could not be started/);
    expect(cameraErrorMessage({ name: 'NotAllowedError' })).toMatch(/refused/);
  });
});
