/**
 * pool: static buffer pools. Fixed-size blocks in one ArrayBuffer, claimed and
 * released through checked integer handles, with reference counts; size
 * classes on top (`PoolSet`). The static-buffer answer to an allocator hook:
 * ask for N bytes, get a block when a class fits, or a counted refusal.
 *
 * `BlockPool` holds `count` blocks of `blockSize` bytes in one arena: an
 * ArrayBuffer it allocates at construction, or a buffer the caller passes in
 * (ArrayBuffer, SharedArrayBuffer, or the region byteOffset .. byteOffset +
 * count * blockSize of a larger static arena). Free blocks sit on a LIFO free
 * list threaded through one typed-array word per block; claim pops, release
 * pushes; there is no object per block.
 * Block data is reached through the pool's one byte view `bytes` and one
 * DataView `view`, both over the whole buffer, at the absolute `offset(h)`:
 *
 *     const h = pool.claim();
 *     pool.view.setUint32(pool.offset(h), 42, true);
 *     pool.bytes[pool.offset(h) + 4] = 7;
 *     pool.release(h);
 *
 * Guarantees
 * - Zero allocation: claim, tryClaim (also on an empty pool), release, retain,
 *   offset, refCount (also of shared blocks, and 0 for an ended claim), and
 *   PoolSet reserve, tryReserve (also when refused), release, retain, offset,
 *   refCount, poolOf allocate 0 slots and 0 chunk bytes on XS, the first call
 *   after construction included (test/pool/pool.test.ts, pool-set.test.ts,
 *   pool-model.test.ts). Only a thrown error allocates.
 * - O(1): claim, tryClaim, release, retain, offset, refCount. reserve and
 *   tryReserve scan at most MAX_CLASSES (16) class sizes once. Only a throw
 *   for a handle whose block is free (double release, use after release, or
 *   a stale handle) walks the free list, at most `free` words, to tell those
 *   errors apart.
 * - Checked handles: a stale handle (its claim ended and the block was
 *   claimed again), a double release, a handle of another pool, an index or
 *   generation no claim produced, NO_BLOCK, and anything that is not an
 *   integer are each rejected with a named error before any state changes:
 *   misuse never corrupts the free list or the counters.
 * - Nothing is lost silently: every refused claim or reserve is counted in
 *   `refused` (`failures` is its deprecated alias); `minFree` is the low-water
 *   mark of `free` (QP's nMin).
 *
 * Errors (all KeelError subclasses; the four handle errors extend HandleError)
 *   PoolConfigError        options: blockSize/count zero, negative or not an integer,
 *                          count > MAX_BLOCKS, count * blockSize > MAX_ARENA_BYTES,
 *                          buffer too small or not a buffer,
 *                          classes not strictly ascending, id out of range.
 *   PoolExhaustedError     claim()/reserve() with no free block (the try* forms
 *                          return NO_BLOCK instead).
 *   NoSizeClassError       reserve(size) above the largest class, or size not a
 *                          positive integer.
 *   InvalidHandleError     not an integer, NO_BLOCK, or an index/generation no
 *                          claim of this pool produced (forged or corrupted).
 *   ForeignHandleError     a handle of another pool or pool set.
 *   StaleHandleError       the handle's claim has ended: the block was claimed
 *                          again since, or retain/offset after the last release.
 *   DoubleReleaseError     release(h) after that claim was fully released (and the
 *                          block not claimed again).
 *   RefCountOverflowError  retain(h) on a block already held MAX_REFS (255) times.
 * Each carries a `code` (docs/errors.md "pool"); DEBUG builds say what, the
 * limit and what to change, release builds `BlockPool 'name' [CODE]`.
 *
 * Release builds: every check above survives DEBUG=false. Configuration
 * (constructor options, MAX_ARENA_BYTES) and handle validity (release,
 * retain, offset, refCount, PoolSet routing: the one integer comparison of
 * the fast check, then the named error) are checked in every build; only
 * poisoning released blocks with POISON_BYTE is DEBUG-only.
 *
 * Contexts. A pool is single-context: its metadata (free stack, generations,
 * reference counts) lives in the pool object, in the JS context (machine,
 * worker, core) that constructed it, and is not atomic.
 *
 *   method                           owner  IO/interrupt cb*  worker/other core  re-entrant in dispatch
 *   claim tryClaim release retain    yes    yes               no                 yes
 *   offset refCount (and PoolSet
 *     reserve tryReserve poolOf ...)  yes    yes               no                 yes
 *   counters (used free minFree
 *     refused)                       yes    yes               no                 yes
 *   block bytes at offset(h)         yes    yes               SharedArrayBuffer arena only, while the
 *                                                             owner holds the block and has handed over
 *                                                             the offset (through a queue / Atomics)
 *   * Moddable IO callbacks run on the machine's own thread between other
 *     callbacks, so they are the owning context. Every method runs to
 *     completion and calls no user code, so it is safe re-entrantly from a
 *     handler while another handler is being dispatched.
 * With a SharedArrayBuffer arena, another context reads and writes a block
 * through its own views at the offset the owner gives it; claim, release and
 * retain stay with the owner (send the handle back to release it).
 *
 * Block lifecycle (edges are methods; n = reference count)
 *
 *               claim() / tryClaim()                      retain(h)  n -> n+1
 *     +------+  n := 1, generation + 1   +---------+ ----------------> +----------+ --+ retain(h)   n -> n+1 (n < 255)
 *     | free | ------------------------> |  owned  |                   |  shared  |   |
 *     |      | <------------------------ |  n = 1  | <---------------- |  n >= 2  | <-+ release(h)  n -> n-1 (n > 2)
 *     +------+  release(h)  n 1 -> 0     +---------+  release(h) 2 -> 1 +----------+
 *        |      (DEBUG: poison 0xDD)
 *        +-- release(h) again, same claim ------------> DoubleReleaseError (nothing changes)
 *        +-- any use of h after its claim has ended ---> StaleHandleError  (nothing changes)
 *
 * Handle layout: a positive int32; NO_BLOCK (0) is never a handle.
 *
 *     bit  31 | 30 ........ 24 | 23 ........ 16 | 15 ............ 0
 *           0 | pool id 1..127 | generation 1..255 | block index 0..65535
 *
 *   pool id     identifies the pool. PoolSet classes get consecutive ids, so a
 *               set handle's size class is (pool id - set.firstId).
 *   generation  advanced by each claim of the block: 1..255, then 1 again (0 is
 *               never used, so 0 and never-claimed blocks are never valid).
 *   index       block number within the pool; offset = byteOffset + index * blockSize.
 *
 * Metadata overhead: 4 bytes per block, one Uint32Array made at construction:
 * a held block's word is its live handle (held once) or its generation and
 * reference count (held more often); a free block's word links the free list
 * (the layout: the comment above the constant SHARED). No slot per block
 * (test/pool/pool.test.ts "metadata overhead", on XS). A pool's fixed cost is
 * a few objects (its fields, plus `bytes` and `view` for a pool that makes its
 * own; a PoolSet's classes share one pair): docs/pool.md "Cost (measured)".
 *
 * Limits
 * - MAX_BLOCKS = 65536 blocks per pool (16-bit index); blockSize 1..2^31-1.
 * - MAX_ARENA_BYTES = 16 MiB per pool region (count * blockSize) and per
 *   PoolSet arena, given buffer or not: checked before anything is allocated.
 * - MAX_POOL_ID = 127 pool ids. By default ids come from a per-realm sequence
 *   (a number on globalThis under Symbol.for('keel.pool.nextId'), read and
 *   written only by constructors; never module state) that wraps after 127.
 *   A foreign handle is always detected between pools of different ids, i.e.
 *   among any 127 pools created in a row; firmware that creates more can pin
 *   ids with the `id` / `firstId` options.
 * - MAX_CLASSES = 16 size classes per PoolSet (one pool id each). No fallback:
 *   reserve uses only the smallest class that fits, so each class is sized
 *   (and its minFree watched) on its own, as in QP.
 * - MAX_REFS = 255 references per block; one more retain throws.
 * - Generation wrap: a handle kept across exactly 255 (or a multiple of 255)
 *   re-claims of its block is taken for the live one (tested). Stale detection
 *   is exact below that.
 * - Reference counts count references, not holders: holders of a shared block
 *   hold the same integer, so one holder releasing twice is caught only once
 *   the count has reached 0.
 *
 * Options
 * - zeroOnClaim (default false): fill the block with 0 on claim/reserve.
 * - poison (default true): in DEBUG builds fill the arena with POISON_BYTE
 *   (0xDD) at construction and each block on its last release, so a test
 *   reading a block after release sees 0xDD. Compiled out when DEBUG=false.
 * - id / firstId: pin pool ids (see Limits). name: used in error messages.
 *
 * Measured cost: docs/pool.md "Cost (measured)" (`node scripts/bench.mjs
 * pool`, release build; the table is generated from bench/results by `npm
 * run docs`). The check costs one read and one comparison; what remains of
 * the difference to a bare free stack is mostly the free count (a bare
 * stack's pointer is its count; a list threaded through the blocks keeps one
 * more field, per claim and per release) and field access through `this`.
 * Closures over constructor locals would read fields cheaper but cost far
 * more memory per pool (a function object per method per pool), so the class
 * form is kept.
 */
import { KeelError } from './errors.js';
import { Trace, TRACE_POOL_CLAIM, TRACE_POOL_CLAIM_FAIL, TRACE_POOL_RELEASE } from './trace.js';
import { ownMethods } from './internal/own-methods.js';
import { isShared, show } from './internal/checks.js';

/** Returned by tryClaim/tryReserve when no block is available. Never a valid handle. */
export const NO_BLOCK = 0;
/** The byte released blocks are filled with in DEBUG builds (option `poison`). */
export const POISON_BYTE = 0xdd;
/** Most blocks in one pool (16-bit block index). */
export const MAX_BLOCKS = 65536;
/**
 * Most bytes in one pool's region (count * blockSize) and in one PoolSet's
 * arena (PoolSet.byteLengthFor): 16 MiB. Larger requests are refused with
 * PoolConfigError before anything is allocated (a device heap, and the XS
 * host's fixed heap, cannot hold them; an engine that runs out aborts the
 * whole machine instead of throwing).
 */
export const MAX_ARENA_BYTES = 0x1000000;
/** Pool ids are 1..MAX_POOL_ID (7 bits of the handle). */
export const MAX_POOL_ID = 127;
/** Most size classes in one PoolSet. */
export const MAX_CLASSES = 16;
/** Most references to one block (the high byte of its metadata word). */
export const MAX_REFS = 255;
/** Generations run 1..MAX_GENERATION, then wrap to 1. */
export const MAX_GENERATION = 255;

export type PoolConfigErrorCode =
  | 'BAD_OPTIONS'
  | 'BAD_BLOCK_SIZE'
  | 'BAD_COUNT'
  | 'BAD_BYTE_OFFSET'
  | 'BAD_ID'
  | 'ARENA_TOO_LARGE'
  | 'OFFSET_WITHOUT_BUFFER'
  | 'BAD_BUFFER'
  | 'BUFFER_TOO_SMALL'
  | 'BAD_TRACE'
  | 'BAD_CLASS_COUNT'
  | 'BAD_CLASS'
  | 'CLASSES_NOT_ASCENDING'
  | 'BAD_FIRST_ID';
/** Bad pool or pool-set options. */
export class PoolConfigError extends KeelError {
  override name = 'PoolConfigError';
  declare readonly code: PoolConfigErrorCode;
}
export type PoolExhaustedErrorCode = 'EXHAUSTED';
/** claim()/reserve() found no free block. */
export class PoolExhaustedError extends KeelError {
  override name = 'PoolExhaustedError';
  declare readonly code: PoolExhaustedErrorCode;
}
export type NoSizeClassErrorCode = 'BAD_SIZE' | 'NO_CLASS_FITS';
/** reserve(size): no size class is large enough, or size is not a positive integer. */
export class NoSizeClassError extends KeelError {
  override name = 'NoSizeClassError';
  declare readonly code: NoSizeClassErrorCode;
}
export type InvalidHandleErrorCode = 'NOT_A_HANDLE' | 'NO_BLOCK' | 'FORGED' | 'NEVER_CLAIMED' | 'REJECTED';
export type ForeignHandleErrorCode = 'FOREIGN';
export type StaleHandleErrorCode = 'STALE' | 'USE_AFTER_RELEASE';
export type DoubleReleaseErrorCode = 'DOUBLE_RELEASE';
export type HandleErrorCode = InvalidHandleErrorCode | ForeignHandleErrorCode | StaleHandleErrorCode | DoubleReleaseErrorCode;
/** Base of the handle misuse errors. */
export class HandleError extends KeelError {
  override name = 'HandleError';
  declare readonly code: HandleErrorCode;
}
/** Not a handle: not an integer, NO_BLOCK, or an index/generation no claim produced. */
export class InvalidHandleError extends HandleError {
  override name = 'InvalidHandleError';
  declare readonly code: InvalidHandleErrorCode;
}
/** A handle of another pool or pool set. */
export class ForeignHandleError extends HandleError {
  override name = 'ForeignHandleError';
  declare readonly code: ForeignHandleErrorCode;
}
/** The handle's claim has ended. */
export class StaleHandleError extends HandleError {
  override name = 'StaleHandleError';
  declare readonly code: StaleHandleErrorCode;
}
/** release(h) after that claim of the block was already fully released. */
export class DoubleReleaseError extends HandleError {
  override name = 'DoubleReleaseError';
  declare readonly code: DoubleReleaseErrorCode;
}
export type RefCountOverflowErrorCode = 'TOO_MANY_REFS';
/** retain(h) beyond MAX_REFS references. */
export class RefCountOverflowError extends KeelError {
  override name = 'RefCountOverflowError';
  declare readonly code: RefCountOverflowErrorCode;
}

export interface BlockPoolOptions {
  /** Bytes per block, an integer >= 1. */
  blockSize: number;
  /** Number of blocks, an integer 1..MAX_BLOCKS. */
  count: number;
  /** Used in error messages. Default 'pool'. */
  name?: string;
  /** Arena to use instead of a new ArrayBuffer. The pool owns bytes byteOffset .. byteOffset + count * blockSize. */
  buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Start of the pool's region in `buffer` (default 0). */
  byteOffset?: number;
  /** Fill each block with 0 when it is claimed. Default false. */
  zeroOnClaim?: boolean;
  /** DEBUG builds: fill released blocks (and the arena at construction) with POISON_BYTE. Default true. */
  poison?: boolean;
  /** Pool id 1..MAX_POOL_ID, encoded in every handle. Default: the next id of the realm's sequence. */
  id?: number;
  /**
   * Records claims, releases and refused claims (src/trace.ts: POOL_CLAIM,
   * POOL_RELEASE, POOL_CLAIM_FAIL); the pool registers as a 'pool'. A traced
   * pool gets traced claim/tryClaim/release as own properties (as
   * zeroOnClaim does), so an untraced pool pays nothing. Default none.
   */
  trace?: Trace;
}

export interface SizeClass {
  /** Bytes per block of this class; classes are strictly ascending. */
  blockSize: number;
  /** Blocks in this class. */
  count: number;
}

export interface PoolSetOptions {
  /** Size classes, strictly ascending by blockSize; 1..MAX_CLASSES of them. */
  classes: readonly SizeClass[];
  /** Used in error messages; class k's pool is named `${name}[${blockSize}]`. Default 'poolset'. */
  name?: string;
  /** Arena for all classes (default: a new ArrayBuffer of PoolSet.byteLengthFor(classes) bytes). */
  buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Start of the set's region in `buffer` (default 0). */
  byteOffset?: number;
  zeroOnClaim?: boolean;
  poison?: boolean;
  /** Pool id of class 0 (class k gets firstId + k). Default: the realm's sequence. */
  firstId?: number;
  /** Passed to every class pool (BlockPoolOptions.trace): each registers as a 'pool' named `${name}[${blockSize}]`. */
  trace?: Trace;
}

const ID_KEY = 'keel.pool.nextId';
const OP_RELEASE = 0;
const OP_RETAIN = 1;
const OP_OFFSET = 2;
const OP_REFCOUNT = 3;
const OP_POOLOF = 4;
const OP_CLASSOF = 5;
const OP_NAMES = Object.freeze(['release', 'retain', 'offset', 'refCount', 'poolOf', 'classOf']);

// Per-block word (one Uint32 per block, `words`). With the pool's handles
// h = tag | g << 16 | i (tag = id << 24, generation g 1..255, block index i)
// and lim = (id + 1) << 24:
//
//   held once      h                          (< 2^31, low 16 bits i)
//   held r times   SHARED | g << 16 | r       (r = 2..MAX_REFS; 0xc0010000 .. 0xc0ffffff)
//   free           a free-list word (below): the word `head` takes when
//                  this block is claimed
//
// The free blocks form a LIFO list through their words. `head`, and the word
// of each free block, is the free-list word of the next free block j, which
// says what claiming j hands out:
//
//   tag | g << 16 | j     j was claimed before; its next handle (generation g)   < lim
//   lim + j               j's last claim had generation 255: the next has 1      lim .. lim + 0xffff
//   lim + 0x10000 + j     j was never claimed: its first handle is tag | 1 << 16 | j
//   END                   none: lim + 0xffff, or 0x80020000 with MAX_BLOCKS blocks
//
// So one comparison, head >= lim, sends the claims that need more than a pop
// (an empty pool, a new low-water mark, generation 255 wrapping to 1) to the
// slow path, and release bumps the generation with one addition. Since a
// block held once has its live handle as its word, release, offset and retain
// validate a handle with one read and one comparison:
// words[h & 0x8000ffff] === h. The mask keeps bit 31, so a value that is not
// a non-negative int32 reads a negative index (undefined) and equals no word;
// the words that are not a live handle either have bit 31 set, or low 16 bits
// other than their block's index (a free-list word names another block; END's
// 0xffff is no block of a pool smaller than MAX_BLOCKS). For pool ids below
// 127 the free-list words stay below 2^31 (small integers on V8).
//
// Blocks are first claimed in index order (the list starts 0, 1, 2, ...), so
// the blocks never claimed are exactly capacity - low .. capacity - 1.
const SHARED = 0xc0000000; // every word >= SHARED is a SHARED word
const FRESH = 0x1000000; // lim + 0x10000 + j - FRESH = tag | 1 << 16 | j
const GEN_WRAP = 0xff0000; // lim + j - GEN_WRAP = tag | 1 << 16 | j

/** Takes `n` consecutive pool ids from the realm's sequence (constructors only). */
function takeIds(n: number): number {
  const g = globalThis as unknown as Record<symbol, number | undefined>;
  const key = Symbol.for(ID_KEY);
  let first = g[key] ?? 1;
  if (first + n - 1 > MAX_POOL_ID) first = 1;
  g[key] = first + n;
  return first;
}

/** `raise` (what to change) is DEBUG-only text: callers pass `DEBUG ? '...' : ''`. */
function checkInt(owner: string, what: string, v: unknown, min: number, max: number, code: PoolConfigErrorCode, raise: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new PoolConfigError(code, DEBUG ? `${owner}: ${what} must be an integer ${min}..${max}, got ${show(v)}; ${raise} [${code}]` : `${owner} [${code}]`);
  return v;
}

function checkBuffer(who: string, buffer: unknown): ArrayBuffer | SharedArrayBuffer {
  if (!(buffer instanceof ArrayBuffer) && !isShared(buffer))
    throw new PoolConfigError(
      'BAD_BUFFER',
      DEBUG ? `${who}: buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${show(buffer)} [BAD_BUFFER]` : `${who} [BAD_BUFFER]`,
    );
  return buffer as ArrayBuffer | SharedArrayBuffer;
}

/** `owner` is the short prefix (`BlockPool 'rx'`), `where` the long one with the operation. */
function notAHandle(owner: string, where: string, h: unknown, from: string): HandleError | undefined {
  if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 0x7fffffff)
    return new InvalidHandleError(
      'NOT_A_HANDLE',
      DEBUG ? `${where}(${show(h)}): not a block handle; handles are the integers ${from} return [NOT_A_HANDLE]` : `${owner} [NOT_A_HANDLE]`,
    );
  if (h === NO_BLOCK)
    return new InvalidHandleError(
      'NO_BLOCK',
      DEBUG
        ? `${where}(NO_BLOCK): the claim was refused (tryClaim/tryReserve returned NO_BLOCK); check for NO_BLOCK before use [NO_BLOCK]`
        : `${owner} [NO_BLOCK]`,
    );
  return undefined;
}

/** Views over a PoolSet's arena, shared by its class pools (internal). */
interface SharedViews {
  bytes: Uint8Array;
  view: DataView;
}

/**
 * A pool of `count` fixed-size blocks. See the module header.
 *
 * The hot paths are written for XS's step meter (every bytecode is a step):
 * one fast check per call, plain (TS-private) fields rather than #private
 * ones, a local only where it is read often (declaring one costs steps), and
 * no module constant named in a hot method (each costs a step per call).
 * Closures over constructor locals would save a few steps per claim+release
 * but cost far more slots and chunks per pool.
 */
export class BlockPool {
  /** Used in error messages. */
  readonly name: string;
  /** Bytes per block. */
  readonly blockSize: number;
  /** Number of blocks. */
  readonly capacity: number;
  /** The pool id encoded in its handles (1..MAX_POOL_ID). */
  readonly id: number;
  /** The arena (the pool's blocks are at byteOffset .. byteOffset + byteLength). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Start of the pool's region in `buffer`. */
  readonly byteOffset: number;
  /** count * blockSize. */
  readonly byteLength: number;
  /** One byte view over the whole `buffer`; a block is bytes[offset(h) .. offset(h) + blockSize - 1]. */
  readonly bytes: Uint8Array;
  /** One DataView over the whole `buffer`; same offsets as `bytes`. */
  readonly view: DataView;
  /** Fill blocks with 0 on claim. */
  readonly zeroOnClaim: boolean;
  /** DEBUG builds: poison released blocks with POISON_BYTE. */
  readonly poison: boolean;

  private readonly tag: number; // id << 24
  private readonly lim: number; // (id + 1) << 24: head >= lim needs the slow path
  private readonly words: Uint32Array; // one word per block (see SHARED above)
  private head: number; // the word of the next block to claim
  private top: number; // free blocks
  private low: number;
  private nRefused = 0;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null = null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number = 0;

  /**
   * @param options see BlockPoolOptions.
   * @param views internal: the views of a PoolSet's arena, shared by its classes.
   */
  constructor(options: BlockPoolOptions, views?: SharedViews) {
    const o = options;
    const name = typeof o?.name === 'string' ? o.name : 'pool';
    const who = `BlockPool '${name}'`;
    if (o === null || typeof o !== 'object')
      throw new PoolConfigError('BAD_OPTIONS', DEBUG ? `${who}: options must be an object with blockSize and count [BAD_OPTIONS]` : `${who} [BAD_OPTIONS]`);
    const size = checkInt(who, 'blockSize', o.blockSize, 1, 0x7fffffff, 'BAD_BLOCK_SIZE', DEBUG ? 'pass the bytes per block' : '');
    const n = checkInt(
      who,
      'count',
      o.count,
      1,
      MAX_BLOCKS,
      'BAD_COUNT',
      DEBUG ? `pass the number of blocks (at most MAX_BLOCKS = ${MAX_BLOCKS}; use more pools for more)` : '',
    );
    const base = checkInt(who, 'byteOffset', o.byteOffset ?? 0, 0, Number.MAX_SAFE_INTEGER, 'BAD_BYTE_OFFSET', DEBUG ? 'pass the start of the region in buffer' : '');
    const byteLength = size * n;
    if (byteLength > MAX_ARENA_BYTES)
      throw new PoolConfigError(
        'ARENA_TOO_LARGE',
        DEBUG
          ? `${who}: ${n} blocks of ${size} bytes need ${byteLength} bytes, more than MAX_ARENA_BYTES = ${MAX_ARENA_BYTES}; ` +
              'lower count or blockSize, or split the blocks over several pools [ARENA_TOO_LARGE]'
          : `${who} [ARENA_TOO_LARGE]`,
      );
    let buffer: ArrayBuffer | SharedArrayBuffer;
    if (o.buffer === undefined) {
      if (base !== 0)
        throw new PoolConfigError(
          'OFFSET_WITHOUT_BUFFER',
          DEBUG ? `${who}: byteOffset ${base} given without a buffer; pass buffer too, or drop byteOffset [OFFSET_WITHOUT_BUFFER]` : `${who} [OFFSET_WITHOUT_BUFFER]`,
        );
      buffer = new ArrayBuffer(byteLength);
    } else {
      buffer = checkBuffer(who, o.buffer);
      if (base + byteLength > buffer.byteLength)
        throw new PoolConfigError(
          'BUFFER_TOO_SMALL',
          DEBUG
            ? `${who}: buffer too small: ${n} blocks of ${size} bytes at byteOffset ${base} need ` +
                `${base + byteLength} bytes, the buffer has ${buffer.byteLength}; pass a larger buffer or lower count/blockSize [BUFFER_TOO_SMALL]`
            : `${who} [BUFFER_TOO_SMALL]`,
        );
    }
    const id =
      o.id === undefined ? takeIds(1) : checkInt(who, 'id', o.id, 1, MAX_POOL_ID, 'BAD_ID', DEBUG ? 'pick a pool id no other live pool uses, or omit id' : '');
    this.name = name;
    this.blockSize = size;
    this.capacity = n;
    this.id = id;
    this.buffer = buffer;
    this.byteOffset = base;
    this.byteLength = byteLength;
    this.bytes = views?.bytes ?? new Uint8Array(buffer);
    this.view = views?.view ?? new DataView(buffer);
    this.zeroOnClaim = o.zeroOnClaim === true;
    this.poison = o.poison !== false;
    this.tag = id << 24;
    this.lim = (id + 1) * 0x1000000;
    // Metadata: one Uint32 word per block; the free list starts 0, 1, 2, ..., none claimed yet.
    const words = new Uint32Array(n);
    for (let i = 0; i < n - 1; i++) words[i] = this.lim + 0x10000 + i + 1;
    words[n - 1] = n < MAX_BLOCKS ? this.lim + 0xffff : 0x80020000; // END
    this.words = words;
    this.head = this.lim + 0x10000;
    this.top = n;
    this.low = n;
    // zeroOnClaim: an own property picks the zeroing claim, so plain pools pay no check.
    const trace = o.trace ?? null;
    // claim/tryClaim (and release when traced) are swapped below and by the trace's
    // onFilter hook: own properties first (Moddable freezes preloaded prototypes).
    if (this.zeroOnClaim || trace !== null) ownMethods(this, ['claim', 'tryClaim', 'release']);
    if (this.zeroOnClaim) {
      const self = this as unknown as { claim: () => number; tryClaim: () => number };
      self.claim = this.claimZeroed;
      self.tryClaim = this.tryClaimZeroed;
    }
    if (trace !== null) {
      if (!(trace instanceof Trace))
        throw new PoolConfigError('BAD_TRACE', DEBUG ? `${who}: the trace option must be a Trace (new Trace({ clock })) or omitted [BAD_TRACE]` : `${who} [BAD_TRACE]`);
      const self = this as unknown as { trace: Trace; traceId: number };
      self.trace = trace;
      // The hook: while a pool kind passes the filter, claim/tryClaim/release are
      // own properties (the traced forms); else the untraced ones (no branch at all).
      self.traceId = trace.register('pool', name, undefined, 0, { capacity: this.capacity, onFilter: (f) => this.traceFilter(f) });
    }
    if (DEBUG) {
      if (this.poison) this.bytes.fill(POISON_BYTE, base, base + byteLength);
    }
  }

  /** Blocks claimed now. */
  get used(): number {
    return this.capacity - this.top;
  }
  /** Blocks free now. */
  get free(): number {
    return this.top;
  }
  /** Lowest `free` seen since construction (low-water mark). */
  get minFree(): number {
    return this.low;
  }
  /** Refused claims: tryClaim returned NO_BLOCK, or claim threw PoolExhaustedError. */
  get refused(): number {
    return this.nRefused;
  }
  /** @deprecated use `refused`; removed after 0.2. */
  get failures(): number {
    return this.nRefused;
  }

  // Hot paths (see the word layout above SHARED). A claim pops the head: its
  // word becomes the block's live handle and the block's word (the next free
  // one) the new head. A last release pushes the block: its word becomes the
  // old head, and the head its handle with the generation + 1 (a generation 255
  // handle gives lim + i, which the next claim of it wraps to generation 1).

  /** Claims a block (reference count 1). Throws PoolExhaustedError when none is free. */
  claim(): number {
    const h = this.head;
    if (h >= this.lim) return this.claimSlow();
    this.top--;
    this.head = this.words[h & 0xffff]!;
    return (this.words[h & 0xffff] = h);
  }

  /** Claims a block (reference count 1), or returns NO_BLOCK (counted in `refused`). Throws nothing. */
  tryClaim(): number {
    const h = this.head;
    if (h < this.lim) {
      this.top--;
      this.head = this.words[h & 0xffff]!;
      return (this.words[h & 0xffff] = h);
    }
    if (this.top) return this.takeSlow(); // a free block: first claim, or generation wrap
    this.nRefused++;
    return 0; // NO_BLOCK
  }

  /** Drops one reference; the last one returns the block to the pool. Misuse throws a HandleError. */
  release(h: number): void {
    // Held once by exactly this handle (else: held several times, or misuse).
    if (this.words[h & 0x8000ffff] !== h) {
      const w = this.words[h & 0x8000ffff]!; // (see "slow paths" below)
      if (w >= 0xc0000000 && h === (this.tag | (w & 0xff0000) | (h & 0xffff))) {
        this.words[h & 0xffff] = (w & 0xffff) === 2 ? h : w - 1; // 2 -> held once: the word is h again
        return;
      }
      this.reject(h, 0); // 0: OP_RELEASE
    }
    this.words[h & 0xffff] = this.head;
    this.head = h + 0x10000;
    this.top++;
    if (DEBUG) {
      if (this.poison) {
        const at = this.byteOffset + (h & 0xffff) * this.blockSize;
        this.bytes.fill(POISON_BYTE, at, at + this.blockSize);
      }
    }
  }

  /** Adds a reference to a held block (multicast). Throws RefCountOverflowError past MAX_REFS. */
  retain(h: number): void {
    // Held once: the word becomes SHARED | g << 16 | 2.
    const w = this.words[h & 0x8000ffff]!;
    if (w === h) this.words[h & 0xffff] = 0xc0000002 + (h & 0xff0000);
    // Shared (see "slow paths" below), below MAX_REFS (255).
    else if (w >= 0xc0000000 && h === (this.tag | (w & 0xff0000) | (h & 0xffff)) && (w & 0xffff) < 255) this.words[h & 0xffff] = w + 1;
    else this.reject(h, 1); // 1: OP_RETAIN
  }

  /** Byte offset of the held block in `buffer` (for `bytes` and `view`). */
  offset(h: number): number {
    if (this.words[h & 0x8000ffff] !== h) this.checkShared(h);
    return this.byteOffset + (h & 0xffff) * this.blockSize;
  }

  /** References held on the block of `h`; 0 once that claim has ended (released, or stale). */
  refCount(h: number): number {
    return this.words[h & 0x8000ffff] === h ? 1 : this.refCountSlow(h);
  }

  // The slow paths of release, retain, offset and refCount: a block held several
  // times, or misuse. w is h's block word, undefined beyond the pool (then every
  // comparison is false); h is that block's handle if w is a SHARED word
  // (w >= 0xc0000000: no other word is that high) of h's generation. Literals,
  // not the named constants: on XS each module constant a function names costs
  // a step on every call.

  private checkShared(h: number): void {
    const w = this.words[h & 0x8000ffff]!;
    if (!(w >= 0xc0000000 && h === (this.tag | (w & 0xff0000) | (h & 0xffff)))) this.reject(h, 2); // 2: OP_OFFSET
  }

  private refCountSlow(h: number): number {
    const w = this.words[h & 0x8000ffff]!;
    if (w >= 0xc0000000 && h === (this.tag | (w & 0xff0000) | (h & 0xffff))) return w & 0xffff;
    return this.classify(h, 3); // 3: OP_REFCOUNT
  }

  /**
   * The slow path of every claim form (head >= lim): an empty pool (returns
   * NO_BLOCK, the caller counts and refuses), a block never claimed (a new
   * low-water mark) or generation 255 wrapping to 1.
   */
  private takeSlow(): number {
    if (this.top === 0) return NO_BLOCK;
    let h = this.head;
    if (h >= this.lim + 0x10000) {
      h -= FRESH;
      this.low--;
    } else h -= GEN_WRAP;
    this.top--;
    this.head = this.words[h & 0xffff]!;
    this.words[h & 0xffff] = h;
    if (this.zeroOnClaim) {
      const at = this.byteOffset + (h & 0xffff) * this.blockSize;
      this.bytes.fill(0, at, at + this.blockSize);
    }
    return h;
  }

  private claimSlow(): number {
    const h = this.takeSlow();
    return h === NO_BLOCK ? this.exhausted() : h;
  }

  private claimZeroed(): number {
    const h = this.head;
    if (h >= this.lim) return this.claimSlow();
    this.top--;
    this.head = this.words[h & 0xffff]!;
    const at = this.byteOffset + (h & 0xffff) * this.blockSize;
    this.bytes.fill(0, at, at + this.blockSize);
    return (this.words[h & 0xffff] = h);
  }

  private tryClaimZeroed(): number {
    const h = this.head;
    if (h < this.lim) {
      this.top--;
      this.head = this.words[h & 0xffff]!;
      const at = this.byteOffset + (h & 0xffff) * this.blockSize;
      this.bytes.fill(0, at, at + this.blockSize);
      return (this.words[h & 0xffff] = h);
    }
    if (this.top) return this.takeSlow(); // (zeroes the block)
    this.nRefused++;
    return 0; // NO_BLOCK
  }

  /** The trace's onFilter hook: swaps the traced or untraced claim/tryClaim/release in as own properties. */
  private traceFilter(f: number): void {
    const self = this as unknown as { claim: () => number; tryClaim: () => number; release: (h: number) => void };
    const p = BlockPool.prototype;
    if ((f & ((1 << TRACE_POOL_CLAIM) | (1 << TRACE_POOL_CLAIM_FAIL))) !== 0) {
      self.claim = this.claimTraced;
      self.tryClaim = this.tryClaimTraced;
    } else {
      self.claim = this.zeroOnClaim ? this.claimZeroed : p.claim;
      self.tryClaim = this.zeroOnClaim ? this.tryClaimZeroed : p.tryClaim;
    }
    self.release = (f & (1 << TRACE_POOL_RELEASE)) !== 0 ? this.releaseTraced : p.release;
  }

  // Traced forms (own properties of a traced pool): the same steps as claim/tryClaim/release
  // (written out: a call through the prototype costs more than the record's filter test), then the record.

  private claimTraced(): number {
    let h = this.head;
    if (h >= this.lim) {
      h = this.takeSlow();
      if (h === NO_BLOCK) {
        this.traceFail(this.nRefused + 1);
        return this.exhausted();
      }
    } else {
      this.top--;
      this.head = this.words[h & 0xffff]!;
      this.words[h & 0xffff] = h;
      if (this.zeroOnClaim) {
        const at = this.byteOffset + (h & 0xffff) * this.blockSize;
        this.bytes.fill(0, at, at + this.blockSize);
      }
    }
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << TRACE_POOL_CLAIM)) !== 0) t.write((this.traceId << 16) | TRACE_POOL_CLAIM, -1, h, this.capacity - this.top, 0);
    return h;
  }

  private tryClaimTraced(): number {
    let h = this.head;
    if (h >= this.lim) {
      h = this.takeSlow();
      if (h === NO_BLOCK) {
        this.nRefused++;
        this.traceFail(this.nRefused);
        return NO_BLOCK;
      }
    } else {
      this.top--;
      this.head = this.words[h & 0xffff]!;
      this.words[h & 0xffff] = h;
      if (this.zeroOnClaim) {
        const at = this.byteOffset + (h & 0xffff) * this.blockSize;
        this.bytes.fill(0, at, at + this.blockSize);
      }
    }
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << TRACE_POOL_CLAIM)) !== 0) t.write((this.traceId << 16) | TRACE_POOL_CLAIM, -1, h, this.capacity - this.top, 0);
    return h;
  }

  private releaseTraced(h: number): void {
    let left = 0; // references left (p0)
    const w = this.words[h & 0x8000ffff]!;
    if (w === h) {
      this.words[h & 0xffff] = this.head;
      this.head = h + 0x10000;
      this.top++;
      if (DEBUG) {
        if (this.poison) {
          const at = this.byteOffset + (h & 0xffff) * this.blockSize;
          this.bytes.fill(POISON_BYTE, at, at + this.blockSize);
        }
      }
    } else if (w >= 0xc0000000 && h === (this.tag | (w & 0xff0000) | (h & 0xffff))) {
      left = (w & 0xffff) - 1;
      this.words[h & 0xffff] = left === 1 ? h : w - 1;
    } else this.reject(h, OP_RELEASE);
    // p0 = references left, p1 = blocks used.
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << TRACE_POOL_RELEASE)) !== 0) t.write((this.traceId << 16) | TRACE_POOL_RELEASE, -1, h, left, this.capacity - this.top);
  }

  /** POOL_CLAIM_FAIL (aux = capacity, p0 = refused including this one). */
  private traceFail(refused: number): void {
    const t = this.trace!;
    if ((t.filter[this.traceId]! & (1 << TRACE_POOL_CLAIM_FAIL)) !== 0)
      t.put(TRACE_POOL_CLAIM_FAIL, this.traceId, -1, -1, this.capacity, refused, 0);
  }

  private exhausted(): never {
    this.nRefused++;
    throw new PoolExhaustedError(
      'EXHAUSTED',
      DEBUG
        ? `BlockPool '${this.name}' is exhausted: all ${this.capacity} blocks of ${this.blockSize} bytes are in use ` +
            `(capacity ${this.capacity}, refused ${this.nRefused}); raise its count option, release blocks sooner, ` +
            `or use tryClaim() and handle NO_BLOCK [EXHAUSTED]`
        : `BlockPool '${this.name}' [EXHAUSTED]`,
    );
  }

  /**
   * The generation of the last claim of free block `i` (claimed before): its
   * next handle is the word that names it on the free list (walked from the
   * head, at most `free` words). Misuse paths only.
   */
  private lastGeneration(i: number): number {
    let w = this.head;
    for (let k = 0; k < this.top; k++) {
      const h = w >= this.lim + 0x10000 ? w - FRESH : w >= this.lim ? w - GEN_WRAP : w;
      if ((h & 0xffff) === i) {
        const g = (h >>> 16) & 0xff;
        return g === 1 ? MAX_GENERATION : g - 1;
      }
      w = this.words[h & 0xffff]!;
    }
    return 0; // not reached: a free block is on the free list
  }

  /** Misuse path: classifies a handle that failed the fast check. Throws, except refCount of an ended claim (0). */
  private classify(h: unknown, op: number): number {
    // Messages are built on the way to a throw only, and no typeof (on XS it allocates
    // a string): refCount of an ended claim allocates nothing.
    const v = h as number;
    if (!Number.isInteger(h) || v <= 0 || v > 0x7fffffff) throw notAHandle(this.owner(), this.where(op), h, DEBUG ? 'claim/tryClaim/reserve' : '')!;
    const hid = v >>> 24;
    if (hid !== this.id)
      throw new ForeignHandleError(
        'FOREIGN',
        DEBUG ? `${this.where(op)}(${v}): the handle belongs to pool id ${hid}, not to this pool; return it to the pool that gave it out [FOREIGN]` : `${this.owner()} [FOREIGN]`,
      );
    const i = v & 0xffff;
    const g = (v >>> 16) & 0xff;
    if (i >= this.capacity || g === 0)
      throw new InvalidHandleError(
        'FORGED',
        DEBUG
          ? `${this.where(op)}(${v}): no claim of this pool made it (block ${i}, generation ${g}; the pool has ${this.capacity} blocks, generations 1..255); forged or corrupted [FORGED]`
          : `${this.owner()} [FORGED]`,
      );
    if (i >= this.capacity - this.low)
      throw new InvalidHandleError(
        'NEVER_CLAIMED',
        DEBUG ? `${this.where(op)}(${v}): block ${i} was never claimed, so no claim made this handle; forged or corrupted [NEVER_CLAIMED]` : `${this.owner()} [NEVER_CLAIMED]`,
      );
    // The block's current (or, when free, last) generation and its references.
    const w = this.words[i]!;
    let cur: number;
    let r: number;
    if (w < 0x80000000 && (w & 0xffff) === i) {
      cur = (w >>> 16) & 0xff;
      r = 1;
    } else if (w >= SHARED) {
      cur = (w >>> 16) & 0xff;
      r = w & 0xffff;
    } else {
      if (op === OP_REFCOUNT) return 0; // free: that claim has ended, whichever it was
      cur = this.lastGeneration(i);
      r = 0;
    }
    if (g !== cur) {
      if (op === OP_REFCOUNT) return 0;
      throw new StaleHandleError(
        'STALE',
        DEBUG
          ? `${this.where(op)}(${v}): stale handle: block ${i} was released and claimed again since (handle generation ${g}, block now at ${cur}, ` +
              `${r > 0 ? 'held' : 'free'}); a holder kept the handle after its release [STALE]`
          : `${this.owner()} [STALE]`,
      );
    }
    if (r === 0) {
      if (op === OP_REFCOUNT) return 0;
      if (op === OP_RELEASE)
        throw new DoubleReleaseError(
          'DOUBLE_RELEASE',
          DEBUG
            ? `${this.where(op)}(${v}): double release: block ${i} (generation ${g}) was already released and is free; release each reference once [DOUBLE_RELEASE]`
            : `${this.owner()} [DOUBLE_RELEASE]`,
        );
      throw new StaleHandleError(
        'USE_AFTER_RELEASE',
        DEBUG
          ? `${this.where(op)}(${v}): use after release: block ${i} (generation ${g}) is free; retain before the last release [USE_AFTER_RELEASE]`
          : `${this.owner()} [USE_AFTER_RELEASE]`,
      );
    }
    if (op === OP_RETAIN && r === MAX_REFS)
      throw new RefCountOverflowError(
        'TOO_MANY_REFS',
        DEBUG ? `${this.where(op)}(${v}): block ${i} already has MAX_REFS = ${MAX_REFS} references; release some first [TOO_MANY_REFS]` : `${this.owner()} [TOO_MANY_REFS]`,
      );
    return r;
  }

  /** `BlockPool 'name'`: the short prefix of its error messages. */
  private owner(): string {
    return `BlockPool '${this.name}'`;
  }

  /** The long prefix, with the operation (DEBUG builds). */
  private where(op: number): string {
    return DEBUG ? `BlockPool '${this.name}' (id ${this.id}).${OP_NAMES[op]}` : this.owner();
  }

  private reject(h: unknown, op: number): never {
    this.classify(h, op);
    // Not reached: a handle that passes classify passes the fast check.
    throw new InvalidHandleError(
      'REJECTED',
      DEBUG ? `BlockPool '${this.name}'.${OP_NAMES[op]}(${show(h)}): rejected [REJECTED]` : `BlockPool '${this.name}' [REJECTED]`,
    );
  }
}

/**
 * Size classes over one arena: reserve(size) claims from the smallest class
 * whose blocks fit. Class k is a BlockPool (`pools[k]`) with pool id
 * firstId + k, so a set handle names its class.
 */
export class PoolSet {
  readonly name: string;
  /** One BlockPool per class, ascending by blockSize; all share `buffer`, `bytes` and `view`. */
  readonly pools: readonly BlockPool[];
  /** The arena of all classes. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** One byte view over the whole buffer (the same object as every class pool's `bytes`). */
  readonly bytes: Uint8Array;
  /** One DataView over the whole buffer (the same object as every class pool's `view`). */
  readonly view: DataView;
  /** Pool id of class 0; class k has firstId + k. */
  readonly firstId: number;
  /** Total blocks over all classes. */
  readonly capacity: number;

  private readonly k: number;
  private readonly sizes: Int32Array; // class block sizes, then 0x7fffffff
  private readonly list: BlockPool[];
  private nRefused = 0;

  /** Bytes a PoolSet with these classes needs in its buffer: each class region starts 8-byte aligned. */
  static byteLengthFor(classes: readonly SizeClass[]): number {
    let end = 0;
    for (let k = 0; k < classes.length; k++) end = ((end + 7) & ~7) + classes[k]!.blockSize * classes[k]!.count;
    return end;
  }

  constructor(options: PoolSetOptions) {
    const o = options;
    const name = typeof o?.name === 'string' ? o.name : 'poolset';
    const who = `PoolSet '${name}'`;
    if (o === null || typeof o !== 'object' || !Array.isArray(o.classes))
      throw new PoolConfigError(
        'BAD_OPTIONS',
        DEBUG ? `${who}: options must be an object with classes: [{ blockSize, count }, ...] [BAD_OPTIONS]` : `${who} [BAD_OPTIONS]`,
      );
    const classes = o.classes;
    const k = checkInt(who, 'the number of classes', classes.length, 1, MAX_CLASSES, 'BAD_CLASS_COUNT', DEBUG ? `pass 1..${MAX_CLASSES} size classes` : '');
    for (let c = 0; c < k; c++) {
      const sc = classes[c]!;
      if (sc === null || typeof sc !== 'object')
        throw new PoolConfigError('BAD_CLASS', DEBUG ? `${who}: classes[${c}] must be { blockSize, count } [BAD_CLASS]` : `${who} [BAD_CLASS]`);
      checkInt(who, DEBUG ? `classes[${c}].blockSize` : '', sc.blockSize, 1, 0x7fffffff, 'BAD_BLOCK_SIZE', DEBUG ? 'pass the bytes per block' : '');
      checkInt(who, DEBUG ? `classes[${c}].count` : '', sc.count, 1, MAX_BLOCKS, 'BAD_COUNT', DEBUG ? `pass the number of blocks (at most ${MAX_BLOCKS})` : '');
      // Each class bounded first, so byteLengthFor's 32-bit alignment cannot wrap.
      if (sc.blockSize * sc.count > MAX_ARENA_BYTES)
        throw new PoolConfigError(
          'ARENA_TOO_LARGE',
          DEBUG
            ? `${who}: classes[${c}]: ${sc.count} blocks of ${sc.blockSize} bytes need ${sc.blockSize * sc.count} bytes, ` +
                `more than MAX_ARENA_BYTES = ${MAX_ARENA_BYTES}; lower its count or blockSize [ARENA_TOO_LARGE]`
            : `${who} [ARENA_TOO_LARGE]`,
        );
      if (c > 0 && !(sc.blockSize > classes[c - 1]!.blockSize))
        throw new PoolConfigError(
          'CLASSES_NOT_ASCENDING',
          DEBUG
            ? `${who}: classes must be strictly ascending by blockSize: classes[${c}].blockSize ${sc.blockSize} <= classes[${c - 1}].blockSize ` +
                `${classes[c - 1]!.blockSize}; sort them, and merge classes of equal size [CLASSES_NOT_ASCENDING]`
            : `${who} [CLASSES_NOT_ASCENDING]`,
        );
    }
    const byteOffset = checkInt(
      who,
      'byteOffset',
      o.byteOffset ?? 0,
      0,
      Number.MAX_SAFE_INTEGER,
      'BAD_BYTE_OFFSET',
      DEBUG ? 'pass the start of the region in buffer' : '',
    );
    const need = PoolSet.byteLengthFor(classes);
    if (need > MAX_ARENA_BYTES)
      throw new PoolConfigError(
        'ARENA_TOO_LARGE',
        DEBUG
          ? `${who}: the classes need ${need} bytes (PoolSet.byteLengthFor), more than MAX_ARENA_BYTES = ${MAX_ARENA_BYTES}; ` +
              'lower the counts or block sizes, or split the classes over several sets [ARENA_TOO_LARGE]'
          : `${who} [ARENA_TOO_LARGE]`,
      );
    let buffer: ArrayBuffer | SharedArrayBuffer;
    if (o.buffer === undefined) {
      if (byteOffset !== 0)
        throw new PoolConfigError(
          'OFFSET_WITHOUT_BUFFER',
          DEBUG
            ? `${who}: byteOffset ${byteOffset} given without a buffer; pass buffer too, or drop byteOffset [OFFSET_WITHOUT_BUFFER]`
            : `${who} [OFFSET_WITHOUT_BUFFER]`,
        );
      buffer = new ArrayBuffer(need);
    } else {
      buffer = checkBuffer(who, o.buffer);
      if (byteOffset + need > buffer.byteLength)
        throw new PoolConfigError(
          'BUFFER_TOO_SMALL',
          DEBUG
            ? `${who}: buffer too small: the classes need ${need} bytes at byteOffset ${byteOffset} (PoolSet.byteLengthFor), ` +
                `the buffer has ${buffer.byteLength}; pass a larger buffer or fewer/smaller blocks [BUFFER_TOO_SMALL]`
            : `${who} [BUFFER_TOO_SMALL]`,
        );
    }
    const firstId =
      o.firstId === undefined
        ? takeIds(k)
        : checkInt(who, 'firstId', o.firstId, 1, MAX_POOL_ID - k + 1, 'BAD_FIRST_ID', DEBUG ? `pick ${k} consecutive ids no other live pool uses, or omit firstId` : '');
    const views: SharedViews = { bytes: new Uint8Array(buffer), view: new DataView(buffer) };
    const list: BlockPool[] = [];
    const sizes = new Int32Array(k + 1);
    sizes[k] = 0x7fffffff; // stops reserve's scan: no size is larger
    let end = 0;
    let capacity = 0;
    for (let c = 0; c < k; c++) {
      const sc = classes[c]!;
      const at = (end + 7) & ~7;
      list.push(
        new BlockPool(
          {
            name: `${name}[${sc.blockSize}]`,
            blockSize: sc.blockSize,
            count: sc.count,
            buffer,
            byteOffset: byteOffset + at,
            zeroOnClaim: o.zeroOnClaim,
            poison: o.poison,
            id: firstId + c,
            trace: o.trace,
          },
          views,
        ),
      );
      sizes[c] = sc.blockSize;
      capacity += sc.count;
      end = at + sc.blockSize * sc.count;
    }
    this.name = name;
    this.pools = list;
    this.list = list;
    this.buffer = buffer;
    this.bytes = views.bytes;
    this.view = views.view;
    this.firstId = firstId;
    this.capacity = capacity;
    this.k = k;
    this.sizes = sizes;
  }

  /** Blocks claimed now, over all classes. */
  get used(): number {
    let u = 0;
    for (let c = 0; c < this.k; c++) u += this.list[c]!.used;
    return u;
  }
  /** Blocks free now, over all classes. */
  get free(): number {
    return this.capacity - this.used;
  }
  /** Refused reserves: tryReserve returned NO_BLOCK, or reserve threw. Per-class refusals: pools[k].refused. */
  get refused(): number {
    return this.nRefused;
  }
  /** @deprecated use `refused`; removed after 0.2. */
  get failures(): number {
    return this.nRefused;
  }

  /** Class index (0..) for a block of `size` bytes, or -1 if none fits. */
  classFor(size: number): number {
    if (!(size >= 1) || size !== Math.floor(size)) return -1;
    for (let c = 0; c < this.k; c++) if (size <= this.sizes[c]!) return c;
    return -1;
  }

  /**
   * Claims a block from the smallest class whose blockSize >= size. Throws
   * NoSizeClassError when none fits (or size is not a positive integer) and
   * PoolExhaustedError when that class has no free block (no fallback to a larger class).
   */
  reserve(size: number): number {
    if (size === (size | 0) && size > 0) {
      let c = 0;
      while (size > this.sizes[c]!) c++;
      if (c < this.k) {
        const h = this.list[c]!.tryClaim();
        return h !== 0 ? h : this.exhausted(c, size); // 0: NO_BLOCK
      }
    }
    return this.noClass(size);
  }

  /** Like reserve, but returns NO_BLOCK (counted in `refused`) instead of throwing. Throws nothing. */
  tryReserve(size: number): number {
    if (size === (size | 0) && size > 0) {
      let c = 0;
      while (size > this.sizes[c]!) c++;
      if (c < this.k) {
        const h = this.list[c]!.tryClaim();
        if (h === 0) this.nRefused++; // NO_BLOCK
        return h;
      }
    }
    this.nRefused++;
    return 0; // NO_BLOCK
  }

  // ((h >>> 24) - firstId) >>> 0 is the class index, or a large number for another pool's id.
  // The operation codes are literals (OP_RELEASE 0 .. OP_CLASSOF 5): on XS each module
  // constant a method names costs a step on every call.

  /** Drops one reference of a set handle (see BlockPool.release). */
  release(h: number): void {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    if (c < this.k) this.list[c]!.release(h);
    else this.foreign(h, 0);
  }

  /** Adds a reference to a set handle (see BlockPool.retain). */
  retain(h: number): void {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    if (c < this.k) this.list[c]!.retain(h);
    else this.foreign(h, 1);
  }

  /** Byte offset of the held block in `buffer` (for `bytes` and `view`). */
  offset(h: number): number {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    return c < this.k ? this.list[c]!.offset(h) : this.foreign(h, 2);
  }

  /** References held on the block; 0 once that claim has ended. */
  refCount(h: number): number {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    return c < this.k ? this.list[c]!.refCount(h) : this.foreign(h, 3);
  }

  /** The class pool that gave out `h` (its blockSize, counters). Checks the pool id, not the generation. */
  poolOf(h: number): BlockPool {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    return c < this.k && h === (h | 0) ? this.list[c]! : this.foreign(h, 4);
  }

  /** Size class index of a set handle (pool id - firstId). Checks the pool id, not the generation. */
  classOf(h: number): number {
    const c = ((h >>> 24) - this.firstId) >>> 0;
    return c < this.k && h === (h | 0) ? c : this.foreign(h, 5);
  }

  private exhausted(c: number, size: number): never {
    this.nRefused++;
    const p = this.list[c]!;
    throw new PoolExhaustedError(
      'EXHAUSTED',
      DEBUG
        ? `PoolSet '${this.name}': reserve(${size}) found class ${c} (pool '${p.name}', blocks of ${p.blockSize} bytes) exhausted: ` +
            `all ${p.capacity} blocks in use (refused ${p.refused}); raise classes[${c}].count, release blocks sooner, ` +
            `or use tryReserve() and handle NO_BLOCK [EXHAUSTED]`
        : `PoolSet '${this.name}' [EXHAUSTED]`,
    );
  }

  private noClass(size: unknown): never {
    this.nRefused++;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
      throw new NoSizeClassError(
        'BAD_SIZE',
        DEBUG ? `PoolSet '${this.name}': reserve(${show(size)}): size must be a positive integer number of bytes [BAD_SIZE]` : `PoolSet '${this.name}' [BAD_SIZE]`,
      );
    throw new NoSizeClassError(
      'NO_CLASS_FITS',
      DEBUG
        ? `PoolSet '${this.name}': reserve(${size}): no size class fits; the largest class holds ${this.sizes[this.k - 1]} bytes; ` +
            `add a class of at least ${size} bytes, or split the data [NO_CLASS_FITS]`
        : `PoolSet '${this.name}' [NO_CLASS_FITS]`,
    );
  }

  private foreign(h: unknown, op: number): never {
    const owner = `PoolSet '${this.name}'`;
    const where = DEBUG ? `${owner} (ids ${this.firstId}..${this.firstId + this.k - 1}).${OP_NAMES[op]}` : owner;
    const bad = notAHandle(owner, where, h, DEBUG ? 'reserve/tryReserve' : '');
    if (bad !== undefined) throw bad;
    throw new ForeignHandleError(
      'FOREIGN',
      DEBUG
        ? `${where}(${h as number}): the handle belongs to pool id ${(h as number) >>> 24}, not to this set; return it to the pool that gave it out [FOREIGN]`
        : `${owner} [FOREIGN]`,
    );
  }
}
