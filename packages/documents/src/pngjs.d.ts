/** The little of pngjs 5 (qrcode's PNG encoder) the tests use to read a code image back. */
declare module 'pngjs' {
  export const PNG: {
    sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } };
  };
}
