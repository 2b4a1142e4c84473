/**
 * sim/clock: the simulator's virtual clock and tick source.
 *
 * Time is kept in integer microseconds (`us`, a double: exact up to 2^53 us,
 * about 285 years) and shown to the firmware in milliseconds (`us / 1000`).
 * It starts at `startUs` (0 by default; the simulator's `startMs` option) and
 * is monotonic: it never wraps, so the simulator compares its own times
 * directly. The firmware gets the same double (the kernel reduces it modulo
 * 2^32 itself, see src/timer.ts). The clock only moves when the simulator
 * steps; nothing reads wall time.
 *
 * The tick source fires on a fixed grid: startUs + periodUs, startUs +
 * 2*periodUs, ... A delayed
 * tick (fault) moves the next firing later by `delayUs`; the grid points it
 * passes are merged into that one late tick (counted in `merged`), and the
 * tick after it is back on the grid, like a hardware timer whose interrupt
 * was serviced late.
 *
 *        tickDue()<=now: fire()            delay(us)
 *   ON GRID -----------------> ON GRID   ON GRID --------> LATE
 *   LATE --fire(): merge passed grid points--> ON GRID
 *
 * Tickless idle (the simulator's `tickless` option): `sleepUntil(us)` moves
 * the next firing to the first grid point at or after `us` (Infinity: no
 * tick until woken), and `wake(us)` brings it back to the first grid point
 * at or after `us` when that is earlier. The grid points slept through are
 * merged into the next tick, as for a late one.
 *
 * Allocation: none after construction.
 */
import { SimConfigError } from './errors.js';

/** Latest start time, us: 2^43 ms (about 278 years), so times stay exact doubles (< 2^53 us) for long runs. */
export const MAX_START_US = 8796093022208000;

export class SimClock {
  /** Now, in integer microseconds of virtual time. */
  us = 0;
  readonly periodUs: number;
  /** Next grid point. */
  private gridUs: number;
  /** When the next tick fires (>= gridUs when late). */
  dueUs: number;
  /** Ticks fired. */
  ticks = 0;
  /** Grid points merged into late ticks. */
  merged = 0;
  /** Grid points merged into the tick that fired last. */
  lastMerged = 0;

  /** Where the clock started, us. */
  readonly startUs: number;

  constructor(periodMs: number, startUs = 0) {
    const periodUs = Math.round(periodMs * 1000);
    if (!(periodUs >= 1) || periodUs > 2147483647)
      throw new SimConfigError(
        'BAD_TICK_PERIOD',
        DEBUG
          ? `SimClock: tickPeriodMs must be at least 0.001 (got ${periodMs}) [BAD_TICK_PERIOD]`
          : `SimClock [BAD_TICK_PERIOD]`,
      );
    if (!Number.isInteger(startUs) || startUs < 0 || startUs > MAX_START_US)
      throw new SimConfigError(
        'BAD_START',
        DEBUG
          ? `SimClock: the start time must be whole us from 0 to ${MAX_START_US} (got ${String(startUs)}) [BAD_START]`
          : `SimClock [BAD_START]`,
      );
    this.periodUs = periodUs;
    this.startUs = startUs;
    this.us = startUs;
    this.gridUs = startUs + periodUs;
    this.dueUs = startUs + periodUs;
  }

  /** Now, in milliseconds. */
  ms(): number {
    return this.us / 1000;
  }

  /** Delays the next tick by `delayUs`. */
  delay(delayUs: number): void {
    this.dueUs += delayUs;
  }

  /** The first grid point at or after `us` (never before the next one). */
  private gridAtOrAfter(us: number): number {
    const g = this.gridUs;
    if (us <= g) return g;
    return g + Math.ceil((us - g) / this.periodUs) * this.periodUs;
  }

  /** Tickless idle: no tick before the first grid point at or after `us` (Infinity: until wake()). */
  sleepUntil(us: number): void {
    if (us > this.dueUs) this.dueUs = us === Infinity ? Infinity : this.gridAtOrAfter(us);
  }

  /** Tickless idle: an input arrived at `us`; tick at the first grid point at or after it, if that is sooner. */
  wake(us: number): void {
    const g = this.gridAtOrAfter(us);
    if (g < this.dueUs) this.dueUs = g;
  }

  /** Called when the tick at dueUs fires (now === dueUs): moves to the next grid point after now. */
  fire(): void {
    this.ticks++;
    let merged = 0;
    let g = this.gridUs + this.periodUs;
    if (g <= this.us) {
      merged = Math.floor((this.us - g) / this.periodUs) + 1;
      g += merged * this.periodUs;
    }
    this.gridUs = g;
    this.dueUs = g;
    this.lastMerged = merged;
    this.merged += merged;
  }
}
