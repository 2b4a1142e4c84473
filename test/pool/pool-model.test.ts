// Differential tests against a reference model of the documented semantics,
// written the plain way: a free stack of block indices, a generation (0 =
// never claimed) and a reference count per block. Random sequences on small
// pools whose blocks were first cycled up to ~255 times (so generations wrap
// 255 -> 1 during the sequence), with every kind of handle misuse: each
// operation must return exactly what the model returns,
// or throw the error class and code the model names, and leave the counters
// exactly as the model has them. Pool ids 1, 2, 126 and 127 (127: the top
// of the id range, where (id + 1) << 24 is 2^31).
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs, assertNoAllocation, assertCatchesAllocation } from '../support/alloc.js';
import { BlockPool, NO_BLOCK, MAX_REFS, HandleError, RefCountOverflowError, PoolExhaustedError } from '../../src/pool.js';
import { Trace, TRACE_POOL_CLAIM, TRACE_POOL_RELEASE } from '../../src/trace.js';

type Outcome = { value: number } | { error: string; code: string };

/** The documented pool semantics, as a free stack of indices (see src/pool.ts header). */
class RefPool {
  gen: number[];
  refs: number[];
  stack: number[] = [];
  low: number;
  refused = 0;
  readonly tag: number;
  constructor(readonly n: number, readonly id: number, readonly blockSize: number) {
    this.gen = new Array<number>(n).fill(0);
    this.refs = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) this.stack.push(i);
    this.low = n;
    this.tag = id << 24;
  }
  get free(): number {
    return this.stack.length;
  }
  tryClaim(): number {
    if (this.stack.length === 0) {
      this.refused++;
      return NO_BLOCK;
    }
    const i = this.stack.pop()!;
    this.low = Math.min(this.low, this.stack.length);
    this.gen[i] = (this.gen[i]! % 255) + 1;
    this.refs[i] = 1;
    return this.tag | (this.gen[i]! << 16) | i;
  }
  /** release / retain / offset / refCount of any value. */
  use(op: 'release' | 'retain' | 'offset' | 'refCount', h: unknown): Outcome {
    const invalid = (code: string): Outcome => ({ error: 'InvalidHandleError', code });
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 0x7fffffff) return invalid('NOT_A_HANDLE');
    if (h === 0) return invalid('NO_BLOCK');
    if (h >>> 24 !== this.id) return { error: 'ForeignHandleError', code: 'FOREIGN' };
    const i = h & 0xffff;
    const g = (h >>> 16) & 0xff;
    if (i >= this.n || g === 0) return invalid('FORGED');
    if (this.gen[i] === 0) return invalid('NEVER_CLAIMED');
    const r = this.refs[i]!;
    if (g !== this.gen[i]) return op === 'refCount' ? { value: 0 } : { error: 'StaleHandleError', code: 'STALE' };
    if (r === 0) {
      if (op === 'refCount') return { value: 0 };
      return op === 'release' ? { error: 'DoubleReleaseError', code: 'DOUBLE_RELEASE' } : { error: 'StaleHandleError', code: 'USE_AFTER_RELEASE' };
    }
    switch (op) {
      case 'refCount':
        return { value: r };
      case 'offset':
        return { value: i * this.blockSize };
      case 'retain':
        if (r === MAX_REFS) return { error: 'RefCountOverflowError', code: 'TOO_MANY_REFS' };
        this.refs[i] = r + 1;
        return { value: 0 };
      case 'release':
        this.refs[i] = r - 1;
        if (r === 1) this.stack.push(i);
        return { value: 0 };
    }
  }
}

function run(f: () => number | void): Outcome {
  try {
    const v = f();
    return { value: typeof v === 'number' ? v : 0 };
  } catch (e) {
    assert.ok(e instanceof HandleError || e instanceof RefCountOverflowError, `unexpected error ${String(e)}`);
    return { error: (e as Error).name, code: (e as { code: string }).code };
  }
}

type Op =
  | { k: 'claim'; throwing: boolean }
  | { k: 'use'; op: 'release' | 'retain' | 'offset' | 'refCount'; from: 'live' | 'any' | 'forged'; pick: number };

const useArb = fc.record({
  k: fc.constant('use' as const),
  op: fc.constantFrom('release' as const, 'retain' as const, 'offset' as const, 'refCount' as const),
  from: fc.constantFrom('live' as const, 'live' as const, 'any' as const, 'forged' as const),
  pick: fc.nat(),
});
const claimArb = fc.record({ k: fc.constant('claim' as const), throwing: fc.boolean() });
const opArb: fc.Arbitrary<Op> = fc.oneof({ weight: 1, arbitrary: claimArb }, { weight: 1, arbitrary: useArb });

/** Values near the pool's own handles and words: other generations, indices, ids, and the sign bit. */
function forged(id: number, n: number, pick: number): unknown {
  const i = pick % (n + 2);
  const g = (pick >>> 3) % 256;
  const base = (id << 24) | (g << 16) | i;
  const lim = (id + 1) * 0x1000000;
  switch ((pick >>> 11) % 15) {
    case 0:
      return base;
    case 1:
      return base + 0x80000000;
    case 2:
      return lim + i; // free-list word: the next claim wraps generation 255 to 1
    case 3:
      return lim + 0x10000 + i; // free-list word: a block never claimed
    case 4:
      return lim + 0xffff; // the end of the free list
    case 5:
      return 0xc0000000 + (g << 16) + (pick % 256); // a shared block's word
    case 6:
      return 0xffffffff;
    case 7:
      return base - 0x100000000; // base with the sign bit, as an int32
    case 8:
      return base + 0.5;
    case 9:
      return -base;
    case 10:
      return String(base);
    case 11:
      return ((id ^ 1) << 24) | (g << 16) | i; // another pool id
    case 12:
      return 0;
    case 13:
      return 0x80000000 + (g << 16) + (pick % 256);
    default:
      return base + 0x100000000;
  }
}

describe('BlockPool against a reference model (generation wraps, every misuse)', function () {
  const runs = onXs ? 10 : 60;
  const length = onXs ? 300 : 600;
  // Claims of each block before the random sequence: mostly 255, so that the sequence's first
  // claim of a block wraps its generation to 1 (and a handle kept since aliases, as documented).
  const warmArb = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 3, arbitrary: fc.constant(255) });
  for (const id of [1, 2, 126, 127]) {
    it(`pool id ${id}: same handles, results, errors (class and code) and counters as the model, across generation wraps`, function () {
      let wrapped = 0;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), warmArb, fc.boolean(), fc.array(opArb, { minLength: length / 2, maxLength: length }), (count, warm, reverse, ops) => {
          const p = new BlockPool({ name: 'model', blockSize: 8, count, id });
          const m = new RefPool(count, id, 8);
          const issued: number[] = [];
          // Every block claimed `warm` times: claim all, release all (in claim order or reversed).
          for (let w = 0; w < warm; w++) {
            const hs: number[] = [];
            for (let k = 0; k < count; k++) {
              const h = p.claim();
              assert.equal(h, m.tryClaim(), 'warm-up claim');
              hs.push(h);
            }
            if (reverse) hs.reverse();
            for (const h of hs) {
              p.release(h);
              m.use('release', h);
            }
            issued.push(...hs);
          }
          issued.splice(0, Math.max(0, issued.length - 64));
          const startGen = Math.max(...m.gen);
          const live = (): number[] => issued.filter((h) => m.refs[h & 0xffff]! > 0 && m.gen[h & 0xffff] === ((h >>> 16) & 0xff));
          for (const op of ops) {
            if (op.k === 'claim') {
              const want = m.tryClaim();
              if (!op.throwing) assert.equal(p.tryClaim(), want, 'tryClaim');
              else if (want !== NO_BLOCK) assert.equal(p.claim(), want, 'claim');
              else assert.throws(() => p.claim(), PoolExhaustedError);
              if (want !== NO_BLOCK) issued.push(want);
              if (issued.length > 64) issued.splice(0, issued.length - 64);
            } else {
              let h: unknown;
              if (op.from === 'forged' || issued.length === 0) h = forged(id, count, op.pick);
              else if (op.from === 'any') h = issued[op.pick % issued.length];
              else {
                const l = live();
                h = l.length > 0 ? l[op.pick % l.length] : issued[op.pick % issued.length];
              }
              const want = m.use(op.op, h);
              const got = run(() => (p[op.op] as (h: unknown) => number | void).call(p, h));
              assert.deepEqual(got, want, `${op.op}(${String(h)})`);
            }
            assert.deepEqual([p.used, p.free, p.minFree, p.refused], [count - m.free, m.free, m.low, m.refused], 'counters');
          }
          if (m.gen.some((g) => g < startGen - 200)) wrapped++;
        }),
        { numRuns: runs },
      );
      assert.ok(wrapped >= runs / 5, `only ${wrapped} of ${runs} runs passed generation 255 (wrap to 1)`);
    });
  }

  it('a block shared by MAX_REFS holders across generation wraps: exact counts, stale holders refused', function () {
    const p = new BlockPool({ blockSize: 4, count: 1, id: 127 });
    const m = new RefPool(1, 127, 4);
    for (let cycle = 0; cycle < 600; cycle++) {
      const h = p.claim();
      assert.equal(h, m.tryClaim());
      const refs = 1 + (cycle % MAX_REFS);
      for (let r = 1; r < refs; r++) {
        p.retain(h);
        m.use('retain', h);
      }
      assert.equal(p.refCount(h), refs);
      if (refs === MAX_REFS) assert.deepEqual(run(() => p.retain(h)), { error: 'RefCountOverflowError', code: 'TOO_MANY_REFS' });
      const stale = (h & 0xff00ffff) | ((((h >>> 16) & 0xff) % 255) + 1) << 16; // the next generation: not this claim
      assert.deepEqual(run(() => p.release(stale)), m.use('release', stale));
      for (let r = refs; r > 0; r--) {
        assert.equal(p.offset(h), 0);
        p.release(h);
        m.use('release', h);
        assert.equal(p.refCount(h), r - 1);
      }
      assert.deepEqual(run(() => p.release(h)), { error: 'DoubleReleaseError', code: 'DOUBLE_RELEASE' });
      assert.deepEqual(run(() => p.offset(h)), { error: 'StaleHandleError', code: 'USE_AFTER_RELEASE' });
    }
    assert.deepEqual([p.used, p.free, p.minFree], [0, 1, 0]);
  });

  it('a pool of MAX_BLOCKS (65536) blocks: every block once, never-claimed blocks named, then all back', function () {
    const n = 65536;
    const id = 126;
    const p = new BlockPool({ blockSize: 1, count: n, id, poison: false });
    const step = onXs ? 4099 : 257;
    const hs: number[] = [];
    // Values a free-list end could take: none may pass as a handle of the block holding it.
    const ends = [0xffffffff, 0x80020000, (id + 1) * 0x1000000 + 0xffff];
    const refused = (v: number): void => {
      const got = run(() => p.release(v));
      assert.ok('error' in got, `release(${v}) was accepted`);
    };
    ends.forEach(refused);
    for (let i = 0; i < n; i += step) {
      while (hs.length < i) hs.push(p.claim());
      const last = (id << 24) | (1 << 16) | (n - 1);
      assert.deepEqual(run(() => p.offset(last)), { error: 'InvalidHandleError', code: 'NEVER_CLAIMED' }, `after ${i} claims`);
    }
    while (hs.length < n) hs.push(p.claim());
    assert.equal(hs[n - 1], (id << 24) | (1 << 16) | (n - 1));
    assert.equal(p.tryClaim(), NO_BLOCK);
    assert.deepEqual([p.used, p.free, p.minFree, p.refused], [n, 0, 0, 1]);
    for (let k = n - 1; k >= 0; k--) p.release(hs[k]!); // block 65535 first: it holds the end of the free list
    ends.forEach(refused);
    assert.deepEqual(run(() => p.release(hs[0]!)), { error: 'DoubleReleaseError', code: 'DOUBLE_RELEASE' });
    assert.deepEqual(run(() => p.release(hs[n - 1]!)), { error: 'DoubleReleaseError', code: 'DOUBLE_RELEASE' }, 'found at the far end of the free list');
    assert.equal(p.claim(), (id << 24) | (2 << 16) | 0, 'block 0, generation 2: the last released is claimed first');
    assert.deepEqual(run(() => p.release(hs[0]!)), { error: 'StaleHandleError', code: 'STALE' });
    assert.deepEqual([p.used, p.free, p.minFree, p.refused], [1, n - 1, 0, 1]);
  });

  it('no block word but a live handle passes as a handle: shared words, the free list end', function () {
    for (const id of [1, 127]) {
      const p = new BlockPool({ blockSize: 4, count: 4, id });
      const hs = [p.claim(), p.claim(), p.claim(), p.claim()];
      // Block i held i times (i = 2, 3): its word is 0xc0000000 | generation << 16 | i, whose low 16 bits are i.
      for (let i = 2; i < 4; i++) for (let r = 1; r < i; r++) p.retain(hs[i]!);
      const words = [2, 3].map((i) => 0xc0000000 + (((hs[i]! >>> 16) & 0xff) << 16) + i);
      for (const w of [...words, 0xffffffff, 0x80020000, words[0]! - 0x100000000, (id + 1) * 0x1000000 + 0xffff])
        for (const op of ['release', 'retain', 'offset', 'refCount'] as const) {
          const got = run(() => (p[op] as (h: unknown) => number | void).call(p, w));
          const want = w > 0x7fffffff || w < 0 ? 'NOT_A_HANDLE' : 'FOREIGN';
          assert.ok('code' in got && got.code === want, `${op}(${w}): ${JSON.stringify(got)}, want ${want}`);
        }
      assert.deepEqual([p.refCount(hs[0]!), p.refCount(hs[1]!), p.refCount(hs[2]!), p.refCount(hs[3]!), p.used], [1, 1, 2, 3, 4]);
      for (let i = 0; i < 4; i++) for (let r = 0; r < Math.max(1, i); r++) p.release(hs[i]!);
      assert.deepEqual([p.used, p.free, p.minFree], [0, 4, 0]);
    }
  });

  it('traced pools: the same handles and errors; POOL_RELEASE names the references left (2, 1, 0), misuse records nothing', function () {
    const tr = new Trace({ clock: () => 0, capacity: 64 });
    for (const zeroOnClaim of [false, true]) {
      const p = new BlockPool({ blockSize: 4, count: 1, id: 127, zeroOnClaim, poison: false, trace: tr });
      const m = new RefPool(1, 127, 4);
      for (let cycle = 0; cycle < 300; cycle++) {
        const h = cycle % 2 === 0 ? p.claim() : p.tryClaim(); // passes generation 255 (the slow path) once
        assert.equal(h, m.tryClaim());
        assert.equal(p.bytes[p.offset(h)], zeroOnClaim || cycle === 0 ? 0 : 9, 'zeroOnClaim');
        p.bytes[p.offset(h)] = 9;
        p.retain(h);
        p.retain(h);
        p.release(h);
        p.release(h);
        p.release(h);
        assert.deepEqual(run(() => p.release(h)), { error: 'DoubleReleaseError', code: 'DOUBLE_RELEASE' });
        assert.deepEqual(run(() => p.retain(h)), { error: 'StaleHandleError', code: 'USE_AFTER_RELEASE' });
        const got: number[][] = [];
        for (let k = 0; k < tr.length; k++) got.push([tr.kindAt(k), tr.auxAt(k), tr.p0At(k), tr.p1At(k)]);
        tr.discard(tr.length);
        assert.deepEqual(got, [
          [TRACE_POOL_CLAIM, h, 1, 0],
          [TRACE_POOL_RELEASE, h, 2, 1],
          [TRACE_POOL_RELEASE, h, 1, 1],
          [TRACE_POOL_RELEASE, h, 0, 0],
        ], `cycle ${cycle}`);
        m.use('release', h);
      }
      assert.deepEqual([p.used, p.free, p.minFree, p.refused], [0, 1, 0, 0]);
    }
  });
});

describe('BlockPool slow paths: no allocation on XS (10,000 calls, the first included), each beside its positive control', function () {
  it('shared blocks (retain, offset, refCount, release of a block held 2..4 times), generation wraps, first claims', function () {
    const p = new BlockPool({ blockSize: 8, count: 2 });
    let sum = 0;
    let calls = 0;
    const multicast = (): void => {
      calls++;
      const h = p.claim(); // the first calls claim never-claimed blocks; every 255th wraps the generation
      p.retain(h);
      p.retain(h);
      p.retain(h);
      sum += p.offset(h) + p.refCount(h);
      p.release(h);
      p.release(h);
      p.release(h);
      sum += p.refCount(h);
      p.release(h);
    };
    assertNoAllocation(multicast, 10000, 'BlockPool claim, retain x3, offset, refCount, release x4');
    assertCatchesAllocation(multicast, 100, 'BlockPool claim, retain x3, offset, refCount, release x4');
    assert.equal(sum, calls * 5); // offset 0 + 4 references, then 1 left
    assert.deepEqual([p.used, p.free, p.minFree], [0, 2, 1]);
  });

  it('refCount of a claim that has ended (0): released, or its block claimed again', function () {
    const p = new BlockPool({ blockSize: 8, count: 1 });
    const old = p.claim();
    p.release(old);
    const now = p.claim();
    const gone = now + 0x10000; // the handle its next claim will have: not claimed yet
    let sum = 0;
    let calls = 0;
    const ended = (): void => {
      calls++;
      sum += p.refCount(old) + p.refCount(gone) + p.refCount(now);
    };
    assertNoAllocation(ended, 10000, 'BlockPool.refCount of ended claims');
    assertCatchesAllocation(ended, 100, 'BlockPool.refCount of ended claims');
    assert.equal(sum, calls); // 0 + 0 + 1
    p.release(now);
  });
});
