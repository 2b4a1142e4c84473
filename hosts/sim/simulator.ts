/**
 * sim/simulator: the simulator host. It runs firmware (a kernel, or any
 * Tickable + Runnable) on a virtual clock, drives simulated peripherals
 * (digital inputs with bounce, outputs with waveforms, UARTs), injects seeded
 * faults, records every input and output in a trace, and replays a trace.
 * Engine-neutral: no Node built-ins, no DOM; it runs on Node and on XS.
 *
 * The step. Virtual time jumps from step to step; a step happens at the
 * earliest of the next scheduled event and the next tick (ticks every
 * `tickPeriodMs`, default 1 ms, first at `startMs` + 1 tick period). One step
 * at time t:
 *
 *   1. now = t
 *   2. deliver every scheduled event due at <= t, in (time, insertion) order:
 *      interrupt callbacks, UART bytes (onReadable), faults
 *   3. if a tick is due: tickable.tick(t ms)
 *   4. runnable.run(): with `runOn: 'tick'` (default) only in steps with a
 *      tick; with `runOn: 'step'` in every step
 *   5. if the step recorded nothing (an edge to the level the pin already
 *      had, say), record REC_STEP, so a replay takes the same step at the
 *      same time and calls run() there too
 *
 * `runOn: 'tick'` models a device: the host loop (kernel tick + run) runs on
 * the tick timer and interrupt callbacks arrive in between, at their own
 * times, so a storm of edges inside one tick period piles up in the queue
 * before the next run() (and overflows it, counted). `runOn: 'step'`
 * drains the firmware after every event instead (lowest latency).
 *
 * Steps 2-4 are the "firmware step": every call into firmware code happens
 * there and nowhere else. `step()` performs exactly one step, so a caller
 * can bracket it with allocation counters and do its printing between steps
 * (the `beforeStep`/`afterStep` hooks and the progress callback run outside
 * the firmware step too). The simulator's own work in a step allocates
 * nothing, the first step included (tested on XS over 10,000 virtual ms).
 *
 * Time: the virtual clock starts at `startMs` (default 0) and is a monotonic
 * double (integer us, exact to 2^53 us): it never wraps, and the simulator's
 * scheduler, trace and peripherals compare these times directly. Scenario
 * times (edge, inject, runUntil, ...) are absolute on this clock, so a run
 * that starts at `startMs` schedules at `startMs` or later. The firmware gets
 * the same double from `now()` and `tick(nowMs)`; Keel's kernel reduces it
 * modulo 2^32 (src/timer.ts), so starting near 2^31 or 2^32 ms exercises a
 * device's clock wrap. `ticks()` gives what a Moddable device's `Time.ticks`
 * would read at the same time: whole ms, wrapped to a signed int32.
 *
 * Determinism: same options (seed), same scenario, same firmware => the same
 * steps, callbacks, arguments and trace, on Node and on XS. Nothing reads
 * wall time; all randomness comes from one seeded Prng drawn in event order.
 *
 * Replay: `replay(trace)` (or `startReplay` + `runUntil`) on a fresh
 * simulator wired to a fresh firmware takes every input from the trace
 * instead of the scheduler, the tick source and the PRNG: the same steps at
 * the same times with the same callbacks. The firmware then produces the same
 * outputs, so the replay's trace equals the original (`firstDifference`).
 *
 * Lifecycle:
 *
 *   new Simulator(opts) --attach()/onInterrupt()/onReadable()/addTarget()--> BOOTED
 *   BOOTED --edge()/inject()/storm()/...--> scenario scheduled
 *   BOOTED --step()/runUntil()/runFor()--> RUNNING --(returns)--> BOOTED (clock at end)
 *   fresh --startReplay(trace)--> REPLAYING --runUntil()/replay()--> trace consumed
 *
 * | method                          | who calls it                | allocates |
 * |---------------------------------|-----------------------------|-----------|
 * | constructor, attach, set*Hook, setProgress | boot             | yes (boot) |
 * | step, runUntil, runFor          | host loop / tests / CLI     | no        |
 * | now, nowUs, ticks, log, logState | firmware, any time         | no        |
 * | inputs/outputs/uart/faults scenario calls | scenario code      | only on error |
 * | startReplay, replay             | tooling                     | scan only |
 *
 * Measured cost: docs/simulator.md (`node scripts/bench.mjs sim`, a firmware
 * that only counts: step() of a tick step and runUntil(now + 1 ms) against
 * calling tick(now) + run() directly; generated from bench/results). Each
 * delivered event adds a scheduler pop and a trace record.
 *
 * Limits: inputs, outputs <= 255; `schedulerCapacity` pending events (at
 * most that many delivered per step); `traceCapacity` records; uarts <= 255.
 */
import { MAX_START_US, SimClock } from './clock.js';
import { SimCore } from './core.js';
import { DigitalInputs, DigitalOutputs } from './digital.js';
import type { Runnable, Tickable } from './driver.js';
import { SimConfigError, SimReplayError, SimUsageError } from './errors.js';
import { EV_BURST, EV_EDGE, EV_POOL_HOLD, EV_POOL_RELEASE, EV_RX, EV_SERIES, EV_STORM, EV_TICK_DELAY, msToUs } from './events.js';
import { FaultInjector } from './faults.js';
import { Prng } from './prng.js';
import { Scheduler } from './scheduler.js';
import {
  REC_BURST,
  REC_EDGE,
  REC_FAULT_REFUSED,
  REC_FIRST_OUTPUT,
  REC_LOG,
  REC_POOL_HOLD,
  REC_POOL_RELEASE,
  REC_RX,
  REC_STATE,
  REC_STEP,
  REC_STORM,
  REC_TICK,
  REC_TICK_DELAY,
  Trace,
  type TraceMode,
} from './trace.js';
import { SimUart } from './uart.js';

export interface SimOptions {
  /** Names this simulator in error messages. Default 'sim'. */
  name?: string;
  /** PRNG seed (bounce, storms, tick delays). Default 1. */
  seed?: number;
  /** Tick period, ms (>= 0.001). Default 1. */
  tickPeriodMs?: number;
  /** Digital input pins. Default 4. */
  inputs?: number;
  /** Digital outputs. Default 4. */
  outputs?: number;
  /** Transitions kept per output. Default 256. */
  waveformCapacity?: number;
  /** UART ports. Default 1. */
  uarts?: number;
  /** Baud rate of every UART (byte time = 10 bits). Default 115200. */
  uartBaud?: number;
  /** RX ring bytes per UART. Default 64. */
  uartRxCapacity?: number;
  /** TX log bytes per UART. Default 1024. */
  uartTxCapacity?: number;
  /** Pending scheduled events. Default 1024. */
  schedulerCapacity?: number;
  /** Trace records. Default 65536. */
  traceCapacity?: number;
  /** 'linear' (default; replayable while nothing is lost) or 'ring' (keeps the newest; for long printed runs). */
  traceMode?: TraceMode;
  /** Blocks the pool-hold fault can hold at once. Default 256. */
  maxHeldBlocks?: number;
  /** When run() is called: 'tick' (default: in steps with a tick, like a device's timer-driven loop) or 'step' (every step). */
  runOn?: 'tick' | 'step';
  /**
   * Virtual time the clock starts at, ms (0..2^43; rounded to whole us). Default 0. E.g.
   * 2 ** 31 - 50 or 2 ** 32 - 50 to run firmware across a device clock's wrap.
   */
  startMs?: number;
  /**
   * Tickless idle, as a device that sleeps between timers: after a step in
   * which nothing is left to run, the tick source sleeps until the
   * tickable's next time event (`nextDelay`, the kernel's) or, with none
   * armed, until an input arrives; an input wakes it at the next grid point.
   * The grid points slept through are merged into the next tick (REC_TICK b).
   * Lets a run cover days of virtual time in few steps. Default false.
   */
  tickless?: boolean;
}

export type StepHook = (nowMs: number) => void;
export type AfterStepHook = (nowMs: number, dispatched: number) => void;
export type ProgressHook = (nowMs: number, endMs: number) => void;

export class Simulator {
  readonly name: string;
  readonly seed: number;
  readonly clock: SimClock;
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly prng: Prng;
  readonly inputs: DigitalInputs;
  readonly outputs: DigitalOutputs;
  readonly uarts: readonly SimUart[];
  /** uarts[0]. */
  readonly uart: SimUart;
  readonly faults: FaultInjector;
  /** True: run() only in steps with a tick (runOn 'tick'). */
  readonly runOnTick: boolean;
  /** The `tickless` option. */
  readonly tickless: boolean;
  private readonly core: SimCore;

  private tickable: Tickable | null = null;
  private runnable: Runnable | null = null;
  private beforeHook: StepHook | null = null;
  private afterHook: AfterStepHook | null = null;
  private progressHook: ProgressHook | null = null;
  private progressEveryUs = 0;
  private nextProgressUs = Infinity;
  private replayTrace: Trace | null = null;
  private cursor = 0;

  /** Steps taken. */
  steps = 0;
  /** Events dispatched, summed over run() results. */
  dispatched = 0;
  /** Scheduled events delivered. */
  delivered = 0;
  /** Time the last runUntil() reached, us (also stored in the trace as endUs). */
  endUs = 0;

  constructor(options: SimOptions = {}) {
    const name = options.name ?? 'sim';
    this.name = name;
    this.seed = (options.seed ?? 1) >>> 0;
    const startMs = options.startMs ?? 0;
    if (typeof startMs !== 'number' || !(startMs >= 0 && startMs <= MAX_START_US / 1000))
      throw new SimConfigError(
        'BAD_START',
        DEBUG
          ? `Simulator '${name}': startMs must be a number of ms from 0 to ${MAX_START_US / 1000} (got ${String(startMs)}); ` +
              `pass e.g. 2 ** 32 - 50 to start just before a 32-bit clock wraps [BAD_START]`
          : `Simulator '${name}' [BAD_START]`,
      );
    const startUs = msToUs(startMs);
    const clock = new SimClock(options.tickPeriodMs ?? 1, startUs);
    const scheduler = new Scheduler(options.schedulerCapacity ?? 1024, name);
    const trace = new Trace(options.traceCapacity ?? 65536, options.traceMode ?? 'linear');
    trace.seed = this.seed;
    trace.tickPeriodUs = clock.periodUs;
    trace.startUs = startUs;
    trace.endUs = startUs;
    this.endUs = startUs;
    const prng = new Prng(this.seed);
    const core = new SimCore(name, clock, scheduler, trace, prng);
    this.core = core;
    this.clock = clock;
    this.scheduler = scheduler;
    this.trace = trace;
    this.prng = prng;
    this.inputs = new DigitalInputs(core, options.inputs ?? 4);
    this.outputs = new DigitalOutputs(core, options.outputs ?? 4, options.waveformCapacity ?? 256);
    const nU = options.uarts ?? 1;
    if (!Number.isInteger(nU) || nU < 1 || nU > 255)
      throw new SimConfigError(
        'BAD_UARTS',
        DEBUG
          ? `Simulator '${name}': uarts must be an integer in 1..255 (got ${nU}) [BAD_UARTS]`
          : `Simulator '${name}' [BAD_UARTS]`,
      );
    const uarts: SimUart[] = [];
    for (let i = 0; i < nU; i++)
      uarts.push(new SimUart(core, i, options.uartBaud ?? 115200, options.uartRxCapacity ?? 64, options.uartTxCapacity ?? 1024));
    this.uarts = uarts;
    this.uart = uarts[0]!;
    this.faults = new FaultInjector(core, this.inputs, options.maxHeldBlocks ?? 256);
    const runOn = options.runOn ?? 'tick';
    if (runOn !== 'tick' && runOn !== 'step')
      throw new SimConfigError(
        'BAD_RUN_ON',
        DEBUG
          ? `Simulator '${name}': runOn must be 'tick' or 'step' (got ${String(runOn)}) [BAD_RUN_ON]`
          : `Simulator '${name}' [BAD_RUN_ON]`,
      );
    this.runOnTick = runOn === 'tick';
    trace.runOnTick = this.runOnTick;
    this.tickless = options.tickless === true;
  }

  // ---- boot ---------------------------------------------------------------------

  /** Wires the firmware: `tickable.tick(nowMs)` each tick, `runnable.run()` each step. Pass the kernel twice. */
  attach(tickable: Tickable | null, runnable: Runnable | null): void {
    this.tickable = tickable;
    this.runnable = runnable;
  }

  /** Hooks called before and after each step's firmware work (outside it). */
  setStepHooks(before: StepHook | null, after: AfterStepHook | null): void {
    this.beforeHook = before;
    this.afterHook = after;
  }

  /** Calls `hook(nowMs, endMs)` from runUntil() each time virtual time passes a multiple of `everyMs` (and at the end). */
  setProgress(everyMs: number, hook: ProgressHook | null): void {
    this.core.checkDuration('setProgress everyMs', everyMs);
    const us = msToUs(everyMs);
    if (hook !== null && us < 1)
      throw new SimConfigError(
        'BAD_PROGRESS_EVERY',
        DEBUG
          ? `Simulator '${this.name}': setProgress everyMs must be >= 0.001 (got ${everyMs}) [BAD_PROGRESS_EVERY]`
          : `Simulator '${this.name}' [BAD_PROGRESS_EVERY]`,
      );
    this.progressHook = hook;
    this.progressEveryUs = us;
    this.nextProgressUs = hook === null ? Infinity : (Math.floor(this.clock.us / us) + 1) * us;
  }

  // ---- firmware-facing ------------------------------------------------------------

  /** Virtual time, ms (a KernelHost's now()). */
  now(): number {
    return this.clock.us / 1000;
  }
  /** Virtual time, us. */
  nowUs(): number {
    return this.clock.us;
  }
  /**
   * What a Moddable device's `Time.ticks` reads now: whole ms, wrapped to a
   * signed int32 (negative from 2^31 ms, 0 again at 2^32). For a device-like
   * KernelHost: `{ now: () => sim.ticks() }`, with `tick(sim.ticks())`.
   */
  ticks(): number {
    return Math.floor(this.clock.us / 1000) | 0;
  }
  /** Records a state change (REC_STATE): `machine` entered `state`. */
  logState(machine: number, state: number): void {
    this.core.record(REC_STATE, machine, state, 0);
  }
  /** Records a firmware log code with two integer arguments (REC_LOG). */
  log(code: number, a = 0, b = 0): void {
    this.core.record(REC_LOG, code, a, b);
  }

  // ---- running --------------------------------------------------------------------

  /** True while replaying a trace. */
  get replaying(): boolean {
    return this.core.replaying;
  }

  /** Time (ms) of the next step, Infinity when none (replay: trace consumed). */
  nextStepMs(): number {
    return this.nextStepUs() / 1000;
  }

  /** Performs one step if one is due at or before `limitMs`; returns whether it did. */
  step(limitMs = Infinity): boolean {
    return this.stepUs(limitMs === Infinity ? Infinity : msToUs(limitMs));
  }

  /** Steps until virtual time `endMs`, then sets the clock to it. Returns the steps taken. */
  runUntil(endMs: number): number {
    const endUs = msToUs(endMs);
    if (!(endUs >= this.clock.us))
      throw new SimUsageError(
        'IN_THE_PAST',
        DEBUG
          ? `Simulator '${this.name}': runUntil(${endMs}) is before now (${this.now()} ms); run until now or later [IN_THE_PAST]`
          : `Simulator '${this.name}' [IN_THE_PAST]`,
      );
    let n = 0;
    while (this.stepUs(endUs)) {
      n++;
      if (this.clock.us >= this.nextProgressUs) this.progress(endUs);
    }
    this.clock.us = endUs;
    this.endUs = endUs;
    this.trace.endUs = endUs;
    if (endUs >= this.nextProgressUs) this.progress(endUs);
    return n;
  }

  /** runUntil(now + ms). */
  runFor(ms: number): number {
    return this.runUntil((this.clock.us + msToUs(ms)) / 1000);
  }

  // ---- replay ---------------------------------------------------------------------

  /**
   * Replays `trace` (with lost === 0) into this fresh simulator: inputs come
   * from the trace from now on. Throws SimReplayError for a trace that lost
   * records or names a pin/port/target/pool this simulator lacks, and
   * SimUsageError unless the simulator is fresh (at its start time, nothing
   * scheduled). The trace must come from a simulator with the same startMs.
   */
  startReplay(trace: Trace): void {
    if (this.clock.us !== this.clock.startUs || this.scheduler.length !== 0 || this.steps !== 0)
      throw new SimUsageError(
        'NOT_FRESH',
        DEBUG
          ? `Simulator '${this.name}': startReplay() needs a fresh simulator (at its start time, nothing scheduled, no steps); make a new one [NOT_FRESH]`
          : `Simulator '${this.name}' [NOT_FRESH]`,
      );
    if (!trace.complete || trace.start() !== 0)
      throw new SimReplayError(
        'INCOMPLETE',
        DEBUG
          ? `Simulator '${this.name}': the trace lost ${trace.lost} records and cannot be replayed; record with traceMode 'linear' and a larger traceCapacity [INCOMPLETE]`
          : `Simulator '${this.name}' [INCOMPLETE]`,
      );
    const end = trace.end();
    for (let i = 0; i < end; i++) {
      const k = trace.kind(i);
      const a = trace.a(i);
      if (k === REC_EDGE && !(a >= 0 && a < this.inputs.count)) this.badRecord(i, `input pin ${a}`, 'inputs');
      else if (k === REC_RX && !(a >= 0 && a < this.uarts.length)) this.badRecord(i, `uart ${a}`, 'uarts');
      else if (k === REC_BURST && !(a >= 0 && a < this.faults.targetCount)) this.badRecord(i, `burst target ${a}`, 'addTarget() calls');
      else if ((k === REC_POOL_HOLD || k === REC_POOL_RELEASE) && !(a >= 0 && a < this.faults.poolCount))
        this.badRecord(i, `pool ${a}`, 'addPool() calls');
      if (i > 0 && trace.timeUs(i) < trace.timeUs(i - 1))
        throw new SimReplayError(
          'OUT_OF_ORDER',
          DEBUG
            ? `Simulator '${this.name}': trace record ${i} goes back in time; the trace is corrupt [OUT_OF_ORDER]`
            : `Simulator '${this.name}' [OUT_OF_ORDER]`,
        );
    }
    if (trace.startUs !== this.clock.startUs)
      throw new SimReplayError(
        'START_MISMATCH',
        DEBUG
          ? `Simulator '${this.name}': the trace was recorded with startMs ${trace.startUs / 1000}; build the replaying simulator with the same startMs (it has ${this.clock.startUs / 1000}) [START_MISMATCH]`
          : `Simulator '${this.name}' [START_MISMATCH]`,
      );
    if (trace.runOnTick !== this.runOnTick)
      throw new SimReplayError(
        'RUN_ON_MISMATCH',
        DEBUG
          ? `Simulator '${this.name}': the trace was recorded with runOn '${trace.runOnTick ? 'tick' : 'step'}'; build the replaying simulator with the same runOn [RUN_ON_MISMATCH]`
          : `Simulator '${this.name}' [RUN_ON_MISMATCH]`,
      );
    this.replayTrace = trace;
    this.cursor = 0;
    this.core.replaying = true;
  }

  /** startReplay(trace), then runs to the time the recorded run ended (trace.endUs). Returns the steps taken. */
  replay(trace: Trace): number {
    this.startReplay(trace);
    const lastUs = trace.end() > 0 ? trace.timeUs(trace.end() - 1) : this.clock.startUs;
    return this.runUntil(Math.max(trace.endUs, lastUs) / 1000);
  }

  // ---- internals ------------------------------------------------------------------

  private nextStepUs(): number {
    const r = this.replayTrace;
    if (r !== null) {
      // Every recorded step left an input record (a tick, an edge, ... or
      // REC_STEP); outputs alone (the firmware's boot-time writes) are no step.
      const end = r.end();
      while (this.cursor < end && r.kind(this.cursor) >= REC_FIRST_OUTPUT) this.cursor++;
      return this.cursor < end ? r.timeUs(this.cursor) : Infinity;
    }
    const e = this.scheduler.peekTimeUs();
    const d = this.clock.dueUs;
    return e < d ? e : d;
  }

  private stepUs(limitUs: number): boolean {
    const t = this.nextStepUs();
    if (t > limitUs) return false;
    const clock = this.clock;
    clock.us = t;
    const trace = this.trace;
    const marks = trace.end() + trace.lost;
    const before = this.beforeHook;
    if (before !== null) before(t / 1000);
    // ---- firmware step begins ----
    let ticked = false;
    if (this.replayTrace !== null) ticked = this.replayInputs(t);
    else {
      if (this.deliverDue(t) && this.tickless) clock.wake(t);
      if (clock.dueUs <= t) {
        clock.fire();
        trace.record(t, REC_TICK, clock.ticks, clock.lastMerged, 0);
        ticked = true;
        const tk = this.tickable;
        if (tk !== null) tk.tick(t / 1000);
      }
    }
    let n = 0;
    const rn = this.runnable;
    const runs = ticked || !this.runOnTick;
    if (runs && rn !== null) n = rn.run();
    // ---- firmware step ends ----
    // Every step leaves a record: a replay steps only where the trace has one.
    if (trace.end() + trace.lost === marks) trace.record(t, REC_STEP, 0, 0, 0);
    if (this.tickless && this.replayTrace === null) this.sleepWhenIdle(t);
    this.steps++;
    this.dispatched += n;
    const after = this.afterHook;
    if (after !== null) after(t / 1000, n);
    return true;
  }

  /** Tickless: with nothing left to run, sleep the tick source until the next time event (or an input). */
  private sleepWhenIdle(t: number): void {
    const tk = this.tickable;
    const rn = this.runnable;
    if (tk === null || tk.nextDelay === undefined || (rn !== null && rn.ready === true)) return;
    const d = tk.nextDelay(t / 1000);
    this.clock.sleepUntil(d < 0 ? Infinity : t + d * 1000);
  }

  /** Delivers the scheduled events due at <= t; returns whether there was one. */
  private deliverDue(t: number): boolean {
    const s = this.scheduler;
    const max = s.capacity;
    let any = false;
    for (let i = 0; i < max && s.peekTimeUs() <= t; i++) {
      any = true;
      s.pop();
      this.delivered++;
      const a = s.evA;
      switch (s.evKind) {
        case EV_EDGE:
          this.inputs.deliverEdge(a, s.evB, s.evC);
          break;
        case EV_SERIES:
          this.inputs.deliverSeries(a, s.evB, s.evC, s.evD);
          break;
        case EV_RX:
          this.uarts[a]!.deliverRx(s.evB);
          break;
        case EV_STORM:
          this.faults.deliverStorm(a, s.evB, s.evC);
          break;
        case EV_BURST:
          this.faults.deliverBurst(a, s.evB, s.evC);
          break;
        case EV_TICK_DELAY:
          this.faults.deliverTickDelay(a);
          break;
        case EV_POOL_HOLD:
          this.faults.deliverHold(a, s.evB, s.evC);
          break;
        case EV_POOL_RELEASE:
          this.faults.deliverRelease(a, s.evB);
          break;
        default:
          break;
      }
    }
    return any;
  }

  /** Replay: applies every input record at time t, in order; returns whether one was a tick. */
  private replayInputs(t: number): boolean {
    let ticked = false;
    const r = this.replayTrace!;
    const end = r.end();
    const core = this.core;
    while (this.cursor < end && r.timeUs(this.cursor) === t) {
      const i = this.cursor++;
      const k = r.kind(i);
      if (k >= REC_FIRST_OUTPUT) continue;
      const a = r.a(i);
      const b = r.b(i);
      const c = r.c(i);
      switch (k) {
        case REC_EDGE:
          this.inputs.replayEdge(a, b, c);
          break;
        case REC_RX:
          this.uarts[a]!.deliverRx(b);
          break;
        case REC_TICK: {
          this.clock.ticks = a;
          ticked = true;
          core.record(REC_TICK, a, b, 0);
          const tk = this.tickable;
          if (tk !== null) tk.tick(t / 1000);
          break;
        }
        case REC_BURST:
          this.faults.deliverBurst(a, b, c);
          break;
        case REC_POOL_HOLD:
          this.faults.replayHold(a, b);
          break;
        case REC_POOL_RELEASE:
          this.faults.deliverRelease(a, b);
          break;
        case REC_STORM:
        case REC_TICK_DELAY:
        case REC_FAULT_REFUSED:
          core.record(k, a, b, c);
          break;
        default:
          // REC_STEP: re-recorded by stepUs when the step records nothing else.
          break;
      }
    }
    return ticked;
  }

  private progress(endUs: number): void {
    const h = this.progressHook;
    if (h === null) return;
    const every = this.progressEveryUs;
    this.nextProgressUs = (Math.floor(this.clock.us / every) + 1) * every;
    h(this.clock.us / 1000, endUs / 1000);
  }

  private badRecord(i: number, what: string, option: string): never {
    throw new SimReplayError(
      'NO_SUCH_PERIPHERAL',
      DEBUG
        ? `Simulator '${this.name}': trace record ${i} names ${what}, which this simulator lacks; build it with the same ${option} as the recorded run [NO_SUCH_PERIPHERAL]`
        : `Simulator '${this.name}' [NO_SUCH_PERIPHERAL]`,
    );
  }
}
