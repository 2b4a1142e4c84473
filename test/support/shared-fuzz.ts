// Seeded hostile-writer fuzz of SharedEventQueue and SharedStream (issue 19),
// single-threaded so it runs on Node and on the XS engine alike; used by
// test/queue/queue-shared-fuzz.test.ts, test/stream/shared-stream-fuzz.test.ts (short runs
// in `npm test`) and scripts/soak.mjs (long runs). No Node APIs here.
//
// One run (a seed) builds a queue or stream with random options (capacity,
// producer mode, overflow policy, urgent lane, Atomics or singleCoreAtomics,
// indices started next to the 2^31 / 2^32 wrap), then cycles through phases:
//   clean   producers post / the consumer takes, with dead producers (a
//           position claimed and never published) and recover(); every
//           record is checked exactly (checksum, per-producer order) and the
//           counter identity holds over the phase;
//   hostile the same calls while a "hostile writer" writes random or
//           plausible words anywhere in the buffer (HEAD, TAIL, PEAK, seq and
//           signal words, parameters, the ring); only the documented ranges
//           and error types are checked;
//   heal    the consumer's documented recovery (recover(), get()/next()
//           catching the corruption errors, clear()), then one full lap of
//           posts and takes, after which the next clean phase must be exact.
// A violation (a value out of its range, an error of another type, a wrong
// record in a clean phase, a queue that does not heal within its bound) is
// recorded as a string; the tests require none.
import { NO_EVENT, QueueEventError, QueueOverflowError } from '../../src/queue.js';
import { QueueCorruptionError, SharedEventQueue, singleCoreAtomics, type AtomicsLike } from '../../src/shared-queue.js';
import { SharedStream, StreamCorruptionError } from '../../src/shared-stream.js';
import type { StreamType } from '../../src/stream.js';

/** mulberry32: a small deterministic PRNG (the same sequence on every engine). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    const s = (this.s = (this.s + 0x6d2b79f5) | 0);
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** 0..n-1 */
  int(n: number): number {
    return this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }
  /** A double: small integers, fractions, huge, negative, NaN, -0, Infinity. */
  double(): number {
    switch (this.int(6)) {
      case 0:
        return this.int(1000);
      case 1:
        return (this.u32() | 0) / 7;
      case 2:
        return [NaN, -0, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE][this.int(6)]!;
      default:
        return (this.u32() / 4294967296) * 2e6 - 1e6;
    }
  }
}

/** Outcome counts of queue runs (summed over seeds). */
export interface QueueFuzzCounts {
  runs: number;
  steps: number;
  posted: number;
  refused: number;
  badInputRefused: number;
  overflowThrown: number;
  postCorruption: number;
  taken: number;
  empty: number;
  takeCorruption: number;
  cleared: number;
  skipped: number;
  resyncedByRecoverOrClear: number;
  deadClaims: number;
  hostileWrites: number;
  checkedRecords: number;
  heals: number;
}

export function queueCounts(): QueueFuzzCounts {
  return {
    runs: 0,
    steps: 0,
    posted: 0,
    refused: 0,
    badInputRefused: 0,
    overflowThrown: 0,
    postCorruption: 0,
    taken: 0,
    empty: 0,
    takeCorruption: 0,
    cleared: 0,
    skipped: 0,
    resyncedByRecoverOrClear: 0,
    deadClaims: 0,
    hostileWrites: 0,
    checkedRecords: 0,
    heals: 0,
  };
}

const CLEAN = 0;
const HOSTILE = 1;
const PHASES = 6; // clean, hostile, clean, hostile, clean, hostile (each followed by a heal)

function wrapStart(r: Rng): number {
  switch (r.int(4)) {
    case 0:
      return 0x7fffffff - r.int(200);
    case 1:
      return 0xffffffff - r.int(200);
    case 2:
      return r.u32();
    default:
      return 0;
  }
}

/** A checksum the consumer recomputes: p2 of a record from producer `id` with sequence `seq` and signal `sig`. */
function check(id: number, seq: number, sig: number): number {
  return ((Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(seq, 0x85ebca6b) ^ sig) >>> 0) % 1000003;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * One seeded run of the SharedEventQueue fuzz: `steps` operations over
 * PHASES phases. Adds to `counts`; pushes violations (at most 20) to `out`.
 */
export function fuzzSharedQueue(seed: number, steps: number, counts: QueueFuzzCounts, out: string[]): void {
  const r = new Rng(seed);
  const capacity = 1 + r.int(64);
  const multi = r.chance(0.7);
  const producers = multi ? 1 + r.int(3) : 1;
  const overflow = r.chance(0.3) ? 'throw' : 'reject';
  const urgentCapacity = r.int(capacity + 1);
  const plain = r.chance(0.4);
  const initialIndex = wrapStart(r);
  const tag = `queue seed ${seed} (capacity ${capacity}, ${multi ? producers + ' producers' : 'single'}, ${overflow}, lane ${urgentCapacity}, ${plain ? 'singleCoreAtomics' : 'Atomics'}, start ${initialIndex})`;
  const violation = (what: string): void => {
    if (out.length < 20) out.push(`${tag}: ${what}`);
  };
  const buffer = plain ? new ArrayBuffer(SharedEventQueue.byteLength(capacity)) : new SharedArrayBuffer(SharedEventQueue.byteLength(capacity));
  const atomics: AtomicsLike = plain ? singleCoreAtomics : (Atomics as unknown as AtomicsLike);
  const q = new SharedEventQueue({ name: 'fuzz consumer', capacity, producers: multi ? 'multiple' : 'single', overflow, urgentCapacity, buffer, atomics, initialIndex });
  const ps: SharedEventQueue[] = [];
  for (let i = 0; i < producers; i++) ps.push(SharedEventQueue.attach(buffer, { name: `fuzz producer ${i}`, atomics }));
  const observer = SharedEventQueue.attach(buffer, { name: 'fuzz observer', atomics });
  const i32 = new Int32Array(buffer);
  const words = i32.length;
  const slots = (words * 4 - 256) / 40;
  const seqOf = new Float64Array(producers); // next sequence number per producer
  const lastSeen = new Float64Array(producers + 1).fill(-1); // last sequence taken per producer (clean phases)
  let urgentSeq = 0;
  let now = 0;
  let phantoms = 0; // positions claimed by dead producers since the last heal (they count as posted)
  const perPhase = Math.max(1, Math.floor(steps / PHASES));
  counts.runs++;

  const rangeCheck = (where: string): void => {
    for (const h of [q, observer, ps[0]!]) {
      const rl = h.ringLength;
      const ul = h.urgentLength;
      const l = h.length;
      const f = h.free;
      const m = h.minFree;
      if (!(rl >= 0 && rl <= capacity && rl === Math.floor(rl))) violation(`${where}: ringLength ${rl} on '${h.name}'`);
      if (!(ul >= 0 && ul <= urgentCapacity)) violation(`${where}: urgentLength ${ul} on '${h.name}'`);
      if (!(l >= 0 && l <= capacity + urgentCapacity)) violation(`${where}: length ${l} on '${h.name}'`);
      if (!(f >= 0 && f <= capacity)) violation(`${where}: free ${f} on '${h.name}'`);
      if (!(m >= 0 && m <= capacity)) violation(`${where}: minFree ${m} on '${h.name}'`);
    }
  };

  /** Takes one record; in a clean phase checks it exactly. */
  const take = (phase: number): void => {
    let s: number;
    try {
      s = q.get();
    } catch (e) {
      if (e instanceof QueueCorruptionError) {
        counts.takeCorruption++;
        if (phase === CLEAN) violation(`clean phase: get() threw ${describeError(e)}`);
        return;
      }
      violation(`get() threw ${describeError(e)}`);
      return;
    }
    if (s === NO_EVENT) {
      counts.empty++;
      return;
    }
    counts.taken++;
    if (!(s >= 0 && s <= 0xffff && s === Math.floor(s))) violation(`get() returned signal ${s}`);
    for (const p of [q.p0, q.p1, q.p2, q.p3]) if (typeof p !== 'number') violation(`get() left a parameter of type ${typeof p}`);
    if (phase !== CLEAN) return;
    const id = q.p1;
    const seq = q.p0;
    counts.checkedRecords++;
    if (id === -1) {
      if (q.p2 !== check(-1, seq, s)) violation(`clean phase: urgent record ${s}/${seq} has checksum ${q.p2}`);
      return;
    }
    if (!(id >= 0 && id < producers) || q.p2 !== check(id, seq, s)) {
      violation(`clean phase: record sig ${s} p0 ${seq} p1 ${id} p2 ${q.p2} is not one a producer posted`);
      return;
    }
    if (!(seq > lastSeen[id]!)) violation(`clean phase: producer ${id} record ${seq} after ${lastSeen[id]} (duplicate or reorder)`);
    lastSeen[id] = seq;
  };

  const post = (phase: number): void => {
    const id = r.int(producers);
    const p = ps[id]!;
    const seq = seqOf[id]!;
    const sig = r.int(0x10000);
    const bad = r.chance(0.04);
    let margin = -1;
    if (r.chance(0.25)) margin = r.int(capacity + 2);
    let badMargin = false;
    if (margin >= 0 && r.chance(0.05)) {
      margin = [NaN, -1, 1.5, 2 ** 33][r.int(4)]!;
      badMargin = true;
    }
    const args: unknown[] = [sig, seq, id, check(id, seq, sig), r.double()];
    if (bad) {
      // A signal that is not an integer 0..65535, or a parameter that is not a number.
      const at = r.int(5);
      const notNumbers: unknown[] = [1n, 'x', {}, Symbol('s'), { valueOf: (): never => { throw new Error('valueOf'); } }, null];
      args[at] = at === 0 && r.chance(0.5) ? [0x10000, -1, 0.5, NaN, 2116662162][r.int(5)] : notNumbers[r.int(notNumbers.length)];
    }
    const tailBefore = i32[32];
    try {
      const ok =
        margin === -1 && !badMargin
          ? (p.post as (...a: unknown[]) => boolean)(...args)
          : (p.postWithMargin as (...a: unknown[]) => boolean)(margin, ...args);
      if (typeof ok !== 'boolean') violation(`post returned ${String(ok)}`);
      if (bad || badMargin) violation(`post of a bad event/margin returned ${ok} instead of throwing QueueEventError`);
      if (ok) {
        counts.posted++;
        seqOf[id] = seq + 1;
        const ring = (i32[32]! - i32[16]!) | 0;
        if (!(ring >= 1 && ring <= capacity)) violation(`an accepted post left TAIL - HEAD = ${ring} (capacity ${capacity})`);
      } else counts.refused++;
    } catch (e) {
      if (e instanceof QueueEventError && (bad || badMargin)) {
        counts.badInputRefused++;
        if (i32[32] !== tailBefore) violation('a refused bad event moved TAIL (claimed a slot)');
      } else if (e instanceof QueueOverflowError && overflow === 'throw') counts.overflowThrown++;
      else if (e instanceof QueueCorruptionError) {
        counts.postCorruption++;
        if (phase === CLEAN) violation(`clean phase: post threw ${describeError(e)}`);
      } else violation(`post threw ${describeError(e)}`);
    }
  };

  const urgent = (phase: number): void => {
    const sig = r.int(0x10000);
    const seq = urgentSeq;
    try {
      const ok = q.postUrgent(sig, seq, -1, check(-1, seq, sig), 0);
      if (ok) {
        counts.posted++;
        urgentSeq++;
      } else counts.refused++;
    } catch (e) {
      if (e instanceof QueueOverflowError && overflow === 'throw') counts.overflowThrown++;
      else if (e instanceof QueueCorruptionError) {
        counts.postCorruption++;
        if (phase === CLEAN) violation(`clean phase: postUrgent threw ${describeError(e)}`);
      } else violation(`postUrgent threw ${describeError(e)}`);
    }
  };

  const deadClaim = (): void => {
    // A producer that follows the protocol, claims a position and dies before publishing it.
    const h = atomics.load(i32, 16);
    const t = atomics.load(i32, 32);
    const d = (t - h) | 0;
    if (d >= 0 && d < capacity && atomics.compareExchange(i32, 32, t, (t + 1) | 0) === t) {
      counts.deadClaims++;
      phantoms++;
    }
  };

  const recover = (phase: number, olderThan: number): void => {
    const c0 = q.corrupted;
    try {
      const n = q.recover(olderThan, now);
      if (n !== 0 && n !== 1) violation(`recover() returned ${n}`);
      counts.skipped += n;
    } catch (e) {
      violation(`recover() threw ${describeError(e)}`);
    }
    counts.resyncedByRecoverOrClear += q.corrupted - c0;
    if (phase === CLEAN && q.corrupted !== c0) violation('clean phase: recover() resynced');
  };

  const clear = (phase: number): void => {
    const c0 = q.corrupted;
    try {
      const n = q.clear();
      if (!(n >= 0 && n <= capacity + urgentCapacity)) violation(`clear() returned ${n}`);
      counts.cleared += n;
    } catch (e) {
      violation(`clear() threw ${describeError(e)}`);
    }
    counts.resyncedByRecoverOrClear += q.corrupted - c0;
    if (phase === CLEAN && q.corrupted !== c0) violation('clean phase: clear() resynced');
  };

  const hostile = (): void => {
    counts.hostileWrites++;
    let w: number;
    const k = r.int(10);
    if (k < 3) w = [16, 17, 32, 33, 34][r.int(5)]!;
    else if (k < 6) w = 64 + r.int(slots) * 10 + r.int(2);
    else w = r.int(words);
    let v: number;
    const m = r.int(4);
    if (m === 0) v = r.u32() | 0;
    else if (m === 1) v = (i32[w]! + r.int(4 * capacity + 3) - 2 * capacity - 1) | 0; // near the current value
    else if (m === 2) v = [0, -1, 0x7fffffff, -0x80000000, 0x10000, 2116662162][r.int(6)]!;
    else v = (i32[16]! + 1 + r.int(3)) | 0; // looks like a publish of a position near HEAD
    i32[w] = v;
  };

  const identity = (): number => {
    let posted = 0;
    for (const p of ps) posted += p.posted;
    return posted + q.posted + phantoms - (q.taken + q.dropped + q.skipped + q.length);
  };

  const heal = (): void => {
    // The documented recovery: recover() until no hole and no bad index, takes that may throw, clear().
    let ok = false;
    for (let i = 0; i < 8 * capacity + 16 && !ok; i++) {
      now += 1;
      recover(HOSTILE, 0);
      take(HOSTILE);
      if (i % 4 === 3) clear(HOSTILE);
      ok = q.ringLength === 0 && q.urgentLength === 0;
    }
    if (!ok) {
      violation(`did not heal: ringLength ${q.ringLength}, urgentLength ${q.urgentLength}`);
      return;
    }
    // One full lap of posts and takes overwrites every seq word with a published value.
    for (let i = 0; i < slots + 1; i++) {
      try {
        ps[0]!.post(1, -1, -2, 0, 0);
      } catch (e) {
        if (!(e instanceof QueueCorruptionError)) violation(`heal lap: post threw ${describeError(e)}`);
        recover(HOSTILE, 0);
      }
      try {
        q.get();
      } catch (e) {
        if (!(e instanceof QueueCorruptionError)) violation(`heal lap: get threw ${describeError(e)}`);
      }
    }
    for (let i = 0; i < 4 * capacity + 8 && q.length > 0; i++) {
      now += 1;
      recover(HOSTILE, 0);
      clear(HOSTILE);
    }
    if (q.length !== 0) violation(`did not heal after a lap: length ${q.length}`);
    else counts.heals++;
    phantoms = 0;
    lastSeen.fill(-1);
    for (let id = 0; id < producers; id++) seqOf[id] = seqOf[id]! + 1e6; // new sequence space after a heal
  };

  for (let phase = 0; phase < PHASES; phase++) {
    const kind = phase % 2 === 0 ? CLEAN : HOSTILE;
    const id0 = identity();
    for (let i = 0; i < perPhase; i++) {
      counts.steps++;
      now += 1;
      const a = r.int(100);
      if (a < 34) post(kind);
      else if (a < 40) urgent(kind);
      else if (a < 70) take(kind);
      else if (a < 74) {
        try {
          const s = q.peek();
          if (!(s === NO_EVENT || (s >= 0 && s <= 0xffff))) violation(`peek() returned ${s}`);
        } catch (e) {
          if (!(e instanceof QueueCorruptionError)) violation(`peek() threw ${describeError(e)}`);
          else if (kind === CLEAN) violation(`clean phase: peek() threw ${describeError(e)}`);
        }
      } else if (a < 76) clear(kind);
      else if (a < 80) recover(kind, [0, 3, 20][r.int(3)]!);
      else if (a < 82) deadClaim();
      else if (a < 88) rangeCheck(kind === CLEAN ? 'clean' : 'hostile');
      else if (kind === HOSTILE) hostile();
      else take(kind);
    }
    rangeCheck('phase end');
    if (kind === CLEAN && identity() !== id0)
      violation(`clean phase: posted + phantoms - taken - dropped - skipped - length went from ${id0} to ${identity()}`);
    heal();
  }
}

/** Outcome counts of stream runs (summed over seeds). */
export interface StreamFuzzCounts {
  runs: number;
  steps: number;
  written: number;
  refusedFull: number;
  refusedClosed: number;
  writeCorruption: number;
  taken: number;
  empty: number;
  readCorruption: number;
  hostileWrites: number;
  checkedItems: number;
  heals: number;
  closedByHostile: number;
}

export function streamCounts(): StreamFuzzCounts {
  return {
    runs: 0,
    steps: 0,
    written: 0,
    refusedFull: 0,
    refusedClosed: 0,
    writeCorruption: 0,
    taken: 0,
    empty: 0,
    readCorruption: 0,
    hostileWrites: 0,
    checkedItems: 0,
    heals: 0,
    closedByHostile: 0,
  };
}

const TYPES: StreamType[] = ['u8', 'i16', 'i32', 'f32', 'f64'];

/** One seeded run of the SharedStream fuzz (see the file header). */
export function fuzzSharedStream(seed: number, steps: number, counts: StreamFuzzCounts, out: string[]): void {
  const r = new Rng(seed ^ 0x5f3759df);
  const type = TYPES[r.int(5)]!;
  const capacity = 1 << r.int(7); // 1..64
  const plain = r.chance(0.4);
  const initialIndex = wrapStart(r);
  const tag = `stream seed ${seed} (${type}, capacity ${capacity}, ${plain ? 'singleCoreAtomics' : 'Atomics'}, start ${initialIndex})`;
  const violation = (what: string): void => {
    if (out.length < 20) out.push(`${tag}: ${what}`);
  };
  const bytes = SharedStream.byteLength(type, capacity);
  const buffer = plain ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes);
  const atomics: AtomicsLike = plain ? singleCoreAtomics : (Atomics as unknown as AtomicsLike);
  const p = new SharedStream({ name: 'fuzz producer', type, capacity, buffer, atomics, initialIndex });
  const c = SharedStream.attach(buffer, { name: 'fuzz consumer', type, atomics });
  const i32 = new Int32Array(buffer);
  const words = i32.length;
  const conv = new ({ u8: Uint8Array, i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array }[type])(1);
  const item = (i: number): number => {
    conv[0] = (i * 7919) % 1000003;
    return conv[0]!;
  };
  let nextOut = 0; // sequence of the next item written
  let nextIn = 0; // sequence of the next item expected (clean phases)
  let exact = true; // the consumer's expectation is valid (no corruption since the last heal)
  const src: number[] = [];
  const dst: (number | undefined)[] = [];
  const perPhase = Math.max(1, Math.floor(steps / PHASES));
  counts.runs++;

  const rangeCheck = (where: string): void => {
    for (const s of [p, c]) {
      const l = s.length;
      const f = s.free;
      if (!(l >= 0 && l <= capacity && l === Math.floor(l))) violation(`${where}: length ${l} on '${s.name}'`);
      if (!(f >= 0 && f <= capacity && l + f === capacity)) violation(`${where}: free ${f} on '${s.name}'`);
    }
  };

  const write = (kind: number): void => {
    const t0 = i32[32]!;
    try {
      if (r.chance(0.5)) {
        const ok = p.writeOne(item(nextOut));
        if (typeof ok !== 'boolean') violation(`writeOne returned ${String(ok)}`);
        if (ok) {
          counts.written++;
          nextOut++;
          const queued = (i32[32]! - i32[16]!) | 0;
          if (!(queued >= 1 && queued <= capacity)) violation(`an accepted writeOne left TAIL - HEAD = ${queued} (capacity ${capacity})`);
          if (((i32[32]! - t0) | 0) !== 1) violation(`writeOne moved TAIL by ${(i32[32]! - t0) | 0}`);
        } else if (p.closed) counts.refusedClosed++;
        else counts.refusedFull++;
      } else {
        const n = r.int(2 * capacity + 2);
        const off = r.int(3);
        src.length = off + n;
        for (let i = 0; i < n; i++) src[off + i] = item(nextOut + i);
        const got = p.write(src, off, n);
        if (!(got >= 0 && got <= n && got <= capacity && got === Math.floor(got))) violation(`write(${n}) returned ${got} (capacity ${capacity})`);
        if (((i32[32]! - t0) | 0) !== got) violation(`write returned ${got} but moved TAIL by ${(i32[32]! - t0) | 0}`);
        counts.written += got;
        nextOut += got;
        const queued = (i32[32]! - i32[16]!) | 0;
        if (got > 0 && !(queued >= got && queued <= capacity)) violation(`write(${n}) took ${got} and left TAIL - HEAD = ${queued} (capacity ${capacity})`);
        if (got < n) {
          if (p.closed) counts.refusedClosed += n;
          else counts.refusedFull += n - got;
        }
      }
    } catch (e) {
      if (e instanceof StreamCorruptionError) {
        counts.writeCorruption++;
        if (kind === CLEAN) violation(`clean phase: write threw ${describeError(e)}`);
        if (i32[32] !== t0) violation('a write that threw moved TAIL');
      } else violation(`write threw ${describeError(e)}`);
    }
  };

  const read = (kind: number): void => {
    const h0 = i32[16]!;
    try {
      if (r.chance(0.5)) {
        // A drain loop: bounded by capacity (no producer runs meanwhile).
        let n = 0;
        while (c.next()) {
          n++;
          counts.taken++;
          const v = c.value;
          if (typeof v !== 'number') violation(`next() left value ${String(v)}`);
          if (exact && kind === CLEAN) {
            counts.checkedItems++;
            if (!Object.is(v, item(nextIn))) violation(`clean phase: item ${nextIn} is ${v}, expected ${item(nextIn)}`);
          }
          nextIn++;
          if (n > capacity) {
            violation(`a while (next()) drain passed capacity ${capacity}`);
            break;
          }
        }
        if (n === 0) counts.empty++;
        if (((i32[16]! - h0) | 0) !== n) violation(`next() x ${n} moved HEAD by ${(i32[16]! - h0) | 0}`);
      } else {
        const max = r.int(2 * capacity + 2);
        const off = r.int(3);
        dst.length = 0;
        for (let i = 0; i < off + max + 2; i++) dst.push(undefined);
        const n = c.read(dst as number[], off, max);
        if (!(n >= 0 && n <= max && n <= capacity && n === Math.floor(n))) violation(`read(${max}) returned ${n} (capacity ${capacity})`);
        if (((i32[16]! - h0) | 0) !== n) violation(`read returned ${n} but moved HEAD by ${(i32[16]! - h0) | 0}`);
        for (let i = 0; i < dst.length; i++) {
          const inside = i >= off && i < off + n;
          if (inside && typeof dst[i] !== 'number') violation(`read copied ${String(dst[i])} (past the ring?) at ${i - off}`);
          if (!inside && dst[i] !== undefined) violation(`read wrote outside dst[${off}..${off + n})`);
        }
        if (n === 0) counts.empty++;
        counts.taken += n;
        for (let i = 0; i < n; i++) {
          if (exact && kind === CLEAN) {
            counts.checkedItems++;
            if (!Object.is(dst[off + i], item(nextIn))) violation(`clean phase: item ${nextIn} is ${dst[off + i]}, expected ${item(nextIn)}`);
          }
          nextIn++;
        }
      }
    } catch (e) {
      if (e instanceof StreamCorruptionError) {
        counts.readCorruption++;
        exact = false;
        if (kind === CLEAN) violation(`clean phase: read threw ${describeError(e)}`);
        if (((i32[16]! - i32[32]!) | 0) !== 0) violation('after a consumer StreamCorruptionError HEAD is not TAIL');
      } else violation(`read threw ${describeError(e)}`);
    }
  };

  const hostile = (): void => {
    counts.hostileWrites++;
    exact = false;
    let w: number;
    const k = r.int(50);
    if (k < 20) w = [16, 17, 18, 20, 21, 32, 33, 35, 36, 37][r.int(10)]!;
    else if (k < 21) w = 34; // CLOSED: a stream closed by corruption stays closed
    else if (k < 40) w = 64 + r.int(words - 64);
    else w = r.int(64);
    let v: number;
    const m = r.int(3);
    if (m === 0) v = r.u32() | 0;
    else if (m === 1) v = (i32[w]! + r.int(4 * capacity + 3) - 2 * capacity - 1) | 0;
    else v = [0, -1, 0x7fffffff, -0x80000000, capacity, capacity + 1][r.int(6)]!;
    if (w === 34 && v !== 0 && i32[34] === 0) counts.closedByHostile++;
    i32[w] = v;
  };

  const heal = (): void => {
    for (let i = 0; i < 4 * capacity + 8; i++) {
      try {
        if (!c.next() && c.length === 0) break;
      } catch (e) {
        if (!(e instanceof StreamCorruptionError)) violation(`heal: next threw ${describeError(e)}`);
      }
    }
    if (c.length !== 0) {
      violation(`did not heal: length ${c.length}`);
      return;
    }
    counts.heals++;
    exact = true;
    nextIn = nextOut;
  };

  for (let phase = 0; phase < PHASES; phase++) {
    const kind = phase % 2 === 0 ? CLEAN : HOSTILE;
    const written0 = p.written;
    const taken0 = c.taken;
    const len0 = c.length;
    for (let i = 0; i < perPhase; i++) {
      counts.steps++;
      const a = r.int(100);
      if (a < 40) write(kind);
      else if (a < 80) read(kind);
      else if (a < 88) rangeCheck(kind === CLEAN ? 'clean' : 'hostile');
      else if (a < 89 && phase === PHASES - 2) {
        p.close();
      } else if (kind === HOSTILE) hostile();
      else read(kind);
    }
    rangeCheck('phase end');
    if (kind === CLEAN && Number.isSafeInteger(written0) && Number.isSafeInteger(taken0)) {
      const d = p.written - written0 - (c.taken - taken0) - (c.length - len0);
      if (d !== 0) violation(`clean phase: written - taken - length changed by ${d}`);
    }
    heal();
  }
  // Closed (by close() or by a hostile write of CLOSED): refused and counted, then done once drained.
  if (p.closed) {
    const rc = p.refusedClosed;
    if (p.writeOne(1) !== false || !(p.refusedClosed === rc + 1 || !Number.isSafeInteger(rc))) violation('closed: writeOne not refused and counted');
    if (!c.done) violation('closed and drained but not done');
  }
}
