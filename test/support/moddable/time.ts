/**
 * test/support/moddable/time: stand-in for Moddable's `time` module on the
 * devices (scripts/bundle.mjs aliases `time` to this file for hosts/moddable
 * and the boards).
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/base/time/time.js        the class: static set, timezone, dst,
 *                                    ticks (getter only), delta(start, end)
 *   modules/base/time/esp/modTime.c  the natives ESP32 and Pico both build
 *                                    (build/devices/{esp32,pico}/manifest.json):
 *     xs_time_ticks   xsmcSetInteger(modMilliseconds()): a uint32 millisecond
 *                     counter stored as a SIGNED 32-bit integer, so `ticks`
 *                     goes negative after 2^31 ms (24.8 days) and wraps
 *     xs_time_delta   start = xsmcToUnsigned(start); end = argc > 1 ?
 *                     xsmcToUnsigned(end) : now; result (int32)(end - start).
 *                     time.js calls it as `.call(this, start, end)`, so argc
 *                     is always 2: `Time.delta(start)` WITHOUT `end` gives
 *                     (0 - start) | 0, not "now - start" (the documentation,
 *                     base.md, says end defaults to now; the source does not).
 *                     The host always passes `end`; test/moddable-host pins it.
 *     xs_time_set     modSetTime(xsmcToUnsigned(seconds))
 *     timezone, dst   xsmcToInteger on set
 * `ticks` has no setter (assigning it throws in strict code, as on a device):
 * tests move the clock with setTicks()/advanceTicks() (the timer stand-in's
 * advance() does).
 *
 * Allocation: reading `ticks` and calling `delta` allocate nothing (a getter
 * call and integer arithmetic). Module state: one clock, like the real
 * module (a test stand-in, never preloaded).
 */

interface Clock {
  /** Milliseconds since boot (the stand-in's modMilliseconds(), unbounded; `ticks` wraps it). */
  ms: number;
  timezone: number;
  dst: number;
  seconds: number;
}

const clock: Clock = { ms: 0, timezone: 0, dst: 0, seconds: 0 };

/** The SDK's Time class, as an object with the same members (typings: `typeof import('time')`). */
const Time = {
  /** modTime.c xs_time_ticks: modMilliseconds() as a signed 32-bit integer. */
  get ticks(): number {
    return clock.ms | 0;
  },
  get timezone(): number {
    return clock.timezone;
  },
  set timezone(seconds: number) {
    clock.timezone = seconds | 0;
  },
  get dst(): number {
    return clock.dst;
  },
  set dst(seconds: number) {
    clock.dst = seconds | 0;
  },
  set(seconds: number): void {
    clock.seconds = seconds >>> 0;
  },
  /** modTime.c xs_time_delta with argc 2 (time.js always passes `end`): (int32)(uint32 end - uint32 start). */
  delta(start: number, end?: number): number {
    return ((end as number) >>> 0) - (start >>> 0) | 0;
  },
};

/** Test hook: sets the millisecond counter (ticks reads it as int32). Allocation-free. */
export function setTicks(ms: number): void {
  clock.ms = ms;
}

/** Test hook: moves the millisecond counter forward. Allocation-free. */
export function advanceTicks(ms: number): void {
  clock.ms += ms;
}

/** Test hook: the counter itself (unbounded, unlike `ticks`). */
export function nowMs(): number {
  return clock.ms;
}

/** Test hook: the wall-clock seconds last given to Time.set(). */
export function wallSeconds(): number {
  return clock.seconds;
}

/** Test hook: back to ticks 0 and a zero wall clock. */
export function resetTime(): void {
  clock.ms = 0;
  clock.timezone = 0;
  clock.dst = 0;
  clock.seconds = 0;
}

export default Time;
