/**
 * stream: bounded single-producer / single-consumer streams with readiness
 * signals. `Stream` carries scalars of one element type (u8, i16, i32, f32,
 * f64) through a typed-array ring; `BlockStream` carries pool block handles
 * (zero copy: ownership moves with the handle).
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
 *   receive(), beginRead(), beginWrite(): number   a handle, or NO_BLOCK (0).
 *   writeOne, send, commitWrite: boolean; write: number of items taken.
 *
 * Allocation guarantee: writeOne, next, write, read, send, receive,
 * beginWrite, commitWrite, cancelWrite, beginRead, endRead, cancelRead,
 * waitReadable, waitWritable, close, the counters, and readiness posts into an
 * EventQueue allocate 0 slots and 0 chunk bytes on XS, the first call after
 * construction included (test/stream.test.ts, test/stream-block.test.ts prove
 * it on the XS host with DEBUG checks on). Only the constructors and the
 * misuse errors allocate.
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
 * false is counted in `missedPosts` and the wait stays armed (the next data or
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
 * Block in flight (BlockStream). Edges are method calls; `pool` is the
 * BlockSource; FREE means back in the pool.
 *
 *   pool.claim()                    send(h): true                    receive(): h
 *  ------------> PRODUCER OWNS h --------------------> QUEUED ----------------------> CONSUMER OWNS h
 *                  ^          |                       ^  |  ^                           |
 *                  +----------+ send(h): false        |  |  | cancelRead()              | pool.release(h)
 *                  (full or closed: keeps h)          |  |  | (stays at the front)      v
 *                                                     |  |  |                         FREE
 *   beginWrite(): h     commitWrite(): true           |  |  +---------------------+
 *  ------------> WRITING -----------------------------+  +-- beginRead(): h --> READING (lent; still queued)
 *  (stream claims  |  |                                                            |    |
 *   from the pool, |  +-- cancelWrite() --> FREE                  endRead(): true  |    | destroy()
 *   reserves a     |      (write cleared first, then released)  (head advanced,    |    v
 *   ring slot)     | destroy()                                   then released)    |   R-CANCELLED
 *                  v                                                    FREE <-----+    |
 *               W-CANCELLED --- commitWrite(): false ---> FREE                          +-- endRead(): false --> FREE
 *                           --- cancelWrite()        ---> FREE                          +-- cancelRead()     --> FREE
 *
 *   destroy():      every QUEUED block except a lent READING one --> FREE, once each
 *   destroy(true):  also the W-CANCELLED / R-CANCELLED blocks --> FREE at once; the
 *                   holder's later commitWrite/endRead returns false and releases nothing
 *
 * Cancel-then-free: a block is released only after the operation that could
 * touch it has ended. cancelWrite() first clears the pending write (commitWrite
 * can no longer publish it), then releases. destroy() first marks a pending
 * write or read CANCELLED, releases the queued blocks, and leaves each lent
 * block held until its holder acknowledges with commitWrite()/endRead() (which
 * return false) or cancelWrite()/cancelRead(): a producer that is still
 * filling its block across IO callbacks can never write into a block that was
 * already handed to someone else. destroy(true) ("holders gone", e.g. the
 * producer's and consumer's active objects were stopped) also releases the lent
 * blocks at once; a later acknowledgement is then a no-op. Either way every
 * block is released exactly once; releases caused by cancel or destroy are
 * counted in `releasedOnCancel`.
 *
 * Counters (doubles): written (items/blocks accepted), taken (consumed; the
 * "read" counter, named so because `read` is the method), refused (items not
 * accepted because the ring was full), refusedClosed (offered after close),
 * dropped (queued items discarded by destroy), noBlock (beginWrite found the
 * pool empty), releasedOnCancel, posts, missedPosts; capacity, length, free
 * (capacity - length - a reserved write slot), minFree (low-water mark of free).
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
 * and counters are plain fields, and readiness posts call a Postable of the
 * same VM. The cross-worker SPSC variant for scalars is SharedStream
 * (src/shared-stream.ts): indices, close flag and counters in the shared
 * buffer under Atomics, blocking waits instead of a Postable, no blocks
 * (BlockPool metadata is single-context). For block handles from another
 * worker or core, post them through a SharedEventQueue (src/shared-queue.ts)
 * to a bridge active object that writes this stream.
 *
 * Values are stored with typed-array conversion: u8 wraps modulo 256, i16/i32
 * wrap, f32 rounds. writeOne of a non-number throws StreamUsageError in DEBUG
 * builds; write() does not check its source's elements (a typed array holds
 * numbers; a number[] is the caller's to keep numeric).
 *
 * Limits: capacity a power of two 1..MAX_STREAM_CAPACITY (65536); one pending
 * write and one pending read per BlockStream; signals 0..65535; head/tail are
 * free-running 32-bit counters (option `initialIndex` starts them anywhere).
 *
 * Measured cost: docs/stream.md (bench/stream.bench.ts, from bench results;
 * 0 slots and 0 chunk bytes in every row).
 *
 * Release builds: the constructors' checks (StreamConfigError), the range
 * checks of write()/read() (a null or non-array argument, offsets, counts:
 * StreamUsageError, before `.length` is read), every destroyed-stream and
 * pending-operation check, and BlockStream.send's handle check (the handle
 * is stored for later: the pool's offset(h) check for a stale, foreign,
 * released or forged handle, and StreamUsageError for a block already in the
 * ring) run in every build. DEBUG-only: writeOne's type check of its value
 * (a release build stores it with typed-array conversion; a non-number
 * becomes NaN or 0, which is a value, not stream state).
 */
import { KeelError } from './errors.js';
import { NO_BLOCK } from './pool.js';
import { Trace, TRACE_DROP, TRACE_STREAM_REFUSE } from './trace.js';

/** Largest capacity of one stream (elements or handles). */
export const MAX_STREAM_CAPACITY = 65536;

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

/** Anything a readiness signal can be posted to (kernel AoPort, EventQueue, SharedEventQueue). */
export interface Postable {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
}

/**
 * Where a BlockStream claims blocks for beginWrite() and releases blocks on
 * cancel/destroy (a BlockPool). `offset(h)` validates a handle (a BlockPool
 * throws a named HandleError for a stale, foreign, released or forged one);
 * `capacity` is the number of blocks (handle index h & 0xffff is below it).
 */
export interface BlockSource {
  tryClaim(): number;
  release(handle: number): void;
  offset(handle: number): number;
  readonly capacity: number;
}

/** Bad options: element type, capacity, buffer, byteOffset, tag, pool. */
export class StreamConfigError extends KeelError {
  override name = 'StreamConfigError';
}
/** Misuse: a bad argument, commitWrite without beginWrite, a double cancel, sending NO_BLOCK, ... */
export class StreamUsageError extends KeelError {
  override name = 'StreamUsageError';
}
/** Any use of a stream after destroy(), except acknowledging a cancelled pending operation. */
export class StreamDestroyedError extends StreamUsageError {
  override name = 'StreamDestroyedError';
}

interface CommonOptions {
  /** Elements (scalars or handles) the ring holds: a power of two 1..MAX_STREAM_CAPACITY. */
  capacity: number;
  /** Used in error messages. Default 'stream'. */
  name?: string;
  /** p0 of every readiness post (tells streams apart in one AO). Default 0. */
  tag?: number;
  /** For tests: the start of the 32-bit head/tail counters (e.g. 0x7ffffff0 to cross the wrap). Default 0. */
  initialIndex?: number;
  /**
   * Records refusals (src/trace.ts: STREAM_REFUSE, aux = items refused,
   * p0 = length, p1 = 1 when closed) and destroy's drops (DROP); the stream
   * registers as a 'stream'. Only the refusing paths test it. Default none.
   */
  trace?: Trace;
}

export interface StreamOptions<T extends StreamType> extends CommonOptions {
  /** Element type, resolved once at construction. */
  type: T;
  /** Storage to use instead of a new typed array: capacity elements at byteOffset. */
  buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Start of the ring in `buffer`, a multiple of the element size. Default 0. */
  byteOffset?: number;
}

export interface BlockStreamOptions extends CommonOptions {
  /** The pool beginWrite() claims from and cancel/destroy release to; the pool of every handle sent. */
  pool: BlockSource;
}

// Module-level constants (string literals evaluated on a hot path allocate on the XS host).
const NUMBER = 'number';
const FUNCTION = 'function';
const OBJECT = 'object';

const OPEN = 0;
const CLOSED = 1;
const DESTROYED = 2;

// Pending operation states of a BlockStream.
const IDLE = 0;
const ACTIVE = 1; // WRITING / READING
const CANCELLED = 2; // destroy() marked it; the lent block is released on the holder's ack
const ABANDONED = 3; // destroy(true) marked it and released the block; the ack is a no-op

const TYPE_NAMES: readonly string[] = Object.freeze(['u8', 'i16', 'i32', 'f32', 'f64']);

// Operation codes for slow paths that run on "no item" (numbers: a string literal argument would allocate on XS).
const OP_RECEIVE = 0;
const OP_BEGIN_READ = 1;
const OP_COMMIT_WRITE = 2;
const OP_CANCEL_WRITE = 3;
const OP_END_READ = 4;
const OP_CANCEL_READ = 5;
const OP_NAMES: readonly string[] = Object.freeze(['receive', 'beginRead', 'commitWrite', 'cancelWrite', 'endRead', 'cancelRead']);

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

function isSharedArrayBuffer(b: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

function checkCapacity(who: string, capacity: unknown): number {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_STREAM_CAPACITY) {
    throw new StreamConfigError(
      `${who}: capacity must be an integer 1..${MAX_STREAM_CAPACITY} (got ${show(capacity)}); change the \`capacity\` option`,
    );
  }
  if ((capacity & (capacity - 1)) !== 0) {
    let p = 1;
    while (p < capacity) p *= 2;
    throw new StreamConfigError(
      `${who}: capacity must be a power of two (got ${capacity}); use ${p} (or ${p / 2}) as the \`capacity\` option`,
    );
  }
  return capacity;
}

/** Ring indices, close/destroy state, counters and readiness shared by Stream and BlockStream. */
abstract class StreamCore {
  /** Used in error messages. */
  readonly name: string;
  /** p0 of readiness posts. */
  readonly tag: number;

  /** @internal */ protected readonly cap: number;
  /** @internal */ protected readonly mask: number;
  /** @internal */ protected head: number;
  /** @internal */ protected tail: number;
  /** @internal */ protected state = OPEN;
  /** @internal */ protected low: number;
  /** @internal */ protected reserved = 0; // 1 while a BlockStream write slot is reserved
  /** @internal */ protected reader: Postable | null = null;
  /** @internal */ protected readerSig = 0;
  /** @internal */ protected readWaiting = false;
  /** @internal */ protected writer: Postable | null = null;
  /** @internal */ protected writerSig = 0;
  /** @internal */ protected writeWaiting = false;

  /** Items (blocks) accepted. */
  written = 0;
  /** Items (blocks) consumed by the reader (next/read/receive/endRead). */
  taken = 0;
  /** Items not accepted because the ring was full. */
  refused = 0;
  /** Items offered after close(). */
  refusedClosed = 0;
  /** Queued items discarded by destroy(). */
  dropped = 0;
  /** Readiness posts accepted by their target. */
  posts = 0;
  /** Readiness posts their target refused (the wait stays armed). */
  missedPosts = 0;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number;

  constructor(who: string, o: CommonOptions) {
    const cap = checkCapacity(who, o.capacity);
    const tag = o.tag ?? 0;
    if (typeof tag !== 'number' || Number.isNaN(tag))
      throw new StreamConfigError(`${who}: tag must be a number (got ${show(tag)}); it is p0 of readiness posts`);
    const start = o.initialIndex ?? 0;
    if (typeof start !== 'number' || !Number.isInteger(start) || start < -0x80000000 || start > 0xffffffff)
      throw new StreamConfigError(`${who}: initialIndex must be a 32-bit integer (got ${show(start)})`);
    this.name = typeof o.name === 'string' ? o.name : 'stream';
    this.tag = tag;
    this.cap = cap;
    this.mask = cap - 1;
    this.head = start | 0;
    this.tail = start | 0;
    this.low = cap;
    const trace = o.trace ?? null;
    if (trace !== null && !(trace instanceof Trace))
      throw new StreamConfigError(`${who}: the trace option must be a Trace (new Trace({ clock })) or omitted`);
    this.trace = trace;
    this.traceId = trace === null ? 0 : trace.register('stream', this.name, undefined, 0, { capacity: cap });
  }

  /** @internal Records STREAM_REFUSE (n items, closed 1/0) or DROP (n items) if the filter lets it through (trace set). */
  protected traceRefuse(kind: number, n: number, closed: number): void {
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << kind)) !== 0) t.put(kind, this.traceId, -1, -1, n, (this.tail - this.head) | 0, closed);
  }

  /** Elements the ring holds. */
  get capacity(): number {
    return this.cap;
  }
  /** Items queued now (a lent READING block included). */
  get length(): number {
    return (this.tail - this.head) | 0;
  }
  /** Items that can be written now (capacity - length - a reserved write slot). */
  get free(): number {
    return this.cap - ((this.tail - this.head) | 0) - this.reserved;
  }
  /** Lowest `free` seen since construction. */
  get minFree(): number {
    return this.low;
  }
  /** close() was called (or destroy()). */
  get closed(): boolean {
    return this.state !== OPEN;
  }
  /** Closed and drained: the consumer will get nothing more. */
  get done(): boolean {
    return this.state !== OPEN && this.tail === this.head;
  }
  /** destroy() was called. */
  get destroyed(): boolean {
    return this.state === DESTROYED;
  }
  /** A reader wait is armed (it will post once). */
  get readerWaiting(): boolean {
    return this.readWaiting;
  }
  /** A writer wait is armed (it will post once). */
  get writerWaiting(): boolean {
    return this.writeWaiting;
  }

  /**
   * The consumer waits for data: binds `target`/`sig` and arms one post, made
   * when data arrives or the stream is closed; at once if it is readable now.
   */
  waitReadable(target: Postable, sig: number): void {
    if (this.state === DESTROYED) this.destroyedError('waitReadable');
    this.checkTarget(true, target, sig);
    this.reader = target;
    this.readerSig = sig;
    this.readWaiting = true;
    if (this.tail !== this.head || this.state !== OPEN) this.wakeReader();
  }

  /** The producer waits for space: binds `target`/`sig` and arms one post; at once if there is space now. */
  waitWritable(target: Postable, sig: number): void {
    if (this.state === DESTROYED) this.destroyedError('waitWritable');
    this.checkTarget(false, target, sig);
    this.writer = target;
    this.writerSig = sig;
    this.writeWaiting = true;
    if (((this.tail - this.head) | 0) + this.reserved < this.cap) this.wakeWriter();
  }

  /** Forgets the reader's target and disarms its wait (e.g. the consumer stops). */
  clearReader(): void {
    this.reader = null;
    this.readWaiting = false;
  }
  /** Forgets the writer's target and disarms its wait. */
  clearWriter(): void {
    this.writer = null;
    this.writeWaiting = false;
  }

  /**
   * Producer: ends the stream. The consumer reads what is queued, then sees
   * `done`. Posts an armed reader wait. Returns false if it was closed already.
   */
  close(): boolean {
    if (this.state === DESTROYED) this.destroyedError('close');
    if (this.reserved !== 0)
      throw new StreamUsageError(
        `${this.kind()} '${this.name}'.close(): a write is pending (beginWrite); commitWrite() or cancelWrite() it first`,
      );
    if (this.state !== OPEN) return false;
    this.state = CLOSED;
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  /** @internal Posts the armed reader wait once (stays armed if the target refuses). */
  protected wakeReader(): void {
    const t = this.reader;
    this.readWaiting = false;
    if (t === null) return;
    if (t.post(this.readerSig, this.tag)) this.posts++;
    else {
      this.missedPosts++;
      this.readWaiting = true;
    }
  }

  /** @internal Posts the armed writer wait once (stays armed if the target refuses). */
  protected wakeWriter(): void {
    const t = this.writer;
    this.writeWaiting = false;
    if (t === null) return;
    if (t.post(this.writerSig, this.tag)) this.posts++;
    else {
      this.missedPosts++;
      this.writeWaiting = true;
    }
  }

  /** @internal The reader found nothing: arm its wait if it has a target. */
  protected armReader(): void {
    if (this.reader !== null) this.readWaiting = true;
  }

  /** @internal destroy(), common part after the subclass released its blocks: wake both sides, forget them. */
  protected destroyCommon(): void {
    this.state = DESTROYED;
    if (this.readWaiting) this.wakeReader();
    if (this.writeWaiting) this.wakeWriter();
    this.readWaiting = false;
    this.writeWaiting = false;
    this.reader = null;
    this.writer = null;
  }

  /** @internal */
  protected abstract kind(): string;

  /** @internal */
  protected destroyedError(op: string): never {
    throw new StreamDestroyedError(
      `${this.kind()} '${this.name}'.${op}(): the stream was destroyed (written ${this.written}, taken ${this.taken}, dropped ${this.dropped}); ` +
        'make a new stream, and check `destroyed` when a readiness signal arrives',
    );
  }

  /** (`readable` is a boolean, not the method name: a string literal argument would allocate on XS.) */
  private checkTarget(readable: boolean, target: Postable, sig: number): void {
    if (target === null || typeof target !== OBJECT || typeof target.post !== FUNCTION) this.badTarget(readable, target, sig);
    if ((sig & 0xffff) !== sig) this.badTarget(readable, target, sig);
  }

  private badTarget(readable: boolean, target: Postable, sig: number): never {
    const op = readable ? 'waitReadable' : 'waitWritable';
    if (target === null || typeof target !== OBJECT || typeof target.post !== FUNCTION)
      throw new StreamUsageError(`${this.kind()} '${this.name}'.${op}(${show(target)}, ${show(sig)}): the target must have a post(sig, p0) method (an AoPort or EventQueue)`);
    throw new StreamUsageError(`${this.kind()} '${this.name}'.${op}(target, ${show(sig)}): the signal must be an integer 0..65535`);
  }
}

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

  constructor(options: StreamOptions<T>) {
    const o = options;
    const who0 = `Stream '${typeof o?.name === 'string' ? o.name : 'stream'}'`;
    if (o === null || typeof o !== 'object') throw new StreamConfigError(`${who0}: options must be an object with type and capacity`);
    super(who0, o);
    const who = `Stream '${this.name}'`;
    const code = TYPE_NAMES.indexOf(o.type as string);
    if (code < 0)
      throw new StreamConfigError(`${who}: type must be one of 'u8', 'i16', 'i32', 'f32', 'f64' (got ${show(o.type)}); change the \`type\` option`);
    const Ctor = [Uint8Array, Int16Array, Int32Array, Float32Array, Float64Array][code]!;
    const size = Ctor.BYTES_PER_ELEMENT;
    let data: StreamArrayOf[StreamType];
    if (o.buffer === undefined) {
      if (o.byteOffset !== undefined && o.byteOffset !== 0)
        throw new StreamConfigError(`${who}: byteOffset ${show(o.byteOffset)} given without a buffer; pass buffer too, or drop byteOffset`);
      data = new Ctor(this.cap);
    } else {
      if (!(o.buffer instanceof ArrayBuffer) && !isSharedArrayBuffer(o.buffer))
        throw new StreamConfigError(`${who}: buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${show(o.buffer)}`);
      const at = o.byteOffset ?? 0;
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at % size !== 0)
        throw new StreamConfigError(
          `${who}: byteOffset must be a non-negative multiple of ${size} (the '${o.type}' element size), got ${show(at)}; align the ring in the buffer`,
        );
      const need = at + this.cap * size;
      if (need > o.buffer.byteLength)
        throw new StreamConfigError(
          `${who}: buffer too small: ${this.cap} '${o.type}' elements (${size} bytes each) at byteOffset ${at} need ${need} bytes, ` +
            `the buffer has ${o.buffer.byteLength}; pass a larger buffer or a lower capacity`,
        );
      data = new Ctor(o.buffer as ArrayBuffer, at, this.cap);
    }
    this.type = o.type;
    this.data = data as StreamArrayOf[T];
    this.ring = data;
  }

  /** Writes one item. False when full (refused++, arms a bound writer) or closed (refusedClosed++). */
  writeOne(v: number): boolean {
    if (DEBUG) {
      if (typeof v !== NUMBER) this.badValue(v);
    }
    if (this.state !== OPEN) return this.refuseClosed(1) !== 0;
    const t = this.tail;
    const len = (t - this.head) | 0;
    if (len === this.cap) {
      this.refused++;
      if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 0);
      if (this.writer !== null) this.writeWaiting = true;
      return false;
    }
    this.ring[t & this.mask] = v;
    this.tail = (t + 1) | 0;
    this.written++;
    const free = this.cap - len - 1;
    if (free < this.low) this.low = free;
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  /** Takes one item into `value` and returns true; false when empty (arms a bound reader unless closed). */
  next(): boolean {
    const h = this.head;
    if (h === this.tail) {
      if (this.state === OPEN) this.armReader();
      else if (this.state === DESTROYED) this.destroyedError('next');
      return false;
    }
    this.value = this.ring[h & this.mask]!;
    this.head = (h + 1) | 0;
    this.taken++;
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
    const len = (t - this.head) | 0;
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
    this.tail = (t + n) | 0;
    this.written += n;
    const free = space - n;
    if (free < this.low) this.low = free;
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
    const len = (this.tail - h) | 0;
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
    this.head = (h + n) | 0;
    this.taken += n;
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
    const n = (this.tail - this.head) | 0;
    this.dropped += n;
    this.head = this.tail;
    if (this.trace !== null && n > 0) this.traceRefuse(TRACE_DROP, n, 1);
    this.destroyCommon();
    return n;
  }

  /** @internal */
  protected kind(): string {
    return 'Stream';
  }

  private refuseClosed(n: number): number {
    if (this.state === DESTROYED) this.destroyedError('write');
    this.refusedClosed += n;
    if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, n, 1);
    return 0;
  }

  private badValue(v: unknown): never {
    throw new StreamUsageError(`Stream '${this.name}'.writeOne(${show(v)}): items are numbers (${this.type} elements)`);
  }

  private badRange(op: string, arr: NumberSource, offset: number, n: number): never {
    if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number')
      throw new StreamUsageError(`Stream '${this.name}'.${op}(${show(arr)}, ..): pass a typed array or a number array`);
    throw new StreamUsageError(
      `Stream '${this.name}'.${op}(array of ${arr.length}, ${show(offset)}, ${show(n)}): offset and count must be integers >= 0 ` +
        `with offset + count <= the array's length`,
    );
  }
}

/**
 * A bounded stream of pool block handles: zero copy, ownership moves with the
 * handle. See the module header for the block lifecycle and cancel-then-free.
 */
export class BlockStream extends StreamCore {
  /** Where beginWrite() claims and cancel/destroy release. */
  readonly pool: BlockSource;

  private readonly ring: Int32Array;
  /** Per pool block index (h & 0xffff): 1 while a handle of that block is in the ring (sent or committed, not yet taken). */
  private readonly inRing: Uint8Array;
  private wstate = IDLE;
  private pending = NO_BLOCK; // the block lent by beginWrite
  private rstate = IDLE;
  private lent = NO_BLOCK; // the block lent by beginRead (still at the front of the ring)

  /** beginWrite() found the pool empty. */
  noBlock = 0;
  /** Blocks the stream released because a write was cancelled or the stream destroyed. */
  releasedOnCancel = 0;
  /** cancelWrite() calls that released a pending block. */
  cancelledWrites = 0;

  constructor(options: BlockStreamOptions) {
    const o = options;
    const who0 = `BlockStream '${typeof o?.name === 'string' ? o.name : 'stream'}'`;
    if (o === null || typeof o !== 'object') throw new StreamConfigError(`${who0}: options must be an object with capacity and pool`);
    super(who0, o);
    const p = o.pool;
    if (
      p === null ||
      typeof p !== 'object' ||
      typeof p.tryClaim !== 'function' ||
      typeof p.release !== 'function' ||
      typeof p.offset !== 'function' ||
      typeof p.capacity !== 'number' ||
      !Number.isInteger(p.capacity) ||
      p.capacity < 1 ||
      p.capacity > 0x10000
    )
      throw new StreamConfigError(
        `BlockStream '${this.name}': pool must have tryClaim(), release(h), offset(h) and a capacity 1..65536 (a BlockPool), got ${show(p)}`,
      );
    this.pool = p;
    this.ring = new Int32Array(this.cap);
    this.inRing = new Uint8Array(p.capacity);
  }

  /** The handle lent by beginWrite() (NO_BLOCK if none). */
  get pendingWrite(): number {
    return this.pending;
  }
  /** The handle lent by beginRead() (NO_BLOCK if none). */
  get pendingRead(): number {
    return this.lent;
  }

  /**
   * Producer: passes block `h` (ownership moves) and returns true. Returns false
   * when full (refused++, arms a bound writer) or closed (refusedClosed++): the
   * producer still owns h. Throws on NO_BLOCK or a non-handle.
   *
   * Checked in every build (the ring stores h for later): h is a live handle
   * of `pool` (the pool's own check: StaleHandleError, ForeignHandleError,
   * InvalidHandleError, or use after release), and its block is not in the
   * ring already (StreamUsageError: sent twice). Nothing changes when it throws.
   */
  send(h: number): boolean {
    if (!(h > 0) || h !== (h | 0)) this.badHandle('send', h);
    if (this.state !== OPEN || this.wstate !== IDLE) return this.sendSlow(); // (h is not stored there)
    this.pool.offset(h); // throws a named HandleError unless h is a live handle of this pool
    if (this.inRing[h & 0xffff] !== 0) this.alreadyQueued(h);
    const t = this.tail;
    const len = (t - this.head) | 0;
    if (len === this.cap) {
      this.refused++;
      if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 0);
      if (this.writer !== null) this.writeWaiting = true;
      return false;
    }
    this.ring[t & this.mask] = h;
    this.inRing[h & 0xffff] = 1;
    this.tail = (t + 1) | 0;
    this.written++;
    const free = this.cap - len - 1;
    if (free < this.low) this.low = free;
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  /** Consumer: takes the front block (the consumer now owns it and must release it), or NO_BLOCK when empty. */
  receive(): number {
    const hd = this.head;
    if (hd === this.tail || this.rstate !== IDLE) return this.emptySlow(OP_RECEIVE);
    const h = this.ring[hd & this.mask]!;
    this.inRing[h & 0xffff] = 0;
    this.head = (hd + 1) | 0;
    this.taken++;
    if (this.writeWaiting) this.wakeWriter();
    return h;
  }

  /**
   * Producer: reserves a ring slot and claims a block from the pool for it;
   * returns the block to fill (lent, still the stream's), or NO_BLOCK when the
   * ring is full (refused++), closed (refusedClosed++) or the pool empty (noBlock++).
   */
  beginWrite(): number {
    if (this.state !== OPEN || this.wstate !== IDLE) return this.beginWriteSlow();
    const len = (this.tail - this.head) | 0;
    if (len === this.cap) {
      this.refused++;
      if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 0);
      if (this.writer !== null) this.writeWaiting = true;
      return NO_BLOCK;
    }
    const h = this.pool.tryClaim();
    if (h === NO_BLOCK) {
      this.noBlock++;
      return NO_BLOCK;
    }
    this.pending = h;
    this.wstate = ACTIVE;
    this.reserved = 1;
    const free = this.cap - len - 1;
    if (free < this.low) this.low = free;
    return h;
  }

  /**
   * Producer: publishes the pending block; true. False if destroy() cancelled
   * the write: the block is released now (unless destroy(true) already did).
   */
  commitWrite(): boolean {
    if (this.wstate !== ACTIVE) return this.ackWrite(OP_COMMIT_WRITE);
    const h = this.pending;
    const t = this.tail;
    this.ring[t & this.mask] = h;
    this.inRing[h & 0xffff] = 1;
    this.tail = (t + 1) | 0;
    this.pending = NO_BLOCK;
    this.wstate = IDLE;
    this.reserved = 0;
    this.written++;
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  /** Producer: cancels the pending write, then releases its block (cancel-then-free). */
  cancelWrite(): void {
    if (this.wstate !== ACTIVE) {
      this.ackWrite(OP_CANCEL_WRITE);
      return;
    }
    const h = this.pending;
    // Cancel first: commitWrite can no longer publish h ...
    this.pending = NO_BLOCK;
    this.wstate = IDLE;
    this.reserved = 0;
    this.cancelledWrites++;
    this.releasedOnCancel++;
    // ... then free.
    this.pool.release(h);
    if (this.writeWaiting) this.wakeWriter();
  }

  /** Consumer: lends the front block (it stays queued), or NO_BLOCK when empty. */
  beginRead(): number {
    const hd = this.head;
    if (hd === this.tail || this.rstate !== IDLE) return this.emptySlow(OP_BEGIN_READ);
    const h = this.ring[hd & this.mask]!;
    this.lent = h;
    this.rstate = ACTIVE;
    return h;
  }

  /**
   * Consumer: consumes the lent block: removes it from the ring, then releases
   * it; true. False if destroy() cancelled the read (released now unless destroy(true) did).
   */
  endRead(): boolean {
    if (this.rstate !== ACTIVE) return this.ackRead(OP_END_READ);
    const h = this.lent;
    const hd = this.head;
    this.inRing[h & 0xffff] = 0;
    this.head = (hd + 1) | 0;
    this.lent = NO_BLOCK;
    this.rstate = IDLE;
    this.taken++;
    this.pool.release(h);
    if (this.writeWaiting) this.wakeWriter();
    return true;
  }

  /** Consumer: gives the lent block back unconsumed: it stays at the front for the next read. */
  cancelRead(): void {
    if (this.rstate !== ACTIVE) {
      this.ackRead(OP_CANCEL_READ);
      return;
    }
    this.lent = NO_BLOCK;
    this.rstate = IDLE;
  }

  /**
   * Ends the stream for both sides. First marks a pending write/read
   * CANCELLED, then releases every queued block once (dropped, releasedOnCancel)
   * and posts armed waits (the woken party checks `destroyed`). A lent block
   * (beginWrite/beginRead) stays held until its holder acknowledges
   * (commitWrite/endRead return false, cancelWrite/cancelRead), unless
   * `holdersGone` is true: then it is released now and the ack is a no-op.
   * Returns the number of blocks released by this call.
   */
  destroy(holdersGone = false): number {
    if (this.state === DESTROYED) this.destroyedError('destroy');
    // 1. Cancel the pending operations.
    const w = this.wstate === ACTIVE;
    const r = this.rstate === ACTIVE;
    if (w) this.wstate = holdersGone ? ABANDONED : CANCELLED;
    if (r) this.rstate = holdersGone ? ABANDONED : CANCELLED;
    this.reserved = 0;
    const len = (this.tail - this.head) | 0;
    this.dropped += len;
    if (this.trace !== null && len > 0) this.traceRefuse(TRACE_DROP, len, 1);
    let hd = this.head;
    if (r) hd = (hd + 1) | 0; // the lent front block is the reader's to acknowledge
    const end = this.tail;
    this.head = end;
    this.state = DESTROYED;
    // 2. Then free.
    let n = 0;
    while (hd !== end) {
      const h = this.ring[hd & this.mask]!;
      hd = (hd + 1) | 0;
      n++;
      this.releasedOnCancel++;
      this.pool.release(h);
    }
    if (holdersGone) {
      if (w) {
        const h = this.pending;
        this.pending = NO_BLOCK;
        n++;
        this.releasedOnCancel++;
        this.pool.release(h);
      }
      if (r) {
        const h = this.lent;
        this.lent = NO_BLOCK;
        n++;
        this.releasedOnCancel++;
        this.pool.release(h);
      }
    }
    this.destroyCommon();
    return n;
  }

  /** @internal */
  protected kind(): string {
    return 'BlockStream';
  }

  private sendSlow(): boolean {
    if (this.state === DESTROYED) this.destroyedError('send');
    if (this.wstate !== IDLE) this.pendingWriteError('send');
    this.refusedClosed++;
    if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 1);
    return false;
  }

  private beginWriteSlow(): number {
    if (this.state === DESTROYED) this.destroyedError('beginWrite');
    if (this.wstate !== IDLE) this.pendingWriteError('beginWrite');
    this.refusedClosed++;
    if (this.trace !== null) this.traceRefuse(TRACE_STREAM_REFUSE, 1, 1);
    return NO_BLOCK;
  }

  private pendingWriteError(op: string): never {
    throw new StreamUsageError(
      `BlockStream '${this.name}'.${op}(): a write is pending (beginWrite returned ${this.pending}); ` +
        'commitWrite() or cancelWrite() it first (one producer, one pending write)',
    );
  }

  private emptySlow(op: number): number {
    if (this.rstate !== IDLE) {
      if (this.state === DESTROYED && this.rstate !== ACTIVE) this.destroyedError(OP_NAMES[op]!);
      throw new StreamUsageError(
        `BlockStream '${this.name}'.${OP_NAMES[op]}(): a read is pending (beginRead returned ${this.lent}); endRead() or cancelRead() it first`,
      );
    }
    if (this.state === OPEN) this.armReader();
    else if (this.state === DESTROYED) this.destroyedError(OP_NAMES[op]!);
    return NO_BLOCK;
  }

  /** commitWrite/cancelWrite with no active write: the holder's ack of a cancel, or misuse. */
  private ackWrite(op: number): boolean {
    const s = this.wstate;
    if (s === CANCELLED) {
      const h = this.pending;
      this.pending = NO_BLOCK;
      this.wstate = IDLE;
      this.releasedOnCancel++;
      this.pool.release(h);
      return false;
    }
    if (s === ABANDONED) {
      this.wstate = IDLE;
      return false;
    }
    if (this.state === DESTROYED) this.destroyedError(OP_NAMES[op]!);
    throw new StreamUsageError(
      op === OP_CANCEL_WRITE
        ? `BlockStream '${this.name}'.cancelWrite(): no write is pending (double cancel, or cancel without beginWrite)`
        : `BlockStream '${this.name}'.commitWrite(): no write is pending; call beginWrite() first and commit its block once`,
    );
  }

  /** endRead/cancelRead with no active read: the holder's ack of a cancel, or misuse. */
  private ackRead(op: number): boolean {
    const s = this.rstate;
    if (s === CANCELLED) {
      const h = this.lent;
      this.lent = NO_BLOCK;
      this.rstate = IDLE;
      this.releasedOnCancel++;
      this.pool.release(h);
      return false;
    }
    if (s === ABANDONED) {
      this.rstate = IDLE;
      return false;
    }
    if (this.state === DESTROYED) this.destroyedError(OP_NAMES[op]!);
    throw new StreamUsageError(
      op === OP_CANCEL_READ
        ? `BlockStream '${this.name}'.cancelRead(): no read is pending (double cancel, or cancel without beginRead)`
        : `BlockStream '${this.name}'.endRead(): no read is pending; call beginRead() first and end it once`,
    );
  }

  private alreadyQueued(h: number): never {
    throw new StreamUsageError(
      `BlockStream '${this.name}'.send(${h}): block ${h & 0xffff} is already queued in this stream (sent twice, or ` +
        'released after a send and claimed again); a sent block belongs to the consumer: send each claim once',
    );
  }

  private badHandle(op: string, h: unknown): never {
    if (h === NO_BLOCK)
      throw new StreamUsageError(
        `BlockStream '${this.name}'.${op}(NO_BLOCK): the claim was refused (tryClaim returned NO_BLOCK); check for NO_BLOCK before sending`,
      );
    throw new StreamUsageError(`BlockStream '${this.name}'.${op}(${show(h)}): not a block handle (a positive integer from claim/tryClaim)`);
  }
}
