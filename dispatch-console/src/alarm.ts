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
export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    void ctx.resume();
  } catch {
    // No audio device: the visual alarm still works.
  }
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
