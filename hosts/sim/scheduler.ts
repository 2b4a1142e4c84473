/**
 * sim/scheduler: the simulator's deterministic table of timed events.
 *
 * A fixed-capacity binary min-heap over typed arrays. Each entry is
 * (timeUs, seq, kind, a, b, c, d): a time in integer microseconds of virtual
 * time, an insertion sequence number, an event kind (a small integer the
 * simulator defines) and four numeric parameters. Entries leave in
 * (timeUs, seq) order: earlier times first, and equal times in the order
 * they were scheduled (seq is a double, exact up to 2^53 insertions).
 *
 * Allocation: the constructor allocates all storage (about 49 bytes per
 * entry). trySchedule, schedule (when it does not throw), peekTimeUs and pop
 * allocate nothing, the first call included.
 *
 * Overflow, two ways (both bounded by `capacity`, fixed at construction):
 * - `trySchedule()` returns false and counts the refusal (`refused`). The
 *   simulator uses it for events it schedules while running (bounce toggles,
 *   storm edges, pool releases); the caller records the refusal in the trace.
 * - `schedule()` throws SimSchedulerFullError. Scenario code (tests, the CLI)
 *   uses it: a full table there is a configuration error, said at once.
 *
 * | method        | who calls it                        | cost          |
 * |---------------|-------------------------------------|---------------|
 * | trySchedule   | simulator internals while stepping  | O(log n)      |
 * | schedule      | scenario/config code                | O(log n)      |
 * | peekTimeUs    | the step loop                       | O(1)          |
 * | pop           | the step loop                       | O(log n)      |
 *
 * Measured cost: docs/simulator.md (`node scripts/bench.mjs sim`, trySchedule
 * + pop with 64 entries pending against a hand-written sorted insert +
 * copyWithin shift on typed arrays; generated from bench/results). The
 * baseline is cheaper at that size: the heap pays off only for large tables,
 * but its cost per event is O(log n), not O(n).
 *
 * Lifecycle of an entry:
 *
 *           trySchedule()/schedule()            pop()
 *   FREE ----------------------------> PENDING -------> FREE (fields in ev*)
 *    ^                                                   |
 *    +--------------------- clear() ---------------------+
 */
import { SimConfigError, SimSchedulerFullError } from './errors.js';

export class Scheduler {
  readonly name: string;
  readonly capacity: number;
  private readonly timeUs: Float64Array;
  private readonly seq: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly pa: Float64Array;
  private readonly pb: Float64Array;
  private readonly pc: Float64Array;
  private readonly pd: Float64Array;
  /** heap[i] = entry slot; heap order by (timeUs, seq). */
  private readonly heap: Int32Array;
  private readonly freeSlots: Int32Array;
  private freeTop: number;
  private size = 0;
  private nextSeq = 0;

  /** Refusals by trySchedule (table full). */
  refused = 0;
  /** Entries accepted since construction. */
  scheduled = 0;
  /** Highest number of pending entries seen (high-water mark). */
  maxPending = 0;

  /** The last popped entry. Valid after pop() returned true. */
  evTimeUs = 0;
  evKind = 0;
  evA = 0;
  evB = 0;
  evC = 0;
  evD = 0;

  constructor(capacity: number, name = 'scheduler') {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24)
      throw new SimConfigError(
        'BAD_SCHEDULER_CAPACITY',
        DEBUG
          ? `Scheduler '${name}': capacity must be an integer in 1..16777216 (got ${capacity}); set the schedulerCapacity option [BAD_SCHEDULER_CAPACITY]`
          : `Scheduler '${name}' [BAD_SCHEDULER_CAPACITY]`,
      );
    this.name = name;
    this.capacity = capacity;
    this.timeUs = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.pa = new Float64Array(capacity);
    this.pb = new Float64Array(capacity);
    this.pc = new Float64Array(capacity);
    this.pd = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Pending entries. */
  get length(): number {
    return this.size;
  }

  /** Schedules an event; false (and `refused` + 1) when the table is full. Never throws. */
  trySchedule(timeUs: number, kind: number, a: number, b: number, c: number, d: number): boolean {
    if (this.freeTop === 0) {
      this.refused++;
      return false;
    }
    const slot = this.freeSlots[--this.freeTop]!;
    this.timeUs[slot] = timeUs;
    this.seq[slot] = this.nextSeq++;
    this.kinds[slot] = kind;
    this.pa[slot] = a;
    this.pb[slot] = b;
    this.pc[slot] = c;
    this.pd[slot] = d;
    // sift up
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent]!;
      if (!this.before(slot, ps)) break;
      heap[i] = ps;
      i = parent;
    }
    heap[i] = slot;
    this.scheduled++;
    if (this.size > this.maxPending) this.maxPending = this.size;
    return true;
  }

  /** Schedules an event; throws SimSchedulerFullError when the table is full. For scenario code. */
  schedule(timeUs: number, kind: number, a: number, b: number, c: number, d: number): void {
    if (!this.trySchedule(timeUs, kind, a, b, c, d)) {
      this.refused--;
      throw new SimSchedulerFullError(
        'FULL',
        DEBUG
          ? `Scheduler '${this.name}': all ${this.capacity} entries are pending; ` +
              `raise the simulator's schedulerCapacity option or schedule fewer events ahead [FULL]`
          : `Scheduler '${this.name}' [FULL]`,
      );
    }
  }

  /** Time of the earliest pending entry, or Infinity when none. */
  peekTimeUs(): number {
    return this.size === 0 ? Infinity : this.timeUs[this.heap[0]!]!;
  }

  /** Removes the earliest entry into evTimeUs/evKind/evA..evD; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const heap = this.heap;
    const top = heap[0]!;
    this.evTimeUs = this.timeUs[top]!;
    this.evKind = this.kinds[top]!;
    this.evA = this.pa[top]!;
    this.evB = this.pb[top]!;
    this.evC = this.pc[top]!;
    this.evD = this.pd[top]!;
    this.freeSlots[this.freeTop++] = top;
    const n = --this.size;
    if (n > 0) {
      const last = heap[n]!;
      // sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let child = l;
        const r = l + 1;
        if (r < n && this.before(heap[r]!, heap[l]!)) child = r;
        const cs = heap[child]!;
        if (!this.before(cs, last)) break;
        heap[i] = cs;
        i = child;
      }
      heap[i] = last;
    }
    return true;
  }

  /** Drops every pending entry (counters are kept). */
  clear(): void {
    const cap = this.capacity;
    for (let i = 0; i < cap; i++) this.freeSlots[i] = cap - 1 - i;
    this.freeTop = cap;
    this.size = 0;
  }

  private before(x: number, y: number): boolean {
    const tx = this.timeUs[x]!;
    const ty = this.timeUs[y]!;
    return tx < ty || (tx === ty && this.seq[x]! < this.seq[y]!);
  }
}
