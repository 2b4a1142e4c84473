/**
 * block-stream: BlockStream, a bounded single-producer / single-consumer
 * stream of pool block handles (zero copy: ownership moves with the handle),
 * with the readiness signals, close, destroy, counters and contexts of
 * `Stream` (src/stream.ts's header; both are built on
 * src/internal/stream-core.ts). `keel/stream` re-exports it.
 *
 * "No item" signals: receive(), beginRead(), beginWrite() return a handle or
 * NO_BLOCK (0); send and commitWrite return a boolean.
 *
 * Allocation guarantee: send, receive, beginWrite, commitWrite, cancelWrite,
 * beginRead, endRead, cancelRead, the waits, close, the counters and readiness
 * posts into an EventQueue allocate 0 slots and 0 chunk bytes on XS, the first
 * call after construction included (test/stream/stream-block.test.ts proves it on
 * the XS host with DEBUG checks on). Only the constructor and the misuse
 * errors allocate.
 *
 * Block in flight. Edges are method calls; `pool` is the BlockSource; FREE
 * means back in the pool.
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
 * Counters: Stream's (written, taken, refused, refusedClosed, dropped, posts,
 * wakeRefused), plus refusedNoBlock (beginWrite refused: the pool was empty;
 * `noBlock` is its deprecated alias), releasedOnCancel, cancelledWrites.
 * Identity after every call: written === taken + dropped + length.
 *
 * Limits: capacity a power of two 1..MAX_STREAM_CAPACITY (65536); a pool of
 * 1..65536 blocks; one pending write and one pending read.
 *
 * Measured cost: docs/stream.md, "Measured cost" (`node scripts/bench.mjs stream`).
 *
 * Errors carry a code (docs/errors.md, "block-stream" and "stream"). Checked
 * in every build: the constructor's options, every destroyed-stream and
 * pending-operation check, and send's handle check (the handle is stored for
 * later: the pool's offset(h) check for a stale, foreign, released or forged
 * handle, and StreamUsageError for a block already in the ring).
 */
import { NO_BLOCK } from './pool.js';
import { TRACE_DROP, TRACE_STREAM_REFUSE } from './trace.js';
import { show } from './internal/checks.js';
import { DESTROYED, OPEN, StreamConfigError, StreamCore, StreamUsageError } from './internal/stream-core.js';
import type { CommonOptions } from './internal/stream-core.js';

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

export interface BlockStreamOptions extends CommonOptions {
  /** The pool beginWrite() claims from and cancel/destroy release to; the pool of every handle sent. */
  pool: BlockSource;
}

// Pending operation states of a BlockStream.
const IDLE = 0;
const ACTIVE = 1; // WRITING / READING
const CANCELLED = 2; // destroy() marked it; the lent block is released on the holder's ack
const ABANDONED = 3; // destroy(true) marked it and released the block; the ack is a no-op

// Operation codes for slow paths that run on "no item" (numbers: a string literal argument would allocate on XS).
const OP_RECEIVE = 0;
const OP_BEGIN_READ = 1;
const OP_COMMIT_WRITE = 2;
const OP_CANCEL_WRITE = 3;
const OP_END_READ = 4;
const OP_CANCEL_READ = 5;
const OP_NAMES: readonly string[] = Object.freeze(['receive', 'beginRead', 'commitWrite', 'cancelWrite', 'endRead', 'cancelRead']);

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
  /** Blocks accepted. */
  written = 0;
  /** Blocks consumed by the reader (receive/endRead). */
  taken = 0;

  /** beginWrite() calls refused because the pool was empty (returned NO_BLOCK). */
  refusedNoBlock = 0;
  /** Blocks the stream released because a write was cancelled or the stream destroyed. */
  releasedOnCancel = 0;
  /** cancelWrite() calls that released a pending block. */
  cancelledWrites = 0;

  /** @deprecated use `refusedNoBlock`; removed after 0.2. */
  get noBlock(): number {
    return this.refusedNoBlock;
  }
  /** @deprecated writes `refusedNoBlock` (it was a plain field); removed after 0.2. */
  set noBlock(n: number) {
    this.refusedNoBlock = n;
  }

  constructor(options: BlockStreamOptions) {
    const o = options;
    const who0 = `BlockStream '${typeof o?.name === 'string' ? o.name : 'stream'}'`;
    if (o === null || typeof o !== 'object')
      throw new StreamConfigError(
        'NO_OPTIONS',
        DEBUG ? `${who0}: options must be an object with capacity and pool [NO_OPTIONS]` : `${who0} [NO_OPTIONS]`,
      );
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
        'BAD_POOL',
        DEBUG
          ? `BlockStream '${this.name}': pool must have tryClaim(), release(h), offset(h) and a capacity 1..65536 (a BlockPool), got ${show(p)} [BAD_POOL]`
          : `BlockStream '${this.name}' [BAD_POOL]`,
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
   * ring is full (refused++), closed (refusedClosed++) or the pool empty (refusedNoBlock++).
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
      this.refusedNoBlock++;
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
      'WRITE_PENDING',
      DEBUG
        ? `BlockStream '${this.name}'.${op}(): a write is pending (beginWrite returned ${this.pending}); ` +
            'commitWrite() or cancelWrite() it first (one producer, one pending write) [WRITE_PENDING]'
        : `BlockStream '${this.name}' [WRITE_PENDING]`,
    );
  }

  private emptySlow(op: number): number {
    if (this.rstate !== IDLE) {
      if (this.state === DESTROYED && this.rstate !== ACTIVE) this.destroyedError(OP_NAMES[op]!);
      throw new StreamUsageError(
        'READ_PENDING',
        DEBUG
          ? `BlockStream '${this.name}'.${OP_NAMES[op]}(): a read is pending (beginRead returned ${this.lent}); endRead() or cancelRead() it first [READ_PENDING]`
          : `BlockStream '${this.name}' [READ_PENDING]`,
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
      'NO_WRITE_PENDING',
      DEBUG
        ? op === OP_CANCEL_WRITE
          ? `BlockStream '${this.name}'.cancelWrite(): no write is pending (double cancel, or cancel without beginWrite) [NO_WRITE_PENDING]`
          : `BlockStream '${this.name}'.commitWrite(): no write is pending; call beginWrite() first and commit its block once [NO_WRITE_PENDING]`
        : `BlockStream '${this.name}' [NO_WRITE_PENDING]`,
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
      'NO_READ_PENDING',
      DEBUG
        ? op === OP_CANCEL_READ
          ? `BlockStream '${this.name}'.cancelRead(): no read is pending (double cancel, or cancel without beginRead) [NO_READ_PENDING]`
          : `BlockStream '${this.name}'.endRead(): no read is pending; call beginRead() first and end it once [NO_READ_PENDING]`
        : `BlockStream '${this.name}' [NO_READ_PENDING]`,
    );
  }

  private alreadyQueued(h: number): never {
    throw new StreamUsageError(
      'ALREADY_QUEUED',
      DEBUG
        ? `BlockStream '${this.name}'.send(${h}): block ${h & 0xffff} is already queued in this stream (sent twice, or ` +
            'released after a send and claimed again); a sent block belongs to the consumer: send each claim once [ALREADY_QUEUED]'
        : `BlockStream '${this.name}' [ALREADY_QUEUED]`,
    );
  }

  private badHandle(op: string, h: unknown): never {
    if (h === NO_BLOCK)
      throw new StreamUsageError(
        'SENT_NO_BLOCK',
        DEBUG
          ? `BlockStream '${this.name}'.${op}(NO_BLOCK): the claim was refused (tryClaim returned NO_BLOCK); check for NO_BLOCK before sending [SENT_NO_BLOCK]`
          : `BlockStream '${this.name}' [SENT_NO_BLOCK]`,
      );
    throw new StreamUsageError(
      'NOT_A_HANDLE',
      DEBUG
        ? `BlockStream '${this.name}'.${op}(${show(h)}): not a block handle (a positive integer from claim/tryClaim) [NOT_A_HANDLE]`
        : `BlockStream '${this.name}' [NOT_A_HANDLE]`,
    );
  }
}
