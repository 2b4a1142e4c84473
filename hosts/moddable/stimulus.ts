/**
 * hosts/moddable/stimulus: a scripted button for boards and simulators
 * without one (mcsim has no GPIO). Manifest config `keelStimulus`, a list
 * "ms:pressed,ms:pressed,..." (ms after boot, ascending; pressed 1 or 0),
 * e.g. "300:1,420:0,1450:1". Each step is posted the way the button's
 * digital input posts an edge: `events.post(buttonSignal, pin, level, ticks)`
 * with level = the board's active level when pressed. The trace replay
 * (docs/trace-format.md "Device capture") feeds the same script to the Node
 * simulator and compares the two traces.
 *
 * A Tickable the TickDriver calls before the app: a step due at or before a
 * tick is posted in that tick, then the kernel runs. Steps are never
 * dropped; a refused post is counted (`refused`), as the button counts it.
 *
 * Allocation: parseStimulus() and the constructor allocate (boot); tick()
 * allocates nothing. Preload-safe: exports a class and a function.
 *
 * Lifecycle:  new Stimulus(steps, events, ...) --start(now)--> RUNNING
 *             RUNNING --tick(now): due steps posted--> ... --last step--> DONE
 */
import type { Postable, Tickable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** Most steps in one script. */
export const MAX_STIMULUS_STEPS = 256;
/** Latest step time, ms after boot (2^31-1: tick() compares `now - start` as a signed 32-bit difference). */
export const MAX_STIMULUS_MS = 0x7fffffff;

/** Parses "ms:pressed,..." into [ms0, pressed0, ms1, pressed1, ...] (boot). Throws DeviceHostError naming the bad step. */
export function parseStimulus(text: string): Int32Array {
  const parts = text.split(',');
  if (parts.length > MAX_STIMULUS_STEPS) throw new DeviceHostError('TOO_MANY_STEPS', `keelStimulus: ${parts.length} steps; at most ${MAX_STIMULUS_STEPS} [TOO_MANY_STEPS]`);
  const out = new Int32Array(parts.length * 2);
  let last = 0;
  for (let i = 0; i < parts.length; i++) {
    const m = /^\s*(\d+)\s*:\s*([01])\s*$/.exec(parts[i]);
    if (m === null) throw new DeviceHostError('BAD_STEP', `keelStimulus: step ${i + 1} "${parts[i]}" is not "ms:pressed" (ms an integer, pressed 0 or 1), e.g. "300:1,420:0" [BAD_STEP]`);
    const at = Number(m[1]);
    if (at > MAX_STIMULUS_MS) {
      throw new DeviceHostError('STEP_TOO_LATE', `keelStimulus: step ${i + 1} "${parts[i].trim()}" is at ${m[1]} ms, past the limit of ${MAX_STIMULUS_MS} ms (2^31-1: times after boot are compared as signed 32-bit differences); use a time at most ${MAX_STIMULUS_MS} ms after boot [STEP_TOO_LATE]`);
    }
    if (at < last) throw new DeviceHostError('STEPS_OUT_OF_ORDER', `keelStimulus: step ${i + 1} at ${at} ms comes before the step before it (${last} ms); list the steps in time order [STEPS_OUT_OF_ORDER]`);
    last = at;
    out[2 * i] = at;
    out[2 * i + 1] = Number(m[2]);
  }
  return out;
}

export class Stimulus implements Tickable {
  /** Steps posted, and those the target refused. */
  posted = 0;
  refused = 0;
  private next = 0;
  private t0 = 0;
  private started = false;
  private readonly count: number;

  constructor(
    private readonly steps: Int32Array,
    private readonly events: Postable,
    private readonly signal: number,
    private readonly pin: number,
    private readonly activeLevel: number,
  ) {
    this.count = steps.length >> 1;
  }

  /** Steps not yet posted. */
  get left(): number {
    return this.count - this.next;
  }

  /** Boot: times count from `nowMs`. */
  start(nowMs: number): void {
    this.t0 = nowMs;
    this.started = true;
  }

  tick(nowMs: number): void {
    if (!this.started) return;
    const s = this.steps;
    while (this.next < this.count && ((nowMs - this.t0) | 0) >= s[2 * this.next]) {
      const level = s[2 * this.next + 1] === 1 ? this.activeLevel : this.activeLevel ^ 1;
      this.next++;
      if (this.events.post(this.signal, this.pin, level, nowMs)) this.posted++;
      else this.refused++;
    }
  }
}
