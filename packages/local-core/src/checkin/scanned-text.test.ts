import { describe, expect, it } from 'vitest';
import { MAX_SCANNED_TEXT, RAW_EXCERPT_LENGTH, rawExcerptOf, readScannedText } from './scanned-text.ts';

describe('readScannedText', () => {
  it('takes a code without the Enter, Tab or padding a scanner adds', () => {
    expect(readScannedText('  ABC-123\r\n')).toEqual({ kind: 'code', code: 'ABC-123' });
    expect(readScannedText('\tABC 123\t')).toEqual({ kind: 'code', code: 'ABC 123' });
  });

  it('says why a text is no code: empty, too long, or with control or format characters inside', () => {
    expect(readScannedText('')).toEqual({ kind: 'empty' });
    expect(readScannedText(' \r\n\u0000')).toEqual({ kind: 'empty' });
    expect(readScannedText('A'.repeat(MAX_SCANNED_TEXT))).toMatchObject({ kind: 'code' });
    expect(readScannedText('A'.repeat(MAX_SCANNED_TEXT + 1))).toEqual({
      kind: 'too_long',
      length: MAX_SCANNED_TEXT + 1,
    });
    for (const text of [
      'AB\u0000CD',
      'AB\u0007CD',
      'AB\u001b[2J',
      'AB\u0085CD',
      'abc\u202Edef',
      'a\u200Db',
    ]) {
      expect(readScannedText(text), JSON.stringify(text)).toEqual({ kind: 'garbled' });
    }
    expect(readScannedText('ab\uD800cd')).toEqual({ kind: 'garbled' });
    expect(readScannedText('ab\uDC00cd')).toEqual({ kind: 'garbled' });
    // A character outside the BMP is a pair, not a lone surrogate.
    expect(readScannedText('ticket-😀')).toEqual({ kind: 'code', code: 'ticket-😀' });
  });

  it('spends nothing on megabytes of garbage', () => {
    const huge = '\u0000x'.repeat(5_000_000);
    const started = performance.now();
    expect(readScannedText(huge)).toEqual({ kind: 'too_long', length: huge.length });
    expect(performance.now() - started).toBeLessThan(5);
  });
});

describe('rawExcerptOf', () => {
  it('keeps at most 64 characters, with control and format characters replaced', () => {
    expect(rawExcerptOf('x'.repeat(1000))).toBe('x'.repeat(RAW_EXCERPT_LENGTH));
    expect(rawExcerptOf('AB\u0000CD\u0007\u009f\u202E')).toBe('AB\uFFFDCD\uFFFD\uFFFD\uFFFD');
    expect(rawExcerptOf('\r\nSELECT 1;\r\n')).toBe('SELECT 1;');
    expect(rawExcerptOf('')).toBe('');
  });

  it('never cuts a character in two, and replaces unpaired surrogates', () => {
    const excerpt = rawExcerptOf(`${'x'.repeat(63)}😀😀`);
    expect(excerpt).toBe('x'.repeat(63));
    expect(rawExcerptOf('a\uD800b\uDC00')).toBe('a\uFFFDb\uFFFD');
    expect(/[\uD800-\uDFFF]/.test(rawExcerptOf(`${'é'.repeat(62)}😀`))).toBe(true);
    expect(rawExcerptOf(`${'é'.repeat(62)}😀`).length).toBe(64);
  });
});
