import { describe, expect, it } from 'vitest';
import { fitLines, RECEIPT_CHARSET, toPrintable, WIN_ANSI_CHARSET } from './printable-text.ts';

describe('toPrintable', () => {
  it('keeps what the receipt code pages hold, € and Cyrillic included', () => {
    expect(toPrintable('Zoë Łódź Жанна € 12,50', RECEIPT_CHARSET)).toBe('Zoë Łódź Жанна € 12,50');
  });

  it('drops controls, bidi and zero-width characters, and folds whitespace', () => {
    expect(toPrintable('\u0000A\u001b@B\u200b\u202eC\ufeff\t\n\u00a0 D  ', RECEIPT_CHARSET)).toBe('A@BC D');
  });

  it('leaves out glyphs a code page puts below 0x20, where the printer would read a command', () => {
    for (const char of ['•', '§', '¶', '☺', '↑', '▲'])
      expect(RECEIPT_CHARSET.has(char.codePointAt(0)!)).toBe(false);
    expect(toPrintable('a • b', RECEIPT_CHARSET)).toBe('a * b');
    for (let c = 0; c < 0x20; c++) expect(RECEIPT_CHARSET.has(c)).toBe(false);
  });

  it('transliterates typography and accents the target lacks', () => {
    expect(toPrintable('“Hi” – ‘ok’ … ﬁne ǹ Ａ', RECEIPT_CHARSET)).toBe('"Hi" - \'ok\' ... fine n A');
    expect(toPrintable('Œuvre Ł € “x”', WIN_ANSI_CHARSET)).toBe('Œuvre L € “x”');
  });

  it('turns each run of unprintable characters into one ?', () => {
    expect(toPrintable('a 😀😀 b 王小明 c 👨‍👩‍👧', RECEIPT_CHARSET)).toBe('a ? b ? c ?');
    expect(toPrintable('x\ud800y', RECEIPT_CHARSET)).toBe('x?y');
  });

  it('accepts anything, not only strings', () => {
    expect(toPrintable(undefined, RECEIPT_CHARSET)).toBe('');
    expect(toPrintable(null, RECEIPT_CHARSET)).toBe('');
    expect(toPrintable(42, RECEIPT_CHARSET)).toBe('42');
  });
});

describe('fitLines', () => {
  it('wraps at word boundaries within the width', () => {
    expect(fitLines('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
  });

  it('splits a word longer than a line', () => {
    expect(fitLines('abcdefghijkl xy', 5)).toEqual(['abcde', 'fghij', 'kl xy']);
  });

  it('cuts to the line limit with an ellipsis that still fits', () => {
    const lines = fitLines('one two three four five six seven', 9, 2);
    expect(lines).toEqual(['one two', 'three...']);
    expect(fitLines('x'.repeat(100), 8, 2)).toEqual(['xxxxxxxx', 'xxxxx...']);
    for (const line of fitLines('y'.repeat(100), 2, 1)) expect(line.length).toBeLessThanOrEqual(2);
  });

  it('gives one empty line for empty text', () => {
    expect(fitLines('', 10)).toEqual(['']);
  });
});
