/**
 * test/support/moddable/timer: stand-in for Moddable's `timer` module on the
 * devices, driven by the test instead of the VM's event loop.
 * scripts/bundle.mjs aliases `timer` to this file for hosts/moddable and the
 * boards.
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/base/timer/timer.js     static set/repeat/schedule/clear/delay,
 *     each calling its native as `.call(this, a, b, c)`: the native always
 *     sees every declared argument (argc 3 for set and schedule)
 *   modules/base/timer/modTimer.c   the natives:
 *     xs_timer_set(cb, interval, repeat)  intervals by xsmcToInteger
 *       (undefined -> 0, fractions truncated)
 *     xs_timer_repeat(cb, interval)       = set(cb, interval, interval)
 *     xs_timer_schedule(t, interval, repeat)  `if (1 == argc)` unschedules,
 *       but timer.js always passes three arguments, so Timer.schedule(t)
 *       WITHOUT an interval reschedules t as a one-shot due now (interval 0,
 *       repeat 0): it fires at the next service and is then freed. It does
 *       not make the timer dormant.
 *     xs_timer_clear(t)   undefined, a non-timer, a freed timer: no-op
 *     xs_timer_callback   calls the callback with `this` = the global
 *       object and the timer as its one argument
 *       (xsCallFunction1(callback, xsGlobal, self)); after the callback a
 *       timer whose repeat is 0 is freed: its object is dead (schedule
 *       throws SyntaxError "C: xsGetHostData: invalid host data", clear is a
 *       no-op). A one-shot re-armed from its own callback with repeat 0 is
 *       therefore still freed; with a repeat > 0 it lives on.
 *   modules/base/timer/mc/timer.c   the device service, modTimersExecute():
 *     pass 1 marks every scheduled timer due at `now` (timers added during
 *     the pass wait for the next one); pass 2 fires the marked ones in list
 *     (creation) order, each once, after `triggerTime += repeatInterval`
 *     (non-drifting: a late repeating timer's next due time is the old due
 *     time + repeat, so it catches up on the following services), then frees
 *     the ones whose repeat is 0. The SDK has no timer limit (malloc).
 *   xs/platforms/mc/xsHosts.c modInstrumentMachineBegin: the instrumentation
 *     timer, modTimerAdd(0, 1000, sample), first in the same list (see
 *     startInstrumentationTimer below; off by default).
 *
 * Test drive (the event loop):
 *   Timer.fireAll()   one service (modTimersExecute) at the current Time.ticks:
 *                     every timer due now fires once, in creation order
 *   Timer.advance(ms) moves the clock forward, running a service at each due
 *                     time in order (a timer due several times fires several
 *                     times, each at its due time)
 *   Timer.active      JS timers created and not freed (assert 0 in afterEach)
 *   Timer.fired       callbacks run since resetTimers()
 *   startInstrumentationTimer()  the device host's 1000 ms instrumentation
 *                     sample (instrumentation.ts sampleInstrumentation(): GC
 *                     count and stack peak reset), first in service order;
 *                     stopped by resetTimers()
 *
 * Allocation: set/repeat allocate the timer object (boot, as on a device);
 * fireAll, advance, schedule, clear and the callback dispatch allocate nothing
 * (indexed loops over a fixed table, numbers, one call per timer).
 * Limits: MAX_TIMERS (32) live timers, a stand-in limit: set() throws beyond.
 * Module state: the timer table (the SDK keeps its list in C); never preloaded.
 */
import { advanceTicks, nowMs, setTicks } from './time.js';
import { sampleInstrumentation } from './instrumentation.js';
import { invalidHostData, toInteger } from './builtin.js';

export type TimerCallback = (timer: Timer) => void;

/** Live timers the stand-in holds at once. */
export const MAX_TIMERS = 32;
/** xsHosts.c modInstrumentMachineBegin: the instrumentation timer's period, ms. */
export const INSTRUMENTATION_SAMPLE_MS = 1000;

const DORMANT = -1;
/** Services advance() runs before it decides a callback keeps re-arming itself at the same time. */
const MAX_SERVICES = 1000000;

interface Sampler {
  /** Absolute ms of the next sample, or DORMANT. */
  due: number;
  fire: boolean;
  samples: number;
}

const sampler: Sampler = { due: DORMANT, fire: false, samples: 0 };

export default class Timer {
  /** Timers created and not freed. */
  static active = 0;
  /** Callbacks run since the last resetTimers(). */
  static fired = 0;
  /** The table (slot per live timer; null = free). Fixed size. */
  private static readonly table: (Timer | null)[] = new Array<Timer | null>(MAX_TIMERS).fill(null);
  /** Creation counter: list order of modTimerAdd (appends). */
  private static created = 0;

  /** Slot in the table; -1 once freed (the object is dead). */
  private slot: number;
  private readonly order: number;
  private callback: TimerCallback;
  /** Absolute ms (the time stand-in's counter) when it fires next, or DORMANT. */
  due: number;
  /** repeatInterval (0 = one-shot). */
  repeatMs: number;
  /** kTimerFlagFire: marked by pass 1 of the current service. */
  private fire = false;

  private constructor(callback: TimerCallback, slot: number, order: number, due: number, repeat: number) {
    this.callback = callback;
    this.slot = slot;
    this.order = order;
    this.due = due;
    this.repeatMs = repeat;
  }

  static set(callback: TimerCallback, interval?: number, repeat?: number): Timer {
    if (typeof callback !== 'function') throw new TypeError('timer stand-in: Timer.set/repeat needs a callback function (the SDK stores no callback and fails when the timer fires)');
    const table = Timer.table;
    let slot = -1;
    for (let i = 0; i < MAX_TIMERS; i++) {
      if (table[i] === null) {
        slot = i;
        break;
      }
    }
    if (slot < 0) throw new Error(`timer stand-in: more than ${MAX_TIMERS} live timers; clear timers (Timer.clear) or resetTimers() in afterEach`);
    const t = new Timer(callback, slot, Timer.created++, nowMs() + toInteger(interval), toInteger(repeat));
    table[slot] = t;
    Timer.active++;
    return t;
  }

  static repeat(callback: TimerCallback, interval: number): Timer {
    const i = toInteger(interval);
    return Timer.set(callback, i, i);
  }

  /** modTimer.c xs_timer_schedule with argc 3 (always, from timer.js): reschedule(interval | 0, repeat | 0). */
  static schedule(timer: Timer, interval?: number, repeat?: number): void {
    if (timer === undefined || timer === null || timer.slot < 0) invalidHostData();
    timer.due = nowMs() + toInteger(interval);
    timer.repeatMs = toInteger(repeat);
  }

  static clear(timer: Timer | undefined | null): void {
    if (timer === undefined || timer === null || !(timer instanceof Timer) || timer.slot < 0) return;
    Timer.free(timer);
  }

  /** modTimerDelayMS: blocks; the clock moves, no timer fires. */
  static delay(ms: number): void {
    const d = toInteger(ms);
    if (d > 0) advanceTicks(d);
  }

  /** Test hook: one service at the current Time.ticks. Returns how many JS callbacks ran. */
  static fireAll(): number {
    const now = nowMs();
    const table = Timer.table;
    // Pass 1: mark what is due now (timers added by callbacks wait for the next service).
    if (sampler.due !== DORMANT && sampler.due <= now) sampler.fire = true;
    for (let i = 0; i < MAX_TIMERS; i++) {
      const t = table[i];
      if (t !== null && t.due !== DORMANT && t.due <= now) t.fire = true;
    }
    // Pass 2: in list order; the instrumentation timer was added first.
    if (sampler.fire) {
      sampler.fire = false;
      sampler.due += INSTRUMENTATION_SAMPLE_MS;
      sampler.samples++;
      sampleInstrumentation();
    }
    let n = 0;
    for (;;) {
      let next: Timer | null = null;
      for (let i = 0; i < MAX_TIMERS; i++) {
        const t = table[i];
        if (t !== null && t.fire && (next === null || t.order < next.order)) next = t;
      }
      if (next === null) break;
      Timer.run(next);
      n++;
    }
    return n;
  }

  /** Test hook: moves the clock forward by `ms`, running a service at each due time. Returns how many callbacks ran. */
  static advance(ms: number): number {
    const end = nowMs() + ms;
    const table = Timer.table;
    let n = 0;
    for (let services = 0; ; services++) {
      if (services === MAX_SERVICES) throw new Error(`timer stand-in: ${MAX_SERVICES} services without reaching ${end} ms; a callback keeps re-arming a timer at the same time`);
      let due = sampler.due !== DORMANT && sampler.due <= end ? sampler.due : DORMANT;
      for (let i = 0; i < MAX_TIMERS; i++) {
        const t = table[i];
        if (t !== null && t.due !== DORMANT && t.due <= end && (due === DORMANT || t.due < due)) due = t.due;
      }
      if (due === DORMANT) break;
      if (due > nowMs()) setTicks(due);
      n += Timer.fireAll();
    }
    setTicks(end);
    return n;
  }

  /** Test hook: frees every timer, stops the instrumentation timer, zeroes the counters. */
  static resetTimers(): void {
    for (let i = 0; i < MAX_TIMERS; i++) {
      const t = Timer.table[i];
      if (t !== null) Timer.free(t);
    }
    Timer.fired = 0;
    Timer.active = 0;
    sampler.due = DORMANT;
    sampler.fire = false;
    sampler.samples = 0;
  }

  private static run(t: Timer): void {
    t.fire = false;
    t.due += t.repeatMs; // triggerTime += repeatInterval, before the callback
    Timer.fired++;
    t.callback.call(globalThis, t);
    // xs_timer_callback + modTimersExecute: a timer whose repeat is 0 after its callback is freed.
    if (t.slot >= 0 && t.repeatMs === 0) Timer.free(t);
  }

  private static free(t: Timer): void {
    Timer.table[t.slot] = null;
    t.slot = -1;
    t.due = DORMANT;
    t.fire = false;
    Timer.active--;
  }
}

/**
 * Test hook: starts the device host's instrumentation timer (xsHosts.c
 * modInstrumentMachineBegin, modTimerAdd(0, 1000, ...)): a sample now, then
 * every 1000 ms, serviced before the JS timers due at the same time. Each
 * sample calls sampleInstrumentation() (GC count and stack peak reset).
 */
export function startInstrumentationTimer(): void {
  sampler.due = nowMs();
  sampler.fire = false;
}

/** Test hook: instrumentation samples taken by the timer. */
export function instrumentationSamples(): number {
  return sampler.samples;
}
