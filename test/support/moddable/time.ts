/**
 * test/support/moddable/time: stand-in for Moddable's `time` module
 * (modules/base/time), used by the test bundles in place of the real one
 * (scripts/bundle.mjs aliases `time` to this file for hosts/moddable and the
 * boards).
 *
 * What the device host uses, as Moddable documents it: `Time.ticks`, a
 * millisecond counter (a number), and `Time.delta(start[, end])`, the
 * difference of two tick values (`end` defaults to now) that survives the
 * counter's wrap; modelled as the signed 32-bit difference `(end - start) | 0`.
 * `set(seconds)`, `timezone` and `dst` are kept for the module's shape
 * (`set` moves the wall clock, never `ticks`).
 *
 * Test control: `Time.ticks` is a plain writable number (the tests and the
 * timer stand-in's `advance()` move it); `resetTime()` puts the module back to
 * its start state (call it in afterEach).
 *
 * Allocation: reading `ticks` and calling `delta` allocate nothing (numbers).
 * Module state: one object, like the real module (a test stand-in, never
 * preloaded).
 */

export interface TimeModule {
  /** Milliseconds since start (settable by tests). */
  ticks: number;
  timezone: number;
  dst: number;
  /** Wall-clock seconds last set with set() (the stand-in's only use of it). */
  seconds: number;
  set(seconds: number): void;
  delta(start: number, end?: number): number;
}

const Time: TimeModule = {
  ticks: 0,
  timezone: 0,
  dst: 0,
  seconds: 0,
  set(seconds: number): void {
    Time.seconds = seconds;
  },
  delta(start: number, end?: number): number {
    return ((end === undefined ? Time.ticks : end) - start) | 0;
  },
};

/** Test hook: back to ticks 0 and a zero wall clock. */
export function resetTime(): void {
  Time.ticks = 0;
  Time.timezone = 0;
  Time.dst = 0;
  Time.seconds = 0;
}

export default Time;
