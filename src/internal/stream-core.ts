/**
 * internal/stream-core: what Stream (src/stream.ts) and BlockStream
 * (src/block-stream.ts) share: ring indices, the close/destroy state, the
 * counters, readiness waits (one post to a Postable per armed wait), and the
 * stream error classes (re-exported by both public modules). Private to Keel.
 * The contract (contexts, allocation, lifecycle) is in src/stream.ts's header.
 */
import { KeelError } from '../errors.js';
import { Trace } from '../trace.js';
import { MAX_RING_CAPACITY, checkCapacity, checkInitialIndex, show } from './checks.js';
import { MAX_SIGNAL } from './event.js';
import { STREAM_TYPES } from './layout.js';

/** Largest capacity of one stream (elements or handles). */
export const MAX_STREAM_CAPACITY = MAX_RING_CAPACITY;

/** Anything a readiness signal can be posted to (kernel AoPort, EventQueue, SharedEventQueue). */
export interface Postable {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
}

/** The codes of StreamConfigError (docs/errors.md, "stream"). */
export type StreamConfigErrorCode =
  | 'NO_OPTIONS'
  | 'BAD_CAPACITY'
  | 'CAPACITY_NOT_POWER_OF_TWO'
  | 'BAD_TAG'
  | 'BAD_INITIAL_INDEX'
  | 'BAD_TRACE'
  | 'BAD_TYPE'
  | 'OFFSET_WITHOUT_BUFFER'
  | 'BAD_BUFFER'
  | 'BAD_BYTE_OFFSET'
  | 'BUFFER_TOO_SMALL'
  | 'BAD_POOL'
  | 'NO_ATOMICS'
  | 'NO_SHARED_ARRAY_BUFFER'
  | 'CANNOT_BLOCK';
/** The code of StreamDestroyedError. */
export type StreamDestroyedErrorCode = 'DESTROYED';
/** The codes of StreamUsageError (docs/errors.md, "stream"); StreamDestroyedError's included. */
export type StreamUsageErrorCode =
  | 'WRITE_PENDING'
  | 'READ_PENDING'
  | 'NO_WRITE_PENDING'
  | 'NO_READ_PENDING'
  | 'BAD_TARGET'
  | 'BAD_SIGNAL'
  | 'BAD_VALUE'
  | 'BAD_ARRAY'
  | 'BAD_RANGE'
  | 'ALREADY_QUEUED'
  | 'SENT_NO_BLOCK'
  | 'NOT_A_HANDLE'
  | 'BAD_TIMEOUT'
  | StreamDestroyedErrorCode;

/** Bad options: element type, capacity, buffer, byteOffset, tag, pool, atomics. */
export class StreamConfigError extends KeelError {
  override name = 'StreamConfigError';
  declare readonly code: StreamConfigErrorCode;
}
/** Misuse: a bad argument, commitWrite without beginWrite, a double cancel, sending NO_BLOCK, ... */
export class StreamUsageError extends KeelError {
  override name = 'StreamUsageError';
  declare readonly code: StreamUsageErrorCode;
}
/** Any use of a stream after destroy(), except acknowledging a cancelled pending operation. */
export class StreamDestroyedError extends StreamUsageError {
  override name = 'StreamDestroyedError';
  declare readonly code: StreamDestroyedErrorCode;
}

export interface CommonOptions {
  /** Elements (scalars or handles) the ring holds: a power of two 1..MAX_STREAM_CAPACITY. */
  capacity: number;
  /** Used in error messages. Default 'stream'. */
  name?: string;
  /** p0 of every readiness post (tells streams apart in one AO). Default 0. */
  tag?: number;
  /**
   * For tests: the start of the head/tail counters, a 32-bit integer (e.g.
   * 0x7ffffff0 to cross 2^31: BlockStream's counters wrap there, Stream's go
   * on as numbers). Default 0.
   */
  initialIndex?: number;
  /**
   * Records refusals (src/trace.ts: STREAM_REFUSE, aux = items refused,
   * p0 = length, p1 = 1 when closed) and destroy's drops (DROP); the stream
   * registers as a 'stream'. Only the refusing paths test it. Default none.
   */
  trace?: Trace;
}

/**
 * The `type` option of Stream and SharedStream: its index in STREAM_TYPES
 * (0 u8 .. 4 f64; SharedStream's header code is index + 1).
 */
export function streamTypeIndex(who: string, type: unknown): number {
  const i = STREAM_TYPES.indexOf(type as string);
  if (i < 0)
    throw new StreamConfigError(
      'BAD_TYPE',
      DEBUG
        ? `${who}: type must be one of 'u8', 'i16', 'i32', 'f32', 'f64' (got ${show(type)}); change the \`type\` option [BAD_TYPE]`
        : `${who} [BAD_TYPE]`,
    );
  return i;
}

// Module-level constants (string literals evaluated on a hot path allocate on the XS host).
const FUNCTION = 'function';
const OBJECT = 'object';

/** Stream states (`state`). */
export const OPEN = 0;
export const CLOSED = 1;
export const DESTROYED = 2;

/** Ring indices, close/destroy state, counters and readiness shared by Stream and BlockStream. */
export abstract class StreamCore {
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
  /**
   * @internal Stream's write bound: its writeOne takes the fast path (store,
   * advance, nothing else to do) while length < wmark. It is 0 while the
   * stream is not open or a reader wait is armed, else cap - low (the length
   * at which a write sets a new low-water mark; a full ring is past it). Set
   * to 0 where state or readWaiting goes that way, recomputed by syncMark()
   * where readWaiting clears or `low` moves. BlockStream does not read it.
   */
  protected wmark = 0;

  /** Items (blocks) accepted. (Stream derives it from its tail counter; BlockStream counts it.) */
  abstract written: number;
  /** Items (blocks) consumed by the reader (next/read/receive/endRead). */
  abstract taken: number;
  /** Items not accepted because the ring was full. */
  refused = 0;
  /** Items offered after close(). */
  refusedClosed = 0;
  /** Queued items discarded by destroy(). */
  dropped = 0;
  /** Readiness posts accepted by their target. */
  posts = 0;
  /** Readiness posts their target refused (returned false; the wait stays armed). */
  wakeRefused = 0;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number;

  /** @deprecated use `wakeRefused`; removed after 0.2. */
  get missedPosts(): number {
    return this.wakeRefused;
  }
  /** @deprecated writes `wakeRefused` (it was a plain field); removed after 0.2. */
  set missedPosts(n: number) {
    this.wakeRefused = n;
  }

  /** `who`: the owner in messages, e.g. `Stream 'rx'`. */
  constructor(who: string, o: CommonOptions) {
    const cap = checkCapacity(who, o.capacity, StreamConfigError, true);
    const tag = o.tag ?? 0;
    if (typeof tag !== 'number' || Number.isNaN(tag))
      throw new StreamConfigError(
        'BAD_TAG',
        DEBUG ? `${who}: tag must be a number (got ${show(tag)}); it is p0 of readiness posts [BAD_TAG]` : `${who} [BAD_TAG]`,
      );
    const start = checkInitialIndex(who, o.initialIndex, StreamConfigError);
    this.name = typeof o.name === 'string' ? o.name : 'stream';
    this.tag = tag;
    this.cap = cap;
    this.mask = cap - 1;
    this.head = start | 0;
    this.tail = start | 0;
    this.low = cap;
    const trace = o.trace ?? null;
    if (trace !== null && !(trace instanceof Trace))
      throw new StreamConfigError(
        'BAD_TRACE',
        DEBUG ? `${who}: the trace option must be a Trace (new Trace({ clock })) or omitted [BAD_TRACE]` : `${who} [BAD_TRACE]`,
      );
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
    this.wmark = 0;
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
    this.syncMark();
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
        'WRITE_PENDING',
        DEBUG
          ? `${this.kind()} '${this.name}'.close(): a write is pending (beginWrite); commitWrite() or cancelWrite() it first [WRITE_PENDING]`
          : `${this.kind()} '${this.name}' [WRITE_PENDING]`,
      );
    if (this.state !== OPEN) return false;
    this.state = CLOSED;
    this.wmark = 0;
    if (this.readWaiting) this.wakeReader();
    return true;
  }

  /** @internal Posts the armed reader wait once (stays armed if the target refuses). */
  protected wakeReader(): void {
    const t = this.reader;
    this.readWaiting = false;
    this.syncMark();
    if (t === null) return;
    if (t.post(this.readerSig, this.tag)) this.posts++;
    else {
      this.wakeRefused++;
      this.readWaiting = true;
      this.wmark = 0;
    }
  }

  /** @internal Posts the armed writer wait once (stays armed if the target refuses). */
  protected wakeWriter(): void {
    const t = this.writer;
    this.writeWaiting = false;
    if (t === null) return;
    if (t.post(this.writerSig, this.tag)) this.posts++;
    else {
      this.wakeRefused++;
      this.writeWaiting = true;
    }
  }

  /** @internal The reader found nothing: arm its wait if it has a target. */
  protected armReader(): void {
    if (this.reader !== null) {
      this.readWaiting = true;
      this.wmark = 0;
    }
  }

  /** @internal Recomputes `wmark` from the state, readWaiting and `low` as they are now. */
  protected syncMark(): void {
    this.wmark = this.state === OPEN && !this.readWaiting ? this.cap - this.low : 0;
  }

  /** @internal destroy(), common part after the subclass released its blocks: wake both sides, forget them. */
  protected destroyCommon(): void {
    this.state = DESTROYED;
    this.wmark = 0;
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
      'DESTROYED',
      DEBUG
        ? `${this.kind()} '${this.name}'.${op}(): the stream was destroyed (written ${this.written}, taken ${this.taken}, dropped ${this.dropped}); ` +
            'make a new stream, and check `destroyed` when a readiness signal arrives [DESTROYED]'
        : `${this.kind()} '${this.name}' [DESTROYED]`,
    );
  }

  /** (`readable` is a boolean, not the method name: a string literal argument would allocate on XS.) */
  private checkTarget(readable: boolean, target: Postable, sig: number): void {
    if (target === null || typeof target !== OBJECT || typeof target.post !== FUNCTION) this.badTarget(readable, target, sig);
    if ((sig & MAX_SIGNAL) !== sig) this.badTarget(readable, target, sig);
  }

  private badTarget(readable: boolean, target: Postable, sig: number): never {
    const who = `${this.kind()} '${this.name}'`;
    const op = readable ? 'waitReadable' : 'waitWritable';
    if (target === null || typeof target !== OBJECT || typeof target.post !== FUNCTION)
      throw new StreamUsageError(
        'BAD_TARGET',
        DEBUG
          ? `${who}.${op}(${show(target)}, ${show(sig)}): the target must have a post(sig, p0) method (an AoPort or EventQueue) [BAD_TARGET]`
          : `${who} [BAD_TARGET]`,
      );
    throw new StreamUsageError(
      'BAD_SIGNAL',
      DEBUG ? `${who}.${op}(target, ${show(sig)}): the signal must be an integer 0..${MAX_SIGNAL} [BAD_SIGNAL]` : `${who} [BAD_SIGNAL]`,
    );
  }
}
