// Test helper: a fake HsmTimerHost made of typed arrays (so arming and
// disarming allocate nothing: the XS allocation tests use it), with an
// optional string trace (`arm <id> <delay> <period>`, `disarm <id>`) for the
// behaviour tests, and a clock the test moves by hand. An expiry is delivered
// the way the kernel delivers it: dispatch(sig, id, due, generation, 0).
import type { Hsm, HsmTimerHost } from '../../src/hsm.js';

export class FakeTimers implements HsmTimerHost {
  /** Signal each time event posts. */
  readonly sig: Int32Array;
  /** 1 while armed. */
  readonly armed: Uint8Array;
  /** Due time of the next expiry. */
  readonly due: Float64Array;
  /** Last delay and period passed to arm(). */
  readonly delay: Float64Array;
  readonly period: Float64Array;
  /** Generation: advanced by every arm and disarm (like src/timer.ts). */
  readonly gen: Int32Array;
  /** Time events created. */
  count = 0;
  /** The clock (ms). */
  now = 0;
  /** arm() and disarm() calls. */
  arms = 0;
  disarms = 0;
  /** Expiries delivered. */
  fired = 0;

  constructor(
    readonly capacity = 16,
    /** When set, every arm/disarm appends a line (allocates: behaviour tests only). */
    public log: string[] | null = null,
  ) {
    this.sig = new Int32Array(capacity);
    this.armed = new Uint8Array(capacity);
    this.due = new Float64Array(capacity);
    this.delay = new Float64Array(capacity);
    this.period = new Float64Array(capacity);
    this.gen = new Int32Array(capacity);
  }

  timeEvent(sig: number): number {
    if (this.count === this.capacity) throw new Error(`FakeTimers: more than ${this.capacity} time events`);
    const id = this.count++;
    this.sig[id] = sig;
    return id;
  }

  arm(id: number, delayMs: number, periodMs: number): number {
    // Like the kernel's TimerTable: outside 0..2^31 - 1 is refused (there: TimerUsageError), a fraction rounds up.
    if (!(delayMs >= 0 && delayMs <= 2147483647) || !(periodMs >= 0 && periodMs <= 2147483647))
      throw new RangeError(`FakeTimers: bad delay ${String(delayMs)} or period ${String(periodMs)}`);
    if (delayMs !== Math.floor(delayMs)) delayMs = Math.ceil(delayMs);
    if (periodMs !== Math.floor(periodMs)) periodMs = Math.ceil(periodMs);
    this.armed[id] = 1;
    this.delay[id] = delayMs;
    this.period[id] = periodMs;
    this.due[id] = this.now + delayMs;
    this.gen[id] = (this.gen[id]! + 1) | 0;
    this.arms++;
    if (this.log !== null) this.log.push(`arm ${id} ${delayMs} ${periodMs}`);
    return this.due[id]!;
  }

  disarm(id: number): boolean {
    const was = this.armed[id] === 1;
    this.armed[id] = 0;
    this.gen[id] = (this.gen[id]! + 1) | 0;
    this.disarms++;
    if (this.log !== null) this.log.push(`disarm ${id}`);
    return was;
  }

  /**
   * Expires armed time event `id` now, whatever its due time: a one-shot is
   * disarmed, a periodic one moves to its next due time; then the machine
   * gets (sig, id, due, gen, 0). Returns dispatch's result, -1 if not armed.
   */
  fire<C>(m: Hsm<C>, id: number): number {
    if (this.armed[id] !== 1) return -1;
    const due = this.due[id]!;
    if (this.period[id]! > 0) this.due[id] = due + this.period[id]!;
    else this.armed[id] = 0;
    this.fired++;
    return m.dispatch(this.sig[id]!, id, due, this.gen[id]!, 0);
  }

  /**
   * Moves the clock forward by `ms`, delivering every expiry due on the way in
   * due order (equal due times: lowest id first), and draining the machine's
   * own queue after each. Returns the number of expiries delivered.
   */
  advance<C>(m: Hsm<C>, ms: number): number {
    const end = this.now + ms;
    let n = 0;
    for (;;) {
      let next = -1;
      for (let id = 0; id < this.count; id++)
        if (this.armed[id] === 1 && this.due[id]! <= end && (next < 0 || this.due[id]! < this.due[next]!)) next = id;
      if (next < 0) break;
      this.now = this.due[next]!;
      this.fire(m, next);
      if (m.queued > 0) m.drain();
      n++;
    }
    this.now = end;
    return n;
  }

  /** Ids currently armed (allocates: assertions only). */
  armedIds(): number[] {
    const out: number[] = [];
    for (let id = 0; id < this.count; id++) if (this.armed[id] === 1) out.push(id);
    return out;
  }
}
