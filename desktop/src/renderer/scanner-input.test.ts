import { describe, expect, it } from 'vitest';
import {
  isPrintableKey,
  MAX_SCAN_TEXT,
  RepeatGuard,
  WedgeScanner,
  withoutScannedText,
  type WedgeOutcome,
} from './scanner-input.ts';

/** Types `text` from `start`, one key every `gap` ms; returns every outcome and when the last key went down. */
function type(scanner: WedgeScanner, text: string, start: number, gap: number) {
  const outcomes: WedgeOutcome[] = [];
  let at = start;
  for (const key of text) {
    const step = scanner.feed(key, at);
    if (step.outcome) outcomes.push(step.outcome);
    expect(step.swallow).toBe(false);
    at += gap;
  }
  return { outcomes, lastAt: at - gap };
}

describe('WedgeScanner', () => {
  it('takes a fast burst ended by Enter as a scan, and swallows that Enter', () => {
    const scanner = new WedgeScanner();
    const { outcomes, lastAt } = type(scanner, 'JX1-ABCDEF', 1000, 8);
    expect(outcomes).toEqual([]);
    const enter = scanner.feed('Enter', lastAt + 8);
    expect(enter.swallow).toBe(true);
    expect(enter.outcome).toEqual({
      kind: 'scan',
      scan: { code: 'JX1-ABCDEF', typed: 10, truncated: false, endedBy: 'terminator' },
    });
    // Nothing is left over for the timer.
    expect(scanner.flushDueAt).toBeNull();
    expect(scanner.flush(lastAt + 500)).toBeNull();
  });

  it('ends a burst without Enter after the silence, not before', () => {
    const scanner = new WedgeScanner();
    const { lastAt } = type(scanner, 'ABCD1234', 0, 10);
    expect(scanner.flushDueAt).toBe(lastAt + 80);
    expect(scanner.flush(lastAt + 79)).toBeNull();
    expect(scanner.flush(lastAt + 80)).toEqual({
      kind: 'scan',
      scan: { code: 'ABCD1234', typed: 8, truncated: false, endedBy: 'silence' },
    });
    expect(scanner.flush(lastAt + 200)).toBeNull();
  });

  it('ends a burst without Enter when the next key comes after the silence, before the timer ran', () => {
    const scanner = new WedgeScanner();
    const { lastAt } = type(scanner, 'ABCD1234', 0, 10);
    const next = scanner.feed('Q', lastAt + 300);
    expect(next.outcome).toMatchObject({ kind: 'scan', scan: { code: 'ABCD1234' } });
    // The late key starts afresh, on its own.
    expect(scanner.flush(lastAt + 1000)).toBeNull();
  });

  it('does not take a person typing as a scan, and leaves their Enter alone', () => {
    const scanner = new WedgeScanner();
    // 120 ms between keys: each key ends the one before by silence, and none is a burst.
    const { outcomes, lastAt } = type(scanner, 'Jane Doe', 0, 120);
    expect(outcomes).toEqual([]);
    const enter = scanner.feed('Enter', lastAt + 100);
    expect(enter).toEqual({ outcome: null, swallow: false });
  });

  it('does not take a quick person (70 ms apart, under the silence) as a scan', () => {
    const scanner = new WedgeScanner();
    const { outcomes, lastAt } = type(scanner, 'smith', 0, 70);
    expect(outcomes).toEqual([]);
    expect(scanner.feed('Enter', lastAt + 60)).toEqual({ outcome: null, swallow: false });
    expect(scanner.flush(lastAt + 500)).toBeNull();
  });

  it('keeps a scan whose keys arrive unevenly, when the average gap is a scanner’s', () => {
    const scanner = new WedgeScanner();
    // One 60 ms hiccup (a busy machine) among 5 ms keys.
    const gaps = [5, 5, 60, 5, 5, 5, 5];
    let at = 0;
    for (const [index, key] of [...'ABCDEFGH'].entries()) {
      scanner.feed(key, at);
      at += gaps[index] ?? 5;
    }
    expect(scanner.feed('Enter', at).outcome).toMatchObject({ kind: 'scan', scan: { code: 'ABCDEFGH' } });
  });

  it('refuses bursts shorter than the minimum (two keys rolled together)', () => {
    const scanner = new WedgeScanner();
    const { lastAt } = type(scanner, 'abc', 0, 5);
    expect(scanner.feed('Enter', lastAt + 5)).toEqual({ outcome: null, swallow: false });
    type(scanner, 'xyz', 5000, 5);
    expect(scanner.flush(6000)).toBeNull();
  });

  it('ignores an identical code completed again within a second, and takes it after', () => {
    const scanner = new WedgeScanner();
    const scanAt = (start: number, code = 'TICKET-42') => {
      const { lastAt } = type(scanner, code, start, 5);
      return scanner.feed('Enter', lastAt + 5);
    };
    expect(scanAt(0).outcome?.kind).toBe('scan');
    const repeat = scanAt(400);
    // The repeat's Enter is still the scanner's: swallowed, so it does not submit anything either.
    expect(repeat).toEqual({ outcome: { kind: 'repeat', code: 'TICKET-42' }, swallow: true });
    // Another code is not a repeat.
    expect(scanAt(800, 'TICKET-43').outcome?.kind).toBe('scan');
    expect(scanAt(2400).outcome?.kind).toBe('scan');
  });

  it('caps a very long burst but still delivers it, marked, so the core refuses it as too long', () => {
    const scanner = new WedgeScanner();
    const long = 'A'.repeat(10_000);
    const { lastAt } = type(scanner, long, 0, 1);
    const enter = scanner.feed('Enter', lastAt + 1);
    expect(enter.outcome?.kind).toBe('scan');
    if (enter.outcome?.kind !== 'scan') return;
    expect(enter.outcome.scan.code.length).toBe(MAX_SCAN_TEXT + 1);
    expect(enter.outcome.scan.typed).toBe(10_000);
    expect(enter.outcome.scan.truncated).toBe(true);
  });

  it('lets Shift through a burst (capitals) and ends a burst on Tab too', () => {
    const scanner = new WedgeScanner();
    let at = 0;
    for (const key of ['Shift', 'A', 'b', 'Shift', 'C', 'd', '1']) {
      expect(scanner.feed(key, at).outcome).toBeNull();
      at += 4;
    }
    expect(scanner.feed('Tab', at)).toMatchObject({ swallow: true, outcome: { scan: { code: 'AbCd1' } } });
  });

  it('forgets a burst on reset (a shortcut pressed in between)', () => {
    const scanner = new WedgeScanner();
    const { lastAt } = type(scanner, 'ABCDEF', 0, 5);
    scanner.reset();
    expect(scanner.feed('Enter', lastAt + 5)).toEqual({ outcome: null, swallow: false });
  });

  it('delivers a burst whose Enter came too late as ended by silence, without swallowing the Enter', () => {
    const scanner = new WedgeScanner();
    const { lastAt } = type(scanner, 'ABCDEF', 0, 5);
    const enter = scanner.feed('Enter', lastAt + 200);
    expect(enter.swallow).toBe(false);
    expect(enter.outcome).toMatchObject({ kind: 'scan', scan: { endedBy: 'silence' } });
  });

  it('honours its options', () => {
    const scanner = new WedgeScanner({ maxGapMs: 100, silenceMs: 300, minLength: 2, terminators: ['Enter'] });
    const { lastAt } = type(scanner, 'ab', 0, 90);
    expect(scanner.feed('Tab', lastAt + 50).outcome).toBeNull();
    type(scanner, 'cd', 1000, 90);
    expect(scanner.feed('Enter', 1150).outcome).toMatchObject({ scan: { code: 'cd' } });
  });
});

describe('RepeatGuard', () => {
  it('slides: a code kept in view is delivered once, again only after being away for the window', () => {
    const guard = new RepeatGuard(1000);
    expect(guard.admit('A', 0)).toBe(true);
    expect(guard.admit('A', 600)).toBe(false);
    expect(guard.admit('A', 1200)).toBe(false);
    expect(guard.admit('A', 2300)).toBe(true);
    expect(guard.admit('B', 2400)).toBe(true);
    expect(guard.admit('A', 2500)).toBe(true);
  });
});

describe('isPrintableKey', () => {
  it('tells typed characters from named keys', () => {
    for (const key of ['a', 'Z', '7', '-', ' ', '/', 'é', '😀']) expect(isPrintableKey(key)).toBe(true);
    for (const key of ['Enter', 'Shift', 'F2', 'ArrowUp', 'Dead', 'Unidentified', '', '\u0007']) {
      expect(isPrintableKey(key)).toBe(false);
    }
  });
});

describe('withoutScannedText', () => {
  it('takes the scanned code back out of the field it was typed into', () => {
    const scan = { code: 'TICKET-42', typed: 9 };
    expect(withoutScannedText('SmiTICKET-42', 12, scan)).toEqual({ value: 'Smi', caret: 3 });
    expect(withoutScannedText('abTICKET-42cd', 11, scan)).toEqual({ value: 'abcd', caret: 2 });
  });

  it('removes every typed character of a capped burst', () => {
    const typed = 'B'.repeat(20);
    expect(withoutScannedText(`x${typed}`, 21, { code: 'B'.repeat(5), typed: 20 })).toEqual({
      value: 'x',
      caret: 1,
    });
  });

  it('changes nothing when the text is not where the scanner typed it', () => {
    const scan = { code: 'TICKET-42', typed: 9 };
    expect(withoutScannedText('TICKET-4', 8, scan)).toBeNull();
    expect(withoutScannedText('xxxxxxxxxx', 10, scan)).toBeNull();
    expect(withoutScannedText('TICKET-42', 20, scan)).toBeNull();
  });
});
