/**
 * internal/layout: the binary layouts of the shared-memory modules, declared
 * once. SharedEventQueue (src/shared-queue.ts, docs/queue-layout.md, and the C
 * producer hosts/native/keel_isr.h) and SharedStream (src/shared-stream.ts,
 * docs/stream.md "SharedStream") read every word index, size and header code
 * from here; `LAYOUT` and `SHARED_STREAM_LAYOUT` are re-exported under those
 * names by their public modules. Both are layout version 1: changing a number
 * here changes the bytes other workers and C code read, so the version must
 * change with it.
 *
 * Also here: `indexDistance`, the consistent TAIL - HEAD snapshot both
 * modules take (any context; bounded by SNAPSHOT_TRIES). No module state.
 */

/** The subset of Atomics the shared modules use; `Atomics` itself, or `singleCoreAtomics`. */
export interface AtomicsLike {
  load(a: Int32Array, i: number): number;
  store(a: Int32Array, i: number, v: number): number;
  add(a: Int32Array, i: number, v: number): number;
  compareExchange(a: Int32Array, i: number, expected: number, replacement: number): number;
  notify(a: Int32Array, i: number, count?: number): number;
  wait?(a: Int32Array, i: number, value: number, timeout?: number): string;
}

/** Header word indices (Int32) and constants of SharedEventQueue layout version 1. See docs/queue-layout.md. */
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
  /** word 4: capacity (records the ring accepts at once; the consumer's private urgent lane is extra) */
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
  /** word 34: PEAK, highest ring length seen by a producer (minFree = capacity - PEAK) */
  W_PEAK: 34,
});

/** SharedEventQueue: Int32 words in the header (the Int32Array attach() reads it through). */
export const QUEUE_HEADER_WORDS = LAYOUT.HEADER_BYTES >> 2;
/** SharedEventQueue: Int32 index of record 0's seq word (the signal is the next word). */
export const QUEUE_REC0 = LAYOUT.HEADER_BYTES >> 2;
/** SharedEventQueue: Int32 words per record (seq, sig, then p0..p3 as Float64 from byte 8). */
export const QUEUE_REC_WORDS = LAYOUT.RECORD_BYTES >> 2;
/** SharedEventQueue W_MODE values. */
export const MODE_SINGLE = 1;
export const MODE_MULTIPLE = 2;
/**
 * Overflow policy codes: EventQueue's internal codes, and the W_OVERFLOW
 * values of a SharedEventQueue header (which offers REJECT and THROW only).
 */
export const POLICY_REJECT = 0;
export const POLICY_DROP_OLDEST = 1;
export const POLICY_THROW = 2;

/** SharedEventQueue: bytes a buffer needs for `slots` record slots. */
export function queueBytes(slots: number): number {
  return LAYOUT.HEADER_BYTES + LAYOUT.RECORD_BYTES * slots;
}

/** Header word indices (Int32, relative to byteOffset) and constants of SharedStream layout version 1. */
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

/**
 * Element types in W_TYPE order (code = index + 1) and their sizes in bytes.
 * The same order is Stream's: `ELEMENT_ARRAYS[i]` makes a ring of `STREAM_TYPES[i]`.
 */
export const STREAM_TYPES: readonly string[] = Object.freeze(['u8', 'i16', 'i32', 'f32', 'f64']);
export const STREAM_TYPE_SIZES: readonly number[] = Object.freeze([1, 2, 4, 4, 8]);
export const ELEMENT_ARRAYS = Object.freeze([Uint8Array, Int16Array, Int32Array, Float32Array, Float64Array] as const);

/** SharedStream: bytes from byteOffset for `capacity` elements of type code `code` (1..5), rounded up to 8. */
export function streamBytes(code: number, capacity: number): number {
  return (SHARED_STREAM_LAYOUT.HEADER_BYTES + capacity * STREAM_TYPE_SIZES[code - 1]! + 7) & ~7;
}

/** Reads of TAIL, HEAD, TAIL for a consistent length before the last one is used (callers clamp it). */
export const SNAPSHOT_TRIES = 4;

/**
 * `TAIL - HEAD` (32-bit) from one consistent snapshot: TAIL, HEAD, then TAIL
 * again; both only grow, so when the two TAIL reads agree, TAIL had that value
 * when HEAD was read. At most SNAPSHOT_TRIES rounds; then the last difference.
 */
export function indexDistance(at: AtomicsLike, i32: Int32Array, tailWord: number, headWord: number): number {
  let t = at.load(i32, tailWord);
  let d = 0;
  // Bound: SNAPSHOT_TRIES rounds.
  for (let k = 0; k < SNAPSHOT_TRIES; k++) {
    d = (t - at.load(i32, headWord)) | 0;
    const again = at.load(i32, tailWord);
    if (again === t) return d;
    t = again;
  }
  return d;
}
