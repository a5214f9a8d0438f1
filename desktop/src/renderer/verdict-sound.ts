// The door is loud and the operator looks at the person, not the screen: each verdict has a sound told apart
// by pitch and rhythm (not only by colour). Tones are synthesized with WebAudio, so there are no sound files,
// and every failure (no audio device, audio blocked) is silent: a missing beep must never cost a scan.

export type VerdictTone = 'green' | 'amber' | 'red';

export interface ToneStep {
  /** Hz. */
  frequency: number;
  /** From the start of the sound. */
  startMs: number;
  durationMs: number;
  wave: OscillatorType;
}

/** Green: one short high beep. Amber: two middle beeps. Red: one long low buzz. */
export function toneSteps(tone: VerdictTone): ToneStep[] {
  switch (tone) {
    case 'green':
      return [{ frequency: 1320, startMs: 0, durationMs: 110, wave: 'sine' }];
    case 'amber':
      return [
        { frequency: 880, startMs: 0, durationMs: 100, wave: 'triangle' },
        { frequency: 880, startMs: 170, durationMs: 100, wave: 'triangle' },
      ];
    case 'red':
      return [{ frequency: 196, startMs: 0, durationMs: 650, wave: 'square' }];
  }
}

type AudioContextClass = new () => AudioContext;

let context: AudioContext | null | undefined;

/** Made on the first verdict (after a key press or click, so browsers allow it), then kept; null if none. */
function audioContext(): AudioContext | null {
  if (context !== undefined) return context;
  const scope = globalThis as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  const Context = scope.AudioContext ?? scope.webkitAudioContext;
  try {
    context = Context ? new Context() : null;
  } catch {
    context = null;
  }
  return context;
}

// Loud enough over a crowd through laptop speakers, soft enough not to clip (square waves are harsh).
const GAIN: Record<OscillatorType, number> = {
  sine: 0.5,
  triangle: 0.45,
  square: 0.18,
  sawtooth: 0.2,
  custom: 0.3,
};
// Short ramps at both ends: an oscillator switched on or off at full level clicks.
const RAMP_S = 0.008;

/** Plays the verdict's sound; does nothing (and never throws) where audio is unavailable. */
export function playVerdictSound(tone: VerdictTone): void {
  try {
    const audio = audioContext();
    if (!audio) return;
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const start = audio.currentTime + 0.01;
    for (const step of toneSteps(tone)) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const from = start + step.startMs / 1000;
      const to = from + step.durationMs / 1000;
      oscillator.type = step.wave;
      oscillator.frequency.setValueAtTime(step.frequency, from);
      gain.gain.setValueAtTime(0, from);
      gain.gain.linearRampToValueAtTime(GAIN[step.wave], from + RAMP_S);
      gain.gain.setValueAtTime(GAIN[step.wave], to - RAMP_S);
      gain.gain.linearRampToValueAtTime(0, to);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(from);
      oscillator.stop(to + 0.01);
    }
  } catch {
    // No sound this time; the screen still shows the verdict.
  }
}
