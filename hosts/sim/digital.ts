/**
 * sim/digital: simulated digital inputs (buttons, with contact bounce) and
 * digital outputs (LEDs, with recorded waveforms).
 *
 * Inputs. Each pin has a level (0/1). Scenario code schedules edges
 * (`edge`, `press`); when one is delivered and changes the level, the
 * interrupt handler set once at boot runs as `handler(pin, level, timeMs)`
 * (on a device: the ECMA-419 onReadable callback; the firmware posts into a
 * kernel queue from it). An edge to the level the pin already has is not an
 * edge: no interrupt, counted in `ignored`.
 * Contact bounce (per pin, `setBounce(pin, windowMs, maxExtraToggles)`):
 * after each scenario edge that changes the level, the PRNG draws an even
 * number k of extra toggles in 0..maxExtraToggles, and the pin toggles k
 * more times inside (edge, edge + windowMs], each toggle an interrupt; after
 * an even number of toggles it rests at the scenario's level. The toggles
 * are one self-rescheduling scheduler entry (a "series"); times are random
 * and strictly increasing, at least 1 us apart. Storms (faults.ts) use the
 * same series with cause CAUSE_STORM. A toggle is relative: a scenario edge
 * that lands inside a bounce window interleaves with it.
 *
 *   edge(pin, level, atMs) --(delivered, level changes)--> interrupt
 *        \--(bounce set)--> k toggles in (t, t+window] --each--> interrupt
 *
 * Outputs. `write(index, level)` sets a level; a change is recorded in the
 * output's waveform ring (the last `waveformCapacity` transitions, as
 * (timeMs, level)) and in the trace (REC_OUT). `countTransitions`,
 * `intervals` and `periodMs` measure blink patterns.
 *
 * Allocation: constructors allocate everything. read, write and the
 * measurement accessors allocate nothing; neither do the internal delivery
 * methods the simulator calls while stepping. `waveform()` is tooling.
 *
 * | method                       | who calls it                                   |
 * |------------------------------|------------------------------------------------|
 * | onInterrupt, setLevel, setBounce | boot/config                                |
 * | edge, press                  | scenario code (throws named errors)            |
 * | read (inputs)                | firmware, any time                             |
 * | write, read (outputs)        | firmware, any time (out-of-range index throws) |
 * | countTransitions, intervals, periodMs, waveform | tests, CLI                  |
 */
import type { SimCore } from './core.js';
import { SimConfigError } from './errors.js';
import { EV_EDGE, EV_SERIES, msToUs } from './events.js';
import { CAUSE_BOUNCE, CAUSE_SCENARIO, REC_EDGE, REC_FAULT_REFUSED, REC_OUT } from './trace.js';

/** The interrupt callback: set once at boot; called for every edge delivered. */
export type InterruptHandler = (pin: number, value: number, timeMs: number) => void;

export class DigitalInputs {
  readonly count: number;
  private readonly level: Uint8Array;
  private readonly bounceWindowUs: Float64Array;
  private readonly bouncePairs: Int32Array;
  private handler: InterruptHandler | null = null;
  /** Edges delivered (interrupts raised, handler or not). */
  interrupts = 0;
  /** Scenario edges to the level the pin already had (no interrupt). */
  ignored = 0;
  /** Extra toggles drawn for bounce. */
  bounceToggles = 0;
  /** Series (bounce or storm) that could not be scheduled: scheduler full. */
  refused = 0;

  constructor(private readonly core: SimCore, count: number) {
    if (!Number.isInteger(count) || count < 0 || count > 255)
      throw new SimConfigError(
        'BAD_INPUTS',
        DEBUG
          ? `Simulator '${core.name}': inputs must be an integer in 0..255 (got ${count}) [BAD_INPUTS]`
          : `Simulator '${core.name}' [BAD_INPUTS]`,
      );
    this.count = count;
    this.level = new Uint8Array(count);
    this.bounceWindowUs = new Float64Array(count);
    this.bouncePairs = new Int32Array(count);
  }

  /** Sets the interrupt handler (boot). */
  onInterrupt(handler: InterruptHandler | null): void {
    this.handler = handler;
  }

  /** The pin's level now (0/1). */
  read(pin: number): number {
    return this.level[pin]!;
  }

  /** Sets a pin's level without an edge or interrupt (boot, before the run). */
  setLevel(pin: number, level: number): void {
    this.core.checkIndex('input pin', pin, this.count, 'inputs');
    this.level[pin] = level ? 1 : 0;
  }

  /** Contact bounce for `pin`: up to `maxExtraToggles` (rounded down to even) extra toggles within `windowMs` after each edge. 0 turns it off. */
  setBounce(pin: number, windowMs: number, maxExtraToggles: number): void {
    const core = this.core;
    core.checkIndex('input pin', pin, this.count, 'inputs');
    core.checkDuration('setBounce windowMs', windowMs);
    if (!Number.isInteger(maxExtraToggles) || maxExtraToggles < 0 || maxExtraToggles > 65534)
      throw new SimConfigError(
        'BAD_BOUNCE',
        DEBUG
          ? `Simulator '${core.name}': setBounce maxExtraToggles must be an integer in 0..65534 (got ${maxExtraToggles}) [BAD_BOUNCE]`
          : `Simulator '${core.name}' [BAD_BOUNCE]`,
      );
    this.bounceWindowUs[pin] = msToUs(windowMs);
    this.bouncePairs[pin] = maxExtraToggles >> 1;
  }

  /** Schedules an edge of `pin` to `level` at `atMs` (scenario). */
  edge(pin: number, level: number, atMs: number): void {
    this.core.checkIndex('input pin', pin, this.count, 'inputs');
    this.core.scheduleAt(atMs, EV_EDGE, pin, level ? 1 : 0, CAUSE_SCENARIO, 0, 'inputs.edge()');
  }

  /** Schedules a press: `activeLevel` at `atMs`, the other level `holdMs` later (scenario). */
  press(pin: number, atMs: number, holdMs: number, activeLevel = 1): void {
    this.core.checkDuration('press holdMs', holdMs);
    this.edge(pin, activeLevel, atMs);
    this.edge(pin, activeLevel ? 0 : 1, atMs + holdMs);
  }

  // ---- simulator internals (allocation-free) ----------------------------------

  /** A scenario edge is due. */
  deliverEdge(pin: number, level: number, cause: number): void {
    if (this.level[pin] === level) {
      this.ignored++;
      return;
    }
    this.apply(pin, level, cause);
    const pairs = this.bouncePairs[pin]!;
    if (cause === CAUSE_SCENARIO && pairs > 0) {
      const k = 2 * this.core.prng.below(pairs + 1);
      if (k > 0) {
        this.bounceToggles += k;
        this.startSeries(pin, CAUSE_BOUNCE, k, this.core.clock.us + this.bounceWindowUs[pin]!);
      }
    }
  }

  /** Starts `n` toggles of `pin` within (now, endUs]; false (counted, recorded) when the scheduler is full. */
  startSeries(pin: number, cause: number, n: number, endUs: number): boolean {
    const core = this.core;
    const now = core.clock.us;
    if (core.scheduler.trySchedule(now + this.gap(n, endUs), EV_SERIES, pin, cause, n, endUs)) return true;
    this.refused++;
    core.record(REC_FAULT_REFUSED, EV_SERIES, pin, n);
    return false;
  }

  /** One toggle of a series is due. */
  deliverSeries(pin: number, cause: number, remaining: number, endUs: number): void {
    this.apply(pin, this.level[pin]! ^ 1, cause);
    const left = remaining - 1;
    if (left > 0) {
      const core = this.core;
      if (!core.scheduler.trySchedule(core.clock.us + this.gap(left, endUs), EV_SERIES, pin, cause, left, endUs)) {
        this.refused++;
        core.record(REC_FAULT_REFUSED, EV_SERIES, pin, left);
      }
    }
  }

  /** Replay: an edge exactly as recorded. */
  replayEdge(pin: number, level: number, cause: number): void {
    this.apply(pin, level, cause);
  }

  private apply(pin: number, level: number, cause: number): void {
    this.level[pin] = level;
    this.interrupts++;
    const core = this.core;
    core.record(REC_EDGE, pin, level, cause);
    const h = this.handler;
    if (h !== null) h(pin, level, core.clock.us / 1000);
  }

  /** A random gap in [1, (endUs - now) / n] us, so n gaps end inside the window. */
  private gap(n: number, endUs: number): number {
    const per = Math.floor((endUs - this.core.clock.us) / n);
    return per > 1 ? 1 + this.core.prng.below(per) : 1;
  }
}

export class DigitalOutputs {
  readonly count: number;
  readonly waveformCapacity: number;
  private readonly lvl: Uint8Array;
  private readonly wUs: Float64Array;
  private readonly wLevel: Uint8Array;
  private readonly wTotal: Float64Array;
  /** write() calls. */
  writes = 0;
  /** Level changes, all outputs. */
  changes = 0;

  constructor(private readonly core: SimCore, count: number, waveformCapacity: number) {
    if (!Number.isInteger(count) || count < 0 || count > 255)
      throw new SimConfigError(
        'BAD_OUTPUTS',
        DEBUG
          ? `Simulator '${core.name}': outputs must be an integer in 0..255 (got ${count}) [BAD_OUTPUTS]`
          : `Simulator '${core.name}' [BAD_OUTPUTS]`,
      );
    if (!Number.isInteger(waveformCapacity) || waveformCapacity < 2)
      throw new SimConfigError(
        'BAD_WAVEFORM_CAPACITY',
        DEBUG
          ? `Simulator '${core.name}': waveformCapacity must be an integer >= 2 (got ${waveformCapacity}) [BAD_WAVEFORM_CAPACITY]`
          : `Simulator '${core.name}' [BAD_WAVEFORM_CAPACITY]`,
      );
    this.count = count;
    this.waveformCapacity = waveformCapacity;
    this.lvl = new Uint8Array(count);
    this.wUs = new Float64Array(count * waveformCapacity);
    this.wLevel = new Uint8Array(count * waveformCapacity);
    this.wTotal = new Float64Array(count);
  }

  /** Sets output `index` to `level` (truthy = 1). Records a change. Throws SimConfigError for an index that does not exist. */
  write(index: number, level: number | boolean): void {
    if (!(index >= 0 && index < this.count) || (index | 0) !== index) this.core.checkIndex('output', index, this.count, 'outputs');
    this.writes++;
    const v = level ? 1 : 0;
    if (this.lvl[index] === v) return;
    this.lvl[index] = v;
    this.changes++;
    const cap = this.waveformCapacity;
    const n = this.wTotal[index]!;
    const slot = index * cap + (n % cap);
    const core = this.core;
    this.wUs[slot] = core.clock.us;
    this.wLevel[slot] = v;
    this.wTotal[index] = n + 1;
    core.record(REC_OUT, index, v, 0);
  }

  /** The output's level now. */
  read(index: number): number {
    return this.lvl[index]!;
  }

  /** Level changes of output `index` since the start. */
  transitions(index: number): number {
    return this.wTotal[index]!;
  }

  /** Transitions kept in the ring (<= waveformCapacity); k = 0 is the oldest kept. */
  retained(index: number): number {
    const n = this.wTotal[index]!;
    return n < this.waveformCapacity ? n : this.waveformCapacity;
  }

  /** Time (ms) of kept transition k (0 = oldest kept). */
  timeMs(index: number, k: number): number {
    return this.wUs[this.slot(index, k)]! / 1000;
  }

  /** Level after kept transition k. */
  levelAt(index: number, k: number): number {
    return this.wLevel[this.slot(index, k)]!;
  }

  /** Kept transitions in [fromMs, toMs) (to `level` only, when level is 0 or 1). */
  countTransitions(index: number, fromMs = 0, toMs = Infinity, level = -1): number {
    let c = 0;
    const n = this.retained(index);
    for (let k = 0; k < n; k++) {
      const t = this.timeMs(index, k);
      if (t >= fromMs && t < toMs && (level < 0 || this.levelAt(index, k) === level)) c++;
    }
    return c;
  }

  /** Writes the times between consecutive kept transitions in [fromMs, toMs) into `out`; returns how many. */
  intervals(index: number, out: Float64Array, fromMs = 0, toMs = Infinity): number {
    let c = 0;
    let prev = NaN;
    const n = this.retained(index);
    for (let k = 0; k < n && c < out.length; k++) {
      const t = this.timeMs(index, k);
      if (t < fromMs || t >= toMs) continue;
      if (prev === prev) out[c++] = t - prev;
      prev = t;
    }
    return c;
  }

  /** Mean time between consecutive rising edges (to 1) kept in [fromMs, toMs); NaN with fewer than two. */
  periodMs(index: number, fromMs = 0, toMs = Infinity): number {
    let first = NaN;
    let last = NaN;
    let rises = 0;
    const n = this.retained(index);
    for (let k = 0; k < n; k++) {
      const t = this.timeMs(index, k);
      if (t < fromMs || t >= toMs || this.levelAt(index, k) !== 1) continue;
      if (rises === 0) first = t;
      last = t;
      rises++;
    }
    return rises < 2 ? NaN : (last - first) / (rises - 1);
  }

  /** The kept waveform as [timeMs, level] pairs (tooling; allocates). */
  waveform(index: number): [number, number][] {
    const out: [number, number][] = [];
    const n = this.retained(index);
    for (let k = 0; k < n; k++) out.push([this.timeMs(index, k), this.levelAt(index, k)]);
    return out;
  }

  private slot(index: number, k: number): number {
    const cap = this.waveformCapacity;
    const n = this.wTotal[index]!;
    const first = n > cap ? n - cap : 0;
    return index * cap + ((first + k) % cap);
  }
}
