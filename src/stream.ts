/**
 * stream: bounded single-producer / single-consumer streams with readiness
 * signals. `Stream` carries scalars of one element type (u8, i16, i32, f32,
 * f64) through a typed-array ring. `BlockStream` (src/block-stream.ts, also
 * exported here) carries pool block handles with the same readiness, close,
 * destroy, counters and contexts described below; its block lifecycle and
 * cancel-then-free rule are in that file's header. Both are built on
 * src/internal/stream-core.ts.
 *
 * Storage. The ring is a typed array of `capacity` elements (a power of two,
 * 1..MAX_STREAM_CAPACITY), made at construction or laid over a buffer the
 * caller passes (`buffer` + `byteOffset`, ArrayBuffer or SharedArrayBuffer;
 * byteOffset a multiple of the element size). `write`/`read` copy between the
 * ring and typed arrays (or plain number arrays) the caller owns; the stream
 * never allocates a view, a subarray or a Vec-like result.
 *
 * "No item" signals (no allocation, no exceptions):
 *   next(): boolean       true and the item in `value`; false when empty (any
 *                         f64 bit pattern, NaN included, is a valid item, so
 *                         there is no in-band sentinel). `done` is true once
 *                         the stream is closed and drained.
 *   read(...): number     items copied, 0 when empty.
 *   writeOne: boolean; write: number of items taken.
 *   (BlockStream: receive(), beginRead(), beginWrite() return a handle or
 *   NO_BLOCK (0); send, commitWrite a boolean.)
 *
 * Allocation guarantee: writeOne, next, write, read, waitReadable,
 * waitWritable, close, the counters, and readiness posts into an EventQueue
 * allocate 0 slots and 0 chunk bytes on XS, the first call after construction
 * included (test/stream/stream.test.ts proves it on the XS host with DEBUG checks
 * on). Only the constructors and the misuse errors allocate.
 *
 * Readiness. A party waits by calling waitReadable(target, sig) /
 * waitWritable(target, sig), or implicitly: once a target is bound, a next(),
 * read(), receive() or beginRead() that finds nothing (a writeOne, write, send
 * or beginWrite that finds no space) arms the wait. An armed wait posts exactly
 * once: `target.post(sig, tag)` when data (space) arrives, when the stream is
 * closed (reader), or when it is destroyed (both). waitReadable on a stream
 * that is readable already (data, or closed) posts at once. The target is any
 * `Postable` (kernel AoPort, EventQueue, SharedEventQueue): a field holding the
 * object plus a signal number, no closure, no Promise. A post that returns
 * false is counted in `wakeRefused` and the wait stays armed (the next data or
 * space event posts again); `posts` counts the posts that were accepted.
 * State is updated before the post, so a Postable that re-enters the stream
 * sees it consistent.
 *
 * Close: close() (producer) marks the end. The consumer reads what is queued,
 * then `done` is true. Writes after close are refused, not thrown: writeOne and
 * send return false, write returns 0, beginWrite returns NO_BLOCK, and the
 * items are counted in `refusedClosed` (a full ring counts in `refused`).
 * Using a destroyed stream throws StreamDestroyedError (see destroy()).
 *
 *   Lifecycle of a stream:
 *
 *     OPEN --close()--> CLOSED --last item taken--> done
 *       |                 |
 *       +--destroy()------+--destroy()--> DESTROYED (queued items dropped,
 *                                         armed waits post once, any later
 *                                         use throws StreamDestroyedError)
 *
 * Counters (doubles): written (items/blocks accepted), taken (consumed; the
 * "read" counter, named so because `read` is the method), refused (items not
 * accepted because the ring was full), refusedClosed (offered after close),
 * dropped (queued items discarded by destroy), posts (readiness posts
 * accepted), wakeRefused (readiness posts the target refused; `missedPosts`
 * is its deprecated alias); capacity, length, free (capacity - length - a
 * reserved write slot), minFree (low-water mark of free). Vocabulary:
 * refused = offered and not taken; dropped = accepted, discarded later.
 * Identity after every call: written === taken + dropped + length.
 *
 * Contexts (one VM; Moddable IO callbacks run on the VM's thread between other
 * callbacks, so they never preempt a running method):
 *   method                              IO callback   other worker/core   re-entrant during dispatch
 *   writeOne, write, send, beginWrite,  yes           no                  yes (a handler may write to the
 *     commitWrite, cancelWrite, close                                      stream its own AO reads)
 *   next, read, receive, beginRead,     yes           no                  yes
 *     endRead, cancelRead
 *   waitReadable/Writable, clear*       yes           no                  yes
 *   destroy                             yes           no                  yes (not hot)
 *   counters, done, closed              yes           no (no atomic read) yes
 * One producer and one consumer; nothing is atomic. Every method runs to
 * completion; the only calls out are target.post (after state is updated) and,
 * for BlockStream, the pool's tryClaim/release.
 *
 * SharedArrayBuffer: the ring may live in a SharedArrayBuffer (e.g. a static
 * arena), but the stream object is single-context: head/tail, the wait flags
 * and counters are plain fields (written and taken are derived from head and
 * tail), and readiness posts call a Postable of the same VM. The
 * cross-worker SPSC variant for scalars is SharedStream
 * (src/shared-stream.ts): indices, close flag and counters in the shared
 * buffer under Atomics, blocking waits instead of a Postable, no blocks
 * (BlockPool metadata is single-context). For block handles from another
 * worker or core, post them through a SharedEventQueue (src/shared-queue.ts)
 * to a bridge active object that writes a BlockStream.
 *
 * Values are stored with typed-array conversion: u8 wraps modulo 256, i16/i32
 * wrap, f32 rounds. writeOne of a non-number throws StreamUsageError in DEBUG
 * builds; write() does not check its source's elements (a typed array holds
 * numbers; a number[] is the caller's to keep numeric).
 *
 * Limits: capacity a power of two 1..MAX_STREAM_CAPACITY (65536); signals
 * 0..65535. head/tail count items from `initialIndex` (a 32-bit start, default
 * 0) without wrapping: numbers exact to 2^53 items (the slot is the count
 * masked, which ToInt32 keeps right past 2^31); `written` and `taken` are
 * their distances from the start. (BlockStream's are 32-bit and wrap.)
 *
 * Measured cost: docs/stream.md, "Cost" (`node scripts/bench.mjs stream`).
 *
 * Errors carry a code (docs/errors.md, "stream"); DEBUG builds build the long
 * message. Release builds: the constructors' checks (StreamConfigError), the
 * range checks of write()/read() (a null or non-array argument, offsets,
 * counts: StreamUsageError, before `.length` is read), and every
 * destroyed-stream and pending-operation check run in every build.
 * DEBUG-only: writeOne's type check of its value (a release build stores it
 * with typed-array conversion; a non-number becomes NaN or 0, which is a
 * value, not stream state).
 */
import { TRACE_DROP, TRACE_STREAM_REFUSE } from './trace.js';
import { isShared, show } from './internal/checks.js';
import { ELEMENT_ARRAYS } from './internal/layout.js';
import { DESTROYED, OPEN, StreamConfigError, StreamCore, StreamUsageError, streamTypeIndex } from './internal/stream-core.js';
import type { CommonOptions } from './internal/stream-core.js';

export {
  MAX_STREAM_CAPACITY,
  StreamConfigError,
  StreamUsageError,
  StreamDestroyedError,
  type StreamConfigErrorCode,
  type StreamUsageErrorCode,
  type StreamDestroyedErrorCode,
  type Postable,
} from './internal/stream-core.js';
export { BlockStream, type BlockStreamOptions, type BlockSource } from './block-stream.js';

/** Element types of a scalar Stream. */
export type StreamType = 'u8' | 'i16' | 'i32' | 'f32' | 'f64';

/** The ring's typed array for each element type. */
export interface StreamArrayOf {
  u8: Uint8Array;
  i16: Int16Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** A destination for read(): a typed array or a number array the caller owns. */
export interface NumberSink {
  [index: number]: number;
  readonly length: number;
}
/** A source for write(). */
export interface NumberSource {
  readonly [index: number]: number;
  readonly length: number;
}

export interface StreamOptions<T extends StreamType> extends CommonOptions {
  /** Element type, resolved once at construction. */
  type: T;
  /** Storage to use instead of a new typed array: capacity elements at byteOffset. */
  buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Start of the ring in `buffer`, a multiple of the element size. Default 0. */
  byteOffset?: number;
}

// Module-level constant (a string literal evaluated on a hot path allocates on the XS host).
const NUMBER = 'number';

/**
 * A bounded stream of scalars of one element type. See the module header.
 *
 *     const s = new Stream({ type: 'f64', capacity: 64 });
 *     s.writeOne(1.5);
 *     while (s.next()) use(s.value);
 */
export class Stream<T extends StreamType = StreamType> extends StreamCore {
  /** The element type, as given. */
  readonly type: T;
  /** The ring's storage (capacity elements). Read it only through next/read. */
  readonly data: StreamArrayOf[T];
  /** The item the last next() that returned true took. */
  value = 0;

  private readonly ring: NumberSink;
  /** tail - written (head and tail count without wrapping; see Limits above). */
  private wbase: number;
  /** head - taken (destroy() moves it with head: dropped items are not taken). */
  private rbase: number;

  constructor(options: StreamOptions<T>) {
    const o = options;
    const who0 = `Stream '${typeof o?.name === 'string' ? o.name : 'stream'}'`;
    if (o === null || typeof o !== 'object')
      throw new StreamConfigError(
        'NO_OPTIONS',
        DEBUG ? `${who0}: options must be an object with type and capacity [NO_OPTIONS]` : `${who0} [NO_OPTIONS]`,
      );
    super(who0, o);
    const who = `Stream '${this.name}'`;
    const Ctor = ELEMENT_ARRAYS[streamTypeIndex(who, o.type)]!;
    const size = Ctor.BYTES_PER_ELEMENT;
    let data: StreamArrayOf[StreamType];
    if (o.buffer === undefined) {
      if (o.byteOffset !== undefined && o.byteOffset !== 0)
        throw new StreamConfigError(
          'OFFSET_WITHOUT_BUFFER',
          DEBUG
            ? `${who}: byteOffset ${show(o.byteOffset)} given without a buffer; pass buffer too, or drop byteOffset [OFFSET_WITHOUT_BUFFER]`
            : `${who} [OFFSET_WITHOUT_BUFFER]`,
        );
      data = new Ctor(this.cap);
    } else {
      if (!(o.buffer instanceof ArrayBuffer) && !isShared(o.buffer))
        throw new StreamConfigError(
          'BAD_BUFFER',
          DEBUG ? `${who}: buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${show(o.buffer)} [BAD_BUFFER]` : `${who} [BAD_BUFFER]`,
        );
      const at = o.byteOffset ?? 0;
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at % size !== 0)
        throw new StreamConfigError(
          'BAD_BYTE_OFFSET',
          DEBUG
            ? `${who}: byteOffset must be a non-negative multiple of ${size} (the '${o.type}' element size), got ${show(at)}; align the ring in the buffer [BAD_BYTE_OFFSET]`
            : `${who} [BAD_BYTE_OFFSET]`,
        );
      const need = at + this.cap * size;
      if (need > o.buffer.byteLength)
        throw new StreamConfigError(
          'BUFFER_TOO_SMALL',
          DEBUG
            ? `${who}: buffer too small: ${this.cap} '${o.type}' elements (${size} bytes each) at byteOffset ${at} need ${need} bytes, ` +
                `the buffer has ${o.buffer.byteLength}; pass a larger buffer or a lower capacity [BUFFER_TOO_SMALL]`
            : `${who} [BUFFER_TOO_SMALL]`,
        );
      data = new Ctor(o.buffer as ArrayBuffer, at, this.cap);
    }
    this.type = o.type;
    this.data = data as StreamArrayOf[T];
    this.ring = data;
    this.wbase = this.tail;
    this.rbase = this.head;
  }

  /** Items accepted. (Assignable, as the counters are.) */
  get written(): number {
    return this.tail - this.wbase;
  }
  set written(n: number) {
    this.wbase = this.tail - n;
  }
  /** Items consumed by the reader (next/read). (Assignable, as the counters are.) */
  get taken(): number {
    return this.head - this.rbase;
  }
  set taken(n: number) {
    this.rbase = this.head - n;
  }

  /** Writes one item. False when full (refused++, arms a bound writer) or closed (refusedClosed++). */
  writeOne(v: number): boolean {
    if (DEBUG) {
      if (typeof v !== NUMBER) this.badValue(v);
    }
    // One test for the rare cases (closed, full, a new low-water mark, an armed reader): see `wmark`.
    if (this.tail - this.head >= this.wmark) return this.writeSlow(v);
    this.ring[this.tail & this.mask] = v;
    this.tail++;
    return true;
  }

  /** Takes one item into `value` and returns true; false when empty (arms a bound reader unless closed). */
  next(): boolean {
    if (this.head === this.tail) {
      if (this.state === OPEN) this.armReader();
      else if (this.state === DESTROYED) this.destroyedError('next');
      return false;
    }
    this.value = this.ring[this.head & this.mask]!;
    this.head++;
    if (this.writeWaiting) this.wakeWriter();
    return true;
  }

  /**
   * Copies up to `count` items from src[offset ..] into the ring; returns how
   * many it took (the rest are counted in `refused` and arm a bound writer).
   * Closed: returns 0, refusedClosed += count.
   */
  write(src: NumberSource, offset: number, count: number): number {
    // src == null first: reading .length of null would throw a bare TypeError.
    if (src == null || !(offset >= 0 && count >= 0 && offset + count <= src.length) || (offset | 0) !== offset || (count | 0) !== count)
      this.badRange('write', src, offset, count);
    if (this.state !== OPEN) return this.refuseClosed(count);
    const t = this.tail;
    const len = t - this.head;
    const space = this.cap - len;
    const n = count < space ? count : space;
    if (n < count) {
      this.refused += count - n;
      if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, count - n, 0);
      if (this.writer !== null) this.writeWaiting = true;
      if (n === 0) return 0;
    }
    const d = this.ring;
    const at = t & this.mask;
    const first = this.cap - at < n ? this.cap - at : n;
    for (let i = 0; i < first; i++) d[at + i] = src[offset + i]!;
    for (let i = first; i < n; i++) d[i - first] = src[offset + i]!;
    this.tail = t + n;
    const free = space - n;
    if (free < this.low) {
      this.low = free;
      this.syncMark();
    }
    if (n > 0 && this.readWaiting) this.wakeReader(); // a zero-item write is no data
    return n;
  }

  /**
   * Copies up to `max` items from the ring into dst[offset ..]; returns how
   * many (0 when empty: arms a bound reader unless closed; `done` tells closed).
   */
  read(dst: NumberSink, offset: number, max: number): number {
    if (dst == null || !(offset >= 0 && max >= 0 && offset + max <= dst.length) || (offset | 0) !== offset || (max | 0) !== max)
      this.badRange('read', dst, offset, max);
    const h = this.head;
    const len = this.tail - h;
    if (len === 0) {
      if (this.state === OPEN) {
        if (max > 0) this.armReader();
      } else if (this.state === DESTROYED) this.destroyedError('read');
      return 0;
    }
    const n = max < len ? max : len;
    const d = this.ring;
    const at = h & this.mask;
    const first = this.cap - at < n ? this.cap - at : n;
    for (let i = 0; i < first; i++) dst[offset + i] = d[at + i]!;
    for (let i = first; i < n; i++) dst[offset + i] = d[i - first]!;
    this.head = h + n;
    if (n > 0 && this.writeWaiting) this.wakeWriter();
    return n;
  }

  /**
   * Ends the stream for both sides now: queued items are dropped (counted),
   * armed waits post once (the woken party checks `destroyed`), targets are
   * forgotten. Any later use throws StreamDestroyedError. Returns the items dropped.
   */
  destroy(): number {
    if (this.state === DESTROYED) this.destroyedError('destroy');
    const n = this.tail - this.head;
    this.dropped += n;
    this.rbase += n; // dropped, not taken
    this.head = this.tail;
    if (this.trace !== null && n > 0) this.traceRefuse(TRACE_DROP, n, 1);
    this.destroyCommon();
    return n;
  }

  /** @internal */
  protected kind(): string {
    return 'Stream';
  }

  /** writeOne when length >= wmark: closed, full, a new low-water mark, or an armed reader to post. */
  private writeSlow(v: number): boolean {
    if (this.state !== OPEN) return this.refuseClosed(1) !== 0;
    const t = this.tail;
    const len = t - this.head;
    if (len === this.cap) {
      this.refused++;
      if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 0);
      if (this.writer !== null) this.writeWaiting = true;
      return false;
    }
    this.ring[t & this.mask] = v;
    this.tail = t + 1;
    const free = this.cap - len - 1;
    if (free < this.low) {
      this.low = free;
      this.syncMark();
    }
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  private refuseClosed(n: number): number {
    if (this.state === DESTROYED) this.destroyedError('write');
    this.refusedClosed += n;
    if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, n, 1);
    return 0;
  }

  private badValue(v: unknown): never {
    throw new StreamUsageError(
      'BAD_VALUE',
      DEBUG ? `Stream '${this.name}'.writeOne(${show(v)}): items are numbers (${this.type} elements) [BAD_VALUE]` : `Stream '${this.name}' [BAD_VALUE]`,
    );
  }

  private badRange(op: string, arr: NumberSource, offset: number, n: number): never {
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number')
      throw new StreamUsageError(
        'BAD_ARRAY',
        DEBUG ? `Stream '${this.name}'.${op}(${show(arr)}, ..): pass a typed array or a number array [BAD_ARRAY]` : `Stream '${this.name}' [BAD_ARRAY]`,
      );
    throw new StreamUsageError(
      'BAD_RANGE',
      DEBUG
        ? `Stream '${this.name}'.${op}(array of ${arr.length}, ${show(offset)}, ${show(n)}): offset and count must be integers >= 0 ` +
            `with offset + count <= the array's length [BAD_RANGE]`
        : `Stream '${this.name}' [BAD_RANGE]`,
    );
  }
}

