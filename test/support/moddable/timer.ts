/**
 * test/support/moddable/timer: stand-in for Moddable's `timer` module
 * (modules/base/timer), driven by the test instead of the VM's event loop.
 * scripts/bundle.mjs aliases `timer` to this file for hosts/moddable and the
 * boards.
 *
 * Moddable API kept (documentation/base/timer.md, @moddable/typings timer.d.ts):
 *   Timer.set(callback, interval = 0, repeat = 0)  one-shot after `interval`
 *                                                  ms, then every `repeat` ms if > 0
 *   Timer.repeat(callback, interval)               = set(callback, interval, interval)
 *   Timer.schedule(timer, interval?, repeat?)      re-arms an existing timer;
 *                                                  without `interval` it goes dormant
 *   Timer.clear(timer)                             frees it (undefined/null: no-op)
 *   Timer.delay(ms)                                blocks ms: here, moves Time.ticks
 * The callback is called with the timer as its only argument, like the SDK's
 * native timer service (`xsCallFunction1(callback, xsGlobal, timer)`); a
 * one-shot timer is freed after its callback runs.
 *
 * Test drive (the VM's event loop stand-in):
 *   Timer.fireAll()   fires every armed timer once, in creation order, at the
 *                     current Time.ticks (repeating ones re-arm `repeat` ahead)
 *   Timer.advance(ms) moves Time.ticks forward, firing due timers in due order
 *                     at their due times (a timer due several times fires
 *                     several times)
 *   Timer.active      timers created and not cleared (assert 0 in afterEach)
 *   Timer.fired       callbacks run so far; resetTimers() clears everything
 *
 * Allocation: set/repeat allocate the timer object (boot, as on a device);
 * fireAll, advance, schedule, clear and the callback dispatch allocate nothing
 * (indexed loops over a fixed table, numbers, one call per timer).
 *
 * Limits: MAX_TIMERS (32) live timers; set() throws beyond that.
 * Module state: the timer table is static state of this test stand-in (the
 * SDK keeps its timer list in C); it is never preloaded.
 */
import Time from './time.js';

export type TimerCallback = (timer: Timer) => void;

/** Live timers the stand-in holds at once. */
export const MAX_TIMERS = 32;

const DORMANT = -1;

export default class Timer {
  /** Timers created and not cleared. */
  static active = 0;
  /** Callbacks run since the last resetTimers(). */
  static fired = 0;
  /** The table (slot per live timer; null = free). Fixed size. */
  private static readonly table: (Timer | null)[] = new Array<Timer | null>(MAX_TIMERS).fill(null);

  /** Slot in the table; -1 once cleared. */
  private slot: number;
  private callback: TimerCallback;
  /** Absolute Time.ticks when it fires next, or DORMANT. */
  due: number;
  /** Period after the first firing (0 = one-shot). */
  repeatMs: number;

  private constructor(callback: TimerCallback, slot: number, due: number, repeat: number) {
    this.callback = callback;
    this.slot = slot;
    this.due = due;
    this.repeatMs = repeat;
  }

  static set(callback: TimerCallback, interval = 0, repeat = 0): Timer {
    const table = Timer.table;
    let slot = -1;
    for (let i = 0; i < MAX_TIMERS; i++) {
      if (table[i] === null) {
        slot = i;
        break;
      }
    }
    if (slot < 0) throw new Error(`timer stand-in: more than ${MAX_TIMERS} live timers; clear timers (Timer.clear) or resetTimers() in afterEach`);
    if (typeof callback !== 'function') throw new TypeError('timer stand-in: Timer.set/repeat needs a callback function');
    const t = new Timer(callback, slot, Time.ticks + (interval > 0 ? interval : 0), repeat > 0 ? repeat : 0);
    table[slot] = t;
    Timer.active++;
    return t;
  }

  static repeat(callback: TimerCallback, interval: number): Timer {
    return Timer.set(callback, interval, interval);
  }

  static schedule(timer: Timer, interval?: number, repeat?: number): void {
    if (timer.slot < 0) throw new Error('timer stand-in: Timer.schedule on a cleared timer');
    if (interval === undefined) {
      timer.due = DORMANT;
      return;
    }
    timer.due = Time.ticks + (interval > 0 ? interval : 0);
    timer.repeatMs = repeat !== undefined && repeat > 0 ? repeat : 0;
  }

  static clear(timer: Timer | undefined | null): void {
    if (timer === undefined || timer === null || timer.slot < 0) return;
    Timer.table[timer.slot] = null;
    timer.slot = -1;
    timer.due = DORMANT;
    Timer.active--;
  }

  static delay(ms: number): void {
    if (ms > 0) Time.ticks += ms;
  }

  /** Test hook: fires every armed timer once at the current Time.ticks. Returns how many fired. */
  static fireAll(): number {
    const table = Timer.table;
    let n = 0;
    for (let i = 0; i < MAX_TIMERS; i++) {
      const t = table[i];
      if (t === null || t.due === DORMANT) continue;
      Timer.run(t);
      n++;
    }
    return n;
  }

  /** Test hook: moves Time.ticks forward by `ms`, firing due timers at their due times. Returns how many fired. */
  static advance(ms: number): number {
    const end = Time.ticks + ms;
    const table = Timer.table;
    let n = 0;
    for (;;) {
      let next: Timer | null = null;
      for (let i = 0; i < MAX_TIMERS; i++) {
        const t = table[i];
        if (t !== null && t.due !== DORMANT && t.due <= end && (next === null || t.due < next.due)) next = t;
      }
      if (next === null) break;
      if (next.due > Time.ticks) Time.ticks = next.due;
      Timer.run(next);
      n++;
    }
    Time.ticks = end;
    return n;
  }

  /** Test hook: frees every timer and zeroes the counters. */
  static resetTimers(): void {
    for (let i = 0; i < MAX_TIMERS; i++) {
      const t = Timer.table[i];
      if (t !== null) Timer.clear(t);
    }
    Timer.fired = 0;
  }

  private static run(t: Timer): void {
    // Re-arm (or free a one-shot) before the callback, so the callback may
    // schedule or clear its own timer, as on a device.
    if (t.repeatMs > 0) t.due = Time.ticks + t.repeatMs;
    else Timer.clear(t);
    Timer.fired++;
    const cb = t.callback;
    cb(t);
  }
}
