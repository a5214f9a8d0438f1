import CodepageEncoder, { type Codepage } from '@point-of-sale/codepage-encoder';

/**
 * Text that reaches a printer or a PDF standard font can only use the characters that device can draw. Names
 * come from people (attendees, ticket types, cashiers): emoji, NUL, bidi marks, CJK or a 300-character event
 * title must still print, so every string goes through `toPrintable` (one character of output per column)
 * and then `fitLines` (wrapped to the column count, truncated after a few lines).
 */
export interface Charset {
  has(codePoint: number): boolean;
}

/**
 * The code pages the receipt encoder may switch between (ESC t n with Epson's numbering, which most ESC/POS
 * clones follow for these): Latin (437, 858 with €), Central European (852), Cyrillic (866), Greek (737).
 * Scripts outside them (Hebrew, Arabic, CJK, …) print as '?' rather than as bytes the printer would misread.
 */
export const RECEIPT_CODEPAGES: Codepage[] = ['cp437', 'cp858', 'cp852', 'cp866', 'cp737'];

const FIRST_PRINTABLE_BYTE = 0x20;
const DELETE_BYTE = 0x7f;
const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * Code points that all the given code pages can print. A code page also assigns glyphs (•, §, ¶, ☺, arrows) to
 * the byte values below 0x20, and the encoder would send them as those bytes: 0x07 rings the bell and 0x14
 * starts a real-time command on Epson printers. So a character that any candidate places there is left out,
 * even where another candidate holds it higher up, because the encoder may choose the first.
 */
export function charsetOfCodepages(codepages: readonly Codepage[]): Charset {
  const printable = new Set<number>();
  const controlPositioned = new Set<number>();
  for (const codepage of codepages) {
    CodepageEncoder.getCodepoints(codepage, true).forEach((codePoint, byte) => {
      if (codePoint === REPLACEMENT_CHARACTER) return;
      if (byte < FIRST_PRINTABLE_BYTE || byte === DELETE_BYTE) controlPositioned.add(codePoint);
      else printable.add(codePoint);
    });
  }
  for (const codePoint of controlPositioned) printable.delete(codePoint);
  for (let c = 0; c < FIRST_PRINTABLE_BYTE; c++) printable.delete(c);
  printable.delete(DELETE_BYTE);
  return printable;
}

export const RECEIPT_CHARSET: Charset = charsetOfCodepages(RECEIPT_CODEPAGES);

/** What PDF's standard fonts (Helvetica & co., WinAnsiEncoding in pdfkit) can draw. */
export const WIN_ANSI_CHARSET: Charset = charsetOfCodepages(['windows1252']);

/** Characters with a plain stand-in where the target lacks them. */
const STAND_INS: Record<string, string> = {
  '‘': "'",
  '’': "'",
  '‚': "'",
  '‛': "'",
  '′': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '‟': '"',
  '″': '"',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '−': '-',
  '…': '...',
  '•': '*',
  '·': '.',
  '×': 'x',
  '€': 'EUR',
  '™': 'TM',
  '©': '(c)',
  '®': '(R)',
  '§': 'S.',
  '¶': 'P.',
  // Letters with a stroke have no decomposition to strip an accent from.
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  Ŧ: 'T',
  ŧ: 't',
  ı: 'i',
  Ø: 'O',
  ø: 'o',
};

const WHITESPACE = /\s/u;
/** Controls, format characters (bidi marks, zero-width joiners, BOM) and combining marks left over after NFC. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{M}]/u;
const COMBINING_MARKS = /\p{M}/gu;

function allIn(text: string, charset: Charset): boolean {
  for (const char of text) if (!charset.has(char.codePointAt(0)!)) return false;
  return true;
}

/** The character itself, a stand-in, or its letters without accents (ﬁ → fi, ǹ → n, Ａ → A), if printable. */
function transliterate(char: string, charset: Charset): string | null {
  if (charset.has(char.codePointAt(0)!)) return char;
  const standIn = STAND_INS[char];
  if (standIn !== undefined && allIn(standIn, charset)) return standIn;
  const stripped = char.normalize('NFKD').replace(COMBINING_MARKS, '');
  if (stripped !== '' && stripped !== char && allIn(stripped, charset)) return stripped;
  return null;
}

/**
 * A single line of text the target can print, one column per character: whitespace runs become one space,
 * invisible characters go, others are transliterated, and anything left becomes '?' (one per run, so a
 * ZWJ emoji sequence or a CJK name is one '?', not a row of them). Total for any input, lone surrogates too.
 */
export function toPrintable(text: unknown, charset: Charset): string {
  const source = typeof text === 'string' ? text : text === null || text === undefined ? '' : String(text);
  let out = '';
  let pendingSpace = false;
  let lastWasReplacement = false;
  for (const char of source.normalize('NFC')) {
    if (WHITESPACE.test(char)) {
      pendingSpace = out !== '';
      continue;
    }
    if (INVISIBLE.test(char)) continue;
    const printable = transliterate(char, charset);
    if (printable === null && lastWasReplacement && !pendingSpace) continue;
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += printable ?? '?';
    lastWasReplacement = printable === null;
  }
  return out;
}

const ELLIPSIS = '...';

/**
 * Printable text wrapped at word boundaries into lines of at most `width` columns (a word longer than a line
 * is split), cut to `maxLines` with '...' ending the last kept line. Always at least one line (maybe empty).
 */
export function fitLines(text: string, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  const columns = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const candidate = current === '' ? word : `${current} ${word}`;
    if (candidate.length <= columns) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    let rest = word;
    while (rest.length > columns) {
      lines.push(rest.slice(0, columns));
      rest = rest.slice(columns);
    }
    current = rest;
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, Math.max(1, maxLines));
  const last = kept[kept.length - 1]!;
  const room = columns - ELLIPSIS.length;
  kept[kept.length - 1] = room > 0 ? `${last.slice(0, room).trimEnd()}${ELLIPSIS}` : last.slice(0, columns);
  return kept;
}
