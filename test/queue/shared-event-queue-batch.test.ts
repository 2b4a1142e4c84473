// SharedEventQueue's batch API (issue 16), single-threaded on both engines:
// postMany(src, count, first) and drainTo(dst, max, first) over packed
// records [sig, p0, p1, p2, p3]. Order (claim order, the urgent lane first),
// partial and all-or-nothing posts and their refusal counts, the 32-bit wrap,
// holes, the header words and the batch publish, PEAK/minFree exact through
// the producer's cached HEAD, misuse (named errors, nothing changed),
// corrupted memory (the same checks as get()), zero allocation on XS beside
// positive controls, and a fast-check model of two handles mixing every
// post and take. Real threads: test/node/queue-batch-concurrency.test.ts.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { NO_EVENT, QueueEventError, QueueOverflowError } from '../../src/queue.js';
import {
  LAYOUT,
  MAX_CLAIM_TRIES,
  QueueCorruptionError,
  QueueUsageError,
  SharedEventQueue,
  singleCoreAtomics,
  type AtomicsLike,
  type SharedEventQueueOptions,
} from '../../src/shared-queue.js';

const W = 5; // numbers per packed record: [sig, p0, p1, p2, p3]
const W_HEAD = LAYOUT.W_HEAD;
const W_TAIL = LAYOUT.W_TAIL;
const W_PEAK = LAYOUT.W_PEAK;
const REC0 = 64; // int32 index of record 0's seq word

/** Packs records into an Int32Array (or the given array type). */
function pack(rows: number[][], Type: Int32ArrayConstructor | Float64ArrayConstructor = Int32Array): Int32Array | Float64Array {
  const a = new Type(rows.length * W);
  for (let r = 0; r < rows.length; r++) for (let k = 0; k < W; k++) a[r * W + k] = rows[r]![k] ?? 0;
  return a;
}

/** Records `from` .. `from + n - 1` of a packed array, as rows. */
function rows(a: Int32Array | Float64Array, n: number, from = 0): number[][] {
  const out: number[][] = [];
  for (let r = from; r < from + n; r++) out.push(Array.from(a.subarray(r * W, r * W + W)));
  return out;
}

/** Takes everything with get(): [sig, p0, p1, p2, p3] per record. */
function drainByGet(q: SharedEventQueue): number[][] {
  const out: number[][] = [];
  for (let s = q.get(); s !== NO_EVENT; s = q.get()) out.push([s, q.p0, q.p1, q.p2, q.p3]);
  return out;
}

/** Takes everything with drainTo, `max` per call. */
function drainAll(q: SharedEventQueue, max = 4): number[][] {
  const dst = new Float64Array(max * W);
  const out: number[][] = [];
  for (let n = q.drainTo(dst, max); n > 0; n = q.drainTo(dst, max)) out.push(...rows(dst, n));
  return out;
}

function words(q: SharedEventQueue): Int32Array {
  return new Int32Array(q.buffer, 0, q.buffer.byteLength >> 2);
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

const variants: { label: string; extra: (capacity: number) => Partial<SharedEventQueueOptions> }[] = [
  { label: 'Atomics + SharedArrayBuffer', extra: () => ({}) },
  {
    label: 'singleCoreAtomics + ArrayBuffer',
    extra: (capacity) => ({ atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedEventQueue.byteLength(capacity)) }),
  },
];

for (const v of variants) {
  const base = (v.extra(1).atomics ?? Atomics) as AtomicsLike;
  const made: SharedEventQueue[] = [];
  /** Tracked: afterEach checks sum(posted) = taken + dropped + skipped + length per buffer, then empties it. */
  const make = (o: SharedEventQueueOptions): SharedEventQueue => {
    const q = new SharedEventQueue({ ...o, ...v.extra(o.capacity) });
    made.push(q);
    return q;
  };
  const attach = (q: SharedEventQueue, name: string): SharedEventQueue => {
    const p = SharedEventQueue.attach(q.buffer, { name, atomics: base });
    made.push(p);
    return p;
  };
  /** Not tracked: corruption tests, whose identity does not hold. */
  const loose = (o: SharedEventQueueOptions): SharedEventQueue => new SharedEventQueue({ ...o, ...v.extra(o.capacity) });

  describe(`SharedEventQueue postMany/drainTo (${v.label})`, function () {
    afterEach(function () {
      const buffers: (SharedArrayBuffer | ArrayBuffer)[] = [];
      for (const q of made) if (buffers.indexOf(q.buffer) < 0) buffers.push(q.buffer);
      for (const b of buffers) {
        const handles = made.filter((q) => q.buffer === b);
        let posted = 0;
        let gone = 0;
        for (const q of handles) {
          posted += q.posted;
          gone += q.taken + q.dropped + q.skipped;
        }
        const consumer = handles[0]!;
        assert.equal(posted, gone + consumer.length, `identity on '${consumer.name}'`);
        consumer.clear();
      }
      made.length = 0;
    });

    for (const producers of ['single', 'multiple'] as const) {
      it(`${producers}: FIFO records and counters, one call each way`, function () {
        const q = make({ name: 'fifo', capacity: 4, producers });
        const src = pack([
          [1, 10, 11, 12, 13],
          [2, -20, 21, 22, 23],
          [3, 30, 0x7fffffff, -0x80000000, 33],
        ]);
        assert.equal(q.postMany(src, 3), 3);
        assert.deepEqual([q.length, q.free, q.minFree, q.posted, q.refused, q.peek()], [3, 1, 1, 3, 0, 1]);
        const dst = new Int32Array(8 * W);
        assert.equal(q.drainTo(dst, 8), 3);
        assert.deepEqual(rows(dst, 3), rows(src, 3));
        assert.deepEqual([q.taken, q.length, q.drainTo(dst, 8), q.get()], [3, 0, 0, NO_EVENT]);
      });

      it(`${producers}: a full ring takes the first records that fit ('reject'); the rest is refused and counted`, function () {
        const q = make({ name: 'partial', capacity: 5, producers });
        assert.equal(q.post(9, 90), true);
        const src = pack([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6]]);
        assert.equal(q.postMany(src, 6), 4);
        assert.deepEqual([q.posted, q.refused, q.refusedByAll, q.length, q.minFree], [5, 2, 2, 5, 0]);
        assert.equal(q.postMany(src, 2, 4), 0, 'full: nothing');
        assert.deepEqual([q.posted, q.refused, q.refusedByAll], [5, 4, 4]);
        assert.deepEqual(drainAll(q, 2).map((r) => r[0]), [9, 1, 2, 3, 4]);
        assert.equal(q.postMany(src, 2, 4), 2, 'the rest, once there is room');
        assert.deepEqual(drainAll(q).map((r) => r[1]), [5, 6]);
      });

      it(`${producers}: 'throw' posts all of the batch or none: QueueOverflowError FULL, counted`, function () {
        const q = make({ name: 'strict', capacity: 3, producers, overflow: 'throw' });
        const src = pack([[1], [2], [3]]);
        assert.equal(q.postMany(src, 2), 2);
        const e = thrown(() => q.postMany(src, 2, 1));
        assert.ok(e instanceof QueueOverflowError && e.code === 'FULL' && /'strict'/.test(e.message) && /capacity 3/.test(e.message), String(e));
        assert.deepEqual([q.posted, q.refused, q.refusedByAll, q.length], [2, 2, 2, 2], 'nothing of the batch posted');
        assert.equal(q.postMany(src, 1, 2), 1);
        assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 2, 3]);
      });

      for (const start of [0x7ffffff8, 0xfffffff8, -3]) {
        it(`${producers}: order and counters across the 32-bit wrap and the slot wrap (initialIndex ${start})`, function () {
          const q = make({ name: 'wrap', capacity: 5, producers, initialIndex: start });
          const src = new Int32Array(3 * W);
          const dst = new Int32Array(2 * W);
          let next = 0;
          let expect = 0;
          let refused = 0;
          for (let i = 0; i < 60; i++) {
            for (let k = 0; k < 3; k++) {
              src[k * W] = 7;
              src[k * W + 1] = next + k;
              src[k * W + 4] = -(next + k);
            }
            const n = q.postMany(src, 3);
            next += n;
            refused += 3 - n;
            const got = q.drainTo(dst, 2);
            for (let k = 0; k < got; k++) {
              assert.deepEqual(rows(dst, 1, k), [[7, expect, 0, 0, -expect | 0]]);
              expect++;
            }
          }
          assert.ok(refused > 0, 'the ring filled up');
          assert.deepEqual([q.posted, q.taken, q.refused, q.length], [next, expect, refused, next - expect]);
          assert.deepEqual(drainAll(q).map((r) => r[1]), Array.from({ length: next - expect }, (_, k) => expect + k));
        });
      }

      it(`${producers}: PEAK and minFree stay exact through the producer's cached HEAD`, function () {
        const q = make({ name: 'consumer', capacity: 16, producers });
        const p = attach(q, 'producer');
        const src = pack([[1], [2], [3], [4]]);
        for (let i = 0; i < 10; i++) {
          assert.equal(p.postMany(src, 4), 4);
          assert.equal(drainAll(q, 3).length, 4);
        }
        assert.deepEqual([q.minFree, p.minFree, words(q)[W_PEAK]], [12, 12, 4], 'the ring never held more than 4');
        for (let i = 0; i < 3; i++) p.postMany(src, 4);
        assert.deepEqual([q.minFree, q.length], [4, 12]);
        assert.equal(drainAll(q, 16).length, 12);
        // The cached HEAD says full for 16 records: postMany reads HEAD and posts all of them.
        const big = new Int32Array(16 * W);
        assert.equal(p.postMany(big, 16), 16);
        assert.deepEqual([q.length, q.minFree, p.refused], [16, 0, 0]);
      });

      it(`${producers}: mixes with post()/get() in claim order; stops at a claimed, unpublished position until recover() skips it`, function () {
        const q = loose({ name: 'mix', capacity: 8, producers }); // a hole: skipped, never posted
        q.post(1, 1);
        q.postMany(pack([[2, 2], [3, 3]]), 2);
        q.post(4, 4);
        const dst = new Int32Array(2 * W);
        assert.equal(q.get(), 1);
        assert.equal(q.drainTo(dst, 2), 2);
        assert.deepEqual(rows(dst, 2).map((r) => r[0]), [2, 3]);
        assert.deepEqual([q.get(), q.p0], [4, 4]);
        // A dead producer's claim: TAIL moved, nothing published.
        const i32 = words(q);
        i32[W_TAIL] = (i32[W_TAIL]! + 1) | 0;
        assert.equal(q.postMany(pack([[5, 5], [6, 6]]), 2), 2);
        assert.deepEqual([q.drainTo(dst, 2), q.ringLength], [0, 3], 'the records behind the hole wait');
        assert.equal(q.recover(0, 0), 0);
        assert.equal(q.recover(0, 1), 1);
        assert.deepEqual(drainAll(q).map((r) => r[0]), [5, 6]);
        assert.deepEqual([q.skipped, q.taken, q.posted], [1, 6, 6]);
      });
    }

    it('drainTo takes the urgent lane first (LIFO), then the ring, exactly as get() does', function () {
      const fill = (q: SharedEventQueue): void => {
        q.post(1, 1);
        q.post(2, 2);
        q.postUrgent(3, 3);
        q.postUrgent(4, 4);
      };
      const a = make({ name: 'by get', capacity: 8 });
      const b = make({ name: 'by drainTo', capacity: 8 });
      fill(a);
      fill(b);
      const dst = new Float64Array(8 * W);
      assert.equal(b.drainTo(dst, 1), 1, 'max 1: one lane record');
      assert.equal(b.drainTo(dst, 7, 1), 3);
      assert.deepEqual(rows(dst, 4), drainByGet(a));
      assert.deepEqual(rows(dst, 4).map((r) => r[0]), [4, 3, 1, 2]);
      assert.deepEqual([b.taken, b.urgentLength, b.length], [4, 0, 0]);
    });

    it("the consumer's postMany counts its urgent lane against capacity, as its post() does", function () {
      const q = make({ name: 'lane', capacity: 4 });
      q.postUrgent(9);
      q.postUrgent(8);
      assert.equal(q.postMany(pack([[1], [2], [3]]), 3), 2);
      assert.deepEqual([q.refused, q.length, q.ringLength, q.minFree], [1, 4, 2, 0]);
      assert.deepEqual(drainAll(q).map((r) => r[0]), [8, 9, 1, 2]);
    });

    it('first and count select records; a Float64Array keeps fractions, an Int32Array takes int32 (ToInt32)', function () {
      const q = make({ name: 'types', capacity: 8 });
      const src = pack(
        [
          [99, 0, 0, 0, 0],
          [1, 0.5, -1.5, 2 ** 32 + 3, -0],
          [2, 1e300, -7, 0.25, 2 ** 31],
          [98, 0, 0, 0, 0],
        ],
        Float64Array,
      );
      assert.equal(q.postMany(src, 2, 1), 2);
      const f = new Float64Array(4 * W).fill(-1);
      assert.equal(q.drainTo(f, 1, 2), 1);
      assert.deepEqual(rows(f, 4), [
        [-1, -1, -1, -1, -1],
        [-1, -1, -1, -1, -1],
        [1, 0.5, -1.5, 2 ** 32 + 3, -0],
        [-1, -1, -1, -1, -1],
      ]);
      const i = new Int32Array(W);
      assert.equal(q.drainTo(i, 1), 1);
      assert.deepEqual(rows(i, 1), [[2, 0, -7, 0, -(2 ** 31)]]);
      assert.equal(q.postMany(src, 0), 0, 'count 0: nothing, no refusal');
      assert.equal(q.drainTo(i, 0), 0);
      assert.deepEqual([q.posted, q.taken, q.refused], [2, 2, 0]);
    });

    it('the header and records after postMany hold the documented words (seq = position + 1 for each record)', function () {
      const q = make({ name: 'words', capacity: 5, initialIndex: 7 });
      const h = words(q);
      q.postMany(pack([[4, 40], [5, 50], [6, 60]]), 3);
      assert.deepEqual([h[W_HEAD], h[W_TAIL], h[W_PEAK]], [7, 10, 3]);
      const f = new Float64Array(q.buffer);
      for (const [pos, sig] of [[7, 4], [8, 5], [9, 6]] as const) {
        const w = REC0 + (pos & 7) * 10;
        assert.deepEqual([h[w], h[w + 1], f[(w >> 1) + 1]], [pos + 1, sig, sig * 10], `position ${pos}`);
      }
      const dst = new Int32Array(3 * W);
      assert.equal(q.drainTo(dst, 3), 3);
      assert.equal(h[W_HEAD], 10);
    });

    it('misuse: QueueUsageError BAD_BATCH for bad arrays, counts and offsets; nothing changes', function () {
      const q = make({ name: 'misuse', capacity: 4 });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: base });
      made.push(p);
      const good = new Int32Array(2 * W);
      const bad: [unknown, unknown, unknown][] = [
        [[1, 0, 0, 0, 0], 1, 0],
        [new Uint8Array(10), 1, 0],
        [null, 1, 0],
        [good, -1, 0],
        [good, 1.5, 0],
        [good, NaN, 0],
        [good, '1', 0],
        [good, 3, 0],
        [good, 2, 1],
        [good, 1, -1],
        [good, 1, 0.5],
        [good, 1, '0'],
      ];
      for (const [a, n, first] of bad) {
        for (const call of [
          (): unknown => p.postMany(a as Int32Array, n as number, first as number),
          (): unknown => q.drainTo(a as Int32Array, n as number, first as number),
        ]) {
          const e = thrown(call);
          assert.ok(e instanceof QueueUsageError && e.code === 'BAD_BATCH', `${String(a)}, ${String(n)}, ${String(first)}: ${String(e)}`);
          assert.equal(e.name, 'QueueUsageError');
          assert.ok(/\[BAD_BATCH\]/.test(e.message), e.message);
        }
      }
      const e = thrown(() => p.postMany(good, 3)) as Error;
      assert.ok(/'producer'/.test(e.message) && /postMany/.test(e.message) && /an Int32Array of length 10/.test(e.message), e.message);
      assert.deepEqual([p.posted, p.refused, q.refusedByAll, q.length, q.taken], [0, 0, 0, 0, 0]);
    });

    it('a bad signal anywhere in the batch: QueueEventError naming the record, before anything is claimed', function () {
      const q = make({ name: 'signals', capacity: 8 });
      const h = words(q);
      const tail = h[W_TAIL];
      for (const [Type, sig] of [
        [Int32Array, -1],
        [Int32Array, 65536],
        [Float64Array, 0.5],
        [Float64Array, NaN],
        [Float64Array, Infinity],
      ] as const) {
        const src = pack([[1], [2], [sig], [3]], Type);
        const e = thrown(() => q.postMany(src, 3, 1));
        assert.ok(e instanceof QueueEventError && e.code === 'BAD_SIGNAL', String(e));
        assert.ok(/'signals'/.test(e.message) && /record 2/.test(e.message) && /nothing was posted/.test(e.message), e.message);
      }
      assert.deepEqual([h[W_TAIL], q.posted, q.refused, q.length], [tail, 0, 0, 0]);
      assert.equal(q.postMany(pack([[1], [2], [3]], Float64Array), 3), 3, 'signals 0..65535, as numbers of either array');
    });

    it(`'multiple': a batch claim that keeps losing its compare-exchange is refused after MAX_CLAIM_TRIES, all records counted, never thrown`, function () {
      let cas = 0;
      const at: AtomicsLike = {
        load: (a, i) => base.load(a, i),
        store: (a, i, x) => base.store(a, i, x),
        add: (a, i, x) => base.add(a, i, x),
        notify: (a, i, c) => base.notify(a, i, c),
        compareExchange: (a, i, e, r) => (i === W_TAIL ? (cas++, (e - 1) | 0) : base.compareExchange(a, i, e, r)),
      };
      const q = make({ name: 'contended', capacity: 4, overflow: 'throw' });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: at });
      made.push(p);
      assert.equal(p.postMany(pack([[1], [2], [3]]), 3), 0);
      assert.ok(cas > 0 && cas <= MAX_CLAIM_TRIES, `${cas} compare-exchanges`);
      assert.deepEqual([p.refused, p.posted, q.refusedByAll, q.length], [3, 0, 3, 0]);
    });
  });

  describe(`SharedEventQueue postMany/drainTo: corrupted memory (${v.label})`, function () {
    it('drainTo stops before a record with a bad signal; the next drainTo throws QueueCorruptionError as get() does, then goes on', function () {
      const q = loose({ name: 'victim', capacity: 4 });
      const i32 = words(q);
      const dst = new Int32Array(4 * W);
      q.postMany(pack([[1, 10], [2, 20], [3, 30]]), 3);
      i32[REC0 + ((i32[W_HEAD]! + 1) & 3) * 10 + 1] = 70000;
      assert.equal(q.drainTo(dst, 4), 1, 'the record before it');
      const e = thrown(() => q.drainTo(dst, 4));
      assert.ok(e instanceof QueueCorruptionError && e.code === 'BAD_SIGNAL' && /signal 70000/.test(e.message) && /'victim'/.test(e.message), String(e));
      assert.equal(q.drainTo(dst, 4), 1);
      assert.deepEqual(rows(dst, 1), [[3, 30, 0, 0, 0]]);
      assert.deepEqual([q.corrupted, q.taken, q.length], [1, 2, 0]);
    });

    it('drainTo checks TAIL - HEAD: a planted TAIL or HEAD is resynced, QueueCorruptionError BAD_INDEX; the queue works again', function () {
      const q = loose({ name: 'indices', capacity: 4 });
      const i32 = words(q);
      const dst = new Int32Array(4 * W);
      // TAIL far ahead while drainTo's cached TAIL says empty: it reads TAIL and sees it.
      i32[W_TAIL] = (i32[W_TAIL]! + 1000) | 0;
      let e = thrown(() => q.drainTo(dst, 4));
      assert.ok(e instanceof QueueCorruptionError && e.code === 'BAD_INDEX' && /TAIL - HEAD is 1000/.test(e.message), String(e));
      assert.equal(i32[W_HEAD], i32[W_TAIL], 'resynced');
      assert.equal(q.postMany(pack([[1], [2]]), 2), 2);
      assert.equal(q.drainTo(dst, 1), 1, 'caches TAIL');
      // HEAD planted past the cached TAIL: drainTo reads TAIL again, still out of range.
      i32[W_HEAD] = (i32[W_HEAD]! + 500) | 0;
      e = thrown(() => q.drainTo(dst, 4));
      assert.ok(e instanceof QueueCorruptionError && e.code === 'BAD_INDEX' && /TAIL - HEAD is -499/.test(e.message), String(e));
      assert.equal(q.postMany(pack([[3, 33]]), 1), 1);
      assert.equal(q.drainTo(dst, 4), 1);
      assert.deepEqual(rows(dst, 1), [[3, 33, 0, 0, 0]]);
      assert.equal(q.corrupted, 2);
    });

    it('with urgent records taken, drainTo returns them and leaves a bad index to the next call (nothing copied is lost to a throw)', function () {
      const q = loose({ name: 'lane first', capacity: 4 });
      const i32 = words(q);
      const dst = new Int32Array(4 * W);
      q.postUrgent(5, 55);
      i32[W_TAIL] = (i32[W_TAIL]! + 9) | 0;
      assert.equal(q.drainTo(dst, 4), 1);
      assert.deepEqual(rows(dst, 1), [[5, 55, 0, 0, 0]]);
      assert.ok(thrown(() => q.drainTo(dst, 4)) instanceof QueueCorruptionError);
      assert.deepEqual([q.corrupted, q.taken, q.length], [1, 1, 0]);
    });

    it('a postMany that sees a bad index posts nothing: QueueCorruptionError BAD_INDEX_ON_POST, every record counted; clear() resyncs', function () {
      const q = loose({ name: 'wedge', capacity: 4 });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: base });
      const i32 = words(q);
      i32[W_HEAD] = (i32[W_TAIL]! + 7) | 0;
      const tail = i32[W_TAIL];
      const e = thrown(() => p.postMany(pack([[1], [2], [3]]), 3));
      assert.ok(e instanceof QueueCorruptionError && e.code === 'BAD_INDEX_ON_POST' && /'producer'/.test(e.message), String(e));
      assert.deepEqual([i32[W_TAIL], p.refused, p.corrupted, q.refusedByAll], [tail, 3, 1, 3]);
      assert.equal(q.clear(), 0);
      assert.equal(p.postMany(pack([[1], [2], [3]]), 3), 3);
      assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 2, 3]);
    });
  });
}

describe('SharedEventQueue postMany/drainTo: no allocation on XS (10,000 calls, the first included), each beside its positive control', function () {
  for (const v of variants) {
    for (const producers of ['single', 'multiple'] as const) {
      it(`${v.label}, ${producers}: postMany+drainTo, full and partial posts, empty drains, the lane, misuse-free paths`, function () {
        const q = new SharedEventQueue({ name: 'alloc', capacity: 16, producers, ...v.extra(16) });
        const p = SharedEventQueue.attach(q.buffer, { name: 'alloc producer', atomics: (v.extra(1).atomics ?? Atomics) as AtomicsLike });
        const src = new Int32Array(8 * W);
        const dst = new Int32Array(8 * W);
        const f64 = new Float64Array(8 * W);
        let k = 0;
        let sum = 0;
        const batch = (): void => {
          src[1] = k++;
          p.postMany(src, 5);
          sum += q.drainTo(dst, 8) + dst[1]!;
        };
        assertNoAllocation(batch, 10000, 'SharedEventQueue postMany(5)+drainTo');
        assertCatchesAllocation(batch, 100, 'SharedEventQueue postMany(5)+drainTo');
        const fullAndPartial = (): void => {
          p.postMany(src, 8); // fills 16, then partial, then refused
          q.drainTo(f64, 3, 1);
        };
        assertNoAllocation(fullAndPartial, 10000, 'SharedEventQueue postMany on a full ring + drainTo(Float64Array)');
        assertCatchesAllocation(fullAndPartial, 100, 'SharedEventQueue postMany on a full ring + drainTo(Float64Array)');
        q.clear();
        const laneAndEmpty = (): void => {
          q.postUrgent(1, k++);
          q.postMany(src, 2, 3);
          q.drainTo(dst, 8);
          q.drainTo(dst, 8); // empty
        };
        assertNoAllocation(laneAndEmpty, 10000, 'SharedEventQueue postUrgent+postMany+drainTo (lane, then empty)');
        assertCatchesAllocation(laneAndEmpty, 100, 'SharedEventQueue postUrgent+postMany+drainTo (lane, then empty)');
        assert.ok(sum > 0);
        assert.ok(p.refused > 0, 'the full path ran');
        assert.equal(p.posted + q.posted, q.taken + q.dropped + q.length);
      });
    }
  }
});

// The model: two handles on one buffer, a producer P (attached) and the consumer C, which also posts and
// has the urgent lane. Records are taken in order; the lane is LIFO in front of the ring.
type Cmd =
  | { k: 'post'; by: 'P' | 'C'; rec: number[] }
  | { k: 'postMany'; by: 'P' | 'C'; recs: number[][]; first: number }
  | { k: 'urgent'; rec: number[] }
  | { k: 'get' }
  | { k: 'drainTo'; max: number; first: number }
  | { k: 'clear' };

class Model {
  ring: number[][] = [];
  lane: number[][] = [];
  posted = { P: 0, C: 0 };
  refused = { P: 0, C: 0 };
  taken = 0;
  dropped = 0;
  peak = 0;
  constructor(
    readonly capacity: number,
    readonly urgentCapacity: number,
    readonly throws: boolean,
  ) {}
  get length(): number {
    return this.ring.length + this.lane.length;
  }
  /** Records `by` may still post: the consumer counts its lane. */
  room(by: 'P' | 'C'): number {
    return this.capacity - this.ring.length - (by === 'C' ? this.lane.length : 0);
  }
  posting(by: 'P' | 'C', n: number): void {
    this.posted[by] += n;
    const len = this.ring.length + (by === 'C' ? this.lane.length : 0);
    if (len > this.peak) this.peak = len;
  }
  take(n: number): number[][] {
    const out: number[][] = [];
    while (out.length < n && this.lane.length > 0) out.push(this.lane.pop()!);
    while (out.length < n && this.ring.length > 0) out.push(this.ring.shift()!);
    this.taken += out.length;
    return out;
  }
}

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const rec = fc.tuple(fc.integer({ min: 0, max: 0xffff }), int32, int32, int32, int32);
const by = fc.constantFrom('P' as const, 'C' as const);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('post' as const), by, rec }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('postMany' as const), by, recs: fc.array(rec, { maxLength: 12 }), first: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('urgent' as const), rec }) },
  { weight: 3, arbitrary: fc.constant({ k: 'get' as const }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('drainTo' as const), max: fc.integer({ min: 0, max: 12 }), first: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'clear' as const }) },
);
const start = fc.oneof(
  fc.constantFrom(0, 0x7fffffff, 0xffffffff, -1),
  fc.integer({ min: 0xffffff00, max: 0xffffffff }),
  fc.integer({ min: 0x7fffff00, max: 0x7fffffff }),
);

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (e instanceof QueueOverflowError) return 'throw';
    throw e;
  }
}

function runModel(q: SharedEventQueue, p: SharedEventQueue, m: Model, cmds: Cmd[]): void {
  const h = { P: p, C: q };
  for (const c of cmds) {
    switch (c.k) {
      case 'post': {
        const ok = m.room(c.by) >= 1;
        if (ok) {
          m.ring.push(c.rec);
          m.posting(c.by, 1);
        } else m.refused[c.by]++;
        const r = c.rec;
        assert.equal(outcome(() => h[c.by].post(r[0]!, r[1], r[2], r[3], r[4])), ok ? true : m.throws ? 'throw' : false);
        break;
      }
      case 'postMany': {
        const n = c.recs.length;
        const src = pack([...Array.from({ length: c.first }, () => [0xffff, 1, 2, 3, 4]), ...c.recs]);
        const room = m.room(c.by);
        let k = n <= room ? n : m.throws || room <= 0 ? 0 : room;
        let expect: unknown = k;
        if (n > room && m.throws && n > 0) expect = 'throw';
        if (n === 0) k = 0;
        m.ring.push(...c.recs.slice(0, k));
        if (k > 0) m.posting(c.by, k);
        m.refused[c.by] += n - k;
        assert.equal(outcome(() => h[c.by].postMany(src, n, c.first)), expect);
        break;
      }
      case 'urgent': {
        const ok = m.room('C') >= 1 && m.lane.length < m.urgentCapacity;
        if (ok) {
          m.lane.push(c.rec);
          m.posting('C', 1);
        } else m.refused.C++;
        const r = c.rec;
        assert.equal(outcome(() => q.postUrgent(r[0]!, r[1], r[2], r[3], r[4])), ok ? true : m.throws ? 'throw' : false);
        break;
      }
      case 'get': {
        const want = m.take(1);
        const s = q.get();
        assert.deepEqual(want.length ? [s, q.p0, q.p1, q.p2, q.p3] : s, want.length ? want[0] : NO_EVENT);
        break;
      }
      case 'drainTo': {
        const want = m.take(c.max);
        const dst = new Int32Array((c.first + c.max) * W);
        assert.equal(q.drainTo(dst, c.max, c.first), want.length);
        assert.deepEqual(rows(dst, want.length, c.first), want);
        break;
      }
      case 'clear': {
        const n = m.length;
        m.dropped += n;
        m.ring.length = 0;
        m.lane.length = 0;
        assert.equal(q.clear(), n);
        break;
      }
    }
    assert.deepEqual(
      [q.length, q.ringLength, p.length, q.minFree, p.posted, q.posted, p.refused, q.refused, q.refusedByAll, q.taken, q.dropped],
      [m.length, m.ring.length, m.ring.length, m.capacity - m.peak, m.posted.P, m.posted.C, m.refused.P, m.refused.C, m.refused.P + m.refused.C, m.taken, m.dropped],
      `after ${JSON.stringify(c)}`,
    );
    assert.equal(p.posted + q.posted, q.taken + q.dropped + q.length, 'posted = taken + dropped + length');
  }
}

describe('SharedEventQueue postMany/drainTo against a model (fast-check): two handles, every post and take mixed', function () {
  const runs = onXs ? 40 : 300;
  for (const overflow of ['reject', 'throw'] as const) {
    for (const producers of ['single', 'multiple'] as const) {
      it(`${producers}, overflow '${overflow}': records, return values, counters and minFree equal the model's, across the wrap`, function () {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 9 }),
            fc.integer({ min: 0, max: 9 }),
            start,
            fc.boolean(),
            fc.array(cmd, { maxLength: 60 }),
            (capacity, urgentCapacity, initialIndex, plain, cmds) => {
              const extra = plain ? { atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedEventQueue.byteLength(capacity)) } : {};
              const q = new SharedEventQueue({ name: 'model', capacity, producers, overflow, urgentCapacity, initialIndex, ...extra });
              const p = SharedEventQueue.attach(q.buffer, { name: 'model producer', ...(plain ? { atomics: singleCoreAtomics } : {}) });
              runModel(q, p, new Model(capacity, urgentCapacity, overflow === 'throw'), cmds);
            },
          ),
          { numRuns: runs },
        );
      });
    }
  }
});
