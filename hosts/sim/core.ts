/**
 * sim/core: the state every part of the simulator shares: its name, the
 * virtual clock, the scheduler, the trace, the seeded PRNG and the mode
 * (live or replaying). Made once by the Simulator constructor and handed to
 * each peripheral; internal to hosts/sim.
 *
 * Allocation: none after construction. `scheduleAt` is for scenario code
 * and throws named errors; the hot path uses `scheduler.trySchedule`.
 */
import { SimClock } from './clock.js';
import { SimConfigError, SimUsageError } from './errors.js';
import { msToUs } from './events.js';
import { Prng } from './prng.js';
import { Scheduler } from './scheduler.js';
import { Trace } from './trace.js';

export class SimCore {
  /** True while a trace is being replayed: inputs come from the trace, scenario scheduling is refused. */
  replaying = false;

  constructor(
    readonly name: string,
    readonly clock: SimClock,
    readonly scheduler: Scheduler,
    readonly trace: Trace,
    readonly prng: Prng,
  ) {}

  /** Records at the current time. */
  record(kind: number, a: number, b: number, c: number): void {
    this.trace.record(this.clock.us, kind, a, b, c);
  }

  /** Scenario scheduling at `atMs` (>= now), throwing named errors. Returns the time in us. */
  scheduleAt(atMs: number, kind: number, a: number, b: number, c: number, d: number, what: string): number {
    if (this.replaying)
      throw new SimUsageError(
        'REPLAYING',
        DEBUG
          ? `Simulator '${this.name}': ${what} while replaying a trace; the trace supplies every input during replay [REPLAYING]`
          : `Simulator '${this.name}' [REPLAYING]`,
      );
    if (typeof atMs !== 'number' || !Number.isFinite(atMs))
      throw new SimConfigError(
        'BAD_TIME',
        DEBUG
          ? `Simulator '${this.name}': ${what}: the time must be a finite number of ms (got ${String(atMs)}) [BAD_TIME]`
          : `Simulator '${this.name}' [BAD_TIME]`,
      );
    const us = msToUs(atMs);
    if (us < this.clock.us)
      throw new SimUsageError(
        'IN_THE_PAST',
        DEBUG
          ? `Simulator '${this.name}': ${what} at ${atMs} ms, which is before now (${this.clock.ms()} ms); schedule at now or later [IN_THE_PAST]`
          : `Simulator '${this.name}' [IN_THE_PAST]`,
      );
    this.scheduler.schedule(us, kind, a, b, c, d);
    return us;
  }

  checkIndex(kind: string, i: number, count: number, option: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new SimConfigError(
        'INDEX_OUT_OF_RANGE',
        DEBUG
          ? `Simulator '${this.name}': ${kind} ${String(i)} does not exist (it has ${count}: 0..${count - 1}); raise the ${option} option [INDEX_OUT_OF_RANGE]`
          : `Simulator '${this.name}' [INDEX_OUT_OF_RANGE]`,
      );
  }

  checkDuration(what: string, ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms))
      throw new SimConfigError(
        'BAD_DURATION',
        DEBUG
          ? `Simulator '${this.name}': ${what} must be a finite number of ms >= 0 (got ${String(ms)}) [BAD_DURATION]`
          : `Simulator '${this.name}' [BAD_DURATION]`,
      );
  }
}
