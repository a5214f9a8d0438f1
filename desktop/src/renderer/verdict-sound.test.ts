import { describe, expect, it } from 'vitest';
import { playVerdictSound, toneSteps, type VerdictTone } from './verdict-sound.ts';

const TONES: VerdictTone[] = ['green', 'amber', 'red'];
const totalMs = (tone: VerdictTone) =>
  Math.max(...toneSteps(tone).map((step) => step.startMs + step.durationMs));

describe('toneSteps', () => {
  it('tells the verdicts apart by pitch and rhythm, not only by screen colour', () => {
    const [green] = toneSteps('green');
    const [red] = toneSteps('red');
    expect(toneSteps('green')).toHaveLength(1);
    expect(toneSteps('amber')).toHaveLength(2);
    expect(toneSteps('red')).toHaveLength(1);
    expect(green!.frequency).toBeGreaterThan(toneSteps('amber')[0]!.frequency);
    expect(red!.frequency).toBeLessThan(toneSteps('amber')[0]!.frequency);
    expect(totalMs('red')).toBeGreaterThan(2 * totalMs('green'));
  });

  it('keeps amber’s two beeps apart, so they are heard as two', () => {
    const [first, second] = toneSteps('amber');
    expect(second!.startMs - (first!.startMs + first!.durationMs)).toBeGreaterThanOrEqual(50);
  });

  it('is short enough not to overlap the next scan at a busy door', () => {
    for (const tone of TONES) expect(totalMs(tone)).toBeLessThanOrEqual(700);
  });
});

describe('playVerdictSound', () => {
  it('does nothing and does not throw where there is no audio (as in this Node test)', () => {
    for (const tone of TONES) expect(() => playVerdictSound(tone)).not.toThrow();
  });
});
