/**
 * hosts/moddable/tick: the tick driver. A Moddable `Timer.repeat` calls
 * `tick(nowMs)` on a fixed list of Tickables (the kernel, then the allocation
 * probe) every `intervalMs`.
 *
 * Allocation: `start()` allocates once (the timer and the one callback closure
 * it keeps). Each tick allocates nothing: the callback is the same function
 * every time, it reads `Time.ticks` (a number), walks the target list with an
 * indexed loop and writes existing number fields.
 *
 * Proven on the XS engine host (test/moddable/moddable-host.test.ts, Moddable
 * stand-ins): 10,000 fires driving a Kernel with an expiring time event and
 * the probe, 0 slots and 0 chunk bytes, the first included.
 *
 * Contexts:
 *   start(), stop()  main VM, boot or shutdown (not from inside a tick)
 *   (the callback)   Moddable's timer service on the main VM's task, between
 *                    turns: never re-entrant, never concurrent with IO
 *                    callbacks (those are delivered on the same task).
 * Cost: one native timer service per tick plus the targets' own cost; not
 * benched (needs a device: Timer and Time exist only on Moddable hosts).
 *
 * Lifecycle:
 *
 *   [created] --start()--> [running] --stop()--> [stopped]
 *                            |   ^
 *                            +---+ timer fires: targets[i].tick(Time.ticks), i = 0..n-1
 *
 * Timing: Moddable timers run from the VM's event loop, so a tick is late when
 * the previous turn ran long. `lateTicks` counts ticks that came more than one
 * interval late and `maxLateMs` keeps the worst lateness (a bound you can
 * check against your deadlines). `Time.delta` handles the tick counter wrap.
 */
import Timer from 'timer';
import Time from 'time';
import type { Tickable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

export interface TickDriverOptions {
  /** Name used in error messages. */
  readonly name?: string;
  /** Period in ms, an integer >= 1. */
  readonly intervalMs: number;
}

/** Largest number of targets one driver calls (a fixed bound on the per-tick loop). */
export const MAX_TICK_TARGETS = 8;

export class TickDriver {
  readonly name: string;
  readonly intervalMs: number;
  /** Ticks delivered since start(). */
  ticks = 0;
  /** `Time.ticks` of the last tick. */
  lastMs = 0;
  /** Ticks that arrived more than one interval after the previous one. */
  lateTicks = 0;
  /** Largest lateness seen (ms beyond the interval). */
  maxLateMs = 0;
  private readonly targets: readonly Tickable[];
  private readonly count: number;
  private timer: Timer | undefined = undefined;

  constructor(targets: readonly Tickable[], options: TickDriverOptions) {
    this.name = options.name ?? 'tick';
    const ms = options.intervalMs;
    if (!(ms >= 1) || Math.floor(ms) !== ms) {
      throw new DeviceHostError('BAD_INTERVAL', `TickDriver '${this.name}': intervalMs must be an integer >= 1 (got ${ms}); set tickMs in the board config [BAD_INTERVAL]`);
    }
    if (targets.length === 0 || targets.length > MAX_TICK_TARGETS) {
      throw new DeviceHostError('BAD_TARGETS', `TickDriver '${this.name}': needs 1..${MAX_TICK_TARGETS} targets (got ${targets.length}); combine targets in the kernel [BAD_TARGETS]`);
    }
    this.intervalMs = ms;
    this.targets = Object.freeze(targets.slice());
    this.count = targets.length;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Boot only. Creates the timer and its one callback. Throws if already running. */
  start(): void {
    if (this.timer !== undefined) {
      throw new DeviceHostError('STARTED_TWICE', `TickDriver '${this.name}': start() called while running; call stop() first [STARTED_TWICE]`);
    }
    this.lastMs = Time.ticks;
    const self = this;
    // The only closure: made once here, reused by every tick.
    this.timer = Timer.repeat(function onTimer(): void {
      self.fire(Time.ticks);
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer === undefined) return;
    Timer.clear(this.timer);
    this.timer = undefined;
  }

  /** One tick: exposed for the callback; allocation-free. */
  fire(now: number): void {
    const late = Time.delta(this.lastMs, now) - this.intervalMs;
    if (late >= this.intervalMs) this.lateTicks++;
    if (late > this.maxLateMs) this.maxLateMs = late;
    this.lastMs = now;
    this.ticks++;
    const targets = this.targets;
    for (let i = 0; i < this.count; i++) targets[i].tick(now);
  }
}
