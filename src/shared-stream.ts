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
 * table is in docs/stream.md, "SharedStream"):
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
 * (test/shared-stream.test.ts, XS host, DEBUG checks on, with positive
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
 * Counters (doubles in the header, wrap only past 2^53): written, taken,
 * refused (items refused because the ring was full), refusedClosed (items
 * offered after close). Identity once both sides are quiet and nothing
 * corrupted the buffer: written === taken + length.
 *
 * Limits: capacity a power of two 1..65536 (MAX_STREAM_CAPACITY); one
 * producer and one consumer; signals are not carried (see SharedEventQueue).
 *
 * Measured cost: docs/stream.md, "SharedStream" / "Cost"
 * (`node scripts/bench.mjs shared-stream`).
 */
import { KeelError } from './errors.js';
import { MAX_STREAM_CAPACITY, StreamConfigError, StreamUsageError } from './stream.js';
import type { NumberSink, NumberSource, StreamArrayOf, StreamType } from './stream.js';
import type { AtomicsLike } from './shared-queue.js';

/** The buffer given to attach() is not a SharedStream of this layout/version/type. */
export class SharedStreamLayoutError extends KeelError {
  override name = 'SharedStreamLayoutError';
}
/** waitReadable()/waitWritable() on a handle that was not opened with `mayBlock: true`. */
export class SharedStreamBlockingError extends KeelError {
  override name = 'SharedStreamBlockingError';
}
/**
 * TAIL - HEAD in the shared header is outside 0..capacity: something other
 * than the one producer and the one consumer wrote the stream's buffer.
 * Thrown by the consumer after it moved HEAD to TAIL (the stream works
 * again), by the producer with nothing written; counted in `corrupted`.
 */
export class StreamCorruptionError extends KeelError {
  override name = 'StreamCorruptionError';
}

/** Header word indices (Int32, relative to byteOffset) and constants of layout version 1. */
export const SHARED_STREAM_LAYOUT = Object.freeze({
  MAGIC: 0x5345454b, // 'KEES' in little-endian bytes: 4b 45 45 53
  VERSION: 1,
  HEADER_BYTES: 256,
  /** word 0: MAGIC (stored last by the creator) */
  W_MAGIC: 0,
  /** word 1: VERSION */
  W_VERSION: 1,
  /** word 2: HEADER_BYTES (offset of the ring) */
  W_HEADER_BYTES: 2,
  /** word 3: element type code: 1 u8, 2 i16, 3 i32, 4 f32, 5 f64 */
  W_TYPE: 3,
  /** word 4: element size in bytes */
  W_ELEMENT_BYTES: 4,
  /** word 5: capacity (power of two) */
  W_CAPACITY: 5,
  /** word 16 (byte 64): HEAD, next position to read; consumer only */
  W_HEAD: 16,
  /** word 17: READER_WAITING, 1 while the consumer is in waitReadable; consumer only */
  W_READER_WAITING: 17,
  /** word 18: WSIGNAL, bumped by the consumer to wake a producer in waitWritable */
  W_WSIGNAL: 18,
  /** Float64 index 10 (byte 80): TAKEN; consumer only */
  F_TAKEN: 10,
  /** word 32 (byte 128): TAIL, next position to write; producer only */
  W_TAIL: 32,
  /** word 33: WRITER_WAITING, 1 while the producer is in waitWritable; producer only */
  W_WRITER_WAITING: 33,
  /** word 34: CLOSED, 1 after close(); producer only */
  W_CLOSED: 34,
  /** word 35: RSIGNAL, bumped by the producer to wake a consumer in waitReadable */
  W_RSIGNAL: 35,
  /** Float64 index 18 (byte 144): WRITTEN; producer only */
  F_WRITTEN: 18,
  /** Float64 index 19 (byte 152): REFUSED (ring full); producer only */
  F_REFUSED: 19,
  /** Float64 index 20 (byte 160): REFUSED_CLOSED (offered after close); producer only */
  F_REFUSED_CLOSED: 20,
});

const HEADER_BYTES = 256;
const W_HEAD = 16;
const W_READER_WAITING = 17;
const W_WSIGNAL = 18;
const F_TAKEN = 10;
const W_TAIL = 32;
const W_WRITER_WAITING = 33;
const W_CLOSED = 34;
const W_RSIGNAL = 35;
const F_WRITTEN = 18;
const F_REFUSED = 19;
const F_REFUSED_CLOSED = 20;

// Module-level constants (string literals evaluated on a hot path allocate on the XS host).
const NUMBER = 'number';
const TYPE_NAMES: readonly StreamType[] = Object.freeze(['u8', 'i16', 'i32', 'f32', 'f64'] as StreamType[]);
const TYPE_SIZES: readonly number[] = Object.freeze([1, 2, 4, 4, 8]);

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

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

function isShared(b: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

function typeCode(who: string, type: unknown): number {
  const i = TYPE_NAMES.indexOf(type as StreamType);
  if (i < 0)
    throw new StreamConfigError(`${who}: type must be one of 'u8', 'i16', 'i32', 'f32', 'f64' (got ${show(type)}); change the \`type\` option`);
  return i + 1;
}

function checkCapacity(who: string, capacity: unknown): number {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_STREAM_CAPACITY)
    throw new StreamConfigError(
      `${who}: capacity must be an integer 1..${MAX_STREAM_CAPACITY} (got ${show(capacity)}); change the \`capacity\` option`,
    );
  if ((capacity & (capacity - 1)) !== 0) {
    let p = 1;
    while (p < capacity) p *= 2;
    throw new StreamConfigError(`${who}: capacity must be a power of two (got ${capacity}); use ${p} (or ${p / 2}) as the \`capacity\` option`);
  }
  return capacity;
}

function bytesFor(code: number, capacity: number): number {
  return (HEADER_BYTES + capacity * TYPE_SIZES[code - 1]! + 7) & ~7;
}

function defaultAtomics(who: string): AtomicsLike {
  if (typeof Atomics === 'undefined')
    throw new StreamConfigError(
      `${who}: this host has no Atomics (Moddable on RP2040 has none); pass \`atomics: singleCoreAtomics\` ` +
        'and a plain ArrayBuffer (one core only), or use Stream within one VM',
    );
  return Atomics as unknown as AtomicsLike;
}

const ATTACH = Object.freeze({});

/** Reads of TAIL, HEAD, TAIL for a consistent length before the last one is used (clamped). */
const SNAPSHOT_TRIES = 4;

/**
 * `TAIL - HEAD` (32-bit) from one consistent snapshot: TAIL, HEAD, then TAIL
 * again; both only grow, so when the two TAIL reads agree, TAIL had that value
 * when HEAD was read. At most SNAPSHOT_TRIES rounds, then the last difference.
 * (The same helper as shared-queue.ts's; kept here so this module needs no other at run time.)
 */
function indexDistance(A: AtomicsLike, i32: Int32Array): number {
  let t = A.load(i32, W_TAIL);
  let d = 0;
  // Bound: SNAPSHOT_TRIES rounds.
  for (let k = 0; k < SNAPSHOT_TRIES; k++) {
    d = (t - A.load(i32, W_HEAD)) | 0;
    const again = A.load(i32, W_TAIL);
    if (again === t) return d;
    t = again;
  }
  return d;
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
    return bytesFor(typeCode(who, type), checkCapacity(who, capacity));
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
    const L = SHARED_STREAM_LAYOUT;
    const fail = (what: string): never => {
      throw new SharedStreamLayoutError(
        `${who}: cannot attach: ${what}; attach only a buffer (and byteOffset) made by new SharedStream() of layout version ${L.VERSION}`,
      );
    };
    if (!(buffer instanceof ArrayBuffer) && !isShared(buffer)) fail(`${show(buffer)} is not an ArrayBuffer or SharedArrayBuffer`);
    const at = options.byteOffset ?? 0;
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || (at & 7) !== 0) fail(`byteOffset ${show(at)} is not a non-negative multiple of 8`);
    if (buffer.byteLength < at + HEADER_BYTES) fail(`buffer is ${buffer.byteLength} bytes, too short for the 256-byte header at byteOffset ${at}`);
    const h = new Int32Array(buffer, at, HEADER_BYTES >> 2);
    const magic = h[0]!;
    if (magic !== L.MAGIC) fail(`bad magic 0x${(magic >>> 0).toString(16)} at byteOffset ${at} (expected 0x${L.MAGIC.toString(16)})`);
    if (h[1] !== L.VERSION) fail(`layout version ${h[1]} (this code reads version ${L.VERSION})`);
    if (h[2] !== HEADER_BYTES) fail(`header size ${h[2]} bytes (expected ${HEADER_BYTES})`);
    const code = h[3]!;
    if (!(code >= 1 && code <= 5)) fail(`element type code ${code} (expected 1..5: u8, i16, i32, f32, f64)`);
    if (h[4] !== TYPE_SIZES[code - 1]) fail(`element size ${h[4]} bytes for type '${TYPE_NAMES[code - 1]}' (expected ${TYPE_SIZES[code - 1]})`);
    const type = TYPE_NAMES[code - 1]!;
    if (options.type !== undefined && options.type !== type)
      fail(`the stream holds '${type}' elements, this side expects '${String(options.type)}'`);
    const capacity = h[5]!;
    if (!(capacity >= 1 && capacity <= MAX_STREAM_CAPACITY) || (capacity & (capacity - 1)) !== 0)
      fail(`capacity ${capacity} (expected a power of two 1..${MAX_STREAM_CAPACITY})`);
    const need = at + bytesFor(code, capacity);
    if (buffer.byteLength < need) fail(`buffer is ${buffer.byteLength} bytes, the header at byteOffset ${at} needs ${need}`);
    const A = options.atomics ?? defaultAtomics(who);
    const len = indexDistance(A, h);
    if (len < 0 || len > capacity) fail(`TAIL - HEAD is ${len}, outside 0..${capacity} (a corrupt or foreign header)`);
    return new SharedStream<U>(
      { type: type as U, capacity, name, buffer, byteOffset: at, atomics: A, mayBlock: options.mayBlock },
      ATTACH,
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
  constructor(options: SharedStreamOptions<T>, attaching?: object) {
    const o = options;
    const name = typeof o?.name === 'string' ? o.name : 'SharedStream';
    const who = `SharedStream '${name}'`;
    if (o === null || typeof o !== 'object') throw new StreamConfigError(`${who}: options must be an object with type and capacity`);
    const code = typeCode(who, o.type);
    const cap = checkCapacity(who, o.capacity);
    this.name = name;
    this.type = o.type;
    this.capacity = cap;
    this.mask = cap - 1;
    this.at = o.atomics ?? defaultAtomics(who);
    const bytes = bytesFor(code, cap);
    const at = o.byteOffset ?? 0;
    let buffer = o.buffer;
    if (buffer === undefined) {
      if (at !== 0) throw new StreamConfigError(`${who}: byteOffset ${show(at)} given without a buffer; pass buffer too, or drop byteOffset`);
      if (typeof SharedArrayBuffer === 'undefined')
        throw new StreamConfigError(
          `${who}: this host has no SharedArrayBuffer; pass \`buffer: new ArrayBuffer(SharedStream.byteLength('${o.type}', ${cap}))\` and \`atomics: singleCoreAtomics\``,
        );
      buffer = new SharedArrayBuffer(bytes);
    } else {
      if (!(buffer instanceof ArrayBuffer) && !isShared(buffer))
        throw new StreamConfigError(`${who}: buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${show(buffer)}`);
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || (at & 7) !== 0)
        throw new StreamConfigError(`${who}: byteOffset must be a non-negative multiple of 8 (got ${show(at)}); align the stream in the buffer`);
      if (at + bytes > buffer.byteLength)
        throw new StreamConfigError(
          `${who}: buffer too small: ${cap} '${o.type}' elements at byteOffset ${at} need ${at + bytes} bytes ` +
            `(SharedStream.byteLength = ${bytes}), the buffer has ${buffer.byteLength}; pass a larger buffer or a lower capacity`,
        );
    }
    this.buffer = buffer;
    this.byteOffset = at;
    this.mayBlock = o.mayBlock === true;
    if (this.mayBlock && (!isShared(buffer) || typeof this.at.wait !== 'function'))
      throw new StreamConfigError(
        `${who}: mayBlock needs a SharedArrayBuffer and an atomics with wait() (singleCoreAtomics cannot block); leave mayBlock off and poll next()/read()`,
      );
    this.i32 = new Int32Array(buffer as ArrayBuffer, at, HEADER_BYTES >> 2);
    this.f64 = new Float64Array(buffer as ArrayBuffer, at, HEADER_BYTES >> 3);
    const Ctor = [Uint8Array, Int16Array, Int32Array, Float32Array, Float64Array][code - 1]!;
    const data = new Ctor(buffer as ArrayBuffer, at + HEADER_BYTES, cap);
    this.data = data as StreamArrayOf[T];
    this.ring = data;
    if (attaching !== ATTACH) {
      const s = o.initialIndex ?? 0;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < -0x80000000 || s > 0xffffffff)
        throw new StreamConfigError(`${who}: initialIndex must be a 32-bit integer (got ${show(s)})`);
      const h = this.i32;
      const A = this.at;
      A.store(h, 0, 0); // unformatted while we write: a concurrent attach sees a bad magic
      h.fill(0, 1);
      h[2] = HEADER_BYTES;
      h[3] = code;
      h[4] = TYPE_SIZES[code - 1]!;
      h[5] = cap;
      A.store(h, W_HEAD, s | 0);
      A.store(h, W_TAIL, s | 0);
      A.store(h, 1, SHARED_STREAM_LAYOUT.VERSION);
      A.store(h, 0, SHARED_STREAM_LAYOUT.MAGIC); // last: a complete header, or a bad magic
    }
  }

  /** Items queued now: 0..capacity, from any context (a consistent snapshot of TAIL and HEAD, clamped). */
  get length(): number {
    const d = indexDistance(this.at, this.i32);
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
    const i32 = this.i32;
    const f = this.f64;
    if (i32[W_CLOSED] !== 0) {
      f[F_REFUSED_CLOSED]++;
      return false;
    }
    const A = this.at;
    const t = i32[W_TAIL]!; // the producer's own word
    const d = (t - A.load(i32, W_HEAD)) >>> 0; // items queued, unsigned
    if (d >= this.capacity) {
      if (d !== this.capacity) return this.badIndex(false, d | 0); // outside 0..capacity: corrupt
      f[F_REFUSED]++;
      return false;
    }
    this.ring[t & this.mask] = v;
    f[F_WRITTEN]++;
    A.store(i32, W_TAIL, (t + 1) | 0); // release: publishes the item
    if (A.load(i32, W_READER_WAITING) !== 0) this.wake(W_RSIGNAL);
    return true;
  }

  /**
   * Consumer: takes one item into `value` and returns true; false when
   * nothing is queued (see `done`). StreamCorruptionError if TAIL - HEAD is
   * outside 0..capacity (after moving HEAD to TAIL).
   */
  next(): boolean {
    const i32 = this.i32;
    const A = this.at;
    const h = i32[W_HEAD]!; // the consumer's own word
    const t = A.load(i32, W_TAIL); // acquire
    if (t === h) return false;
    if ((t - h) >>> 0 > this.capacity) return this.badIndex(true, (t - h) | 0); // outside 1..capacity: resync, throw
    this.value = this.ring[h & this.mask]!;
    this.f64[F_TAKEN]++;
    A.store(i32, W_HEAD, (h + 1) | 0); // release: the slot is free for the producer
    if (A.load(i32, W_WRITER_WAITING) !== 0) this.wake(W_WSIGNAL);
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
      `SharedStream '${this.name}'.${reader ? 'waitReadable' : 'waitWritable'}(): this handle was opened without \`mayBlock: true\`; ` +
        `only a Worker may block (never the main VM): poll ${reader ? 'next()/read()' : 'writeOne()/write()'} there, or open the handle with mayBlock in a Worker`,
    );
  }

  private badTimeout(reader: boolean, ms: unknown): never {
    throw new StreamUsageError(
      `SharedStream '${this.name}'.${reader ? 'waitReadable' : 'waitWritable'}(${show(ms)}): the timeout must be a number of ms >= 0 (Infinity waits for good)`,
    );
  }

  /**
   * TAIL - HEAD (d) is outside 0..capacity. Consumer: HEAD = TAIL (the items
   * in between are lost), count, throw. Producer: nothing written; count, throw.
   */
  private badIndex(consumer: boolean, d: number): never {
    this.corrupted++;
    const what =
      `SharedStream '${this.name}': TAIL - HEAD is ${d}, outside 0..${this.capacity}: something other than the one ` +
      'producer and the one consumer wrote the stream\'s buffer (or a second handle produces or consumes)';
    if (consumer) {
      const A = this.at;
      A.store(this.i32, W_HEAD, A.load(this.i32, W_TAIL));
      if (A.load(this.i32, W_WRITER_WAITING) !== 0) this.wake(W_WSIGNAL);
      throw new StreamCorruptionError(
        `${what}. HEAD was moved to TAIL: the items in between are lost (counted in \`corrupted\`); the stream works again. ` +
          'Keep one producer and one consumer handle, and find what writes the buffer',
      );
    }
    throw new StreamCorruptionError(
      `${what}. Nothing was written (counted in \`corrupted\`); the consumer's next next() or read() moves HEAD to TAIL, then writes go on`,
    );
  }

  private badValue(v: unknown): never {
    throw new StreamUsageError(`SharedStream '${this.name}'.writeOne(${show(v)}): items are numbers ('${this.type}' elements)`);
  }

  private badRange(reading: boolean, arr: NumberSource, offset: number, n: number): never {
    const op = reading ? 'read' : 'write';
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number')
      throw new StreamUsageError(`SharedStream '${this.name}'.${op}(${show(arr)}, ..): pass a typed array or a number array`);
    throw new StreamUsageError(
      `SharedStream '${this.name}'.${op}(array of ${arr.length}, ${show(offset)}, ${show(n)}): offset and count must be integers >= 0 ` +
        `with offset + count <= the array's length`,
    );
  }
}
