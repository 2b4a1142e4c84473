// Stand-in firmware for the simulator tests (hosts/sim): a tiny
// run-to-completion machine over typed arrays that implements Tickable,
// Runnable and Postable without src/kernel.ts. It allocates nothing after
// construction, so the simulator's zero-allocation test can drive it.
//
// Behaviour:
// - SIG_EDGE (posted by the interrupt callback, p0 = pin, p1 = level): a
//   rising edge on pin 0 toggles `mode` (logged as a state change) and the
//   blink period (100 ms / 40 ms).
// - SIG_RX (posted by onReadable): reads every available byte into a line
//   buffer; at '\n' writes the line's length digit and '\n' to TX (a line
//   longer than the buffer is counted as bad and dropped).
// - SIG_BLINK (posted by tick every blink period): toggles output 0.
// - any other signal: counted only (burst targets).
// A `hash` folds every dispatched (sig, p0, p1, time) so two runs can be
// compared by one number plus the counters.
import type { Postable, PoolLike, Runnable, Tickable } from '../../hosts/sim/driver.js';
import type { Simulator } from '../../hosts/sim/simulator.js';

export const SIG_EDGE = 1;
export const SIG_RX = 2;
export const SIG_BLINK = 3;
export const SIG_BURST = 4;

export class StandIn implements Tickable, Runnable, Postable {
  readonly capacity: number;
  private readonly q: Float64Array;
  private head = 0;
  count = 0;
  posted = 0;
  dropped = 0;
  minFree: number;
  readonly counts = new Int32Array(8);
  ticks = 0;
  lastTickMs = 0;
  hash = 2166136261;
  mode = 0;
  periodMs = 100;
  private nextBlinkMs = 100;
  led = 0;
  private readonly line = new Uint8Array(16);
  private lineLen = 0;
  lines = 0;
  badLines = 0;
  runs = 0;

  constructor(
    private readonly sim: Simulator,
    capacity = 16,
    private readonly maxBurst = 1000,
  ) {
    this.capacity = capacity;
    this.minFree = capacity;
    this.q = new Float64Array(capacity * 3);
  }

  /** Wires the interrupt and onReadable callbacks and attaches to the simulator (boot). */
  boot(): this {
    const sim = this.sim;
    sim.inputs.onInterrupt((pin, value) => {
      this.post(SIG_EDGE, pin, value);
    });
    sim.uart.onReadable(() => {
      this.post(SIG_RX);
    });
    sim.attach(this, this);
    return this;
  }

  post(sig: number, p0 = 0, p1 = 0): boolean {
    this.posted++;
    if (this.count === this.capacity) {
      this.dropped++;
      return false;
    }
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.q[i * 3] = sig;
    this.q[i * 3 + 1] = p0;
    this.q[i * 3 + 2] = p1;
    this.count++;
    const free = this.capacity - this.count;
    if (free < this.minFree) this.minFree = free;
    return true;
  }

  tick(nowMs: number): void {
    this.ticks++;
    this.lastTickMs = nowMs;
    if (nowMs >= this.nextBlinkMs) {
      this.nextBlinkMs = nowMs + this.periodMs;
      this.post(SIG_BLINK);
    }
  }

  run(): number {
    this.runs++;
    let n = 0;
    while (this.count > 0 && n < this.maxBurst) {
      const i = this.head * 3;
      const sig = this.q[i]!;
      const p0 = this.q[i + 1]!;
      const p1 = this.q[i + 2]!;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.count--;
      this.dispatch(sig, p0, p1);
      n++;
    }
    return n;
  }

  private mix(x: number): void {
    this.hash = Math.imul(this.hash ^ (x | 0), 16777619) >>> 0;
  }

  private dispatch(sig: number, p0: number, p1: number): void {
    const sim = this.sim;
    this.counts[sig]!++;
    this.mix(sig);
    this.mix(p0);
    this.mix(p1);
    this.mix(sim.nowUs());
    if (sig === SIG_EDGE) {
      if (p0 === 0 && p1 === 1) {
        this.mode ^= 1;
        this.periodMs = this.mode === 1 ? 40 : 100;
        sim.logState(0, this.mode);
      }
    } else if (sig === SIG_RX) {
      const u = sim.uart;
      for (let b = u.read(); b >= 0; b = u.read()) {
        this.mix(b);
        if (b === 10) {
          if (this.lineLen <= this.line.length) {
            this.lines++;
            u.write(48 + (this.lineLen % 10));
            u.write(10);
          } else this.badLines++;
          this.lineLen = 0;
        } else {
          if (this.lineLen < this.line.length) this.line[this.lineLen] = b;
          this.lineLen++;
        }
      }
    } else if (sig === SIG_BLINK) {
      this.led ^= 1;
      sim.outputs.write(0, this.led);
    }
  }

  /** Everything that makes up the final state (allocates; for comparisons). */
  state(): Record<string, unknown> {
    return {
      hash: this.hash,
      counts: Array.from(this.counts),
      posted: this.posted,
      dropped: this.dropped,
      minFree: this.minFree,
      count: this.count,
      ticks: this.ticks,
      lastTickMs: this.lastTickMs,
      mode: this.mode,
      led: this.led,
      lines: this.lines,
      badLines: this.badLines,
      runs: this.runs,
    };
  }
}

/** A block pool stand-in over typed arrays: handles 1..n, 0 when empty (like src/pool.ts NO_BLOCK). */
export class StandInPool implements PoolLike {
  private readonly freeStack: Int32Array;
  private top: number;
  private readonly inUse: Uint8Array;
  failed = 0;
  constructor(readonly size: number) {
    this.freeStack = new Int32Array(size);
    this.inUse = new Uint8Array(size + 1);
    for (let i = 0; i < size; i++) this.freeStack[i] = size - i;
    this.top = size;
  }
  get free(): number {
    return this.top;
  }
  tryClaim(): number {
    if (this.top === 0) {
      this.failed++;
      return 0;
    }
    const h = this.freeStack[--this.top]!;
    this.inUse[h] = 1;
    return h;
  }
  release(h: number): void {
    if (this.inUse[h] !== 1) throw new Error(`StandInPool: release of ${h}, which is not claimed`);
    this.inUse[h] = 0;
    this.freeStack[this.top++] = h;
  }
}
