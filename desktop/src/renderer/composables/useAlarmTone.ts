/** The alarm ring: a short two-tone beep made with WebAudio (no sound file), played when a new alarm arrives. */
let context: AudioContext | undefined;

function audio(): AudioContext | undefined {
  if (typeof AudioContext === 'undefined') return undefined;
  context ??= new AudioContext();
  return context;
}

/** Call from a user gesture (the sign-in click) so the browser lets the tone play later. */
export function unlockAlarmTone(): void {
  void audio()?.resume();
}

/** Three short beeps alternating 880/660 Hz, ~0.9 s in all. */
export function playAlarmTone(): void {
  const ctx = audio();
  if (!ctx) return;
  void ctx.resume();
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < 3; i += 1) {
    const at = start + i * 0.3;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = i % 2 === 0 ? 880 : 660;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.25);
  }
}

/**
 * Browsers keep audio suspended until the user interacts with the page: after a reload the
 * sign-in click is gone, so the first click or key press anywhere unlocks the tone.
 */
export function unlockAlarmToneOnFirstGesture(target: EventTarget = document): void {
  const unlock = (): void => {
    unlockAlarmTone();
    target.removeEventListener('pointerdown', unlock, true);
    target.removeEventListener('keydown', unlock, true);
  };
  target.addEventListener('pointerdown', unlock, true);
  target.addEventListener('keydown', unlock, true);
}
