// Property tests: random claim / tryClaim / retain / release sequences (and
// misuse: stale, double and foreign releases) against a reference model, a Map
// of live handles to reference counts.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import {
  BlockPool,
  PoolSet,
  NO_BLOCK,
  PoolExhaustedError,
  StaleHandleError,
  DoubleReleaseError,
  ForeignHandleError,
} from '../../src/pool.js';
import { Tracker, assertConsistent, assertSetConsistent } from '../support/pool-helpers.js';

const t = new Tracker();
const RUNS = onXs ? 40 : 300;

type Op =
  | { k: 'claim' }
  | { k: 'tryClaim' }
  | { k: 'retain'; pick: number }
  | { k: 'release'; pick: number }
  | { k: 'releaseDead'; pick: number }
  | { k: 'retainDead'; pick: number }
  | { k: 'foreign'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ k: 'claim' as const }) },
  { weight: 2, arbitrary: fc.constant({ k: 'tryClaim' as const }) },
  { weight: 2, arbitrary: fc.nat(1000).map((pick) => ({ k: 'retain' as const, pick })) },
  { weight: 5, arbitrary: fc.nat(1000).map((pick) => ({ k: 'release' as const, pick })) },
  { weight: 1, arbitrary: fc.nat(1000).map((pick) => ({ k: 'releaseDead' as const, pick })) },
  { weight: 1, arbitrary: fc.nat(1000).map((pick) => ({ k: 'retainDead' as const, pick })) },
  { weight: 1, arbitrary: fc.nat(1000).map((pick) => ({ k: 'foreign' as const, pick })) },
);

/** Reference model: live handles with their counts, ended handles, the last handle given out per block. */
class Model {
  live = new Map<number, number>();
  dead: number[] = [];
  lastOf = new Map<number, number>(); // block offset -> last handle handed out for it
  minFree: number;
  failures = 0;
  constructor(readonly capacity: number) {
    this.minFree = capacity;
  }
  get used(): number {
    return this.live.size;
  }
  liveAt(pick: number): number {
    const keys = [...this.live.keys()];
    return keys[pick % keys.length]!;
  }
}

function checkCounters(p: BlockPool, m: Model): void {
  assert.equal(p.used, m.used, 'used');
  assert.equal(p.free, m.capacity - m.used, 'free');
  assert.equal(p.capacity, m.capacity, 'capacity');
  assert.equal(p.minFree, m.minFree, 'minFree');
  assert.equal(p.failures, m.failures, 'failures');
  for (const [h, n] of m.live) assert.equal(p.refCount(h), n, 'refCount of a live handle');
}

describe('BlockPool property tests (model: a Map of live handles)', function () {
  afterEach(() => t.checkTracked());

  it('random claim/retain/release sequences keep counters exact and detect every misuse', function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 120 }), (count, ops) => {
        // At most 120 ops < 255 claims per block: below the documented generation wrap.
        const p = new BlockPool({ name: 'prop', blockSize: 4, count });
        const other = new BlockPool({ name: 'other', blockSize: 4, count: 2 });
        const otherHandles = [other.claim(), other.claim()];
        const m = new Model(count);
        const claimed = (h: number): void => {
          assert.ok(h !== NO_BLOCK && h > 0);
          assert.ok(!m.live.has(h), 'a live handle handed out twice');
          const off = p.offset(h);
          for (const l of m.live.keys()) assert.notEqual(p.offset(l), off, 'a live block handed out twice');
          m.live.set(h, 1);
          m.lastOf.set(off, h);
          m.minFree = Math.min(m.minFree, count - m.used);
        };
        const expectedDeadError = (h: number): typeof StaleHandleError | typeof DoubleReleaseError => {
          const off = (h & 0xffff) * 4;
          // The block's latest claim is this handle and it has ended: a double release; otherwise stale.
          return m.lastOf.get(off) === h && !m.live.has(h) ? DoubleReleaseError : StaleHandleError;
        };
        for (const op of ops) {
          switch (op.k) {
            case 'claim':
              if (m.used === count) {
                assert.throws(() => p.claim(), PoolExhaustedError);
                m.failures++;
              } else claimed(p.claim());
              break;
            case 'tryClaim': {
              const h = p.tryClaim();
              if (m.used === count) {
                assert.equal(h, NO_BLOCK);
                m.failures++;
              } else claimed(h);
              break;
            }
            case 'retain': {
              if (m.used === 0) break;
              const h = m.liveAt(op.pick);
              p.retain(h);
              m.live.set(h, m.live.get(h)! + 1);
              break;
            }
            case 'release': {
              if (m.used === 0) break;
              const h = m.liveAt(op.pick);
              p.release(h);
              const n = m.live.get(h)! - 1;
              if (n === 0) {
                m.live.delete(h);
                m.dead.push(h);
                assert.equal(p.refCount(h), 0);
              } else m.live.set(h, n);
              break;
            }
            case 'releaseDead': {
              if (m.dead.length === 0) break;
              const h = m.dead[op.pick % m.dead.length]!;
              assert.throws(() => p.release(h), expectedDeadError(h));
              break;
            }
            case 'retainDead': {
              if (m.dead.length === 0) break;
              const h = m.dead[op.pick % m.dead.length]!;
              assert.throws(() => p.retain(h), StaleHandleError);
              break;
            }
            case 'foreign': {
              const h = otherHandles[op.pick % 2]!;
              assert.throws(() => p.release(h), ForeignHandleError);
              break;
            }
          }
          checkCounters(p, m);
        }
        // Drain the model, then a full cycle: the free stack survived everything.
        for (const [h, n] of m.live) for (let i = 0; i < n; i++) p.release(h);
        assert.equal(p.used, 0);
        assertConsistent(p);
        for (const h of otherHandles) other.release(h);
      }),
      { numRuns: RUNS },
    );
  });

  it('PoolSet: reserve picks the smallest class that fits; per-class counters match a model', function () {
    const classes = [
      { blockSize: 8, count: 3 },
      { blockSize: 24, count: 2 },
      { blockSize: 100, count: 2 },
    ];
    const sizeArb = fc.oneof(fc.integer({ min: 1, max: 110 }), fc.constantFrom(8, 9, 24, 25, 100, 101));
    const opArbSet = fc.oneof(
      sizeArb.map((size) => ({ k: 'reserve' as const, size, pick: 0 })),
      fc.nat(1000).map((pick) => ({ k: 'release' as const, size: 0, pick })),
      fc.nat(1000).map((pick) => ({ k: 'retain' as const, size: 0, pick })),
    );
    fc.assert(
      fc.property(fc.array(opArbSet, { maxLength: 80 }), (ops) => {
        const s = t.track(new PoolSet({ name: 'pset', classes }));
        const live = new Map<number, number>();
        const usedBy = [0, 0, 0];
        let failures = 0;
        for (const op of ops) {
          if (op.k === 'reserve') {
            const want = classes.findIndex((c) => c.blockSize >= op.size);
            const h = s.tryReserve(op.size);
            if (want < 0 || usedBy[want] === classes[want]!.count) {
              assert.equal(h, NO_BLOCK);
              failures++;
            } else {
              assert.ok(h !== NO_BLOCK);
              assert.equal(s.classOf(h), want, `size ${op.size} -> class ${want}`);
              assert.equal(s.poolOf(h), s.pools[want]);
              assert.ok(s.poolOf(h).blockSize >= op.size);
              assert.ok(!live.has(h));
              live.set(h, 1);
              usedBy[want]!++;
            }
          } else if (live.size > 0) {
            const keys = [...live.keys()];
            const h = keys[op.pick % keys.length]!;
            if (op.k === 'retain') {
              s.retain(h);
              live.set(h, live.get(h)! + 1);
            } else {
              s.release(h);
              const n = live.get(h)! - 1;
              if (n === 0) {
                live.delete(h);
                usedBy[s.classOf(h)]!--;
              } else live.set(h, n);
            }
          }
          assert.equal(s.used, live.size);
          assert.equal(s.failures, failures);
          for (let c = 0; c < 3; c++) assert.equal(s.pools[c]!.used, usedBy[c]);
          for (const [h, n] of live) assert.equal(s.refCount(h), n);
        }
        // Blocks of different classes never overlap.
        const spans = [...live.keys()].map((h) => [s.offset(h), s.offset(h) + s.poolOf(h).blockSize] as const);
        for (let a = 0; a < spans.length; a++)
          for (let b = a + 1; b < spans.length; b++) assert.ok(spans[a]![1] <= spans[b]![0] || spans[b]![1] <= spans[a]![0], 'overlap');
        for (const [h, n] of live) for (let i = 0; i < n; i++) s.release(h);
        assertSetConsistent(s);
      }),
      { numRuns: RUNS },
    );
  });
});
