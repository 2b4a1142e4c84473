/**
 * shared-queue: SharedEventQueue, an event queue in one (Shared)ArrayBuffer
 * that producers on other workers, other cores or a native C interrupt handler
 * post into, and one consumer takes from. Same post/get API as EventQueue.
 *
 * The binary layout (header words, 40-byte records, memory ordering, a C
 * producer) is in docs/queue-layout.md. In short: producers claim a position
 * on the 32-bit TAIL counter (a plain Atomics.store in 'single'-producer mode,
 * an Atomics.compareExchange loop in 'multiple'-producer mode), write the
 * record, then publish it by Atomics.store of position+1 into the record's
 * `seq` word. The consumer takes the record at HEAD once its seq reads
 * HEAD+1 (Atomics.load), copies it out, and frees it with Atomics.store(HEAD).
 * Records are taken in claim order, so each producer's order is kept.
 *
 * Allocation: post, postUrgent, postWithMargin, get, peek, clear and reading
 * p0..p3 allocate nothing, the first call included (tested on the XS host,
 * single-threaded). The constructor and attach() allocate views; a 'throw'
 * overflow allocates its error; waitForEvent may allocate (it blocks anyway).
 *
 * Roles: any number of handles may post (one in 'single' mode); exactly one
 * handle is the consumer (get, peek, clear, postUrgent, waitForEvent).
 *   method                     IO callback  other worker/core  re-entrant in dispatch
 *   post/postWithMargin        yes          yes (producers)    yes
 *   postUrgent                 consumer only (its private lane)   yes, from the consumer's handler
 *   get/peek/clear/p0..p3      consumer only                      yes (one consumer)
 *   waitForEvent(ms)           a blocking Worker only: opened with `mayBlock: true`;
 *                              never the main VM (poll get() there instead)
 *
 * postUrgent (deferral recall) puts a record in the consumer handle's private
 * LIFO lane (`urgentCapacity` records, default capacity), which get() empties
 * before the ring: the front of the queue is the consumer's alone, so a
 * producer can never race it. The lane is not in the shared buffer.
 *
 * Overflow: 'reject' (false, counted) or 'throw' (counted, then
 * QueueOverflowError). 'drop-oldest' is not offered: dropping would make a
 * producer move HEAD, which only the consumer writes (use EventQueue).
 * Every refusal is counted in this handle's `refused` and in the header's
 * REFUSED word (which a C producer increments too).
 *
 * Counters: per handle, doubles: posted, refused (producer side), taken,
 * dropped, cleared (consumer side). Across all handles, once producers are
 * quiet: sum(posted) === taken + dropped + length. `length` reads the shared
 * counters (it includes records claimed but not yet published) plus this
 * handle's urgent lane; minFree is the low-water mark kept in the header (a
 * producer's view, so conservative).
 *
 * No Atomics (Moddable on RP2040 today has none): pass `atomics:
 * singleCoreAtomics` and a plain ArrayBuffer. That is correct on a single
 * core where JS never preempts JS (Moddable's event loop). A C interrupt
 * handler may also post, as described in docs/queue-layout.md: either it is
 * the queue's only producer ('single' mode, and JS does not post to that
 * queue), or the queue is in 'multiple' mode and the board supplies an
 * `atomics` whose compareExchange masks interrupts. For queues used only by JS
 * on one VM, EventQueue is the right choice. The board code decides.
 *
 *   Lifecycle of a slot (position t, slot t & (slots-1)):
 *
 *     FREE --post: claim TAIL=t+1--> CLAIMED --write; store seq=t+1--> PUBLISHED
 *      ^                                                                  |
 *      +---------- get(): copy out; store HEAD=t+1 ----------------------+
 *      +---------- clear(): store HEAD past it (dropped) ----------------+
 *
 * Limits: capacity 1..65536; slots = next power of two >= capacity; buffer
 * bytes = 256 + 40 * slots; 32-bit counters wrap (initialIndex option for tests).
 *
 * Measured cost (bench/queue.bench.ts, release build, one thread; one op =
 * one post + one get + reading p0..p3; baseline: a hand-written Int32Array
 * ring doing the same work in 238 XS steps):
 *   case                                         XS steps/op  slots/op  chunk B/op
 *   SPSC ('single'), Atomics, SharedArrayBuffer  549          0         0
 *   MPSC ('multiple'), Atomics                   564          0         0
 *   MPSC, singleCoreAtomics, ArrayBuffer         791          0         0
 * Across threads (Node worker_threads, test/node/queue-concurrency.test.ts,
 * capacity 1024): 4 x 250,000 MPSC and 1 x 1,000,000 SPSC events each pass in
 * well under 2 s on a 2-core machine.
 */
import {
  NO_EVENT,
  QueueConfigError,
  QueueOverflowError,
  ceilPow2,
  checkCapacity,
  checkEvent,
  checkInitialIndex,
  checkMargin,
  policyCode,
} from './queue.js';
import { KeelError } from './errors.js';

/** The buffer given to attach() is not a SharedEventQueue of this layout/version. */
export class QueueLayoutError extends KeelError {
  override name = 'QueueLayoutError';
}
/** waitForEvent() on a handle that was not opened with `mayBlock: true`. */
export class QueueBlockingError extends KeelError {
  override name = 'QueueBlockingError';
}

/** The subset of Atomics the queue uses; `Atomics` itself, or `singleCoreAtomics`. */
export interface AtomicsLike {
  load(a: Int32Array, i: number): number;
  store(a: Int32Array, i: number, v: number): number;
  add(a: Int32Array, i: number, v: number): number;
  compareExchange(a: Int32Array, i: number, expected: number, replacement: number): number;
  notify(a: Int32Array, i: number, count?: number): number;
  wait?(a: Int32Array, i: number, value: number, timeout?: number): string;
}

/**
 * Plain reads and writes with the Atomics signatures: correct on one core
 * where JS never preempts JS (Moddable's event loop), e.g. RP2040. Cannot wait.
 */
export const singleCoreAtomics: AtomicsLike = Object.freeze({
  load: (a: Int32Array, i: number): number => a[i]!,
  store: (a: Int32Array, i: number, v: number): number => (a[i] = v),
  add: (a: Int32Array, i: number, v: number): number => {
    const o = a[i]!;
    a[i] = (o + v) | 0;
    return o;
  },
  compareExchange: (a: Int32Array, i: number, e: number, r: number): number => {
    const o = a[i]!;
    if (o === e) a[i] = r;
    return o;
  },
  notify: (): number => 0,
});

/** Header word indices (Int32) and constants of layout version 1. See docs/queue-layout.md. */
export const LAYOUT = Object.freeze({
  MAGIC: 0x5145454b, // 'KEEQ' in little-endian bytes: 4b 45 45 51
  VERSION: 1,
  HEADER_BYTES: 256,
  RECORD_BYTES: 40,
  /** word 0: MAGIC */
  W_MAGIC: 0,
  /** word 1: VERSION */
  W_VERSION: 1,
  /** word 2: HEADER_BYTES (offset of record 0) */
  W_HEADER_BYTES: 2,
  /** word 3: RECORD_BYTES */
  W_RECORD_BYTES: 3,
  /** word 4: capacity (records accepted at once) */
  W_CAPACITY: 4,
  /** word 5: slots (power of two >= capacity) */
  W_SLOTS: 5,
  /** word 6: producers: 1 single, 2 multiple */
  W_MODE: 6,
  /** word 7: overflow: 0 reject, 2 throw */
  W_OVERFLOW: 7,
  /** word 16 (byte 64, own cache line): HEAD, next position to take; written by the consumer only */
  W_HEAD: 16,
  /** word 17: WAITING, 1 while the consumer is in waitForEvent */
  W_WAITING: 17,
  /** word 32 (byte 128, own cache line): TAIL, next position to claim */
  W_TAIL: 32,
  /** word 33: REFUSED, refusals by every producer (wraps at 2^32) */
  W_REFUSED: 33,
  /** word 34: PEAK, highest length seen by a producer (minFree = capacity - PEAK) */
  W_PEAK: 34,
});

const W_HEAD = 16;
const W_WAITING = 17;
const W_TAIL = 32;
const W_REFUSED = 33;
const W_PEAK = 34;
const REC0 = 64; // int32 index of record 0's seq word (byte 256)
const REC_WORDS = 10; // 40 bytes
const MODE_SINGLE = 1;
const MODE_MULTIPLE = 2;
const THROW = 2;
const RING_FULL = 0;
const MARGIN = 1;
const LANE_FULL = 2;

export interface SharedEventQueueOptions {
  /** Used in error messages. Default 'SharedEventQueue'. */
  name?: string;
  /** Records the ring holds, an integer 1..65536. */
  capacity: number;
  /** 'single' (SPSC: one producer, no CAS) or 'multiple' (MPSC: compare-and-swap claims). Default 'multiple'. */
  producers?: 'single' | 'multiple';
  /** 'reject' (default) or 'throw'. */
  overflow?: 'reject' | 'throw';
  /** Memory to format; default a new SharedArrayBuffer of SharedEventQueue.byteLength(capacity). */
  buffer?: SharedArrayBuffer | ArrayBuffer;
  /** Default the global Atomics; `singleCoreAtomics` where there is none. */
  atomics?: AtomicsLike;
  /** True only on a thread that may block (a Node or Moddable Worker): enables waitForEvent. */
  mayBlock?: boolean;
  /** Records in this handle's private urgent lane (postUrgent). Default capacity. */
  urgentCapacity?: number;
  /** For tests: the starting value of the 32-bit HEAD/TAIL counters. Default 0. */
  initialIndex?: number;
}

export interface AttachOptions {
  name?: string;
  atomics?: AtomicsLike;
  mayBlock?: boolean;
  urgentCapacity?: number;
}

interface Params {
  p0: number;
  p1: number;
  p2: number;
  p3: number;
}

function isShared(buffer: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

function defaultAtomics(owner: string): AtomicsLike {
  if (typeof Atomics === 'undefined')
    throw new QueueConfigError(
      `${owner}: this host has no Atomics (Moddable on RP2040 has none); pass \`atomics: singleCoreAtomics\` ` +
        'and a plain ArrayBuffer (one core only), or use EventQueue',
    );
  return Atomics as unknown as AtomicsLike;
}

/**
 * An event queue in shared memory: MPSC or SPSC, one consumer. Create it on
 * one side (`new SharedEventQueue(...)`), pass `.buffer` to the other side,
 * which calls `SharedEventQueue.attach(buffer)`.
 */
export class SharedEventQueue {
  /** Bytes a buffer needs for `capacity` records. */
  static byteLength(capacity: number): number {
    return 256 + 40 * ceilPow2(checkCapacity('SharedEventQueue', capacity));
  }

  /**
   * A handle on a queue another thread created. Validates the header: magic,
   * version, header and record size, capacity, slots, mode, policy and the
   * buffer's length; throws QueueLayoutError on any mismatch.
   */
  static attach(buffer: SharedArrayBuffer | ArrayBuffer, options: AttachOptions = {}): SharedEventQueue {
    const name = options.name ?? 'SharedEventQueue';
    const owner = `SharedEventQueue '${name}'`;
    const fail = (what: string): never => {
      throw new QueueLayoutError(
        `${owner}: cannot attach: ${what}; attach only a buffer made by new SharedEventQueue() of layout version ${LAYOUT.VERSION}`,
      );
    };
    if (!(buffer instanceof ArrayBuffer) && !isShared(buffer)) fail('not an ArrayBuffer or SharedArrayBuffer');
    if (buffer.byteLength < 256) fail(`buffer is ${buffer.byteLength} bytes, shorter than the 256-byte header`);
    const h = new Int32Array(buffer, 0, 64);
    if (h[0] !== LAYOUT.MAGIC) fail(`bad magic 0x${(h[0]! >>> 0).toString(16)} (expected 0x${LAYOUT.MAGIC.toString(16)})`);
    if (h[1] !== LAYOUT.VERSION) fail(`layout version ${h[1]} (this code reads version ${LAYOUT.VERSION})`);
    if (h[2] !== 256 || h[3] !== 40) fail(`header/record sizes ${h[2]}/${h[3]} bytes (expected 256/40)`);
    const capacity = h[4]!;
    if (!(capacity >= 1 && capacity <= 65536) || h[5] !== ceilPow2(capacity))
      fail(`capacity ${capacity} with ${h[5]} slots (expected 1..65536 and the next power of two)`);
    if (h[6] !== MODE_SINGLE && h[6] !== MODE_MULTIPLE) fail(`producer mode ${h[6]} (expected 1 or 2)`);
    if (h[7] !== 0 && h[7] !== THROW) fail(`overflow code ${h[7]} (expected 0 or 2)`);
    if (buffer.byteLength < 256 + 40 * h[5]!) fail(`buffer is ${buffer.byteLength} bytes, the header says ${256 + 40 * h[5]!}`);
    return new SharedEventQueue(
      {
        name,
        capacity,
        producers: h[6] === MODE_SINGLE ? 'single' : 'multiple',
        overflow: h[7] === THROW ? 'throw' : 'reject',
        buffer,
        atomics: options.atomics,
        mayBlock: options.mayBlock,
        urgentCapacity: options.urgentCapacity,
      },
      true,
    );
  }

  readonly name: string;
  readonly capacity: number;
  readonly overflow: 'reject' | 'throw';
  readonly producers: 'single' | 'multiple';
  /** The memory to pass to another worker's attach(). */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** Whether waitForEvent is allowed on this handle. */
  readonly mayBlock: boolean;
  /** Parameters of the record last taken by get(). Read-only. */
  readonly p0: number = 0;
  readonly p1: number = 0;
  readonly p2: number = 0;
  readonly p3: number = 0;
  /** Records this handle posted (accepted). */
  posted = 0;
  /** Posts by this handle that were refused (full, margin); not in `posted`. */
  refused = 0;
  /** Records this handle took with get(). */
  taken = 0;
  /** Records this handle discarded (clear()). */
  dropped = 0;
  /** Same as dropped: the part of it clear() discarded (no other drops exist here). */
  cleared = 0;

  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly at: AtomicsLike;
  private readonly mask: number;
  private readonly multi: boolean;
  private readonly throws: boolean;
  private readonly lane: Float64Array;
  private readonly laneCapacity: number;
  private laneCount = 0;

  /** Creates and formats a queue (in `options.buffer` or a new SharedArrayBuffer). */
  constructor(options: SharedEventQueueOptions, attaching?: boolean) {
    const name = options.name ?? 'SharedEventQueue';
    const owner = `SharedEventQueue '${name}'`;
    this.name = name;
    this.capacity = checkCapacity(owner, options.capacity);
    this.overflow = options.overflow ?? 'reject';
    this.throws = policyCode(owner, this.overflow, ['reject', 'throw']) === THROW;
    const producers = options.producers ?? 'multiple';
    if (producers !== 'single' && producers !== 'multiple')
      throw new QueueConfigError(`${owner}: producers must be 'single' or 'multiple' (got ${String(producers)}); change the \`producers\` option`);
    this.producers = producers;
    this.multi = producers === 'multiple';
    this.at = options.atomics ?? defaultAtomics(owner);
    const slots = ceilPow2(this.capacity);
    const bytes = 256 + 40 * slots;
    let buffer = options.buffer;
    if (buffer === undefined) {
      if (typeof SharedArrayBuffer === 'undefined')
        throw new QueueConfigError(
          `${owner}: this host has no SharedArrayBuffer; pass \`buffer: new ArrayBuffer(SharedEventQueue.byteLength(${this.capacity}))\``,
        );
      buffer = new SharedArrayBuffer(bytes);
    } else if (buffer.byteLength < bytes)
      throw new QueueConfigError(`${owner}: buffer is ${buffer.byteLength} bytes, capacity ${this.capacity} needs ${bytes}; use SharedEventQueue.byteLength(capacity)`);
    this.buffer = buffer;
    this.mayBlock = options.mayBlock === true;
    if (this.mayBlock && (!isShared(buffer) || typeof this.at.wait !== 'function'))
      throw new QueueConfigError(`${owner}: mayBlock needs a SharedArrayBuffer and an atomics with wait(); leave mayBlock off and poll get()`);
    const lane = options.urgentCapacity ?? this.capacity;
    if (!Number.isInteger(lane) || lane < 0 || lane > 65536)
      throw new QueueConfigError(`${owner}: urgentCapacity must be an integer 0..65536 (got ${String(lane)})`);
    this.laneCapacity = lane;
    this.lane = new Float64Array(lane * 5);
    this.i32 = new Int32Array(buffer, 0, bytes >> 2);
    this.f64 = new Float64Array(buffer, 0, bytes >> 3);
    this.mask = slots - 1;
    if (attaching !== true) {
      const start = checkInitialIndex(owner, options.initialIndex);
      const h = this.i32;
      h.fill(0, 0, 64);
      h[4] = this.capacity;
      h[5] = slots;
      h[6] = this.multi ? MODE_MULTIPLE : MODE_SINGLE;
      h[7] = this.throws ? THROW : 0;
      h[2] = 256;
      h[3] = 40;
      // seq of every slot: a value no position in [start, start + slots) publishes (that would be position + 1).
      for (let k = 0; k < slots; k++) h[REC0 + k * REC_WORDS] = start;
      this.at.store(h, W_HEAD, start);
      this.at.store(h, W_TAIL, start);
      this.at.store(h, 1, LAYOUT.VERSION);
      this.at.store(h, 0, LAYOUT.MAGIC); // last: a concurrent attach sees a complete header or a bad magic
    }
  }

  /** Records queued (claimed in the ring, including ones not yet published, plus this handle's urgent lane). */
  get length(): number {
    return ((this.at.load(this.i32, W_TAIL) - this.at.load(this.i32, W_HEAD)) | 0) + this.laneCount;
  }
  /** capacity - length, at least 0. */
  get free(): number {
    const f = this.capacity - this.length;
    return f > 0 ? f : 0;
  }
  /** Low-water mark of free, as producers saw it. */
  get minFree(): number {
    const f = this.capacity - this.at.load(this.i32, W_PEAK);
    return f > 0 ? f : 0;
  }
  /** Refusals by every producer of this queue, C producers included (32-bit, wraps). */
  get refusedByAll(): number {
    return this.at.load(this.i32, W_REFUSED) >>> 0;
  }

  /** Posts FIFO. Returns false (counted) when full under 'reject'; throws QueueOverflowError under 'throw'. */
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) checkEvent(this.name, sig, p0, p1, p2, p3);
    return this.put(this.capacity, false, sig, p0, p1, p2, p3);
  }

  /** Posts FIFO only while at least `margin` slots stay free after it; else false (counted), never throws. */
  postWithMargin(margin: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) {
      checkMargin(this.name, margin);
      checkEvent(this.name, sig, p0, p1, p2, p3);
    }
    return this.put(this.capacity - margin, true, sig, p0, p1, p2, p3);
  }

  /**
   * Consumer only: posts to the front (the next get() returns it), through
   * this handle's private lane. Refused (or throws, per policy) when the
   * queue is full or the lane holds urgentCapacity records.
   */
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) checkEvent(this.name, sig, p0, p1, p2, p3);
    const c = this.laneCount;
    const n = this.length + 1;
    if (n > this.capacity) return this.refuse(RING_FULL);
    if (c >= this.laneCapacity) return this.refuse(LANE_FULL);
    const l = this.lane;
    const i = c * 5;
    l[i] = sig;
    l[i + 1] = p0;
    l[i + 2] = p1;
    l[i + 3] = p2;
    l[i + 4] = p3;
    this.laneCount = c + 1;
    this.posted++;
    this.raisePeak(n);
    return true;
  }

  /** Consumer only: takes the front record (signal returned, p0..p3 set), or NO_EVENT if none is published. */
  get(): number {
    const self = this as Params;
    const c = this.laneCount;
    if (c > 0) {
      const l = this.lane;
      const i = (c - 1) * 5;
      self.p0 = l[i + 1]!;
      self.p1 = l[i + 2]!;
      self.p2 = l[i + 3]!;
      self.p3 = l[i + 4]!;
      this.laneCount = c - 1;
      this.taken++;
      return l[i]!;
    }
    const at = this.at;
    const i32 = this.i32;
    const h = at.load(i32, W_HEAD);
    const w = REC0 + (h & this.mask) * REC_WORDS;
    const next = (h + 1) | 0;
    if (at.load(i32, w) !== next) return NO_EVENT; // acquire: the record is published
    const sig = i32[w + 1]!;
    const f = this.f64;
    const j = (w >> 1) + 1;
    self.p0 = f[j]!;
    self.p1 = f[j + 1]!;
    self.p2 = f[j + 2]!;
    self.p3 = f[j + 3]!;
    at.store(i32, W_HEAD, next); // release: the slot is free for a producer
    this.taken++;
    return sig;
  }

  /** Consumer only: the front record's signal, or NO_EVENT. p0..p3 are not changed. */
  peek(): number {
    const c = this.laneCount;
    if (c > 0) return this.lane[(c - 1) * 5]!;
    const i32 = this.i32;
    const h = this.at.load(i32, W_HEAD);
    const w = REC0 + (h & this.mask) * REC_WORDS;
    return this.at.load(i32, w) === ((h + 1) | 0) ? i32[w + 1]! : NO_EVENT;
  }

  /**
   * Consumer only: discards the urgent lane and every published record at
   * the front (at most `capacity` ring records per call), counted in
   * `dropped` and `cleared`. Returns how many.
   */
  clear(): number {
    let n = this.laneCount;
    this.laneCount = 0;
    const at = this.at;
    const i32 = this.i32;
    let h = at.load(i32, W_HEAD);
    for (let k = 0; k < this.capacity; k++) {
      const next = (h + 1) | 0;
      if (at.load(i32, REC0 + (h & this.mask) * REC_WORDS) !== next) break;
      h = next;
      n++;
    }
    at.store(i32, W_HEAD, h);
    this.dropped += n;
    this.cleared += n;
    return n;
  }

  /**
   * Consumer on a blocking Worker only (`mayBlock: true`): returns true at
   * once if an event is ready for get(), else blocks up to `timeoutMs` for a
   * producer to publish one (Atomics.wait). Throws QueueBlockingError on a
   * handle that may not block (the main VM must poll get() instead).
   */
  waitForEvent(timeoutMs: number): boolean {
    if (!this.mayBlock)
      throw new QueueBlockingError(
        `SharedEventQueue '${this.name}': waitForEvent on a handle opened without \`mayBlock: true\`; ` +
          'only a Worker may block (never the main VM): poll get() there, or attach with mayBlock in a Worker',
      );
    if (this.laneCount > 0) return true;
    const at = this.at;
    const i32 = this.i32;
    const h = at.load(i32, W_HEAD);
    const w = REC0 + (h & this.mask) * REC_WORDS;
    const next = (h + 1) | 0;
    let seq = at.load(i32, w);
    if (seq === next) return true;
    at.store(i32, W_WAITING, 1);
    seq = at.load(i32, w); // re-check after announcing: a producer that published before it saw WAITING=0
    if (seq !== next) at.wait!(i32, w, seq, timeoutMs);
    at.store(i32, W_WAITING, 0);
    return at.load(i32, w) === next;
  }

  /** Claims a position while the ring holds fewer than `limit` records, writes and publishes the record. */
  private put(limit: number, margin: boolean, sig: number, p0: number, p1: number, p2: number, p3: number): boolean {
    const at = this.at;
    const i32 = this.i32;
    let t = at.load(i32, W_TAIL);
    let n = ((t - at.load(i32, W_HEAD)) | 0) + 1 + this.laneCount;
    if (this.multi) {
      for (;;) {
        if (n > limit) return this.refuse(margin ? MARGIN : RING_FULL);
        const o = at.compareExchange(i32, W_TAIL, t, (t + 1) | 0);
        if (o === t) break;
        t = o;
        n = ((t - at.load(i32, W_HEAD)) | 0) + 1 + this.laneCount;
      }
    } else {
      if (n > limit) return this.refuse(margin ? MARGIN : RING_FULL);
      at.store(i32, W_TAIL, (t + 1) | 0);
    }
    const w = REC0 + (t & this.mask) * REC_WORDS;
    i32[w + 1] = sig;
    const f = this.f64;
    const j = (w >> 1) + 1;
    f[j] = p0;
    f[j + 1] = p1;
    f[j + 2] = p2;
    f[j + 3] = p3;
    at.store(i32, w, (t + 1) | 0); // release: publishes the record
    this.posted++;
    this.raisePeak(n);
    if (at.load(i32, W_WAITING) !== 0) at.notify(i32, w, 1);
    return true;
  }

  private raisePeak(n: number): void {
    const at = this.at;
    const i32 = this.i32;
    let m = at.load(i32, W_PEAK);
    while (n > m) {
      const o = at.compareExchange(i32, W_PEAK, m, n);
      if (o === m) break;
      m = o;
    }
  }

  private refuse(why: number): boolean {
    this.refused++;
    this.at.add(this.i32, W_REFUSED, 1);
    if (this.throws && why !== MARGIN)
      throw new QueueOverflowError(
        why === LANE_FULL
          ? `SharedEventQueue '${this.name}': the urgent lane is full (urgentCapacity ${this.laneCapacity}); ` +
              "raise its `urgentCapacity` option, or choose `overflow: 'reject'` (postUrgent returns false)"
          : `SharedEventQueue '${this.name}' is full (capacity ${this.capacity}); raise its \`capacity\` option, ` +
              "or choose `overflow: 'reject'` (post returns false and counts the refusal)",
      );
    return false;
  }
}
