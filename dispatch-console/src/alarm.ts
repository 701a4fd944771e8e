// The P1 alarm: a generated two-tone beep (WebAudio, no sound file to download) repeated while
// any P1 item is still new. It is derived from the state, not from the arrival event, so it stops
// for everybody the moment any dispatcher's acknowledgement arrives over the websocket, and a
// console opened later still rings for a P1 nobody has taken.

let ctx: AudioContext | null = null;
let timer: number | undefined;

export function audioReady(): boolean {
  return ctx?.state === 'running';
}

/** Must be called from a user gesture at least once (browser autoplay rules). */
export function unlockAudio(): Promise<void> {
  try {
    ctx ??= new AudioContext();
    return ctx.resume().then(() => {
      // The alarm that was silent until now sounds at once, not at the next interval.
      if (timer !== undefined) beep();
    });
  } catch {
    // No audio device: the visual alarm still works.
    return Promise.resolve();
  }
}

/** After a reload the browser keeps audio locked until the first gesture: the first click or
 * key press anywhere on the page unlocks it, so a P1 that was ringing rings again at once.
 * `onReady` runs once the sound is on (to drop the "enable sound" button). */
export function unlockOnFirstGesture(onReady: () => void): () => void {
  const opts = { capture: true };
  const off = () => {
    window.removeEventListener('pointerdown', go, opts);
    window.removeEventListener('keydown', go, opts);
  };
  function go(): void {
    void unlockAudio().then(() => {
      if (audioReady()) {
        off();
        onReady();
      }
    });
  }
  // Some browsers allow sound without a gesture (a kiosk policy): then nothing is waited for.
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'running') {
      onReady();
      return () => undefined;
    }
  } catch {
    return () => undefined;
  }
  window.addEventListener('pointerdown', go, opts);
  window.addEventListener('keydown', go, opts);
  return off;
}

function beep(): void {
  if (!ctx) {
    try {
      ctx = new AudioContext();
    } catch {
      return;
    }
  }
  // Without a user gesture the context stays suspended; the banner then offers a button to
  // enable sound instead of retrying (and warning) on every beep.
  if (ctx.state !== 'running') return;
  const now = ctx.currentTime;
  for (const [offset, freq] of [
    [0, 880],
    [0.25, 660],
  ] as const) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.23);
  }
}

export function setAlarm(on: boolean): void {
  document.body.dataset.alarm = on ? 'on' : 'off';
  if (on && timer === undefined) {
    beep();
    timer = window.setInterval(beep, 1200);
  } else if (!on && timer !== undefined) {
    window.clearInterval(timer);
    timer = undefined;
  }
}

export function alarmSounding(): boolean {
  return timer !== undefined;
}
