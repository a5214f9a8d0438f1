/**
 * What a scanner sends is untrusted text of any length: a QR code of another system, a keyboard wedge
 * typing into the wrong field, a damaged print, someone testing the door with SQL. Nothing here throws, and
 * nothing costs more than a glance at the first few kilobytes.
 */

/** Longer than any code a ticket carries (signed: 156 characters; random legacy secrets: far fewer). */
export const MAX_SCANNED_TEXT = 4096;
/** How much of a refused scan's text is kept with it (the check_ins row's raw_excerpt). */
export const RAW_EXCERPT_LENGTH = 64;

export type ScannedText =
  | { kind: 'code'; code: string }
  | { kind: 'empty' }
  | { kind: 'too_long'; length: number }
  /** Control characters inside the code: no ticket code has any, so it is not one. */
  | { kind: 'garbled' };

// Scanners end a code with Enter or Tab (a wedge), and some pad it with spaces: not part of the code.
// eslint-disable-next-line no-control-regex -- NUL padding is exactly what this strips
const EDGE_WHITESPACE = /^[\s\u0000]+|[\s\u0000]+$/g;
// C0 and C1 controls, DEL, and format characters (bidi overrides, zero-width joiners): none belongs in a code,
// and some would make a stored excerpt display as something it is not.
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const CONTROL_GLOBAL = /[\p{Cc}\p{Cf}]/gu;
const LONE_SURROGATE_SOURCE =
  '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE);
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE_SOURCE, 'g');

/** Reads a scanned text as a code to look up, or says why it is none. */
export function readScannedText(raw: string): ScannedText {
  // The length is checked before anything else looks at the text: megabytes of garbage cost nothing.
  if (raw.length > MAX_SCANNED_TEXT) return { kind: 'too_long', length: raw.length };
  const code = raw.replace(EDGE_WHITESPACE, '');
  if (code.length === 0) return { kind: 'empty' };
  if (CONTROL.test(code) || LONE_SURROGATE.test(code)) return { kind: 'garbled' };
  return { kind: 'code', code };
}

/**
 * The first characters of a refused scan, safe to store, sync and show: control and format characters and
 * unpaired surrogates become U+FFFD, and the cut never splits a character.
 */
export function rawExcerptOf(raw: string): string {
  const head = raw.slice(0, RAW_EXCERPT_LENGTH * 2).replace(EDGE_WHITESPACE, '');
  const clean = head.replace(LONE_SURROGATE_GLOBAL, '\uFFFD').replace(CONTROL_GLOBAL, '\uFFFD');
  let excerpt = '';
  for (const character of clean) {
    if (excerpt.length + character.length > RAW_EXCERPT_LENGTH) break;
    excerpt += character;
  }
  return excerpt;
}
