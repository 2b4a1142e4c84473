/**
 * sim/trace: the simulator's fixed-capacity event trace.
 *
 * One record per event, in the order it happened: (timeUs, kind, a, b, c),
 * stored in typed arrays (21 bytes per record: a Float64 time in integer
 * microseconds of virtual time, a Uint8 kind, three Int32 parameters).
 *
 * INPUT records are what the firmware received (they drive replay);
 * OUTPUT records are what it did (they are compared after a replay and
 * pretty-printed). Kinds and parameters:
 *
 * | kind                 | dir | a        | b         | c                           |
 * |----------------------|-----|----------|-----------|-----------------------------|
 * | REC_EDGE        1    | in  | pin      | level     | cause: 0 scenario, 1 bounce, 2 storm |
 * | REC_RX          2    | in  | port     | byte      | 1 accepted, 0 dropped (RX ring full) |
 * | REC_TICK        3    | in  | tick #   | grid ticks merged (late tick) | 0              |
 * | REC_STORM       4    | in  | pin      | edges     | window us                   |
 * | REC_BURST       5    | in  | target   | signal    | events                      |
 * | REC_TICK_DELAY  6    | in  | delay us | 0         | 0                           |
 * | REC_POOL_HOLD   7    | in  | pool     | requested | claimed                     |
 * | REC_POOL_RELEASE 8   | in  | pool     | hold #    | released                    |
 * | REC_FAULT_REFUSED 9  | in  | event kind (EV_* in events.ts) | x | y (the scheduler was full) |
 * | REC_STEP       10    | in  | 0        | 0         | 0  (a step that recorded nothing else: a replay steps there too) |
 * | REC_OUT        16    | out | output   | level     | 0                           |
 * | REC_TX         17    | out | port     | byte      | 0                           |
 * | REC_STATE      18    | out | machine  | state     | 0                           |
 * | REC_LOG        19    | out | code     | a         | b                           |
 * | REC_BURST_RESULT 20  | out | target   | accepted  | refused                     |
 *
 * Capacity (fixed at construction) and its two modes:
 * - 'linear' (default): records 0..capacity-1 are kept; later ones are
 *   refused and counted in `lost`. A trace with lost === 0 can be replayed.
 * - 'ring': the newest `capacity` records are kept; older ones are
 *   overwritten and counted in `lost`. For long live runs that only print.
 * Records are addressed by absolute index: start() <= i < end().
 *
 * Allocation: the constructor allocates all storage. record() and the
 * accessors allocate nothing, the first call included. toJSON, fromJSON,
 * firstDifference are tooling and allocate.
 *
 * | method                  | who calls it                          |
 * |-------------------------|---------------------------------------|
 * | record                  | the simulator while stepping (hot)    |
 * | start/end/timeUs/kind/a/b/c | printer, tests, replay (no alloc) |
 * | toJSON/fromJSON/firstDifference | tooling (allocates)           |
 *
 * Measured cost: docs/simulator.md (`node scripts/bench.mjs sim`: record() in
 * ring mode against five typed-array writes by hand; generated from
 * bench/results).
 */
import { SimConfigError, SimReplayError } from './errors.js';

export const REC_EDGE = 1;
export const REC_RX = 2;
export const REC_TICK = 3;
export const REC_STORM = 4;
export const REC_BURST = 5;
export const REC_TICK_DELAY = 6;
export const REC_POOL_HOLD = 7;
export const REC_POOL_RELEASE = 8;
export const REC_FAULT_REFUSED = 9;
export const REC_STEP = 10;
/** Kinds >= REC_FIRST_OUTPUT are outputs. */
export const REC_FIRST_OUTPUT = 16;
export const REC_OUT = 16;
export const REC_TX = 17;
export const REC_STATE = 18;
export const REC_LOG = 19;
export const REC_BURST_RESULT = 20;

/** Edge causes (REC_EDGE c). */
export const CAUSE_SCENARIO = 0;
export const CAUSE_BOUNCE = 1;
export const CAUSE_STORM = 2;

/** The JSON form of a trace: plain arrays and numbers. */
export interface TraceJson {
  format: 'keel-sim-trace';
  version: 1;
  /** Absolute index of records[0] (0 unless a ring trace overwrote records). */
  start: number;
  /** Records refused (linear) or overwritten (ring). Replay needs 0. */
  lost: number;
  /** Informational: the run's seed and tick period. */
  seed: number;
  tickPeriodUs: number;
  /** The time (us) the recorded run ended at. */
  endUs: number;
  /** The time (us) the recording simulator's clock started at (its startMs option); absent in older traces: 0. */
  startUs?: number;
  /** The recording simulator's runOn option. */
  runOn: 'tick' | 'step';
  /** [timeUs, kind, a, b, c] per record. */
  records: [number, number, number, number, number][];
}

export type TraceMode = 'linear' | 'ring';

export class Trace {
  readonly capacity: number;
  readonly ring: boolean;
  private readonly us: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly pa: Int32Array;
  private readonly pb: Int32Array;
  private readonly pc: Int32Array;
  private written = 0;
  /** Records refused (linear mode, full) or overwritten (ring mode). */
  lost = 0;
  /** Informational metadata carried into toJSON(). */
  seed = 0;
  tickPeriodUs = 0;
  /** The time (us) the recorded run ended at (its last runUntil()); replay runs to it. */
  endUs = 0;
  /** The recording simulator's runOn option was 'tick' (replay needs the same). */
  runOnTick = true;
  /** The time (us) the recording simulator's clock started at (startMs; replay needs the same). */
  startUs = 0;

  constructor(capacity: number, mode: TraceMode = 'linear') {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new SimConfigError(
        'BAD_TRACE_CAPACITY',
        DEBUG
          ? `Trace: capacity must be a positive integer (got ${capacity}); set the traceCapacity option [BAD_TRACE_CAPACITY]`
          : `Trace [BAD_TRACE_CAPACITY]`,
      );
    if (mode !== 'linear' && mode !== 'ring')
      throw new SimConfigError(
        'BAD_TRACE_MODE',
        DEBUG
          ? `Trace: mode must be 'linear' or 'ring' (got ${String(mode)}); set the traceMode option [BAD_TRACE_MODE]`
          : `Trace [BAD_TRACE_MODE]`,
      );
    this.capacity = capacity;
    this.ring = mode === 'ring';
    this.us = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.pa = new Int32Array(capacity);
    this.pb = new Int32Array(capacity);
    this.pc = new Int32Array(capacity);
  }

  /** Appends a record. Never throws: when it does not fit it is counted in `lost` (see the modes). */
  record(timeUs: number, kind: number, a: number, b: number, c: number): void {
    const cap = this.capacity;
    let i = this.written;
    if (i >= cap) {
      if (!this.ring) {
        this.lost++;
        return;
      }
      this.lost++;
      i = i % cap;
    }
    this.us[i] = timeUs;
    this.kinds[i] = kind;
    this.pa[i] = a;
    this.pb[i] = b;
    this.pc[i] = c;
    this.written++;
  }

  /** Absolute index of the oldest record kept. */
  start(): number {
    return this.written > this.capacity ? this.written - this.capacity : 0;
  }
  /** Absolute index after the newest record. */
  end(): number {
    return this.written;
  }
  /** Records kept. */
  get length(): number {
    return this.written > this.capacity ? this.capacity : this.written;
  }
  /** True when nothing was lost: the trace can be replayed. */
  get complete(): boolean {
    return this.lost === 0;
  }

  timeUs(i: number): number {
    return this.us[i % this.capacity]!;
  }
  timeMs(i: number): number {
    return this.us[i % this.capacity]! / 1000;
  }
  kind(i: number): number {
    return this.kinds[i % this.capacity]!;
  }
  a(i: number): number {
    return this.pa[i % this.capacity]!;
  }
  b(i: number): number {
    return this.pb[i % this.capacity]!;
  }
  c(i: number): number {
    return this.pc[i % this.capacity]!;
  }

  /** Counts kept records of `kind` (optionally with a === `a`). */
  count(kind: number, a?: number): number {
    let n = 0;
    const end = this.end();
    for (let i = this.start(); i < end; i++) {
      if (this.kind(i) === kind && (a === undefined || this.a(i) === a)) n++;
    }
    return n;
  }

  /** Forgets every record (capacity and mode are kept). */
  clear(): void {
    this.written = 0;
    this.lost = 0;
    this.endUs = this.startUs;
  }

  /** Plain JSON-able copy (tooling; allocates). */
  toJSON(): TraceJson {
    const records: [number, number, number, number, number][] = [];
    const end = this.end();
    for (let i = this.start(); i < end; i++) records.push([this.timeUs(i), this.kind(i), this.a(i), this.b(i), this.c(i)]);
    return {
      format: 'keel-sim-trace',
      version: 1,
      start: this.start(),
      lost: this.lost,
      seed: this.seed,
      tickPeriodUs: this.tickPeriodUs,
      endUs: this.endUs,
      startUs: this.startUs,
      runOn: this.runOnTick ? 'tick' : 'step',
      records,
    };
  }

  /** Rebuilds a linear trace from toJSON() output (capacity: at least the record count). Throws SimReplayError on a malformed value. */
  static fromJSON(json: TraceJson, capacity?: number): Trace {
    if (json === null || typeof json !== 'object' || json.format !== 'keel-sim-trace' || json.version !== 1 || !Array.isArray(json.records))
      throw new SimReplayError(
        'BAD_FORMAT',
        DEBUG
          ? `Trace.fromJSON: not a keel-sim-trace version 1 object (expected { format: "keel-sim-trace", version: 1, records: [...] }) [BAD_FORMAT]`
          : `Trace.fromJSON [BAD_FORMAT]`,
      );
    const n = json.records.length;
    const t = new Trace(Math.max(1, capacity ?? n, n), 'linear');
    for (let i = 0; i < n; i++) {
      const r = json.records[i]!;
      if (!Array.isArray(r) || r.length !== 5 || !r.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new SimReplayError(
          'BAD_RECORD',
          DEBUG
            ? `Trace.fromJSON: record ${i} is not [timeUs, kind, a, b, c] of finite numbers [BAD_RECORD]`
            : `Trace.fromJSON [BAD_RECORD]`,
        );
      t.record(r[0], r[1], r[2], r[3], r[4]);
    }
    t.lost = json.lost | 0;
    t.seed = json.seed;
    t.tickPeriodUs = json.tickPeriodUs;
    t.endUs = json.endUs;
    t.startUs = json.startUs ?? 0;
    if (!Number.isInteger(t.startUs) || t.startUs < 0)
      throw new SimReplayError(
        'BAD_START',
        DEBUG
          ? `Trace.fromJSON: startUs must be a whole number of us >= 0 (got ${String(json.startUs)}) [BAD_START]`
          : `Trace.fromJSON [BAD_START]`,
      );
    t.runOnTick = json.runOn !== 'step';
    if (json.start !== 0 && t.lost === 0) t.lost = json.start;
    return t;
  }

  /**
   * Index (relative to start) of the first record that differs from `other`,
   * or -1 when both hold the same records. With `outputsOnly`, compares only
   * output records (kind >= REC_FIRST_OUTPUT). Tooling.
   */
  firstDifference(other: Trace, outputsOnly = false): number {
    let i = this.start();
    let j = other.start();
    const ei = this.end();
    const ej = other.end();
    let n = 0;
    for (;;) {
      if (outputsOnly) {
        while (i < ei && this.kind(i) < REC_FIRST_OUTPUT) i++;
        while (j < ej && other.kind(j) < REC_FIRST_OUTPUT) j++;
      }
      if (i >= ei || j >= ej) return i >= ei && j >= ej ? -1 : n;
      if (
        this.timeUs(i) !== other.timeUs(j) ||
        this.kind(i) !== other.kind(j) ||
        this.a(i) !== other.a(j) ||
        this.b(i) !== other.b(j) ||
        this.c(i) !== other.c(j)
      )
        return n;
      i++;
      j++;
      n++;
    }
  }
}
