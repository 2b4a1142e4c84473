/**
 * queue: EventQueue, a fixed-capacity ring of event records for one VM.
 *
 * An event is a record: a signal (an integer 0..MAX_SIGNAL) and four numeric
 * parameters p0..p3 (doubles; a parameter not passed is 0). Records live in
 * one Float64Array of 5-wide records [sig, p0, p1, p2, p3], sized at
 * construction to the next power of two >= capacity; never as objects.
 * `get()` returns the signal and copies the record's parameters into the
 * queue's properties `p0`..`p3` (plain properties: reading them is free), so
 * they stay valid after the ring slot is reused by a re-entrant post.
 *
 * Allocation: post, postUrgent, postWithMargin, postTagged, get, peek, clear
 * and reading p0..p3 allocate nothing, the first call after construction
 * included (tested on the XS engine host with DEBUG checks on). The constructor
 * allocates the ring. A `throw`-policy overflow allocates its error (the
 * path is already failing).
 *
 * Counters (doubles, exact to 2^53; refused = a post the queue did not take,
 * dropped = a record it accepted and discarded later):
 *   posted   records accepted (post, postUrgent, postWithMargin that returned true)
 *   taken    records returned by get() or getBack() (and an active object's
 *            records the kernel took: it reads them from the ring itself,
 *            without setting p0..p3)
 *   dropped  records discarded without get(): drop-oldest overwrites + clear()
 *   cleared  the part of `dropped` that clear() discarded
 *   refused  posts not accepted (reject policy full, throw policy full,
 *            margin not met, release builds: a bad signal); refused posts
 *            are NOT in `posted`
 *   badSignals  release builds: the part of `refused` whose signal was not
 *            an integer 0..MAX_SIGNAL (DEBUG builds throw QueueEventError)
 *   length, free = capacity - length, minFree (low-water mark of free)
 *   Identity, after every call: posted === taken + dropped + length.
 *
 * Overflow (queue full, i.e. length === capacity), per queue:
 *   'reject'      post returns false, refused++ (the default)
 *   'drop-oldest' the record at the front (the one get() returns next) is
 *                 discarded, dropped++, then the new record is inserted
 *   'throw'       refused++, then QueueOverflowError (names the queue, its
 *                 capacity and the `capacity`/`overflow` options)
 *   postWithMargin never drops or throws: it is accepted only while at least
 *   `margin` slots stay free after it (QP's rule), else refused++ and false.
 *
 *   Lifecycle of a record:
 *
 *             post / postWithMargin (to the back)
 *     (free) ------------------------------------> QUEUED --- get() ---> taken
 *        |    postUrgent (to the front)              ^  |
 *        +-------------------------------------------+  +-- clear() ---> dropped
 *                                                    |
 *            full + 'drop-oldest': the front record -+-- post* --------> dropped
 *
 * Contexts (one VM; Moddable IO callbacks are delivered by the event loop, so
 * they never preempt a running method):
 *   method                        IO callback  other worker/core    re-entrant in dispatch
 *   post, postUrgent,             yes          no: use              yes: a handler may post to
 *     postWithMargin                           SharedEventQueue     the queue it is consuming
 *   get, peek, clear              yes          no                   yes (one consumer)
 *   p0..p3 (read)                 the consumer, after get(), until its next get()
 *   length, free, minFree,        anywhere on the VM
 *     counters
 *
 * Debug checks (DEBUG builds, which tests run): the signal is an integer in
 * 0..MAX_SIGNAL, each parameter is a number, the margin is an integer >= 0;
 * otherwise QueueEventError, thrown before anything changes.
 *
 * Release builds: the constructor's checks (options, capacity, overflow,
 * initialIndex: QueueConfigError) run in every build. post() and postUrgent()
 * keep one integer test of the signal, `(sig & MAX_SIGNAL) !== sig`: a signal
 * outside 0..MAX_SIGNAL (negative, fractional, NaN, not a number, or a
 * tagged value >= TIME_EVENT_TAG) is refused, counted in `refused` and
 * `badSignals`, and never stored, so it can neither read back as NO_EVENT nor
 * pass for a time-event expiry. The parameter and margin checks are DEBUG-only:
 * a non-number parameter is stored as the Float64Array converts it (NaN), and
 * a bad margin only changes whether that one post is accepted
 * (docs/reliability.md).
 *
 * Tagged records (for the kernel): `postTagged(sig, ..)` (internal) stores
 * the signal as `sig + TIME_EVENT_TAG` (0x10000), a value no public post
 * accepts in DEBUG builds (they refuse signals above MAX_SIGNAL), so user code
 * cannot forge one there. The kernel posts time-event expiries this way (or
 * writes the same record into the ring itself, src/kernel.ts "Hot paths")
 * and recognises them at dispatch by `sig >= TIME_EVENT_TAG`. get() and peek()
 * return the stored value as is (tagged). Its untagged signal and parameters
 * get the same DEBUG checks as post(); otherwise it behaves exactly as post()
 * (FIFO, same overflow policy and counters). Release builds do not check
 * postTagged's arguments (the kernel's own); their post() and postUrgent()
 * refuse a signal >= 0x10000 (see "Release builds"), so no user post makes a
 * tagged record in either build.
 *
 * Limits: capacity 1..MAX_CAPACITY (65536); 4 parameters; signals 0..65535
 * (stored values up to 0x1ffff with the kernel's TIME_EVENT_TAG).
 * Indices are free-running 32-bit counters (head, tail) that wrap; the
 * `initialIndex` option starts them anywhere (for wrap-around tests).
 *
 * The queue always stores and copies four parameters (0 when not passed).
 * Measured cost: docs/queue.md, "Measured cost" (`node scripts/bench.mjs queue`).
 *
 * Errors carry a code (docs/errors.md, "queue"): QueueConfigError,
 * QueueEventError, QueueOverflowError; DEBUG builds build the long message,
 * release builds `EventQueue 'name' [CODE]`. The argument checks are shared
 * with SharedEventQueue in src/internal/ (checks.ts, event.ts).
 */
import { KeelError } from './errors.js';
import { Trace, TRACE_DROP, TRACE_REFUSE } from './trace.js';
import { MAX_RING_CAPACITY, ceilPow2, checkCapacity, checkInitialIndex } from './internal/checks.js';
import { MAX_SIGNAL, RECORD_WIDTH as WIDTH, checkEvent, checkMargin, policyCode } from './internal/event.js';
import { POLICY_DROP_OLDEST as DROP_OLDEST, POLICY_THROW as THROW } from './internal/layout.js';

export { MAX_SIGNAL } from './internal/event.js';

/** Returned by get() and peek() when the queue is empty. Never a valid signal. */
export const NO_EVENT = -1;
/**
 * Added to the stored signal of a record posted with postTagged() (the
 * kernel's time-event expiries): a stored value >= TIME_EVENT_TAG is
 * `sig + TIME_EVENT_TAG`. Larger than MAX_SIGNAL, so never a user signal.
 */
export const TIME_EVENT_TAG = 0x10000;
/** Largest capacity of one queue. */
export const MAX_CAPACITY = MAX_RING_CAPACITY;

/** What a post does when the queue is full. */
export type OverflowPolicy = 'reject' | 'drop-oldest' | 'throw';

/** The codes of QueueConfigError (docs/errors.md, "queue"; SharedEventQueue's constructor throws it too). */
export type QueueConfigErrorCode =
  | 'NO_OPTIONS'
  | 'BAD_CAPACITY'
  | 'BAD_OVERFLOW'
  | 'BAD_INITIAL_INDEX'
  | 'BAD_TRACE'
  | 'BAD_PRODUCERS'
  | 'NO_ATOMICS'
  | 'NO_SHARED_ARRAY_BUFFER'
  | 'BUFFER_TOO_SMALL'
  | 'CANNOT_BLOCK'
  | 'BAD_URGENT_CAPACITY';
/** The codes of QueueEventError. */
export type QueueEventErrorCode = 'BAD_SIGNAL' | 'BAD_PARAMETER' | 'BAD_MARGIN';
/** The codes of QueueOverflowError. */
export type QueueOverflowErrorCode = 'FULL' | 'LANE_FULL';

/** Bad construction options (capacity, overflow policy, name). */
export class QueueConfigError extends KeelError {
  override name = 'QueueConfigError';
  declare readonly code: QueueConfigErrorCode;
}
/** A post with a bad signal, parameter or margin (DEBUG builds; release builds refuse and count a bad signal). */
export class QueueEventError extends KeelError {
  override name = 'QueueEventError';
  declare readonly code: QueueEventErrorCode;
}
/** A post to a full queue whose overflow policy is 'throw'. */
export class QueueOverflowError extends KeelError {
  override name = 'QueueOverflowError';
  declare readonly code: QueueOverflowErrorCode;
}

export interface EventQueueOptions {
  /** Used in error messages. Default 'EventQueue'. */
  name?: string;
  /** Records the queue holds, an integer 1..MAX_CAPACITY. */
  capacity: number;
  /** Default 'reject'. */
  overflow?: OverflowPolicy;
  /** For tests: the starting value of the 32-bit head/tail counters (e.g. 0xfffffff0 to cross the wrap). Default 0. */
  initialIndex?: number;
  /**
   * Records refusals and drops (src/trace.ts: REFUSE with aux = length,
   * DROP with aux = records dropped); the queue registers as a 'queue'. Only
   * the failing paths test it: a successful post pays nothing. (The kernel
   * records posts to its AOs itself and makes their queues untraced.) Default none.
   */
  trace?: Trace;
}

/** The overflow options EventQueue offers. */
const POLICIES: readonly string[] = Object.freeze(['reject', 'drop-oldest', 'throw']);
/** The class in the owner prefix of a post's DEBUG check (`EventQueue 'name'`); a module constant: a literal on a post would allocate on XS. */
const OWNER_KIND = 'EventQueue';

/** The parameters of the record just taken by get(). */
interface Params {
  p0: number;
  p1: number;
  p2: number;
  p3: number;
}

/**
 * A fixed-capacity FIFO/LIFO queue of event records for one VM. See the
 * module header for counters, overflow policies and contexts.
 */
export class EventQueue {
  readonly name: string;
  /** Records the queue holds. */
  readonly capacity: number;
  /** The overflow policy chosen at construction. */
  readonly overflow: OverflowPolicy;
  /** Parameter 0 of the record last taken by get() (0 before any get). Read-only. */
  readonly p0: number = 0;
  /** Parameter 1 of the record last taken by get(). Read-only. */
  readonly p1: number = 0;
  /** Parameter 2 of the record last taken by get(). Read-only. */
  readonly p2: number = 0;
  /** Parameter 3 of the record last taken by get(). Read-only. */
  readonly p3: number = 0;
  /** Records accepted. */
  posted = 0;
  /** Records returned by get() or getBack(), or taken by the kernel to dispatch. */
  taken = 0;
  /** Records discarded without get(): drop-oldest overwrites plus clear(). */
  dropped = 0;
  /**
   * Release builds: posts refused because the signal was not an integer
   * 0..MAX_SIGNAL (also counted in `refused`; DEBUG builds throw QueueEventError instead).
   */
  badSignals = 0;
  /** Records discarded by clear() (also counted in `dropped`). */
  cleared = 0;
  /** Posts not accepted (reject, throw, margin); not counted in `posted`. */
  refused = 0;

  // records, mask, head, tail, posted, taken and peak: the kernel reads and writes
  // them under these names for its active objects' queues (src/kernel.ts,
  // QueueRing): keep the names and meanings in step.
  private readonly records: Float64Array;
  private readonly mask: number;
  private readonly policy: number;
  /** Free-running int32 counters: next record to take / next slot to fill. */
  private head: number;
  private tail: number;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number;
  /** High-water mark of length (minFree = capacity - peak). */
  private peak = 0;

  constructor(options: EventQueueOptions) {
    if (options === null || typeof options !== 'object')
      throw new QueueConfigError(
        'NO_OPTIONS',
        DEBUG
          ? `EventQueue: options must be an object with a capacity (got ${String(options)}); pass { capacity: 1..${MAX_CAPACITY} } [NO_OPTIONS]`
          : 'EventQueue [NO_OPTIONS]',
      );
    const name = options.name ?? 'EventQueue';
    const owner = `EventQueue '${name}'`;
    this.name = name;
    this.capacity = checkCapacity(owner, options.capacity, QueueConfigError, false);
    this.overflow = options.overflow ?? 'reject';
    this.policy = policyCode(owner, this.overflow, POLICIES, QueueConfigError);
    const slots = ceilPow2(this.capacity);
    this.records = new Float64Array(slots * WIDTH);
    this.mask = slots - 1;
    this.head = this.tail = checkInitialIndex(owner, options.initialIndex, QueueConfigError);
    const trace = options.trace ?? null;
    if (trace !== null && !(trace instanceof Trace))
      throw new QueueConfigError(
        'BAD_TRACE',
        DEBUG ? `${owner}: the trace option must be a Trace (new Trace({ clock })) or omitted [BAD_TRACE]` : `${owner} [BAD_TRACE]`,
      );
    this.trace = trace;
    this.traceId = trace === null ? 0 : trace.register('queue', name, undefined, 0, { capacity: this.capacity });
  }

  /** A refusal or drop, if the trace's filter lets it through (trace set; failing paths only). */
  private traceFailure(kind: number, sig: number, aux: number, p0: number, p1: number): void {
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << kind)) !== 0) t.put(kind, this.traceId, sig, -1, aux, p0, p1);
  }

  /** Records queued. */
  get length(): number {
    return (this.tail - this.head) | 0;
  }
  /** capacity - length. */
  get free(): number {
    return this.capacity - ((this.tail - this.head) | 0);
  }
  /** The lowest `free` has been since construction (low-water mark). */
  get minFree(): number {
    return this.capacity - this.peak;
  }

  /** Posts FIFO (to the back). Returns false, counted in `refused`, if full under 'reject'. */
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) checkEvent(OWNER_KIND, this.name, sig, p0, p1, p2, p3, QueueEventError);
    else if ((sig & MAX_SIGNAL) !== sig) return this.badSignal();
    const t = this.tail;
    let n = ((t - this.head) | 0) + 1;
    if (n > this.capacity) {
      if (!this.overflowed(sig, p0, p1)) return false;
      n--;
    }
    const r = this.records;
    const i = (t & this.mask) * WIDTH;
    r[i] = sig;
    r[i + 1] = p0;
    r[i + 2] = p1;
    r[i + 3] = p2;
    r[i + 4] = p3;
    this.tail = (t + 1) | 0;
    this.posted++;
    if (n > this.peak) this.peak = n;
    return true;
  }

  /** Posts LIFO (to the front: the next get() returns it). Same overflow handling as post(). */
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) checkEvent(OWNER_KIND, this.name, sig, p0, p1, p2, p3, QueueEventError);
    else if ((sig & MAX_SIGNAL) !== sig) return this.badSignal();
    let n = ((this.tail - this.head) | 0) + 1;
    if (n > this.capacity) {
      if (!this.overflowed(sig, p0, p1)) return false;
      n--;
    }
    const h = (this.head - 1) | 0;
    const r = this.records;
    const i = (h & this.mask) * WIDTH;
    r[i] = sig;
    r[i + 1] = p0;
    r[i + 2] = p1;
    r[i + 3] = p2;
    r[i + 4] = p3;
    this.head = h;
    this.posted++;
    if (n > this.peak) this.peak = n;
    return true;
  }

  /**
   * @internal For the kernel: posts FIFO, like post(), a record whose stored
   * signal is `sig + TIME_EVENT_TAG` (a time-event expiry). `sig` itself is
   * checked like post()'s in DEBUG builds (0..MAX_SIGNAL, numeric
   * parameters); get() and peek() return the tagged value.
   */
  postTagged(sig: number, p0: number, p1: number, p2: number, p3: number): boolean {
    if (DEBUG) checkEvent(OWNER_KIND, this.name, sig, p0, p1, p2, p3, QueueEventError);
    // post()'s body, repeated: one call less on the time-event path.
    const t = this.tail;
    let n = ((t - this.head) | 0) + 1;
    if (n > this.capacity) {
      if (!this.overflowed(sig, p0, p1)) return false;
      n--;
    }
    const r = this.records;
    const i = (t & this.mask) * WIDTH;
    r[i] = sig + TIME_EVENT_TAG;
    r[i + 1] = p0;
    r[i + 2] = p1;
    r[i + 3] = p2;
    r[i + 4] = p3;
    this.tail = (t + 1) | 0;
    this.posted++;
    if (n > this.peak) this.peak = n;
    return true;
  }

  /**
   * Posts FIFO only while at least `margin` slots stay free after the post
   * (free > margin before it). Otherwise returns false and counts a refusal,
   * whatever the overflow policy: never drops, never throws.
   */
  postWithMargin(margin: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) checkMargin(OWNER_KIND, this.name, margin, QueueEventError);
    if (this.capacity - ((this.tail - this.head) | 0) <= margin) {
      if (DEBUG) checkEvent(OWNER_KIND, this.name, sig, p0, p1, p2, p3, QueueEventError);
      this.refused++;
      if (this.trace !== null) this.traceFailure(TRACE_REFUSE, sig, this.length, p0, p1);
      return false;
    }
    return this.post(sig, p0, p1, p2, p3);
  }

  /**
   * Takes the front record: returns its signal and sets p0..p3 to its
   * parameters, or returns NO_EVENT (p0..p3 unchanged) when empty.
   */
  get(): number {
    const h = this.head;
    if (h === this.tail) return NO_EVENT;
    const r = this.records;
    const i = (h & this.mask) * WIDTH;
    const self = this as Params;
    self.p0 = r[i + 1]!;
    self.p1 = r[i + 2]!;
    self.p2 = r[i + 3]!;
    self.p3 = r[i + 4]!;
    this.head = (h + 1) | 0;
    this.taken++;
    return r[i]!;
  }

  /**
   * @internal For hsm's recallAll: takes the back record (the newest post()),
   * as get() takes the front one: returns its signal and sets p0..p3, or
   * returns NO_EVENT when empty. Counted in `taken`.
   */
  getBack(): number {
    const t = this.tail;
    if (t === this.head) return NO_EVENT;
    const b = (t - 1) | 0;
    const r = this.records;
    const i = (b & this.mask) * WIDTH;
    const self = this as Params;
    self.p0 = r[i + 1]!;
    self.p1 = r[i + 2]!;
    self.p2 = r[i + 3]!;
    self.p3 = r[i + 4]!;
    this.tail = b;
    this.taken++;
    return r[i]!;
  }

  /** The signal of the front record, or NO_EVENT. Takes nothing; p0..p3 are not changed (they keep the last get()'s values). */
  peek(): number {
    const h = this.head;
    return h === this.tail ? NO_EVENT : this.records[(h & this.mask) * WIDTH]!;
  }

  /** Discards every queued record; they are counted in `dropped` and `cleared`. Returns how many. */
  clear(): number {
    const n = (this.tail - this.head) | 0;
    this.head = this.tail;
    this.dropped += n;
    this.cleared += n;
    if (this.trace !== null && n > 0) this.traceFailure(TRACE_DROP, -1, n, 0, 0);
    return n;
  }

  /**
   * Discards every queued record (counted as by clear()), then zeroes every
   * counter and the low-water mark. For a new owner of a reused queue: the
   * kernel calls it when an active object starts in a stopped one's slot.
   * Not for the hot path; not while another context posts.
   */
  reset(): void {
    this.head = this.tail;
    this.posted = this.taken = this.dropped = this.cleared = this.refused = this.badSignals = 0;
    this.peak = 0;
  }

  /** Release builds: a post whose signal is outside 0..MAX_SIGNAL is refused and counted, never stored. */
  private badSignal(): boolean {
    this.badSignals++;
    this.refused++;
    if (this.trace !== null) this.traceFailure(TRACE_REFUSE, -1, this.length, 0, 0);
    return false;
  }

  /** The queue is full: applies the policy. True if the front record was dropped to make room. */
  private overflowed(sig: number, p0: number, p1: number): boolean {
    const policy = this.policy;
    if (policy === DROP_OLDEST) {
      this.head = (this.head + 1) | 0;
      this.dropped++;
      // DROP: the oldest record went; the signal is the new one's.
      if (this.trace !== null) this.traceFailure(TRACE_DROP, sig, 1, p0, p1);
      return true;
    }
    this.refused++;
    if (this.trace !== null) this.traceFailure(TRACE_REFUSE, sig, this.length, p0, p1);
    if (policy === THROW)
      throw new QueueOverflowError(
        'FULL',
        DEBUG
          ? `EventQueue '${this.name}' is full (capacity ${this.capacity}); raise its \`capacity\` option, ` +
              "or choose `overflow: 'reject'` (post returns false) or 'drop-oldest' [FULL]"
          : `EventQueue '${this.name}' [FULL]`,
      );
    return false;
  }
}
