// USB barcode and QR scanners are "keyboard wedges": they type the code as keystrokes, far faster than a
// person can, usually followed by Enter (some send nothing after the code). Telling a scan from typing is a
// question of timing only, so the decision is a pure state machine fed (key, time): testable with explicit
// timestamps, and the React hook below only wires it to the window's keydown events and a timer.
import { useEffect, useRef } from 'react';

export interface WedgeOptions {
  /** A burst's average gap between keys must stay under this; people type 100 ms and more apart. */
  maxGapMs: number;
  /** This long without a key ends a burst (the scanners that send no Enter); a longer gap breaks it. */
  silenceMs: number;
  /** Shorter bursts are typing that happened to be quick (a key pressed twice, two keys rolled). */
  minLength: number;
  /** The same code completed again within this long is the scanner sending twice, or a held trigger. */
  repeatMs: number;
  /** At most this many characters are kept; the rest of a longer burst is counted, not stored. */
  maxLength: number;
  /** Keys that end a code (scanners are configured to send Enter or Tab after it). */
  terminators: readonly string[];
}

/**
 * The core refuses a code longer than this with a reason; keeping one character more than it accepts makes
 * a capped burst still too long, so it is refused as too long rather than checked as a shorter code.
 */
export const MAX_SCAN_TEXT = 4096;

export const WEDGE_DEFAULTS: WedgeOptions = {
  maxGapMs: 40,
  silenceMs: 80,
  minLength: 4,
  repeatMs: 1000,
  maxLength: MAX_SCAN_TEXT + 1,
  terminators: ['Enter', 'Tab'],
};

/** A code the scanner typed: `typed` counts every character, also those beyond the cap. */
export interface WedgeScan {
  code: string;
  typed: number;
  truncated: boolean;
  endedBy: 'terminator' | 'silence';
}

export type WedgeOutcome =
  | { kind: 'scan'; scan: WedgeScan }
  /** The same code again within `repeatMs`: dropped, but worth a quiet hint on screen. */
  | { kind: 'repeat'; code: string };

export interface WedgeStep {
  /** A burst completed (or was dropped as a repeat) with this key, or before it. */
  outcome: WedgeOutcome | null;
  /** The key was the terminator of a scan: it must not also submit a form or press a button. */
  swallow: boolean;
}

/** Whether a `KeyboardEvent.key` types one character (not Shift, F2, ArrowUp, Dead…). */
export function isPrintableKey(key: string): boolean {
  return [...key].length === 1 && key >= ' ';
}

/**
 * Drops the same code seen again within a window. The window slides: a code that stays in front of the
 * scanner (a held trigger, a phone held under the camera) is delivered once, not once a second, and is
 * delivered again only after it has been away for the whole window.
 */
export class RepeatGuard {
  private last: { code: string; at: number } | null = null;

  constructor(private readonly windowMs: number) {}

  /** True when the code should be delivered. */
  admit(code: string, at: number): boolean {
    const repeat = this.last !== null && this.last.code === code && at - this.last.at < this.windowMs;
    this.last = { code, at };
    return !repeat;
  }
}

export class WedgeScanner {
  private readonly options: WedgeOptions;
  private readonly repeats: RepeatGuard;
  private buffer = '';
  private typed = 0;
  private firstAt = 0;
  private lastAt = 0;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.options = { ...WEDGE_DEFAULTS, ...options };
    this.repeats = new RepeatGuard(this.options.repeatMs);
  }

  /** A key went down at `at` (ms, any monotonic clock). */
  feed(key: string, at: number): WedgeStep {
    if (isPrintableKey(key)) {
      // A key after the silence first ends what came before it (the timer may not have run yet).
      const outcome =
        this.typed > 0 && at - this.lastAt >= this.options.silenceMs ? this.finish('silence') : null;
      if (this.typed === 0) this.firstAt = at;
      this.typed += 1;
      this.lastAt = at;
      if (this.buffer.length < this.options.maxLength) this.buffer += key;
      return { outcome, swallow: false };
    }
    if (this.options.terminators.includes(key)) {
      if (this.typed > 0 && at - this.lastAt < this.options.silenceMs && this.isBurst()) {
        return { outcome: this.finish('terminator'), swallow: true };
      }
      // Enter after typing, or long after a burst: the person's own Enter (the burst, if any, ended first).
      const outcome = this.flush(at);
      this.reset();
      return { outcome, swallow: false };
    }
    // Modifiers (scanners press Shift for capitals) and dead keys leave the burst alone.
    return { outcome: null, swallow: false };
  }

  /** Called by a timer: completes a burst that has been silent for `silenceMs` (scanners without Enter). */
  flush(at: number): WedgeOutcome | null {
    if (this.typed === 0 || at - this.lastAt < this.options.silenceMs) return null;
    return this.finish('silence');
  }

  /** Something other than the scanner happened (a shortcut, focus moved): what was typed is not a code. */
  reset(): void {
    this.buffer = '';
    this.typed = 0;
  }

  /** When `flush` next has something to decide, or null when nothing is buffered. */
  get flushDueAt(): number | null {
    return this.typed > 0 ? this.lastAt + this.options.silenceMs : null;
  }

  /** Enough characters, typed faster on average than any person types. */
  private isBurst(): boolean {
    if (this.typed < this.options.minLength) return false;
    return (this.lastAt - this.firstAt) / (this.typed - 1) < this.options.maxGapMs;
  }

  private finish(endedBy: WedgeScan['endedBy']): WedgeOutcome | null {
    const burst = this.isBurst();
    const scan: WedgeScan = {
      code: this.buffer,
      typed: this.typed,
      truncated: this.typed > this.buffer.length,
      endedBy,
    };
    const at = this.lastAt;
    this.reset();
    if (!burst) return null;
    return this.repeats.admit(scan.code, at) ? { kind: 'scan', scan } : { kind: 'repeat', code: scan.code };
  }
}

/**
 * A field's value without the code the scanner typed into it: a scan that arrives while a person's field
 * has focus is taken as a scan, and the field gets back what it held. The code's characters sit just
 * before the caret; null when they are not found there (the field changed them), so nothing is guessed.
 */
export function withoutScannedText(
  value: string,
  caret: number,
  scan: Pick<WedgeScan, 'code' | 'typed'>,
): { value: string; caret: number } | null {
  const start = caret - scan.typed;
  if (start < 0 || caret > value.length || !value.slice(start, caret).startsWith(scan.code)) return null;
  return { value: value.slice(0, start) + value.slice(caret), caret: start };
}

function isTextField(target: EventTarget | null): target is HTMLInputElement | HTMLTextAreaElement {
  if (typeof HTMLTextAreaElement !== 'undefined' && target instanceof HTMLTextAreaElement) return true;
  if (typeof HTMLInputElement === 'undefined' || !(target instanceof HTMLInputElement)) return false;
  return ['text', 'search', 'email', 'tel', 'url', 'password', 'number', ''].includes(target.type);
}

/** Sets a field's value the way typing would, so React's onChange sees it (React tracks the value setter). */
function replaceFieldValue(field: HTMLInputElement | HTMLTextAreaElement, value: string, caret: number) {
  const prototype = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement : HTMLInputElement;
  Object.getOwnPropertyDescriptor(prototype.prototype, 'value')?.set?.call(field, value);
  field.dispatchEvent(new Event('input', { bubbles: true }));
  try {
    field.setSelectionRange(caret, caret);
  } catch {
    // number fields have no selection; the value is what matters
  }
}

export interface WedgeHookOptions {
  onScan: (scan: WedgeScan) => void;
  onRepeat?: (code: string) => void;
  /** Off while a dialog or another screen owns the keyboard. */
  enabled?: boolean;
  options?: Partial<WedgeOptions>;
}

/**
 * Listens for scanner bursts anywhere on the page. Keys are never taken from a person: every keystroke
 * reaches its field as usual, and only once a burst has proven to be a scan is its text taken back out of
 * the field it landed in and its Enter kept from submitting the form or pressing the focused button.
 */
export function useWedgeScanner({ onScan, onRepeat, enabled = true, options }: WedgeHookOptions): void {
  const handlers = useRef({ onScan, onRepeat });
  handlers.current = { onScan, onRepeat };
  const optionsKey = JSON.stringify(options ?? {});

  useEffect(() => {
    if (!enabled) return;
    const scanner = new WedgeScanner(JSON.parse(optionsKey) as Partial<WedgeOptions>);
    // The field the current burst is typing into, to give it its text back if the burst is a scan.
    let field: HTMLInputElement | HTMLTextAreaElement | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const deliver = (outcome: WedgeOutcome | null) => {
      if (!outcome) return;
      if (outcome.kind === 'repeat') {
        handlers.current.onRepeat?.(outcome.code);
      } else {
        if (field) {
          const restored = withoutScannedText(
            field.value,
            field.selectionEnd ?? field.value.length,
            outcome.scan,
          );
          if (restored) replaceFieldValue(field, restored.value, restored.caret);
        }
        handlers.current.onScan(outcome.scan);
      }
      field = null;
    };

    const schedule = () => {
      clearTimeout(timer);
      const due = scanner.flushDueAt;
      if (due === null) return;
      timer = setTimeout(
        () => deliver(scanner.flush(performance.now())),
        Math.max(0, due - performance.now()) + 1,
      );
    };

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.isComposing) return;
      if (event.ctrlKey || event.metaKey || (event.altKey && !event.getModifierState('AltGraph'))) {
        scanner.reset();
        return;
      }
      const at = event.timeStamp || performance.now();
      const step = scanner.feed(event.key, at);
      if (step.swallow) {
        event.preventDefault();
        event.stopPropagation();
      }
      deliver(step.outcome);
      if (isPrintableKey(event.key)) field = isTextField(event.target) ? event.target : null;
      schedule();
    };

    // Capture phase: the terminator is judged before a form or React handler acts on it.
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      clearTimeout(timer);
    };
  }, [enabled, optionsKey]);
}
