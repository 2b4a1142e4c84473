/**
 * shared-queue: SharedEventQueue, an event queue in one (Shared)ArrayBuffer
 * that producers on other workers, other cores or a native C interrupt handler
 * post into, and one consumer takes from. Same post/get API as EventQueue,
 * plus batches for throughput across threads: postMany (any producer) posts
 * and drainTo (the consumer) takes many records per call, packed in an
 * Int32Array or Float64Array as [sig, p0, p1, p2, p3] (5 numbers a record).
 *
 * The binary layout (header words, 40-byte records, memory ordering, a C
 * producer) is in docs/queue-layout.md; its one declaration is `LAYOUT` in
 * src/internal/layout.ts (re-exported here). In short: producers claim a position
 * on the 32-bit TAIL counter (a plain Atomics.store in 'single'-producer mode,
 * an Atomics.compareExchange loop in 'multiple'-producer mode), write the
 * record, then publish it by Atomics.store of position+1 into the record's
 * `seq` word. The consumer takes the record at HEAD once its seq reads
 * HEAD+1 (Atomics.load), copies it out, and frees it with Atomics.store(HEAD).
 * Records are taken in claim order, so each producer's order is kept.
 *
 * Batches keep that layout and protocol with fewer Atomics per record.
 * postMany claims n positions t..t+n-1 at once (one store or compare-exchange
 * of TAIL), writes records t+1..t+n-1 and their seq words with plain stores,
 * then record t, and publishes the batch with ONE release store of record t's
 * seq: a consumer reads a record only after the one before it, so it reads
 * none of them before it has read record t published (which orders the plain
 * stores before its reads). drainTo checks each record's seq (one
 * Atomics.load a record, as get()), copies the published run, and frees it
 * with one Atomics.store(HEAD). Each side caches the other's index, which
 * only grows: postMany reads HEAD only when its copy says there is no room or
 * the post could raise PEAK (so PEAK stays exact), drainTo reads TAIL only
 * when its copy holds fewer than `max` records.
 *
 * Trust boundary. The shared buffer is untrusted memory: another worker, a C
 * handler or a bug may write anything into it.
 *   - Producer side, every build (release too): post, postWithMargin and
 *     postUrgent check the signal (an integer 0..MAX_SIGNAL), p0..p3 (numbers)
 *     and the margin (an integer 0..2^32-1) BEFORE claiming a slot, and throw
 *     QueueEventError otherwise: nothing between the claim and the publish can
 *     throw, so a JS producer never leaves a claimed slot unpublished.
 *   - Consumer side: every take (get, peek) checks 1 <= TAIL - HEAD <= capacity
 *     and the record's signal; a producer checks 0 <= TAIL - HEAD <= capacity
 *     before it claims. A violation throws QueueCorruptionError (counted in
 *     `corrupted`) and leaves a queue that works: a record with a bad signal
 *     is discarded; a bad index makes the consumer move HEAD to TAIL (the
 *     records in between are lost; the count is unknowable). A producer that
 *     sees a bad index posts nothing (counted in `refused`) and throws; the
 *     consumer's next take, clear() or recover() resyncs.
 *   - Values read by getters are clamped to their ranges (length, free, minFree).
 *   - Every loop has a fixed bound: the claim loop MAX_CLAIM_TRIES passes (then
 *     a counted refusal), PEAK's update MAX_PEAK_TRIES, clear() TAIL - HEAD <=
 *     capacity records, a length snapshot SNAPSHOT_TRIES reads, waitForEvent
 *     its deadline.
 *
 * A dead producer (a Worker terminated, a core reset, a C handler that
 * returned early) between its claim and its publish leaves a hole: get()
 * returns NO_EVENT at it and the records claimed after it wait behind it
 * (claim order), `ringLength` counts it, clear() stops at it, producers post
 * until the ring is full, then refuse (counted). recover(olderThanMs) skips a
 * hole that stayed unpublished for olderThanMs (counted in `skipped`). A
 * producer that is only delayed past olderThanMs between its claim and its
 * publish loses its record (skipped, counted) and may overwrite the record
 * that reuses its slot one lap later: choose olderThanMs far above any
 * scheduling delay (hundreds of ms; the window is five plain stores, a whole
 * batch for postMany, whose later records the consumer may then take half
 * written).
 *
 * Allocation: post, postUrgent, postWithMargin, postMany, get, peek, drainTo,
 * clear, recover and reading p0..p3 allocate nothing, the first call included (tested on the XS
 * host, single-threaded, with positive controls). The constructor and attach()
 * allocate views; errors allocate their message; waitForEvent allocates
 * nothing when an event is ready and may allocate when it blocks.
 *
 * Roles: any number of handles may post (one in 'single' mode); exactly one
 * handle is the consumer (get, peek, clear, postUrgent, recover, waitForEvent).
 *   method                     IO callback  other worker/core  re-entrant in dispatch
 *   post/postWithMargin/       yes          yes (producers)    yes
 *     postMany
 *   postUrgent                 consumer only (its private lane)   yes, from the consumer's handler
 *   get/peek/drainTo/          consumer only                      yes (one consumer)
 *     clear/recover
 *   p0..p3                     the consumer, after get(), until its next get()
 *   waitForEvent(ms)           a blocking Worker only: opened with `mayBlock: true`;
 *                              never the main VM (poll get() there instead)
 *   ringLength, length, free,  anyone (a consistent snapshot of TAIL and HEAD,
 *     minFree, refusedByAll      clamped to its range)
 *
 * postUrgent (deferral recall) puts a record in the consumer handle's private
 * LIFO lane (`urgentCapacity` records, default capacity), which get() empties
 * before the ring: the front of the queue is the consumer's alone, so a
 * producer can never race it. The lane is not in the shared buffer, so other
 * handles cannot count it: `capacity` bounds the RING (what every producer,
 * C included, enforces); the lane adds at most urgentCapacity more. On the
 * consumer handle, postUrgent and the consumer's own posts count the lane
 * against capacity (so one handle alone behaves as EventQueue); producers on
 * other handles do not. Records pending at once <= capacity + urgentCapacity.
 * `ringLength` is the ring (0..capacity on every handle), `urgentLength` this
 * handle's lane, `length` their sum.
 *
 * Overflow: 'reject' (false, counted) or 'throw' (counted, then
 * QueueOverflowError). 'drop-oldest' is not offered: dropping would make a
 * producer move HEAD, which only the consumer writes (use EventQueue). A claim
 * that lost MAX_CLAIM_TRIES compare-exchanges in a row is refused (false,
 * counted; never thrown). Every refusal is counted in this handle's `refused`
 * and in the header's REFUSED word (which a C producer increments too).
 * postMany under 'reject' posts the records that fit and refuses the rest;
 * under 'throw' it posts all of them or none.
 *
 * Waiting: waitForEvent(ms) returns true as soon as an event is ready, false
 * only once `ms` have passed (Date.now()) with none: a wake-up with nothing
 * published (a late notify meant for an earlier position) waits again for the
 * time left.
 *
 * Counters (refused = a post not taken; dropped = taken off the queue unread;
 * a postMany counts each record it did not post, as that many post() calls):
 * per handle, doubles: posted, refused (producer side), taken,
 * dropped, cleared, skipped, corrupted (consumer side; `corrupted` also on a
 * producer that saw a bad index). Across all handles, once producers are quiet
 * and nothing corrupted the buffer: sum(posted) === taken + dropped + skipped + length.
 *
 * No Atomics (Moddable on RP2040 today has none): pass `atomics:
 * singleCoreAtomics`. That is correct on a single core where JS never
 * preempts JS (Moddable's event loop). A C interrupt handler may also post,
 * as described in docs/queue-layout.md, but only into memory that never
 * moves: a SharedArrayBuffer, or a host buffer allocated in C (the
 * interrupt bridge's InterruptSource.ring), never a plain ArrayBuffer, whose
 * data a compacting collection moves. Either the C handler is the queue's
 * only producer ('single' mode, and JS does not post to that queue), or the
 * queue is in 'multiple' mode and the board supplies an `atomics` whose
 * compareExchange masks interrupts. For queues used only by JS on one VM,
 * EventQueue is the right choice. The board code decides.
 *
 *   Lifecycle of a slot (position t, slot t & (slots-1)):
 *
 *     FREE --post(): check event; claim TAIL = t+1--> CLAIMED --write; store seq = t+1--> PUBLISHED
 *      ^                                                  |                                   |
 *      +-- recover(), the producer dead and the hole      |                                   |
 *      |   older than olderThanMs: CAS seq = t+1;         |                                   |
 *      |   store HEAD = t+1 (skipped) --------------------+                                   |
 *      +-- get(): check index and signal; copy out; store HEAD = t+1 (taken) -----------------+
 *      +-- drainTo(): the same for a run of published records; one store HEAD past them ------+
 *      +-- clear(): store HEAD past it (dropped) ---------------------------------------------+
 *      +-- get()/peek(), a bad signal: store HEAD = t+1 (corrupted), throw -------------------+
 *   (get()/peek()/clear()/recover() on a bad index: store HEAD = TAIL, every slot in between FREE.)
 *   postMany(n): check every signal; claim TAIL = t+n; write t+1..t+n-1 (seq by plain stores), then t;
 *   store seq(t) = t+1 last: all n PUBLISHED at once (FREE -> CLAIMED -> PUBLISHED, n slots).
 *
 * Limits: capacity 1..65536; slots = next power of two >= capacity; buffer
 * bytes = 256 + 40 * slots; urgentCapacity 0..65536; 32-bit counters wrap
 * (initialIndex option for tests); MAX_CLAIM_TRIES 1024, MAX_PEAK_TRIES 64,
 * SNAPSHOT_TRIES 4.
 *
 * Measured cost: docs/queue.md, "Measured cost" (`node scripts/bench.mjs queue`).
 *
 * Errors carry a code (docs/errors.md, "shared-queue"; the constructor's
 * QueueConfigError and the posts' QueueEventError/QueueOverflowError are
 * EventQueue's classes, "queue"). attach() checks the header and hands the
 * handle to the constructor through the private static #attached(), so
 * `new SharedEventQueue(options)` always formats.
 */
import { NO_EVENT, QueueConfigError, QueueEventError, QueueOverflowError } from './queue.js';
import { KeelError, showValue } from './errors.js';
import {
  ATTACHED,
  type Attached,
  MAX_RING_CAPACITY,
  ceilPow2,
  checkCapacity,
  checkInitialIndex,
  defaultAtomics,
  isAttached,
  isShared,
} from './internal/checks.js';
import { MAX_SIGNAL, RECORD_WIDTH, checkEvent, policyCode } from './internal/event.js';
import {
  LAYOUT,
  MODE_MULTIPLE,
  MODE_SINGLE,
  POLICY_REJECT,
  POLICY_THROW as THROW,
  QUEUE_HEADER_WORDS,
  QUEUE_REC0 as REC0,
  QUEUE_REC_WORDS as REC_WORDS,
  indexDistance,
  queueBytes,
} from './internal/layout.js';
import type { AtomicsLike } from './internal/layout.js';

export { LAYOUT, type AtomicsLike } from './internal/layout.js';

/** The codes of QueueLayoutError (docs/errors.md, "shared-queue"). */
export type QueueLayoutErrorCode =
  | 'NOT_A_BUFFER'
  | 'TOO_SHORT'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'BAD_SIZES'
  | 'BAD_CAPACITY'
  | 'BAD_MODE'
  | 'BAD_OVERFLOW'
  | 'BAD_INDEX';
/** The code of QueueBlockingError. */
export type QueueBlockingErrorCode = 'MAY_NOT_BLOCK';
/** The codes of QueueUsageError. */
export type QueueUsageErrorCode = 'BAD_TIMEOUT' | 'BAD_RECOVER_TIMES' | 'BAD_BATCH';
/** The codes of QueueCorruptionError. */
export type QueueCorruptionErrorCode = 'BAD_SIGNAL' | 'BAD_INDEX' | 'BAD_INDEX_ON_POST';

/** The buffer given to attach() is not a SharedEventQueue of this layout/version. */
export class QueueLayoutError extends KeelError {
  override name = 'QueueLayoutError';
  declare readonly code: QueueLayoutErrorCode;
}
/** waitForEvent() on a handle that was not opened with `mayBlock: true`. */
export class QueueBlockingError extends KeelError {
  override name = 'QueueBlockingError';
  declare readonly code: QueueBlockingErrorCode;
}
/**
 * A bad argument to recover() or waitForEvent() (a time that is not a number,
 * NaN, negative), or to postMany()/drainTo() (not an Int32Array or
 * Float64Array, a count or first record that is not an integer >= 0, records
 * past the array's end).
 */
export class QueueUsageError extends KeelError {
  override name = 'QueueUsageError';
  declare readonly code: QueueUsageErrorCode;
}
/**
 * The shared buffer holds what no producer or consumer following the protocol
 * writes: TAIL - HEAD outside 0..capacity, or a published record whose signal
 * is outside 0..MAX_SIGNAL. Thrown after the queue was made usable again
 * (see the module header); counted in the handle's `corrupted`.
 */
export class QueueCorruptionError extends KeelError {
  override name = 'QueueCorruptionError';
  declare readonly code: QueueCorruptionErrorCode;
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

// The layout's words, read from its one declaration (src/internal/layout.ts).
const W_HEAD = LAYOUT.W_HEAD;
const W_WAITING = LAYOUT.W_WAITING;
const W_TAIL = LAYOUT.W_TAIL;
const W_REFUSED = LAYOUT.W_REFUSED;
const W_PEAK = LAYOUT.W_PEAK;
// Refusal reasons.
const RING_FULL = 0;
const MARGIN = 1;
const LANE_FULL = 2;
const CONTENDED = 3;
/** Compare-exchange passes of one claim before it is refused as contended (counted). */
export const MAX_CLAIM_TRIES = 1024;
/** Compare-exchange passes of one PEAK update (bookkeeping: gives up quietly). */
const MAX_PEAK_TRIES = 64;
// Module-level constants: a string literal evaluated on a hot path allocates on the XS host.
const NUMBER = 'number';
const POST_MANY = 'postMany';
const DRAIN_TO = 'drainTo';
/** The overflow options SharedEventQueue offers ('drop-oldest' would make a producer move HEAD). */
const POLICIES: readonly string[] = Object.freeze(['reject', 'throw']);

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
  /** Records in this handle's private urgent lane (postUrgent), 0..65536. Default capacity. */
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

/** Throws the QueueEventError for a post whose signal or parameters are bad (failing path only, every build). */
function eventError(name: string, sig: number, p0: number, p1: number, p2: number, p3: number): never {
  checkEvent('SharedEventQueue', name, sig, p0, p1, p2, p3, QueueEventError); // throws
  throw new QueueEventError('BAD_SIGNAL', `SharedEventQueue '${name}' [BAD_SIGNAL]`); // not reached
}

/**
 * An event queue in shared memory: MPSC or SPSC, one consumer. Create it on
 * one side (`new SharedEventQueue(...)`), pass `.buffer` to the other side,
 * which calls `SharedEventQueue.attach(buffer)`.
 */
export class SharedEventQueue {
  /** Bytes a buffer needs for `capacity` records. */
  static byteLength(capacity: number): number {
    return queueBytes(ceilPow2(checkCapacity('SharedEventQueue', capacity, QueueConfigError, false)));
  }

  /**
   * A handle on a queue another thread created. Validates the header: magic,
   * version, header and record size, capacity, slots, mode, policy, the
   * buffer's length and 0 <= TAIL - HEAD <= capacity; throws QueueLayoutError
   * on any mismatch.
   */
  static attach(buffer: SharedArrayBuffer | ArrayBuffer, options: AttachOptions = {}): SharedEventQueue {
    const name = options.name ?? 'SharedEventQueue';
    const owner = `SharedEventQueue '${name}'`;
    const fail = SharedEventQueue.#layoutError;
    const L = LAYOUT;
    if (!(buffer instanceof ArrayBuffer) && !isShared(buffer)) fail(owner, 'NOT_A_BUFFER', DEBUG ? 'not an ArrayBuffer or SharedArrayBuffer' : '');
    if (buffer.byteLength < L.HEADER_BYTES)
      fail(owner, 'TOO_SHORT', DEBUG ? `buffer is ${buffer.byteLength} bytes, shorter than the ${L.HEADER_BYTES}-byte header` : '');
    const h = new Int32Array(buffer, 0, QUEUE_HEADER_WORDS);
    if (h[L.W_MAGIC] !== L.MAGIC)
      fail(owner, 'BAD_MAGIC', DEBUG ? `bad magic 0x${(h[L.W_MAGIC]! >>> 0).toString(16)} (expected 0x${L.MAGIC.toString(16)})` : '');
    if (h[L.W_VERSION] !== L.VERSION) fail(owner, 'BAD_VERSION', DEBUG ? `layout version ${h[L.W_VERSION]} (this code reads version ${L.VERSION})` : '');
    if (h[L.W_HEADER_BYTES] !== L.HEADER_BYTES || h[L.W_RECORD_BYTES] !== L.RECORD_BYTES)
      fail(
        owner,
        'BAD_SIZES',
        DEBUG
          ? `header/record sizes ${h[L.W_HEADER_BYTES]}/${h[L.W_RECORD_BYTES]} bytes (expected ${L.HEADER_BYTES}/${L.RECORD_BYTES})`
          : '',
      );
    const capacity = h[L.W_CAPACITY]!;
    const slots = h[L.W_SLOTS]!;
    if (!(capacity >= 1 && capacity <= MAX_RING_CAPACITY) || slots !== ceilPow2(capacity))
      fail(
        owner,
        'BAD_CAPACITY',
        DEBUG ? `capacity ${capacity} with ${slots} slots (expected 1..${MAX_RING_CAPACITY} and the next power of two)` : '',
      );
    const mode = h[L.W_MODE];
    if (mode !== MODE_SINGLE && mode !== MODE_MULTIPLE)
      fail(owner, 'BAD_MODE', DEBUG ? `producer mode ${mode} (expected ${MODE_SINGLE} or ${MODE_MULTIPLE})` : '');
    const overflow = h[L.W_OVERFLOW];
    if (overflow !== POLICY_REJECT && overflow !== THROW)
      fail(owner, 'BAD_OVERFLOW', DEBUG ? `overflow code ${overflow} (expected ${POLICY_REJECT} or ${THROW})` : '');
    if (buffer.byteLength < queueBytes(slots))
      fail(owner, 'TOO_SHORT', DEBUG ? `buffer is ${buffer.byteLength} bytes, the header says ${queueBytes(slots)}` : '');
    const at = options.atomics ?? defaultAtomics(owner, QueueConfigError, 'EventQueue');
    const len = indexDistance(at, h, W_TAIL, W_HEAD);
    if (len < 0 || len > capacity)
      fail(owner, 'BAD_INDEX', DEBUG ? `TAIL - HEAD is ${len}, outside 0..${capacity} (a corrupt or foreign header)` : '');
    return SharedEventQueue.#attached({
      name,
      capacity,
      producers: mode === MODE_SINGLE ? 'single' : 'multiple',
      overflow: overflow === THROW ? 'throw' : 'reject',
      buffer,
      atomics: at,
      mayBlock: options.mayBlock,
      urgentCapacity: options.urgentCapacity,
    });
  }

  /** The handle attach() returns, on a header it checked: the constructor does not format it. */
  static #attached(options: SharedEventQueueOptions): SharedEventQueue {
    const marked: Attached<SharedEventQueueOptions> = { ...options, [ATTACHED]: true };
    return new SharedEventQueue(marked);
  }

  static #layoutError(owner: string, code: QueueLayoutErrorCode, what: string): never {
    throw new QueueLayoutError(
      code,
      DEBUG
        ? `${owner}: cannot attach: ${what}; attach only a buffer made by new SharedEventQueue() of layout version ${LAYOUT.VERSION} [${code}]`
        : `${owner} [${code}]`,
    );
  }

  readonly name: string;
  /** Records the ring holds at once (the consumer's urgent lane is extra: urgentCapacity). */
  readonly capacity: number;
  /** Records this handle's private urgent lane holds (postUrgent). */
  readonly urgentCapacity: number;
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
  /** Posts by this handle that were refused (full, margin, lane full, contended, bad index); not in `posted`. */
  refused = 0;
  /** Records this handle took with get(). */
  taken = 0;
  /** Records this handle discarded (clear()). */
  dropped = 0;
  /** Same as dropped: the part of it clear() discarded (no other drops exist here). */
  cleared = 0;
  /** Holes (claimed, never published: a dead producer) this handle's recover() skipped. */
  skipped = 0;
  /** Corruption this handle detected: bad records discarded, bad indices resynced or refused. */
  corrupted = 0;

  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly at: AtomicsLike;
  private readonly mask: number;
  private readonly multi: boolean;
  private readonly throws: boolean;
  private readonly lane: Float64Array;
  private laneCount = 0;
  /** recover(): the hole being timed (position) and when it was first seen. */
  private holeSeen = false;
  private holeAt = 0;
  private holeSince = 0;
  /**
   * postMany() (producer): this handle's last read of HEAD and of PEAK. Both
   * words only grow, so a stale copy under-states the room (never over-writes
   * a record) and the peak (HEAD is read again before PEAK could be raised).
   */
  private headSeen = 0;
  private peakSeen = 0;
  /** drainTo() (consumer): this handle's last read of TAIL (only grows: a stale copy under-states what to take). */
  private tailSeen = 0;

  /** Creates and formats a queue (in `options.buffer` or a new SharedArrayBuffer). */
  constructor(options: SharedEventQueueOptions) {
    const name = options.name ?? 'SharedEventQueue';
    const owner = `SharedEventQueue '${name}'`;
    this.name = name;
    this.capacity = checkCapacity(owner, options.capacity, QueueConfigError, false);
    this.overflow = options.overflow ?? 'reject';
    this.throws = policyCode(owner, this.overflow, POLICIES, QueueConfigError) === THROW;
    const producers = options.producers ?? 'multiple';
    if (producers !== 'single' && producers !== 'multiple')
      throw new QueueConfigError(
        'BAD_PRODUCERS',
        DEBUG
          ? `${owner}: producers must be 'single' or 'multiple' (got ${String(producers)}); change the \`producers\` option [BAD_PRODUCERS]`
          : `${owner} [BAD_PRODUCERS]`,
      );
    this.producers = producers;
    this.multi = producers === 'multiple';
    this.at = options.atomics ?? defaultAtomics(owner, QueueConfigError, 'EventQueue');
    const slots = ceilPow2(this.capacity);
    const bytes = queueBytes(slots);
    let buffer = options.buffer;
    if (buffer === undefined) {
      if (typeof SharedArrayBuffer === 'undefined')
        throw new QueueConfigError(
          'NO_SHARED_ARRAY_BUFFER',
          DEBUG
            ? `${owner}: this host has no SharedArrayBuffer; pass \`buffer: new ArrayBuffer(SharedEventQueue.byteLength(${this.capacity}))\` [NO_SHARED_ARRAY_BUFFER]`
            : `${owner} [NO_SHARED_ARRAY_BUFFER]`,
        );
      buffer = new SharedArrayBuffer(bytes);
    } else if (buffer.byteLength < bytes)
      throw new QueueConfigError(
        'BUFFER_TOO_SMALL',
        DEBUG
          ? `${owner}: buffer is ${buffer.byteLength} bytes, capacity ${this.capacity} needs ${bytes}; use SharedEventQueue.byteLength(capacity) [BUFFER_TOO_SMALL]`
          : `${owner} [BUFFER_TOO_SMALL]`,
      );
    this.buffer = buffer;
    this.mayBlock = options.mayBlock === true;
    if (this.mayBlock && (!isShared(buffer) || typeof this.at.wait !== 'function'))
      throw new QueueConfigError(
        'CANNOT_BLOCK',
        DEBUG
          ? `${owner}: mayBlock needs a SharedArrayBuffer and an atomics with wait(); leave mayBlock off and poll get() [CANNOT_BLOCK]`
          : `${owner} [CANNOT_BLOCK]`,
      );
    const lane = options.urgentCapacity ?? this.capacity;
    if (!Number.isInteger(lane) || lane < 0 || lane > MAX_RING_CAPACITY)
      throw new QueueConfigError(
        'BAD_URGENT_CAPACITY',
        DEBUG
          ? `${owner}: urgentCapacity must be an integer 0..${MAX_RING_CAPACITY} (got ${String(lane)}) [BAD_URGENT_CAPACITY]`
          : `${owner} [BAD_URGENT_CAPACITY]`,
      );
    this.urgentCapacity = lane;
    this.lane = new Float64Array(lane * RECORD_WIDTH);
    this.i32 = new Int32Array(buffer, 0, bytes >> 2);
    this.f64 = new Float64Array(buffer, 0, bytes >> 3);
    this.mask = slots - 1;
    if (!isAttached(options)) {
      const start = checkInitialIndex(owner, options.initialIndex, QueueConfigError);
      const h = this.i32;
      const L = LAYOUT;
      h.fill(0, 0, QUEUE_HEADER_WORDS);
      h[L.W_CAPACITY] = this.capacity;
      h[L.W_SLOTS] = slots;
      h[L.W_MODE] = this.multi ? MODE_MULTIPLE : MODE_SINGLE;
      h[L.W_OVERFLOW] = this.throws ? THROW : POLICY_REJECT;
      h[L.W_HEADER_BYTES] = L.HEADER_BYTES;
      h[L.W_RECORD_BYTES] = L.RECORD_BYTES;
      // seq of every slot: a value no position in [start, start + slots) publishes (that would be position + 1).
      // Bound: slots <= 65536.
      for (let k = 0; k < slots; k++) h[REC0 + k * REC_WORDS] = start;
      this.at.store(h, W_HEAD, start);
      this.at.store(h, W_TAIL, start);
      this.at.store(h, L.W_VERSION, L.VERSION);
      this.at.store(h, L.W_MAGIC, L.MAGIC); // last: a concurrent attach sees a complete header or a bad magic
    }
    this.headSeen = this.at.load(this.i32, W_HEAD);
    this.tailSeen = this.at.load(this.i32, W_TAIL);
    const peak = this.at.load(this.i32, W_PEAK);
    this.peakSeen = peak < 0 ? 0 : peak > this.capacity ? this.capacity : peak; // postMany relies on peakSeen <= capacity
  }

  /** Records in the ring (claimed, published or not): 0..capacity, the same on every handle (a snapshot). */
  get ringLength(): number {
    const d = indexDistance(this.at, this.i32, W_TAIL, W_HEAD);
    const cap = this.capacity;
    return d < 0 ? 0 : d > cap ? cap : d;
  }
  /** Records in this handle's private urgent lane: 0..urgentCapacity (0 on any handle but the consumer's). */
  get urgentLength(): number {
    return this.laneCount;
  }
  /** ringLength + urgentLength: what this handle's get() has yet to return (0..capacity + urgentCapacity). */
  get length(): number {
    return this.ringLength + this.laneCount;
  }
  /** capacity - length, at least 0: what this handle may still post (other handles do not count the lane). */
  get free(): number {
    const f = this.capacity - this.length;
    return f > 0 ? f : 0;
  }
  /** Low-water mark of free, as producers saw it (0..capacity). */
  get minFree(): number {
    const cap = this.capacity;
    const f = cap - this.at.load(this.i32, W_PEAK);
    return f < 0 ? 0 : f > cap ? cap : f;
  }
  /** Refusals by every producer of this queue, C producers included (32-bit, wraps). */
  get refusedByAll(): number {
    return this.at.load(this.i32, W_REFUSED) >>> 0;
  }

  /**
   * Posts FIFO. Returns false (counted) when full under 'reject' or after
   * MAX_CLAIM_TRIES lost claims; throws QueueOverflowError when full under
   * 'throw'. Throws QueueEventError (every build) for a signal that is not an
   * integer 0..MAX_SIGNAL or a parameter that is not a number, before
   * anything changes; QueueCorruptionError if TAIL - HEAD is out of range.
   */
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (
      typeof sig !== NUMBER ||
      (sig & MAX_SIGNAL) !== sig ||
      typeof p0 !== NUMBER ||
      typeof p1 !== NUMBER ||
      typeof p2 !== NUMBER ||
      typeof p3 !== NUMBER
    )
      eventError(this.name, sig, p0, p1, p2, p3);
    return this.put(this.capacity, RING_FULL, sig, p0, p1, p2, p3);
  }

  /**
   * Posts FIFO only while at least `margin` slots stay free after it; else
   * false (counted), never throws for a full queue. `margin` must be an
   * integer 0..2^32-1 (QueueEventError otherwise, every build), the event as for post().
   */
  postWithMargin(margin: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (typeof margin !== NUMBER || margin >>> 0 !== margin)
      throw new QueueEventError(
        'BAD_MARGIN',
        DEBUG
          ? `SharedEventQueue '${this.name}': postWithMargin margin must be an integer 0..${0xffffffff} (got ${showValue(margin)}); ` +
              'pass the number of slots that must stay free after the post [BAD_MARGIN]'
          : `SharedEventQueue '${this.name}' [BAD_MARGIN]`,
      );
    if (
      typeof sig !== NUMBER ||
      (sig & MAX_SIGNAL) !== sig ||
      typeof p0 !== NUMBER ||
      typeof p1 !== NUMBER ||
      typeof p2 !== NUMBER ||
      typeof p3 !== NUMBER
    )
      eventError(this.name, sig, p0, p1, p2, p3);
    return this.put(this.capacity - margin, MARGIN, sig, p0, p1, p2, p3);
  }

  /**
   * Consumer only: posts to the front (the next get() returns it), through
   * this handle's private lane. Refused (or throws, per policy) when this
   * handle's length (ring + lane) is capacity or the lane holds
   * urgentCapacity records. The event is checked as for post().
   */
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (
      typeof sig !== NUMBER ||
      (sig & MAX_SIGNAL) !== sig ||
      typeof p0 !== NUMBER ||
      typeof p1 !== NUMBER ||
      typeof p2 !== NUMBER ||
      typeof p3 !== NUMBER
    )
      eventError(this.name, sig, p0, p1, p2, p3);
    const at = this.at;
    const i32 = this.i32;
    const c = this.laneCount;
    // HEAD is this (consumer) handle's own word: read it first, then TAIL: 0 <= d <= capacity unless corrupt
    // (refused as a producer would be: the consumer's next take resyncs).
    const h = at.load(i32, W_HEAD);
    const d = (at.load(i32, W_TAIL) - h) | 0;
    if (d >>> 0 > this.capacity) return this.badIndex(NaN, d);
    const n = d + c + 1;
    if (n > this.capacity) return this.refuse(RING_FULL);
    if (c >= this.urgentCapacity) return this.refuse(LANE_FULL);
    const l = this.lane;
    const i = c * RECORD_WIDTH;
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

  /**
   * Posts up to `count` records FIFO with one claim: from `src`, an Int32Array
   * or a Float64Array of packed records [sig, p0, p1, p2, p3] (5 numbers
   * each), starting at record `first` (default 0). Returns how many it posted.
   * 'reject': the first k that fit (k < count only when the ring is full; the
   * count - k not posted are counted in `refused` and REFUSED, as count - k
   * refused post() calls would be). 'throw': all of them, or none (then counted,
   * QueueOverflowError). Checked before anything changes, every build: each
   * signal an integer 0..MAX_SIGNAL (QueueEventError, naming the record), and
   * the arguments (QueueUsageError BAD_BATCH). Cost per call, not per record:
   * one Atomics store of TAIL (a compare-exchange in 'multiple' mode) and one
   * release store that publishes the whole batch (docs/queue-layout.md,
   * "Batches"); the records are plain stores. HEAD is read only when this
   * handle's cached copy of it says the ring has no room for `count`, or the
   * post could raise PEAK (so PEAK and minFree stay exact). Allocates nothing.
   */
  postMany(src: Int32Array | Float64Array, count: number, first = 0): number {
    if (
      !(src instanceof Int32Array || src instanceof Float64Array) ||
      typeof count !== NUMBER ||
      count >>> 0 !== count ||
      typeof first !== NUMBER ||
      first >>> 0 !== first ||
      (first + count) * RECORD_WIDTH > src.length
    )
      this.batchError(POST_MANY, src, count, first);
    const end = (first + count) * RECORD_WIDTH;
    // Every signal before the claim: nothing between the claim and the last publish can throw.
    // Bound: count records.
    for (let s = first * RECORD_WIDTH; s < end; s += RECORD_WIDTH) {
      const sig = src[s]!;
      if ((sig & MAX_SIGNAL) !== sig) this.batchSignalError(s / RECORD_WIDTH, sig);
    }
    if (count === 0) return 0;
    const at = this.at;
    const i32 = this.i32;
    const cap = this.capacity;
    const lane = this.laneCount;
    let t = at.load(i32, W_TAIL);
    let h = this.headSeen;
    let fresh = false;
    let d = 0;
    let n = 0;
    // Bound: MAX_CLAIM_TRIES passes; a lost compare-exchange ('multiple') means another producer claimed.
    for (let k = 1; ; k++) {
      d = (t - h) | 0;
      // The cached HEAD (<= HEAD) is enough while it leaves room for all `count` records and the ring
      // stays within the PEAK this handle saw (peakSeen <= capacity): then no record is overwritten and
      // PEAK need not rise. Otherwise read HEAD.
      if (!fresh && (d >>> 0 > cap || d + count + lane > this.peakSeen)) {
        h = at.load(i32, W_HEAD);
        this.headSeen = h;
        fresh = true;
        d = (t - h) | 0;
      }
      if (d >>> 0 > cap) {
        // As put(): HEAD past the TAIL read (others claimed, the consumer took): read TAIL again; unchanged means corrupt.
        const o = at.load(i32, W_TAIL);
        if (!this.multi || o === t) return this.badIndex(NaN, d, count);
        t = o;
      } else {
        n = cap - lane - d;
        if (n >= count) n = count;
        else if (n <= 0 || this.throws) return this.refuseMany(count, RING_FULL);
        if (!this.multi) {
          at.store(i32, W_TAIL, (t + n) | 0);
          break;
        }
        const o = at.compareExchange(i32, W_TAIL, t, (t + n) | 0);
        if (o === t) break;
        t = o;
      }
      if (k === MAX_CLAIM_TRIES) return this.refuseMany(count, CONTENDED);
      fresh = false;
    }
    // Claimed t .. t+n-1 (nothing below can throw). Records t+1 .. t+n-1 first, each with its seq word,
    // by plain stores: a consumer reads a record only after the one before it (claim order), so none of
    // them before record t. Then record t, and its seq by a release store last: it publishes the batch.
    const f = this.f64;
    const wEnd = REC0 + (this.mask + 1) * REC_WORDS;
    const w0 = REC0 + (t & this.mask) * REC_WORDS;
    let w = w0;
    let s = first * RECORD_WIDTH;
    let p = (t + 1) | 0;
    // Bound: n <= count records.
    for (let k = 1; k < n; k++) {
      w += REC_WORDS;
      if (w === wEnd) w = REC0;
      s += RECORD_WIDTH;
      i32[w + 1] = src[s]!;
      const j = (w >> 1) + 1;
      f[j] = src[s + 1]!;
      f[j + 1] = src[s + 2]!;
      f[j + 2] = src[s + 3]!;
      f[j + 3] = src[s + 4]!;
      p = (p + 1) | 0;
      i32[w] = p;
    }
    s = first * RECORD_WIDTH;
    i32[w0 + 1] = src[s]!;
    const j0 = (w0 >> 1) + 1;
    f[j0] = src[s + 1]!;
    f[j0 + 1] = src[s + 2]!;
    f[j0 + 2] = src[s + 3]!;
    f[j0 + 3] = src[s + 4]!;
    at.store(i32, w0, (t + 1) | 0); // release: publishes records t .. t+n-1
    this.posted += n;
    if (n < count) {
      // 'reject', ring full after k records: the rest is refused, counted.
      this.refused += count - n;
      at.add(i32, W_REFUSED, count - n);
    }
    if (fresh) {
      const m = this.raisePeak(d + n + lane);
      this.peakSeen = m > cap ? cap : m;
    }
    if (at.load(i32, W_WAITING) !== 0) at.notify(i32, w0, 1);
    return n;
  }

  /**
   * Consumer only: takes the front record (signal returned, p0..p3 set), or
   * NO_EVENT if none is published. A take checks 1 <= TAIL - HEAD <= capacity
   * and the signal (0..MAX_SIGNAL); otherwise QueueCorruptionError (see the
   * module header: the bad record is discarded or HEAD resynced, counted).
   */
  get(): number {
    const self = this as Params;
    const c = this.laneCount;
    if (c > 0) {
      const l = this.lane;
      const i = (c - 1) * RECORD_WIDTH;
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
    // Untrusted memory: TAIL - (h + 1) in 0..capacity-1, and a signal in range.
    if ((at.load(i32, W_TAIL) - next) >>> 0 >= this.capacity || (sig & MAX_SIGNAL) !== sig) return this.badTake(h, sig);
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

  /** Consumer only: the front record's signal, or NO_EVENT. p0..p3 are not changed. Checked as get() is. */
  peek(): number {
    const c = this.laneCount;
    if (c > 0) return this.lane[(c - 1) * RECORD_WIDTH]!;
    const at = this.at;
    const i32 = this.i32;
    const h = at.load(i32, W_HEAD);
    const w = REC0 + (h & this.mask) * REC_WORDS;
    const next = (h + 1) | 0;
    if (at.load(i32, w) !== next) return NO_EVENT;
    const sig = i32[w + 1]!;
    if ((at.load(i32, W_TAIL) - next) >>> 0 >= this.capacity || (sig & MAX_SIGNAL) !== sig) return this.badTake(h, sig);
    return sig;
  }

  /**
   * Consumer only: takes up to `max` records, in get()'s order (the urgent
   * lane, then the ring), into `dst`, an Int32Array or a Float64Array of
   * packed records [sig, p0, p1, p2, p3] (5 numbers each), from record
   * `first` (default 0). Returns how many it took (0 when none is ready); it
   * stops at a record not yet published. A Float64Array receives the
   * parameters exactly; an Int32Array receives them converted to int32
   * (exact for the integers an Int32Array postMany() posts). Checked as get()
   * is: 0 <= TAIL - HEAD <= capacity, and each signal. It stops before a bad
   * record; a drain that starts at one (nothing taken in this call) throws
   * QueueCorruptionError exactly as get() does (discarded or resynced,
   * counted), so a throw never loses records already copied. Bad arguments:
   * QueueUsageError BAD_BATCH, every build. Cost: one Atomics load per
   * record (its publish word) and one store of HEAD per call; TAIL is read
   * only when this handle's cached copy of it says the ring is empty.
   * Allocates nothing.
   */
  drainTo(dst: Int32Array | Float64Array, max: number, first = 0): number {
    if (
      !(dst instanceof Int32Array || dst instanceof Float64Array) ||
      typeof max !== NUMBER ||
      max >>> 0 !== max ||
      typeof first !== NUMBER ||
      first >>> 0 !== first ||
      (first + max) * RECORD_WIDTH > dst.length
    )
      this.batchError(DRAIN_TO, dst, max, first);
    let o = first * RECORD_WIDTH;
    let n = 0;
    let c = this.laneCount;
    if (c > 0) {
      // The urgent lane first, LIFO as get(). Bound: its c records.
      const l = this.lane;
      while (c > 0 && n < max) {
        c--;
        const i = c * RECORD_WIDTH;
        dst[o] = l[i]!;
        dst[o + 1] = l[i + 1]!;
        dst[o + 2] = l[i + 2]!;
        dst[o + 3] = l[i + 3]!;
        dst[o + 4] = l[i + 4]!;
        o += RECORD_WIDTH;
        n++;
      }
      this.laneCount = c;
      this.taken += n;
    }
    if (n === max) return n;
    const at = this.at;
    const i32 = this.i32;
    const cap = this.capacity;
    const h = at.load(i32, W_HEAD);
    let d = (this.tailSeen - h) | 0;
    if (d >>> 0 > cap || d < max - n) {
      // The cached TAIL (<= TAIL) holds fewer than `max` records, or is stale past a resync: read TAIL.
      const t = at.load(i32, W_TAIL);
      this.tailSeen = t;
      d = (t - h) | 0;
      // Untrusted memory: TAIL - HEAD in 0..capacity (with lane records taken, the next call reports it).
      if (d >>> 0 > cap) return n > 0 ? n : this.badIndex(h, d);
    }
    let take = max - n;
    if (take > d) take = d;
    const f = this.f64;
    const wEnd = REC0 + (this.mask + 1) * REC_WORDS;
    let w = REC0 + (h & this.mask) * REC_WORDS;
    let p = h;
    // Bound: take <= d <= capacity records.
    for (let k = 0; k < take; k++) {
      const next = (p + 1) | 0;
      if (at.load(i32, w) !== next) break; // acquire: published? (no: a claim being written, or a hole)
      const sig = i32[w + 1]!;
      if ((sig & MAX_SIGNAL) !== sig) {
        if (p === h && n === 0) return this.badTake(h, sig); // throws, as get()
        break; // the next call starts at it and reports it
      }
      const j = (w >> 1) + 1;
      dst[o] = sig;
      dst[o + 1] = f[j]!;
      dst[o + 2] = f[j + 1]!;
      dst[o + 3] = f[j + 2]!;
      dst[o + 4] = f[j + 3]!;
      o += RECORD_WIDTH;
      p = next;
      w += REC_WORDS;
      if (w === wEnd) w = REC0;
    }
    if (p !== h) {
      at.store(i32, W_HEAD, p); // release: the slots are free for producers
      const k = (p - h) | 0;
      this.taken += k;
      n += k;
    }
    return n;
  }

  /**
   * Consumer only: discards the urgent lane and every published record at
   * the front (at most TAIL - HEAD <= capacity ring records; it stops at a
   * hole), counted in `dropped` and `cleared`. Returns how many. A bad index
   * is resynced (HEAD = TAIL), counted in `corrupted`, not thrown.
   */
  clear(): number {
    let n = this.laneCount;
    this.laneCount = 0;
    const at = this.at;
    const i32 = this.i32;
    let h = at.load(i32, W_HEAD);
    const d = (at.load(i32, W_TAIL) - h) | 0;
    if (d >>> 0 > this.capacity) this.resync();
    else {
      // Bound: d <= capacity records.
      for (let k = 0; k < d; k++) {
        const next = (h + 1) | 0;
        if (at.load(i32, REC0 + (h & this.mask) * REC_WORDS) !== next) break;
        h = next;
        n++;
      }
      at.store(i32, W_HEAD, h);
    }
    this.dropped += n;
    this.cleared += n;
    return n;
  }

  /**
   * Consumer only, when get() returns NO_EVENT while ringLength > 0, or
   * periodically: the queue's health check. Skips the hole at HEAD (a
   * position claimed and not published) once it has stayed unpublished for
   * `olderThanMs` (measured from the first recover() call that saw it, with
   * `nowMs`, default Date.now()); counted in `skipped`. Resyncs a bad index
   * (HEAD = TAIL, counted in `corrupted`). Returns the positions skipped (0 or 1).
   * Throws QueueUsageError unless olderThanMs >= 0 and nowMs is finite.
   */
  recover(olderThanMs: number, nowMs: number = Date.now()): number {
    if (typeof olderThanMs !== NUMBER || !(olderThanMs >= 0) || typeof nowMs !== NUMBER || nowMs - nowMs !== 0)
      this.badTimes(olderThanMs, nowMs);
    const at = this.at;
    const i32 = this.i32;
    const h = at.load(i32, W_HEAD);
    const d = (at.load(i32, W_TAIL) - h) | 0;
    if (d >>> 0 > this.capacity) {
      this.resync();
      return 0;
    }
    const w = REC0 + (h & this.mask) * REC_WORDS;
    const next = (h + 1) | 0;
    const seq = d === 0 ? next : at.load(i32, w);
    if (seq === next) {
      this.holeSeen = false; // empty, or published: get() takes it
      return 0;
    }
    if (!this.holeSeen || this.holeAt !== h) {
      this.holeSeen = true;
      this.holeAt = h;
      this.holeSince = nowMs;
      return 0;
    }
    if (nowMs - this.holeSince < olderThanMs) return 0;
    // Mark the position done unless its producer published this instant (then get() takes it).
    if (at.compareExchange(i32, w, seq, next) !== seq) return 0;
    at.store(i32, W_HEAD, next);
    this.holeSeen = false;
    this.skipped++;
    return 1;
  }

  /**
   * Consumer on a blocking Worker only (`mayBlock: true`): returns true at
   * once if an event is ready for get(), else blocks (Atomics.wait) until a
   * producer publishes one or `timeoutMs` (>= 0; Infinity waits for good)
   * have passed: false only then. A wake-up with nothing published waits
   * again for the time left (Date.now()); the loop ends at the deadline.
   * Throws QueueBlockingError on a handle that may not block (the main VM
   * must poll get() instead), QueueUsageError for a bad timeout.
   */
  waitForEvent(timeoutMs: number): boolean {
    if (!this.mayBlock)
      throw new QueueBlockingError(
        'MAY_NOT_BLOCK',
        DEBUG
          ? `SharedEventQueue '${this.name}': waitForEvent on a handle opened without \`mayBlock: true\`; ` +
              'only a Worker may block (never the main VM): poll get() there, or attach with mayBlock in a Worker [MAY_NOT_BLOCK]'
          : `SharedEventQueue '${this.name}' [MAY_NOT_BLOCK]`,
      );
    if (typeof timeoutMs !== NUMBER || !(timeoutMs >= 0))
      throw new QueueUsageError(
        'BAD_TIMEOUT',
        DEBUG
          ? `SharedEventQueue '${this.name}': waitForEvent(${showValue(timeoutMs)}): the timeout must be a number of ms >= 0 (Infinity waits for good) [BAD_TIMEOUT]`
          : `SharedEventQueue '${this.name}' [BAD_TIMEOUT]`,
      );
    if (this.laneCount > 0) return true;
    const at = this.at;
    const i32 = this.i32;
    let w = 0;
    let next = 0;
    let deadline = 0;
    let left = timeoutMs;
    for (let pass = 0; ; pass++) {
      // Bound: the deadline; each pass returns or waits for up to the time left.
      const h = at.load(i32, W_HEAD);
      w = REC0 + (h & this.mask) * REC_WORDS;
      next = (h + 1) | 0;
      if (at.load(i32, w) === next) return true;
      if (pass === 0) deadline = Date.now() + timeoutMs;
      else {
        left = deadline - Date.now();
        if (!(left > 0)) return false;
      }
      at.store(i32, W_WAITING, 1);
      const seq = at.load(i32, w); // re-check after announcing: a producer that published before it saw WAITING=0
      if (seq !== next) at.wait!(i32, w, seq, left);
      at.store(i32, W_WAITING, 0);
      if (at.load(i32, w) === next) return true;
      if (timeoutMs === 0) return false;
    }
  }

  /** Claims a position while the ring holds fewer than `limit` records, writes and publishes the record. */
  private put(limit: number, why: number, sig: number, p0: number, p1: number, p2: number, p3: number): boolean {
    const at = this.at;
    const i32 = this.i32;
    let t = at.load(i32, W_TAIL);
    let d = (t - at.load(i32, W_HEAD)) | 0; // records in the ring: 0..capacity unless corrupt
    if (this.multi) {
      // Bound: MAX_CLAIM_TRIES passes; a lost compare-exchange means another producer claimed.
      for (let k = 1; ; k++) {
        if (d >>> 0 > this.capacity) {
          // HEAD is past the TAIL read (others claimed, the consumer took): read TAIL again; unchanged means corrupt.
          const o = at.load(i32, W_TAIL);
          if (o === t) return this.badIndex(NaN, d);
          t = o;
        } else {
          if (d + 1 + this.laneCount > limit) return this.refuse(why);
          const o = at.compareExchange(i32, W_TAIL, t, (t + 1) | 0);
          if (o === t) break;
          t = o;
        }
        if (k === MAX_CLAIM_TRIES) return this.refuse(CONTENDED);
        d = (t - at.load(i32, W_HEAD)) | 0;
      }
    } else {
      if (d >>> 0 > this.capacity) return this.badIndex(NaN, d);
      if (d + 1 + this.laneCount > limit) return this.refuse(why);
      at.store(i32, W_TAIL, (t + 1) | 0);
    }
    // Claimed: nothing below can throw (the event was checked), so the position is always published.
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
    this.raisePeak(d + 1 + this.laneCount);
    if (at.load(i32, W_WAITING) !== 0) at.notify(i32, w, 1);
    return true;
  }

  /** Raises PEAK to `n`; returns the PEAK it saw last (>= n unless MAX_PEAK_TRIES races were lost). */
  private raisePeak(n: number): number {
    const at = this.at;
    const i32 = this.i32;
    let m = at.load(i32, W_PEAK);
    if (n <= m) return m;
    // Bound: MAX_PEAK_TRIES (PEAK is bookkeeping: a lost race leaves it a little low).
    for (let k = 0; k < MAX_PEAK_TRIES; k++) {
      const o = at.compareExchange(i32, W_PEAK, m, n);
      if (o === m) return n;
      if (n <= o) return o;
      m = o;
    }
    return m;
  }

  /** postMany refused all `count` records (ring full, or contended): counted; throws under 'throw' when full. */
  private refuseMany(count: number, why: number): number {
    this.refused += count;
    this.at.add(this.i32, W_REFUSED, count);
    if (this.throws && why === RING_FULL) this.overflowError(false);
    return 0;
  }

  private refuse(why: number): boolean {
    this.refused++;
    this.at.add(this.i32, W_REFUSED, 1);
    if (this.throws && (why === RING_FULL || why === LANE_FULL))
      this.overflowError(why === LANE_FULL);
    return false;
  }

  private overflowError(lane: boolean): never {
    if (lane)
      throw new QueueOverflowError(
        'LANE_FULL',
        DEBUG
          ? `SharedEventQueue '${this.name}': the urgent lane is full (urgentCapacity ${this.urgentCapacity}); ` +
              "raise its `urgentCapacity` option, or choose `overflow: 'reject'` (postUrgent returns false) [LANE_FULL]"
          : `SharedEventQueue '${this.name}' [LANE_FULL]`,
      );
    throw new QueueOverflowError(
      'FULL',
      DEBUG
        ? `SharedEventQueue '${this.name}' is full (capacity ${this.capacity}); raise its \`capacity\` option, ` +
            "or choose `overflow: 'reject'` (post returns false and counts the refusal) [FULL]"
        : `SharedEventQueue '${this.name}' [FULL]`,
    );
  }

  /** Consumer: HEAD = TAIL (the records in between are lost), counted in `corrupted`. */
  private resync(): void {
    const at = this.at;
    at.store(this.i32, W_HEAD, at.load(this.i32, W_TAIL));
    this.holeSeen = false;
    this.corrupted++;
  }

  /** A take found a published record at `h` with a bad index or signal: discard or resync, count, throw. */
  private badTake(h: number, sig: number): never {
    const d = (this.at.load(this.i32, W_TAIL) - h) | 0;
    if (((d - 1) >>> 0) >= this.capacity) return this.badIndex(h, d);
    this.at.store(this.i32, W_HEAD, (h + 1) | 0);
    this.corrupted++;
    throw new QueueCorruptionError(
      'BAD_SIGNAL',
      DEBUG
        ? `SharedEventQueue '${this.name}': the record at position ${h >>> 0} has signal ${sig}, outside 0..${MAX_SIGNAL}; ` +
            'something other than a producer wrote into the queue\'s buffer. The record was discarded (counted in `corrupted`); ' +
            'get() goes on with the next one. Find what writes the buffer [BAD_SIGNAL]'
        : `SharedEventQueue '${this.name}' [BAD_SIGNAL]`,
    );
  }

  /**
   * TAIL - HEAD (d) is outside its range. Consumer (h is HEAD): resync, count,
   * throw. Producer (h is NaN): count the refusal, post nothing, throw.
   */
  private badIndex(h: number, d: number, records = 1): never {
    const who = `SharedEventQueue '${this.name}'`;
    const what = DEBUG
      ? `TAIL - HEAD is ${d}, outside 0..${this.capacity}; something other than this queue's producers and its one consumer wrote HEAD or TAIL`
      : '';
    if (h !== h) {
      this.refused += records;
      this.corrupted++;
      this.at.add(this.i32, W_REFUSED, records);
      throw new QueueCorruptionError(
        'BAD_INDEX_ON_POST',
        DEBUG
          ? `${who}: post refused: ${what} (or two handles post to a 'single'-producer queue). Nothing was posted ` +
              "(counted in `refused` and `corrupted`); the consumer's next get(), clear() or recover() resyncs HEAD to TAIL [BAD_INDEX_ON_POST]"
          : `${who} [BAD_INDEX_ON_POST]`,
      );
    }
    this.resync();
    throw new QueueCorruptionError(
      'BAD_INDEX',
      DEBUG
        ? `${who}: ${what} (or two handles consume). HEAD was moved to TAIL: the records in between are lost ` +
            '(counted in `corrupted`); the queue works again. Keep one consumer handle and find what writes the buffer [BAD_INDEX]'
        : `${who} [BAD_INDEX]`,
    );
  }

  /** postMany()/drainTo() got arguments outside their contract. */
  private batchError(method: string, a: unknown, count: unknown, first: unknown): never {
    const what =
      a instanceof Int32Array || a instanceof Float64Array
        ? `${a instanceof Int32Array ? 'an Int32Array' : 'a Float64Array'} of length ${a.length}`
        : showValue(a);
    throw new QueueUsageError(
      'BAD_BATCH',
      DEBUG
        ? `SharedEventQueue '${this.name}': ${method}(${what}, ${showValue(count)}, ${showValue(first)}): pass an Int32Array or Float64Array ` +
            `of packed records [sig, p0, p1, p2, p3] (${RECORD_WIDTH} numbers each), a record count and a first record that are integers >= 0, ` +
            `with (first + count) * ${RECORD_WIDTH} <= its length [BAD_BATCH]`
        : `SharedEventQueue '${this.name}' [BAD_BATCH]`,
    );
  }

  /** postMany(): record `record` of the source has a bad signal; nothing was posted. */
  private batchSignalError(record: number, sig: number): never {
    throw new QueueEventError(
      'BAD_SIGNAL',
      DEBUG
        ? `SharedEventQueue '${this.name}': postMany record ${record} has signal ${showValue(sig)}, not an integer 0..${MAX_SIGNAL}; ` +
            'nothing was posted (no record of the batch) [BAD_SIGNAL]'
        : `SharedEventQueue '${this.name}' [BAD_SIGNAL]`,
    );
  }

  private badTimes(olderThanMs: unknown, nowMs: unknown): never {
    throw new QueueUsageError(
      'BAD_RECOVER_TIMES',
      DEBUG
        ? `SharedEventQueue '${this.name}': recover(${showValue(olderThanMs)}, ${showValue(nowMs)}): olderThanMs must be a number >= 0 ` +
            'and nowMs a finite number of ms (default Date.now()) [BAD_RECOVER_TIMES]'
        : `SharedEventQueue '${this.name}' [BAD_RECOVER_TIMES]`,
    );
  }
}
