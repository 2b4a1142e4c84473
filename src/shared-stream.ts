/**
 * shared-stream: SharedStream, a bounded single-producer / single-consumer
 * stream of scalars (u8, i16, i32, f32, f64) whose ring, indices, close flag
 * and counters all live in ONE (Shared)ArrayBuffer, so the producer and the
 * consumer may run in different contexts: another Worker, another core, or
 * the same VM. It is the cross-worker counterpart of `Stream`
 * (src/stream.ts), which is single-context. Create it on one side
 * (`new SharedStream(...)`), pass `.buffer` to the other side, which calls
 * `SharedStream.attach(buffer)`.
 *
 * Layout (version 1, all relative to `byteOffset`, a multiple of 8; the full
 * table is in docs/stream.md, "SharedStream"; its one declaration is
 * `SHARED_STREAM_LAYOUT` in src/internal/layout.ts, re-exported here):
 *   bytes 0..63    creator words: MAGIC 'KEES', VERSION 1, HEADER_BYTES 256,
 *                  TYPE code (1 u8, 2 i16, 3 i32, 4 f32, 5 f64), ELEMENT_BYTES, CAPACITY
 *   bytes 64..127  consumer's line: HEAD, READER_WAITING, WSIGNAL, TAKEN (f64 at byte 80)
 *   bytes 128..255 producer's line: TAIL, WRITER_WAITING, CLOSED, RSIGNAL,
 *                  WRITTEN, REFUSED, REFUSED_CLOSED (f64s at bytes 144, 152, 160)
 *   bytes 256..    the ring: CAPACITY elements of the type (8-byte aligned)
 *   SharedStream.byteLength(type, capacity) = 256 + capacity * size, rounded up to 8.
 *
 * Memory ordering (every Atomics operation is sequentially consistent):
 *   producer: plain stores of the items into the ring, WRITTEN += n, then
 *             Atomics.store(TAIL, t + n)                        (release)
 *   consumer: Atomics.load(TAIL) (acquire), plain loads of the items,
 *             TAKEN += n, then Atomics.store(HEAD, h + n)       (release)
 *   producer: Atomics.load(HEAD) before reusing a slot           (acquire)
 *   close():  Atomics.store(CLOSED, 1) after the last TAIL store; `done`
 *             loads CLOSED before TAIL, so closed-and-empty is final.
 * Each side reads the words it alone writes (HEAD / TAIL, CLOSED) with plain
 * loads. HEAD and TAIL are free-running 32-bit counters compared by
 * subtraction, so they survive wrap-around (option `initialIndex` for tests).
 *
 * Blocking (only handles opened with `mayBlock: true`, i.e. a Worker that may
 * block; never the main VM, which polls next()/read()): waitReadable stores
 * READER_WAITING = 1, reads RSIGNAL, re-checks TAIL and CLOSED, and only then
 * Atomics.wait(RSIGNAL, seen, time left). A producer that moved TAIL or set
 * CLOSED loads READER_WAITING afterwards and, if set, Atomics.add(RSIGNAL, 1)
 * and notifies it: either the consumer sees the new TAIL, or the producer sees
 * the flag and bumps RSIGNAL (then the wait returns at once or is woken). A
 * wake-up that finds nothing readable waits again for the time left
 * (Date.now()): waitReadable returns false only once its timeout has passed.
 * The producer's waitWritable mirrors it on WRITER_WAITING / WSIGNAL / HEAD.
 *
 * "No item" (no allocation, no exception): next() returns false (any f64 bit
 * pattern, NaN included, is an item, so there is no in-band sentinel); read()
 * returns 0; `done` is true once closed and drained. writeOne returns false and
 * write returns fewer items when full (counted in `refused`) or closed
 * (counted in `refusedClosed`).
 *
 * Trust boundary. The header is untrusted memory (another worker may write
 * anything into it). Every writeOne/write/next/read checks
 * 0 <= TAIL - HEAD <= capacity before it moves an index, so a call never
 * copies more than capacity items, never reads or writes outside the ring,
 * never moves HEAD or TAIL backwards, and a `while (next())` drain ends. A
 * violation throws StreamCorruptionError, counted in the handle's
 * `corrupted`: the consumer first moves HEAD to TAIL (the items in between
 * are lost, the stream works again); the producer writes nothing (the
 * consumer's next call resyncs). length and free are clamped to 0..capacity.
 * Items themselves cannot be checked (every bit pattern is an item).
 * Every loop has a bound: copies n <= capacity items, a length snapshot
 * SNAPSHOT_TRIES reads, a wait its deadline.
 *
 * Allocation: writeOne, next, write, read, close, done, the counters and a
 * waitReadable/waitWritable that finds the stream ready allocate 0 slots and
 * 0 chunk bytes on XS, the first call after construction included, over
 * Atomics on a SharedArrayBuffer and over singleCoreAtomics on an ArrayBuffer
 * (test/stream/shared-stream.test.ts, XS host, DEBUG checks on, with positive
 * controls). The constructor and attach() allocate their views; misuse and
 * corruption errors allocate their message.
 *
 * Contexts. Exactly one producer context and one consumer context at a time;
 * any number of other handles may read the counters.
 *   method                          IO callback  other worker/core      re-entrant during dispatch
 *   writeOne, write, close          yes          yes (the producer)     yes
 *   next, read, value               yes          yes (the consumer)     yes
 *   waitWritable(ms)                a producer opened with mayBlock only (a Worker)
 *   waitReadable(ms)                a consumer opened with mayBlock only (a Worker)
 *   length, free, done, closed      anyone (atomic loads; a consistent snapshot, in range)
 *   written, refused, refusedClosed exact on the producer's handle; elsewhere
 *   taken                           exact on the consumer's handle; elsewhere
 *                                   exact once the owner is quiet (plain f64 reads)
 *   corrupted                       this handle's own count (not shared)
 * There are no readiness posts to a Postable (a Postable belongs to one VM):
 * across workers, block with waitReadable/waitWritable, or poll; to wake an
 * active object on another VM, also post to a SharedEventQueue (src/shared-queue.ts).
 *
 * No Atomics (Moddable on RP2040 today): pass `atomics: singleCoreAtomics`
 * (from src/shared-queue.ts) and a plain ArrayBuffer: correct on one core
 * where JS never preempts JS; it cannot block (mayBlock is refused).
 *
 *   Lifecycle of a ring slot (position p, slot p & (CAPACITY - 1)):
 *     FREE --writeOne()/write(): check index; store items; store TAIL = p + 1--> QUEUED
 *      ^                                                                           |
 *      +------ next()/read(): check index; load items; store HEAD = p + 1 ---------+
 *      +------ next()/read() on a bad index: store HEAD = TAIL (corrupted), throw -+
 *   Lifecycle of the stream:
 *     OPEN --close()--> CLOSED (writes refused, counted) --last next()/read()--> done
 *
 * Counters (doubles in the header, wrap only past 2^53; refused = offered
 * and not taken): written, taken,
 * refused (items refused because the ring was full), refusedClosed (items
 * offered after close). Identity once both sides are quiet and nothing
 * corrupted the buffer: written === taken + length.
 *
 * Limits: capacity a power of two 1..65536 (MAX_STREAM_CAPACITY); one
 * producer and one consumer; signals are not carried (see SharedEventQueue).
 *
 * Measured cost: docs/stream.md, "SharedStream" / "Cost"
 * (`node scripts/bench.mjs shared-stream`).
 *
 * Errors carry a code (docs/errors.md, "shared-stream"; StreamConfigError and
 * StreamUsageError are Stream's classes, "stream"). attach() checks the header
 * and hands the handle to the constructor through the private static
 * #attached(), so `new SharedStream(options)` always formats.
 */
import { KeelError } from './errors.js';
import type { NumberSink, NumberSource, StreamArrayOf, StreamType } from './stream.js';
import { ATTACHED, type Attached, checkCapacity, checkInitialIndex, defaultAtomics, isAttached, isShared, show } from './internal/checks.js';
import {
  ELEMENT_ARRAYS,
  SHARED_STREAM_LAYOUT,
  STREAM_TYPES,
  STREAM_TYPE_SIZES,
  indexDistance,
  streamBytes,
} from './internal/layout.js';
import type { AtomicsLike } from './internal/layout.js';
import { MAX_STREAM_CAPACITY, StreamConfigError, StreamUsageError, streamTypeIndex } from './internal/stream-core.js';

export { SHARED_STREAM_LAYOUT } from './internal/layout.js';

/** The codes of SharedStreamLayoutError (docs/errors.md, "shared-stream"). */
export type SharedStreamLayoutErrorCode =
  | 'NOT_A_BUFFER'
  | 'BAD_BYTE_OFFSET'
  | 'TOO_SHORT'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'BAD_HEADER_SIZE'
  | 'BAD_TYPE'
  | 'BAD_ELEMENT_SIZE'
  | 'TYPE_MISMATCH'
  | 'BAD_CAPACITY'
  | 'BAD_INDEX';
/** The code of SharedStreamBlockingError. */
export type SharedStreamBlockingErrorCode = 'MAY_NOT_BLOCK';
/** The codes of StreamCorruptionError. */
export type StreamCorruptionErrorCode = 'BAD_INDEX' | 'BAD_INDEX_ON_WRITE';

/** The buffer given to attach() is not a SharedStream of this layout/version/type. */
export class SharedStreamLayoutError extends KeelError {
  override name = 'SharedStreamLayoutError';
  declare readonly code: SharedStreamLayoutErrorCode;
}
/** waitReadable()/waitWritable() on a handle that was not opened with `mayBlock: true`. */
export class SharedStreamBlockingError extends KeelError {
  override name = 'SharedStreamBlockingError';
  declare readonly code: SharedStreamBlockingErrorCode;
}
/**
 * TAIL - HEAD in the shared header is outside 0..capacity: something other
 * than the one producer and the one consumer wrote the stream's buffer.
 * Thrown by the consumer after it moved HEAD to TAIL (the stream works
 * again), by the producer with nothing written; counted in `corrupted`.
 */
export class StreamCorruptionError extends KeelError {
  override name = 'StreamCorruptionError';
  declare readonly code: StreamCorruptionErrorCode;
}

// The layout's words, read from its one declaration (src/internal/layout.ts).
const L = SHARED_STREAM_LAYOUT;
const HEADER_BYTES = L.HEADER_BYTES;
const W_HEAD = L.W_HEAD;
const W_READER_WAITING = L.W_READER_WAITING;
const W_WSIGNAL = L.W_WSIGNAL;
const F_TAKEN = L.F_TAKEN;
const W_TAIL = L.W_TAIL;
const W_WRITER_WAITING = L.W_WRITER_WAITING;
const W_CLOSED = L.W_CLOSED;
const W_RSIGNAL = L.W_RSIGNAL;
const F_WRITTEN = L.F_WRITTEN;
const F_REFUSED = L.F_REFUSED;
const F_REFUSED_CLOSED = L.F_REFUSED_CLOSED;

// Module-level constant (a string literal evaluated on a hot path allocates on the XS host).
const NUMBER = 'number';

/** Options of `new SharedStream(...)`. */
export interface SharedStreamOptions<T extends StreamType> {
  /** Element type, resolved once at construction. */
  type: T;
  /** Elements the ring holds: a power of two 1..MAX_STREAM_CAPACITY. */
  capacity: number;
  /** Used in error messages. Default 'SharedStream'. */
  name?: string;
  /** Memory to format; default a new SharedArrayBuffer of SharedStream.byteLength(type, capacity). */
  buffer?: SharedArrayBuffer | ArrayBuffer;
  /** Start of the stream in `buffer`, a multiple of 8. Default 0. */
  byteOffset?: number;
  /** Default the global Atomics; `singleCoreAtomics` where there is none (with a plain ArrayBuffer). */
  atomics?: AtomicsLike;
  /** True only on a thread that may block (a Node or Moddable Worker): enables waitReadable/waitWritable. */
  mayBlock?: boolean;
  /** For tests: the start of the 32-bit HEAD/TAIL counters (e.g. 0x7ffffff0 to cross the wrap). Default 0. */
  initialIndex?: number;
}

/** Options of `SharedStream.attach(buffer, ...)`. */
export interface SharedStreamAttachOptions<T extends StreamType> {
  /** Where the creator placed the stream in `buffer`. Default 0. */
  byteOffset?: number;
  /** Used in error messages. Default 'SharedStream'. */
  name?: string;
  /** The element type this side expects; attach throws SharedStreamLayoutError if the header says another. */
  type?: T;
  atomics?: AtomicsLike;
  mayBlock?: boolean;
}

/**
 * A bounded SPSC stream of scalars in shared memory. See the module header.
 *
 *     const s = new SharedStream({ type: 'f64', capacity: 1024 });
 *     worker.postMessage(s.buffer);                 // worker: SharedStream.attach(buffer, { type: 'f64' })
 *     s.writeOne(1.5);                              // producer
 *     while (c.next()) use(c.value);                // consumer handle c
 */
export class SharedStream<T extends StreamType = StreamType> {
  /** Bytes a buffer needs (from byteOffset) for `capacity` elements of `type`; a multiple of 8. */
  static byteLength(type: StreamType, capacity: number): number {
    const who = 'SharedStream.byteLength';
    return streamBytes(streamTypeIndex(who, type) + 1, checkCapacity(who, capacity, StreamConfigError, true));
  }

  /**
   * A handle on a stream another context created in `buffer` at `byteOffset`.
   * Validates the header (magic, version, header size, type code and element
   * size, the `type` option if given, capacity, the buffer's length and the
   * indices); throws SharedStreamLayoutError on any mismatch.
   */
  static attach<U extends StreamType = StreamType>(
    buffer: SharedArrayBuffer | ArrayBuffer,
    options: SharedStreamAttachOptions<U> = {},
  ): SharedStream<U> {
    const name = typeof options.name === 'string' ? options.name : 'SharedStream';
    const who = `SharedStream '${name}'`;
    const fail = SharedStream.#layoutError;
    if (!(buffer instanceof ArrayBuffer) && !isShared(buffer))
      fail(who, 'NOT_A_BUFFER', DEBUG ? `${show(buffer)} is not an ArrayBuffer or SharedArrayBuffer` : '');
    const at = options.byteOffset ?? 0;
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || (at & 7) !== 0)
      fail(who, 'BAD_BYTE_OFFSET', DEBUG ? `byteOffset ${show(at)} is not a non-negative multiple of 8` : '');
    if (buffer.byteLength < at + HEADER_BYTES)
      fail(who, 'TOO_SHORT', DEBUG ? `buffer is ${buffer.byteLength} bytes, too short for the ${HEADER_BYTES}-byte header at byteOffset ${at}` : '');
    const h = new Int32Array(buffer, at, HEADER_BYTES >> 2);
    const magic = h[L.W_MAGIC]!;
    if (magic !== L.MAGIC)
      fail(who, 'BAD_MAGIC', DEBUG ? `bad magic 0x${(magic >>> 0).toString(16)} at byteOffset ${at} (expected 0x${L.MAGIC.toString(16)})` : '');
    if (h[L.W_VERSION] !== L.VERSION) fail(who, 'BAD_VERSION', DEBUG ? `layout version ${h[L.W_VERSION]} (this code reads version ${L.VERSION})` : '');
    if (h[L.W_HEADER_BYTES] !== HEADER_BYTES)
      fail(who, 'BAD_HEADER_SIZE', DEBUG ? `header size ${h[L.W_HEADER_BYTES]} bytes (expected ${HEADER_BYTES})` : '');
    const code = h[L.W_TYPE]!;
    if (!(code >= 1 && code <= STREAM_TYPES.length))
      fail(who, 'BAD_TYPE', DEBUG ? `element type code ${code} (expected 1..${STREAM_TYPES.length}: ${STREAM_TYPES.join(', ')})` : '');
    const type = STREAM_TYPES[code - 1]! as U;
    const size = STREAM_TYPE_SIZES[code - 1]!;
    if (h[L.W_ELEMENT_BYTES] !== size)
      fail(who, 'BAD_ELEMENT_SIZE', DEBUG ? `element size ${h[L.W_ELEMENT_BYTES]} bytes for type '${type}' (expected ${size})` : '');
    if (options.type !== undefined && options.type !== type)
      fail(who, 'TYPE_MISMATCH', DEBUG ? `the stream holds '${type}' elements, this side expects '${String(options.type)}'` : '');
    const capacity = h[L.W_CAPACITY]!;
    if (!(capacity >= 1 && capacity <= MAX_STREAM_CAPACITY) || (capacity & (capacity - 1)) !== 0)
      fail(who, 'BAD_CAPACITY', DEBUG ? `capacity ${capacity} (expected a power of two 1..${MAX_STREAM_CAPACITY})` : '');
    const need = at + streamBytes(code, capacity);
    if (buffer.byteLength < need) fail(who, 'TOO_SHORT', DEBUG ? `buffer is ${buffer.byteLength} bytes, the header at byteOffset ${at} needs ${need}` : '');
    const A = options.atomics ?? defaultAtomics(who, StreamConfigError, 'Stream within one VM');
    const len = indexDistance(A, h, W_TAIL, W_HEAD);
    if (len < 0 || len > capacity) fail(who, 'BAD_INDEX', DEBUG ? `TAIL - HEAD is ${len}, outside 0..${capacity} (a corrupt or foreign header)` : '');
    return SharedStream.#attached<U>({ type, capacity, name, buffer, byteOffset: at, atomics: A, mayBlock: options.mayBlock });
  }

  /** The handle attach() returns, on a header it checked: the constructor does not format it. */
  static #attached<U extends StreamType>(options: SharedStreamOptions<U>): SharedStream<U> {
    const marked: Attached<SharedStreamOptions<U>> = { ...options, [ATTACHED]: true };
    return new SharedStream<U>(marked);
  }

  static #layoutError(who: string, code: SharedStreamLayoutErrorCode, what: string): never {
    throw new SharedStreamLayoutError(
      code,
      DEBUG
        ? `${who}: cannot attach: ${what}; attach only a buffer (and byteOffset) made by new SharedStream() of layout version ${L.VERSION} [${code}]`
        : `${who} [${code}]`,
    );
  }

  /** Used in error messages. */
  readonly name: string;
  /** The element type. */
  readonly type: T;
  /** Elements the ring holds. */
  readonly capacity: number;
  /** The memory to pass to the other side's attach(). */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** Where the stream starts in `buffer`. */
  readonly byteOffset: number;
  /** Whether waitReadable/waitWritable are allowed on this handle. */
  readonly mayBlock: boolean;
  /** The ring's storage (a view on `buffer`). Read it only through next/read. */
  readonly data: StreamArrayOf[T];
  /** The item the last next() that returned true took (this handle). */
  value = 0;
  /** Corruption this handle detected (TAIL - HEAD outside 0..capacity): resyncs by the consumer, refusals by the producer. */
  corrupted = 0;

  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly ring: NumberSink;
  private readonly at: AtomicsLike;
  private readonly mask: number;

  /** Creates and formats a stream (in `options.buffer` at `byteOffset`, or in a new SharedArrayBuffer). */
  constructor(options: SharedStreamOptions<T>) {
    const o = options;
    const name = typeof o?.name === 'string' ? o.name : 'SharedStream';
    const who = `SharedStream '${name}'`;
    if (o === null || typeof o !== 'object')
      throw new StreamConfigError('NO_OPTIONS', DEBUG ? `${who}: options must be an object with type and capacity [NO_OPTIONS]` : `${who} [NO_OPTIONS]`);
    const code = streamTypeIndex(who, o.type) + 1;
    const cap = checkCapacity(who, o.capacity, StreamConfigError, true);
    this.name = name;
    this.type = o.type;
    this.capacity = cap;
    this.mask = cap - 1;
    this.at = o.atomics ?? defaultAtomics(who, StreamConfigError, 'Stream within one VM');
    const bytes = streamBytes(code, cap);
    const at = o.byteOffset ?? 0;
    let buffer = o.buffer;
    if (buffer === undefined) {
      if (at !== 0)
        throw new StreamConfigError(
          'OFFSET_WITHOUT_BUFFER',
          DEBUG
            ? `${who}: byteOffset ${show(at)} given without a buffer; pass buffer too, or drop byteOffset [OFFSET_WITHOUT_BUFFER]`
            : `${who} [OFFSET_WITHOUT_BUFFER]`,
        );
      if (typeof SharedArrayBuffer === 'undefined')
        throw new StreamConfigError(
          'NO_SHARED_ARRAY_BUFFER',
          DEBUG
            ? `${who}: this host has no SharedArrayBuffer; pass \`buffer: new ArrayBuffer(SharedStream.byteLength('${o.type}', ${cap}))\` and \`atomics: singleCoreAtomics\` [NO_SHARED_ARRAY_BUFFER]`
            : `${who} [NO_SHARED_ARRAY_BUFFER]`,
        );
      buffer = new SharedArrayBuffer(bytes);
    } else {
      if (!(buffer instanceof ArrayBuffer) && !isShared(buffer))
        throw new StreamConfigError(
          'BAD_BUFFER',
          DEBUG ? `${who}: buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${show(buffer)} [BAD_BUFFER]` : `${who} [BAD_BUFFER]`,
        );
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || (at & 7) !== 0)
        throw new StreamConfigError(
          'BAD_BYTE_OFFSET',
          DEBUG
            ? `${who}: byteOffset must be a non-negative multiple of 8 (got ${show(at)}); align the stream in the buffer [BAD_BYTE_OFFSET]`
            : `${who} [BAD_BYTE_OFFSET]`,
        );
      if (at + bytes > buffer.byteLength)
        throw new StreamConfigError(
          'BUFFER_TOO_SMALL',
          DEBUG
            ? `${who}: buffer too small: ${cap} '${o.type}' elements at byteOffset ${at} need ${at + bytes} bytes ` +
                `(SharedStream.byteLength = ${bytes}), the buffer has ${buffer.byteLength}; pass a larger buffer or a lower capacity [BUFFER_TOO_SMALL]`
            : `${who} [BUFFER_TOO_SMALL]`,
        );
    }
    this.buffer = buffer;
    this.byteOffset = at;
    this.mayBlock = o.mayBlock === true;
    if (this.mayBlock && (!isShared(buffer) || typeof this.at.wait !== 'function'))
      throw new StreamConfigError(
        'CANNOT_BLOCK',
        DEBUG
          ? `${who}: mayBlock needs a SharedArrayBuffer and an atomics with wait() (singleCoreAtomics cannot block); leave mayBlock off and poll next()/read() [CANNOT_BLOCK]`
          : `${who} [CANNOT_BLOCK]`,
      );
    this.i32 = new Int32Array(buffer as ArrayBuffer, at, HEADER_BYTES >> 2);
    this.f64 = new Float64Array(buffer as ArrayBuffer, at, HEADER_BYTES >> 3);
    const data = new ELEMENT_ARRAYS[code - 1]!(buffer as ArrayBuffer, at + HEADER_BYTES, cap);
    this.data = data as StreamArrayOf[T];
    this.ring = data;
    if (!isAttached(o)) {
      const s = checkInitialIndex(who, o.initialIndex, StreamConfigError);
      const h = this.i32;
      const A = this.at;
      A.store(h, L.W_MAGIC, 0); // unformatted while we write: a concurrent attach sees a bad magic
      h.fill(0, L.W_MAGIC + 1);
      h[L.W_HEADER_BYTES] = HEADER_BYTES;
      h[L.W_TYPE] = code;
      h[L.W_ELEMENT_BYTES] = STREAM_TYPE_SIZES[code - 1]!;
      h[L.W_CAPACITY] = cap;
      A.store(h, W_HEAD, s);
      A.store(h, W_TAIL, s);
      A.store(h, L.W_VERSION, L.VERSION);
      A.store(h, L.W_MAGIC, L.MAGIC); // last: a complete header, or a bad magic
    }
  }

  /** Items queued now: 0..capacity, from any context (a consistent snapshot of TAIL and HEAD, clamped). */
  get length(): number {
    const d = indexDistance(this.at, this.i32, W_TAIL, W_HEAD);
    const cap = this.capacity;
    return d < 0 ? 0 : d > cap ? cap : d;
  }
  /** Items that can be written now: capacity - length, 0..capacity. */
  get free(): number {
    return this.capacity - this.length;
  }
  /** close() was called. */
  get closed(): boolean {
    return this.at.load(this.i32, W_CLOSED) !== 0;
  }
  /** Closed and drained: the consumer will get nothing more. */
  get done(): boolean {
    const A = this.at;
    const i32 = this.i32;
    if (A.load(i32, W_CLOSED) === 0) return false; // CLOSED first: every TAIL store before close() is visible after it
    return A.load(i32, W_TAIL) === A.load(i32, W_HEAD);
  }
  /** Items accepted (producer-owned; exact on any handle once the producer is quiet). */
  get written(): number {
    return this.f64[F_WRITTEN]!;
  }
  /** Items consumed by next/read (consumer-owned). */
  get taken(): number {
    return this.f64[F_TAKEN]!;
  }
  /** Items refused because the ring was full (producer-owned). */
  get refused(): number {
    return this.f64[F_REFUSED]!;
  }
  /** Items offered after close() (producer-owned). */
  get refusedClosed(): number {
    return this.f64[F_REFUSED_CLOSED]!;
  }

  /**
   * Producer: writes one item. False when full (refused++) or closed
   * (refusedClosed++). StreamCorruptionError if TAIL - HEAD is outside
   * 0..capacity (nothing written).
   */
  writeOne(v: number): boolean {
    if (DEBUG) {
      if (typeof v !== NUMBER) this.badValue(v);
    }
    // (this.f64 and this.at are read where used: on XS a local costs more steps than the one or three reads it saves.)
    const i32 = this.i32;
    if (i32[W_CLOSED] !== 0) {
      this.f64[F_REFUSED_CLOSED]++;
      return false;
    }
    const t = i32[W_TAIL]!; // the producer's own word
    const d = (t - this.at.load(i32, W_HEAD)) >>> 0; // items queued, unsigned
    if (d >= this.capacity) {
      if (d !== this.capacity) return this.badIndex(false, d | 0); // outside 0..capacity: corrupt
      this.f64[F_REFUSED]++;
      return false;
    }
    this.ring[t & this.mask] = v;
    this.f64[F_WRITTEN]++;
    this.at.store(i32, W_TAIL, (t + 1) | 0); // release: publishes the item
    if (this.at.load(i32, W_READER_WAITING) !== 0) this.wake(W_RSIGNAL);
    return true;
  }

  /**
   * Consumer: takes one item into `value` and returns true; false when
   * nothing is queued (see `done`). StreamCorruptionError if TAIL - HEAD is
   * outside 0..capacity (after moving HEAD to TAIL).
   */
  next(): boolean {
    const i32 = this.i32;
    const h = i32[W_HEAD]!; // the consumer's own word
    const t = this.at.load(i32, W_TAIL); // acquire
    if (t === h) return false;
    if ((t - h) >>> 0 > this.capacity) return this.badIndex(true, (t - h) | 0); // outside 1..capacity: resync, throw
    this.value = this.ring[h & this.mask]!;
    this.f64[F_TAKEN]++;
    this.at.store(i32, W_HEAD, (h + 1) | 0); // release: the slot is free for the producer
    if (this.at.load(i32, W_WRITER_WAITING) !== 0) this.wake(W_WSIGNAL);
    return true;
  }

  /**
   * Producer: copies up to `count` items from src[offset ..] into the ring;
   * returns how many it took, 0..capacity (the rest are counted in
   * `refused`). Closed: returns 0, refusedClosed += count.
   * StreamCorruptionError as writeOne.
   */
  write(src: NumberSource, offset: number, count: number): number {
    if (!(offset >= 0 && count >= 0 && offset + count <= src.length) || (offset | 0) !== offset || (count | 0) !== count)
      this.badRange(false, src, offset, count);
    const i32 = this.i32;
    const f = this.f64;
    if (i32[W_CLOSED] !== 0) {
      f[F_REFUSED_CLOSED] += count;
      return 0;
    }
    const A = this.at;
    const t = i32[W_TAIL]!;
    const cap = this.capacity;
    const len = (t - A.load(i32, W_HEAD)) | 0;
    if (len >>> 0 > cap) return this.badIndex(false, len);
    const space = cap - len;
    const n = count < space ? count : space;
    if (n < count) {
      f[F_REFUSED] += count - n;
      if (n === 0) return 0;
    } else if (n === 0) return 0; // a zero-item write is no data: no store, no wake
    const d = this.ring;
    const at = t & this.mask;
    const first = cap - at < n ? cap - at : n;
    // Bound: n <= capacity items (checked above), in at most two runs.
    for (let i = 0; i < first; i++) d[at + i] = src[offset + i]!;
    for (let i = first; i < n; i++) d[i - first] = src[offset + i]!;
    f[F_WRITTEN] += n;
    A.store(i32, W_TAIL, (t + n) | 0);
    if (A.load(i32, W_READER_WAITING) !== 0) this.wake(W_RSIGNAL);
    return n;
  }

  /**
   * Consumer: copies up to `max` items into dst[offset ..]; returns how many,
   * 0..min(max, capacity) (0 when empty; `done` tells closed).
   * StreamCorruptionError as next.
   */
  read(dst: NumberSink, offset: number, max: number): number {
    if (!(offset >= 0 && max >= 0 && offset + max <= dst.length) || (offset | 0) !== offset || (max | 0) !== max)
      this.badRange(true, dst, offset, max);
    const i32 = this.i32;
    const A = this.at;
    const h = i32[W_HEAD]!;
    const len = (A.load(i32, W_TAIL) - h) | 0;
    if (len >>> 0 > this.capacity) return this.badIndex(true, len);
    const n = max < len ? max : len;
    if (n === 0) return 0;
    const d = this.ring;
    const cap = this.capacity;
    const at = h & this.mask;
    const first = cap - at < n ? cap - at : n;
    // Bound: n <= min(max, TAIL - HEAD <= capacity) items, in at most two runs.
    for (let i = 0; i < first; i++) dst[offset + i] = d[at + i]!;
    for (let i = first; i < n; i++) dst[offset + i] = d[i - first]!;
    this.f64[F_TAKEN] += n;
    A.store(i32, W_HEAD, (h + n) | 0);
    if (A.load(i32, W_WRITER_WAITING) !== 0) this.wake(W_WSIGNAL);
    return n;
  }

  /** Producer: ends the stream; the consumer drains it, then `done`. Wakes a blocked consumer. False if closed already. */
  close(): boolean {
    const i32 = this.i32;
    const A = this.at;
    if (i32[W_CLOSED] !== 0) return false;
    A.store(i32, W_CLOSED, 1);
    if (A.load(i32, W_READER_WAITING) !== 0) this.wake(W_RSIGNAL);
    return true;
  }

  /**
   * Consumer on a blocking Worker (`mayBlock: true`): true at once if an item
   * is queued or the stream is closed (a read would not wait), else blocks
   * (Atomics.wait) until the producer writes or closes, or `timeoutMs` (>= 0;
   * Infinity waits for good) have passed: false only then. A wake-up that
   * finds nothing readable waits again for the time left (Date.now()); the
   * loop ends at the deadline. Throws SharedStreamBlockingError on a handle
   * that may not block, StreamUsageError for a bad timeout.
   */
  waitReadable(timeoutMs: number): boolean {
    if (!this.mayBlock) this.cannotBlock(true);
    if (typeof timeoutMs !== NUMBER || !(timeoutMs >= 0)) this.badTimeout(true, timeoutMs);
    if (this.readable()) return true;
    return this.block(true, W_READER_WAITING, W_RSIGNAL, timeoutMs);
  }

  /**
   * Producer on a blocking Worker (`mayBlock: true`): true at once if there is
   * space or the stream is closed (a write would not wait: closed refuses at
   * once), else blocks until the consumer takes items or `timeoutMs` have
   * passed: false only then (the same loop as waitReadable).
   */
  waitWritable(timeoutMs: number): boolean {
    if (!this.mayBlock) this.cannotBlock(false);
    if (typeof timeoutMs !== NUMBER || !(timeoutMs >= 0)) this.badTimeout(false, timeoutMs);
    if (this.writable()) return true;
    return this.block(false, W_WRITER_WAITING, W_WSIGNAL, timeoutMs);
  }

  /**
   * The blocking part of the waits: announce (flag = 1), read the signal
   * word, re-check, wait on it for the time left; repeat until ready or the
   * deadline. Bound: the deadline (each pass returns or waits).
   */
  private block(reader: boolean, flag: number, signal: number, timeoutMs: number): boolean {
    const i32 = this.i32;
    const A = this.at;
    const deadline = Date.now() + timeoutMs;
    let left = timeoutMs;
    for (;;) {
      A.store(i32, flag, 1);
      const seen = A.load(i32, signal);
      if (!(reader ? this.readable() : this.writable())) A.wait!(i32, signal, seen, left);
      A.store(i32, flag, 0);
      if (reader ? this.readable() : this.writable()) return true;
      left = deadline - Date.now();
      if (!(left > 0)) return false;
    }
  }

  private readable(): boolean {
    const A = this.at;
    const i32 = this.i32;
    return A.load(i32, W_TAIL) !== A.load(i32, W_HEAD) || A.load(i32, W_CLOSED) !== 0;
  }

  private writable(): boolean {
    const A = this.at;
    const i32 = this.i32;
    return ((A.load(i32, W_TAIL) - A.load(i32, W_HEAD)) | 0) < this.capacity || A.load(i32, W_CLOSED) !== 0;
  }

  /** Bumps a signal word and wakes the thread blocked on it. */
  private wake(word: number): void {
    const A = this.at;
    A.add(this.i32, word, 1);
    A.notify(this.i32, word, 1);
  }

  private cannotBlock(reader: boolean): never {
    throw new SharedStreamBlockingError(
      'MAY_NOT_BLOCK',
      DEBUG
        ? `SharedStream '${this.name}'.${reader ? 'waitReadable' : 'waitWritable'}(): this handle was opened without \`mayBlock: true\`; ` +
            `only a Worker may block (never the main VM): poll ${reader ? 'next()/read()' : 'writeOne()/write()'} there, or open the handle with mayBlock in a Worker [MAY_NOT_BLOCK]`
        : `SharedStream '${this.name}' [MAY_NOT_BLOCK]`,
    );
  }

  private badTimeout(reader: boolean, ms: unknown): never {
    throw new StreamUsageError(
      'BAD_TIMEOUT',
      DEBUG
        ? `SharedStream '${this.name}'.${reader ? 'waitReadable' : 'waitWritable'}(${show(ms)}): the timeout must be a number of ms >= 0 (Infinity waits for good) [BAD_TIMEOUT]`
        : `SharedStream '${this.name}' [BAD_TIMEOUT]`,
    );
  }

  /**
   * TAIL - HEAD (d) is outside 0..capacity. Consumer: HEAD = TAIL (the items
   * in between are lost), count, throw. Producer: nothing written; count, throw.
   */
  private badIndex(consumer: boolean, d: number): never {
    this.corrupted++;
    const what = DEBUG
      ? `SharedStream '${this.name}': TAIL - HEAD is ${d}, outside 0..${this.capacity}: something other than the one ` +
        'producer and the one consumer wrote the stream\'s buffer (or a second handle produces or consumes)'
      : `SharedStream '${this.name}'`;
    if (consumer) {
      const A = this.at;
      A.store(this.i32, W_HEAD, A.load(this.i32, W_TAIL));
      if (A.load(this.i32, W_WRITER_WAITING) !== 0) this.wake(W_WSIGNAL);
      throw new StreamCorruptionError(
        'BAD_INDEX',
        DEBUG
          ? `${what}. HEAD was moved to TAIL: the items in between are lost (counted in \`corrupted\`); the stream works again. ` +
              'Keep one producer and one consumer handle, and find what writes the buffer [BAD_INDEX]'
          : `${what} [BAD_INDEX]`,
      );
    }
    throw new StreamCorruptionError(
      'BAD_INDEX_ON_WRITE',
      DEBUG
        ? `${what}. Nothing was written (counted in \`corrupted\`); the consumer's next next() or read() moves HEAD to TAIL, then writes go on [BAD_INDEX_ON_WRITE]`
        : `${what} [BAD_INDEX_ON_WRITE]`,
    );
  }

  private badValue(v: unknown): never {
    throw new StreamUsageError(
      'BAD_VALUE',
      DEBUG
        ? `SharedStream '${this.name}'.writeOne(${show(v)}): items are numbers ('${this.type}' elements) [BAD_VALUE]`
        : `SharedStream '${this.name}' [BAD_VALUE]`,
    );
  }

  private badRange(reading: boolean, arr: NumberSource, offset: number, n: number): never {
    const op = reading ? 'read' : 'write';
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number')
      throw new StreamUsageError(
        'BAD_ARRAY',
        DEBUG
          ? `SharedStream '${this.name}'.${op}(${show(arr)}, ..): pass a typed array or a number array [BAD_ARRAY]`
          : `SharedStream '${this.name}' [BAD_ARRAY]`,
      );
    throw new StreamUsageError(
      'BAD_RANGE',
      DEBUG
        ? `SharedStream '${this.name}'.${op}(array of ${arr.length}, ${show(offset)}, ${show(n)}): offset and count must be integers >= 0 ` +
            `with offset + count <= the array's length [BAD_RANGE]`
        : `SharedStream '${this.name}' [BAD_RANGE]`,
    );
  }
}
