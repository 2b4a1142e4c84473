// SharedEventQueue (src/shared-queue.ts), single-threaded on both engines:
// the shared queue suite (test/queue/suite.ts: the same API as EventQueue,
// order, counters, overflow, margins, the urgent lane, re-entrant posting,
// wrap-around, misuse, zero allocation on XS) over a (Shared)ArrayBuffer,
// then what only SharedEventQueue has: producer modes, attach() and its
// header validation, the urgent lane's own bound, the regressions of issue 19
// (length snapshots, dead producers and recover(), margins, the urgent lane's
// bound, waits that end only at the timeout), corrupted memory, and zero
// allocation on XS. Real threads: test/node/queue-concurrency.test.ts;
// release-build checks: test/node/shared-release.test.ts; the hostile-writer
// fuzz: test/queue/queue-shared-fuzz.test.ts.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { NO_EVENT, MAX_SIGNAL, QueueConfigError, QueueEventError, QueueOverflowError } from '../../src/queue.js';
import {
  LAYOUT,
  MAX_CLAIM_TRIES,
  QueueBlockingError,
  QueueCorruptionError,
  QueueLayoutError,
  QueueUsageError,
  SharedEventQueue,
  singleCoreAtomics,
  type AtomicsLike,
  type SharedEventQueueOptions,
} from '../../src/shared-queue.js';
import { queueSuite } from './suite.js';

const made: SharedEventQueue[] = [];
function track(q: SharedEventQueue): SharedEventQueue {
  made.push(q);
  return q;
}

function drain(q: SharedEventQueue): number[][] {
  const out: number[][] = [];
  for (let s = q.get(); s !== NO_EVENT; s = q.get()) out.push([s, q.p0, q.p1, q.p2, q.p3]);
  return out;
}

afterEach(function () {
  // Identity per buffer, summed over its handles: posted = taken + dropped + length.
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
    assert.equal(consumer.length, 0);
  }
  made.length = 0;
});

// Each behaviour runs over the native Atomics (SharedArrayBuffer) and over
// singleCoreAtomics on a plain ArrayBuffer (the RP2040 fallback).
const variants: { label: string; extra: (capacity: number) => Partial<SharedEventQueueOptions> }[] = [
  { label: 'Atomics + SharedArrayBuffer', extra: () => ({}) },
  {
    label: 'singleCoreAtomics + ArrayBuffer',
    extra: (capacity) => ({ atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedEventQueue.byteLength(capacity)) }),
  },
];

for (const v of variants) {
  const make = (o: SharedEventQueueOptions): SharedEventQueue => track(new SharedEventQueue({ ...o, ...v.extra(o.capacity) }));

  queueSuite({
    label: `SharedEventQueue (${v.label})`,
    make: (o) => make(o as SharedEventQueueOptions),
    construct: (o) => new SharedEventQueue(o as SharedEventQueueOptions),
    overflows: ['reject', 'throw'],
    eventChecksInRelease: true,
    NO_EVENT,
    MAX_SIGNAL,
    QueueConfigError,
    QueueEventError,
    QueueOverflowError,
  });

  describe(`SharedEventQueue (${v.label})`, function () {
    for (const producers of ['single', 'multiple'] as const) {
      it(`${producers} producer(s): FIFO with parameters, peek, counters`, function () {
        const q = make({ name: 'fifo', capacity: 3, producers });
        assert.equal(q.peek(), NO_EVENT);
        assert.equal(q.post(1, 10, 11, 12, 13), true);
        assert.equal(q.post(2, 0.5), true);
        assert.equal(q.post(3), true);
        assert.equal(q.post(4), false, 'full: rejected');
        assert.deepEqual([q.length, q.free, q.minFree, q.posted, q.refused, q.refusedByAll], [3, 0, 0, 3, 1, 1]);
        assert.equal(q.peek(), 1);
        assert.deepEqual(drain(q), [
          [1, 10, 11, 12, 13],
          [2, 0.5, 0, 0, 0],
          [3, 0, 0, 0, 0],
        ]);
        assert.deepEqual([q.taken, q.length, q.free, q.minFree], [3, 0, 3, 0]);
      });
    }

    it("'throw' raises QueueOverflowError naming the queue; a margin post only refuses", function () {
      const q = make({ name: 'isr', capacity: 2, overflow: 'throw' });
      q.post(1);
      q.post(2);
      let caught: unknown;
      try {
        q.post(3);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof QueueOverflowError);
      assert.ok(/'isr'/.test(caught.message) && /capacity 2/.test(caught.message), caught.message);
      assert.equal(q.postWithMargin(0, 3), false);
      assert.deepEqual([q.posted, q.refused, q.refusedByAll, q.length], [2, 2, 2, 2]);
      assert.deepEqual(drain(q).map((r) => r[0]), [1, 2]);
    });

    it('the urgent lane is bounded by urgentCapacity', function () {
      const q = make({ name: 'lane', capacity: 8, urgentCapacity: 1 });
      assert.equal(q.postUrgent(1), true);
      assert.equal(q.postUrgent(2), false);
      assert.equal(q.refused, 1);
      assert.equal(q.get(), 1);
    });

    for (const start of [0x7ffffff8, 0xfffffff8, -3]) {
      for (const producers of ['single', 'multiple'] as const) {
        it(`${producers}: order and counters across the 32-bit wrap (initialIndex ${start})`, function () {
          const q = make({ name: 'wrap', capacity: 5, producers, initialIndex: start });
          let next = 0;
          let expect = 0;
          for (let i = 0; i < 40; i++) {
            while (q.post(1, next)) next++;
            assert.equal(q.length, 5);
            for (let k = 0; k < 3; k++) {
              assert.equal(q.get(), 1);
              assert.equal(q.p0, expect++);
            }
          }
          assert.deepEqual([q.posted, q.taken, q.refused, q.length], [next, expect, 40, next - expect]);
        });
      }
    }
  });
}

describe('SharedEventQueue: attach', function () {
  it('a second handle attached to the buffer sees the same queue and layout', function () {
    const a = track(new SharedEventQueue({ name: 'a', capacity: 6, producers: 'single', overflow: 'throw' }));
    const b = track(SharedEventQueue.attach(a.buffer, { name: 'b' }));
    assert.deepEqual([b.capacity, b.producers, b.overflow], [6, 'single', 'throw']);
    assert.equal(b.post(5, 1, 2, 3, 4), true);
    assert.equal(a.length, 1);
    assert.equal(a.get(), 5);
    assert.deepEqual([a.p0, a.p1, a.p2, a.p3], [1, 2, 3, 4]);
    assert.deepEqual([b.posted, a.taken, a.length, b.length], [1, 1, 0, 0]);
    // Identity across handles: b posted, a took.
    assert.equal(b.posted, a.taken + a.dropped + a.length);
  });

  it('the header holds the documented words', function () {
    const q = track(new SharedEventQueue({ capacity: 5, producers: 'multiple', initialIndex: 7 }));
    const h = new Int32Array(q.buffer, 0, 64);
    assert.equal(q.buffer.byteLength, 256 + 40 * 8);
    assert.deepEqual(
      [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[16], h[32]],
      [LAYOUT.MAGIC, 1, 256, 40, 5, 8, 2, 0, 7, 7],
    );
    q.post(9, 1.25);
    const rec = new Int32Array(q.buffer, 256 + 40 * (7 & 7), 2);
    assert.deepEqual([rec[0], rec[1]], [8, 9], 'seq = position + 1, then the signal');
    assert.equal(new Float64Array(q.buffer, 256 + 40 * 7 + 8, 4)[0], 1.25);
    assert.equal(h[34], 1, 'PEAK');
    q.get();
    assert.equal(h[16], 8, 'HEAD');
  });

  it('a wrong magic, version, size or capacity raises QueueLayoutError; the queue still works', function () {
    const q = track(new SharedEventQueue({ name: 'victim', capacity: 4 }));
    q.post(1, 11);
    const h = new Int32Array(q.buffer, 0, 64);
    const cases: [number, number, RegExp][] = [
      [0, 0x12345678, /magic/],
      [1, 2, /version 2/],
      [3, 48, /record sizes/],
      [4, 0, /capacity 0/],
      [5, 16, /slots/],
      [6, 3, /producer mode/],
      [7, 1, /overflow code/],
    ];
    for (const [word, bad, re] of cases) {
      const saved = h[word]!;
      h[word] = bad;
      let caught: unknown;
      try {
        SharedEventQueue.attach(q.buffer, { name: 'peer' });
      } catch (e) {
        caught = e;
      }
      h[word] = saved;
      assert.ok(caught instanceof QueueLayoutError, `word ${word}`);
      assert.equal(caught.name, 'QueueLayoutError');
      assert.ok(re.test(caught.message) && /'peer'/.test(caught.message) && /version 1/.test(caught.message), caught.message);
    }
    assert.throws(() => SharedEventQueue.attach(new ArrayBuffer(64)), QueueLayoutError);
    assert.throws(() => SharedEventQueue.attach(q.buffer.slice(0, 300) as ArrayBuffer), QueueLayoutError);
    assert.throws(() => SharedEventQueue.attach(new Uint8Array(512) as unknown as ArrayBuffer), QueueLayoutError);
    // Nothing was changed: the queue and its counters are intact.
    assert.equal(q.post(2, 22), true);
    assert.deepEqual(drain(q), [
      [1, 11, 0, 0, 0],
      [2, 22, 0, 0, 0],
    ]);
    assert.deepEqual([q.posted, q.taken, q.refused], [2, 2, 0]);
    assert.ok(SharedEventQueue.attach(q.buffer) instanceof SharedEventQueue);
  });
});

describe('SharedEventQueue: configuration and misuse', function () {
  it('bad options raise QueueConfigError', function () {
    for (const capacity of [0, 2.5, -1, 70000]) assert.throws(() => new SharedEventQueue({ capacity }), QueueConfigError);
    assert.throws(() => new SharedEventQueue({ capacity: 4, overflow: 'drop-oldest' as 'reject' }), /overflow must be one of 'reject', 'throw'/);
    assert.throws(() => new SharedEventQueue({ capacity: 4, producers: 'many' as 'single' }), QueueConfigError);
    assert.throws(() => new SharedEventQueue({ capacity: 4, buffer: new SharedArrayBuffer(100) }), /needs 416/);
    assert.throws(() => new SharedEventQueue({ capacity: 4, urgentCapacity: -1 }), QueueConfigError);
    assert.throws(
      () => new SharedEventQueue({ capacity: 4, buffer: new ArrayBuffer(416), atomics: singleCoreAtomics, mayBlock: true }),
      /mayBlock needs a SharedArrayBuffer/,
    );
  });

  it('bad signals and parameters raise QueueEventError in every build; nothing changes', function () {
    const q = track(new SharedEventQueue({ name: 'sq', capacity: 2 }));
    q.post(1);
    for (const sig of [-1, 0.5, MAX_SIGNAL + 1, NaN, '2' as unknown as number]) {
      assert.throws(() => q.post(sig), QueueEventError);
      assert.throws(() => q.postUrgent(sig), QueueEventError);
      assert.throws(() => q.postWithMargin(0, sig), QueueEventError);
    }
    assert.throws(() => q.post(1, 0, 0, 0, 'x' as unknown as number), /p3/);
    assert.throws(() => q.postWithMargin(-2, 1), QueueEventError);
    assert.deepEqual([q.posted, q.refused, q.length, q.refusedByAll], [1, 0, 1, 0]);
    assert.equal(q.get(), 1);
  });

  it('waitForEvent: QueueBlockingError unless opened with mayBlock; true at once when an event is ready', function () {
    const q = track(new SharedEventQueue({ name: 'main', capacity: 2 }));
    let caught: unknown;
    try {
      q.waitForEvent(0);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof QueueBlockingError);
    assert.ok(/'main'/.test(caught.message) && /mayBlock/.test(caught.message) && /main VM/.test(caught.message), caught.message);
    const w = track(SharedEventQueue.attach(q.buffer, { name: 'worker', mayBlock: true }));
    q.post(3);
    assert.equal(w.waitForEvent(1000), true);
    assert.equal(w.get(), 3);
  });

  it('waitForEvent times out with false on an empty queue (Node: Atomics.wait on this thread)', function () {
    if (onXs) this.skip();
    const w = track(new SharedEventQueue({ name: 'w', capacity: 2, mayBlock: true }));
    assert.equal(w.waitForEvent(5), false);
    assert.equal(new Int32Array(w.buffer, 0, 64)[17], 0, 'WAITING is reset');
  });
});


const W_HEAD = LAYOUT.W_HEAD;
const W_TAIL = LAYOUT.W_TAIL;
const W_PEAK = LAYOUT.W_PEAK;
const REC0 = 64; // int32 index of record 0's seq word

function words(q: SharedEventQueue): Int32Array {
  return new Int32Array(q.buffer, 0, q.buffer.byteLength >> 2);
}

/** `base` with a hook that runs right after a load of int32 word `word` (while `armed` > 0, once per load). */
function hooked(base: AtomicsLike, word: number, hook: () => void): AtomicsLike & { armed: number } {
  const h = {
    armed: 0,
    load(a: Int32Array, i: number): number {
      const v = base.load(a, i);
      if (i === word && h.armed > 0) {
        h.armed--;
        hook();
      }
      return v;
    },
    store: (a: Int32Array, i: number, v: number): number => base.store(a, i, v),
    add: (a: Int32Array, i: number, v: number): number => base.add(a, i, v),
    compareExchange: (a: Int32Array, i: number, e: number, r: number): number => base.compareExchange(a, i, e, r),
    notify: (a: Int32Array, i: number, c?: number): number => base.notify(a, i, c),
  };
  return h;
}

/** Atomics whose wait() returns 'ok' at once (a wake-up with nothing published) after calling onWait(n). */
function earlyWakes(): AtomicsLike & { waits: number; onWait: (n: number) => void } {
  const A = Atomics as unknown as AtomicsLike;
  const f = {
    waits: 0,
    onWait: (_n: number): void => {},
    load: (a: Int32Array, i: number): number => A.load(a, i),
    store: (a: Int32Array, i: number, v: number): number => A.store(a, i, v),
    add: (a: Int32Array, i: number, v: number): number => A.add(a, i, v),
    compareExchange: (a: Int32Array, i: number, e: number, r: number): number => A.compareExchange(a, i, e, r),
    notify: (a: Int32Array, i: number, c?: number): number => A.notify(a, i, c),
    wait(_a: Int32Array, _i: number, _v: number, _t?: number): string {
      f.waits++;
      f.onWait(f.waits);
      return 'ok';
    },
  };
  return f;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

for (const v of variants) {
  const base = (v.extra(1).atomics ?? Atomics) as AtomicsLike;
  const make = (o: SharedEventQueueOptions): SharedEventQueue => track(new SharedEventQueue({ ...o, ...v.extra(o.capacity) }));
  /** Not tracked: for tests whose identity is not posted = taken + dropped + skipped + length (dead producers, corruption). */
  const loose = (o: SharedEventQueueOptions): SharedEventQueue => new SharedEventQueue({ ...o, ...v.extra(o.capacity) });

  describe(`SharedEventQueue: issue 19 regressions (${v.label})`, function () {
    it('#1 length and free stay in 0..capacity on an observer handle while others post and take between its loads', function () {
      const q = make({ name: 'consumer', capacity: 8 });
      const at = hooked(base, W_TAIL, () => {
        for (let i = 0; i < 3; i++) {
          q.post(1);
          q.get();
        }
      });
      const o = track(SharedEventQueue.attach(q.buffer, { name: 'observer', atomics: at }));
      at.armed = 1;
      assert.equal(o.length, 0, 'length (was -3: TAIL read before, HEAD after three post+get pairs)');
      at.armed = 1;
      assert.equal(o.free, 8, 'free (was 11)');
      at.armed = 1;
      assert.equal(o.ringLength, 0);
      // A hook on every TAIL load: no two TAIL reads agree; the value is still clamped to its range.
      at.armed = Infinity;
      const l = o.length;
      const f = o.free;
      at.armed = 0;
      assert.ok(l >= 0 && l <= 8 && f >= 0 && f <= 8, `length ${l}, free ${f}`);
      q.post(2);
      q.post(3);
      assert.deepEqual([o.length, o.free], [2, 6]);
      assert.deepEqual(drain(q).map((r) => r[0]), [2, 3]);
    });

    it('#2 a bad signal or parameter (bigint, symbol, object, throwing valueOf) is refused with QueueEventError before a slot is claimed', function () {
      const q = make({ name: 'boundary', capacity: 4 });
      const i32 = words(q);
      const tail = i32[W_TAIL];
      let ran = 0;
      const throwing = {
        valueOf(): number {
          ran++;
          throw new Error('valueOf ran');
        },
      };
      const bads: unknown[] = [1n, Symbol('s'), throwing, {}, null, 'x'];
      const post = q.post as (...a: unknown[]) => boolean;
      const urgent = q.postUrgent as (...a: unknown[]) => boolean;
      const margin = q.postWithMargin as (...a: unknown[]) => boolean;
      for (const bad of bads) {
        for (let at = 0; at < 5; at++) {
          const args: unknown[] = [1, 0, 0, 0, 0];
          args[at] = bad;
          for (const call of [() => post.apply(q, args), () => urgent.apply(q, args), () => margin.apply(q, [0, ...args])]) {
            const e = thrown(call);
            assert.ok(e instanceof QueueEventError, `argument ${at} = ${typeof bad}: ${String(e)}`);
            assert.equal(e.name, 'QueueEventError');
            assert.ok(/'boundary'/.test(e.message), e.message);
          }
        }
      }
      assert.equal(ran, 0, 'valueOf is never called');
      assert.equal(i32[W_TAIL], tail, 'no slot claimed');
      assert.deepEqual([q.length, q.posted, q.refused, q.refusedByAll], [0, 0, 0, 0]);
      assert.equal(q.post(7, 70), true);
      assert.equal(q.get(), 7);
      assert.equal(q.p0, 70);
    });

    it('#2 a producer that dies between its claim and its publish leaves a hole; recover() skips it once older than olderThanMs, counted', function () {
      const q = loose({ name: 'hole', capacity: 4 });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: base });
      const i32 = words(q);
      const t = i32[W_TAIL]!;
      i32[W_TAIL] = (t + 1) | 0; // claimed, never published: the producer died
      assert.equal(p.post(2, 20), true);
      assert.equal(p.post(3, 30), true);
      assert.equal(q.get(), NO_EVENT, 'the records behind the hole wait (claim order)');
      assert.equal(q.peek(), NO_EVENT);
      assert.deepEqual([q.ringLength, q.length, q.clear(), q.dropped], [3, 3, 0, 0], 'clear() stops at the hole');
      assert.equal(q.recover(100, 1000), 0, 'first seen: timing starts');
      assert.equal(q.recover(100, 1099), 0, 'not old enough');
      assert.equal(q.recover(100, 1100), 1, 'skipped after 100 ms');
      assert.equal(q.skipped, 1);
      assert.deepEqual(drain(q), [
        [2, 20, 0, 0, 0],
        [3, 30, 0, 0, 0],
      ]);
      assert.equal(p.posted + 1, q.taken + q.dropped + q.skipped + q.length, 'posted + the dead claim = taken + skipped');
      // The producer was only slow: its late publish stores the seq word value recover() stored; the next laps are not disturbed.
      i32[REC0 + (t & 3) * 10] = (t + 1) | 0;
      for (let k = 0; k < 12; k++) {
        assert.equal(p.post(k, k), true);
        assert.equal(q.get(), k);
        assert.equal(q.p0, k);
      }
      assert.equal(q.recover(0, 5000), 0, 'nothing to recover');
      assert.deepEqual([q.skipped, q.corrupted], [1, 0]);
    });

    it('#2 recover() does not skip a position published before the timeout, nor one published as it skips', function () {
      const q = loose({ name: 'slow', capacity: 2 });
      const i32 = words(q);
      const f64 = new Float64Array(q.buffer, 0, q.buffer.byteLength >> 3);
      const claim = (): number => {
        const t = i32[W_TAIL]!;
        i32[W_TAIL] = (t + 1) | 0;
        return t;
      };
      const publish = (t: number, sig: number): void => {
        const w = REC0 + (t & 1) * 10;
        i32[w + 1] = sig;
        f64[(w >> 1) + 1] = sig * 10;
        i32[w] = (t + 1) | 0;
      };
      const t1 = claim();
      assert.equal(q.recover(50, 0), 0);
      publish(t1, 4);
      assert.equal(q.recover(50, 100), 0, 'published in time');
      assert.equal(q.get(), 4);
      assert.equal(q.p0, 40);
      // The producer publishes between recover()'s read of the seq word and its compare-exchange.
      const t2 = claim();
      const at = hooked(base, REC0 + (t2 & 1) * 10, () => publish(t2, 5));
      const c = SharedEventQueue.attach(q.buffer, { name: 'slow consumer', atomics: at });
      assert.equal(c.recover(50, 0), 0);
      at.armed = 1;
      assert.equal(c.recover(50, 100), 0, 'lost the race to the publish: not skipped');
      assert.equal(c.get(), 5);
      assert.equal(c.skipped + q.skipped, 0);
    });

    it('#2 recover() refuses times that are not numbers >= 0 (QueueUsageError)', function () {
      const q = make({ name: 'times', capacity: 2 });
      for (const args of [[NaN], [-1], ['5'], [5, Infinity], [5, NaN]] as [number, number?][]) {
        const e = thrown(() => q.recover(...args));
        assert.ok(e instanceof QueueUsageError, String(args));
        assert.ok(/'times'/.test(e.message) && /olderThanMs/.test(e.message), e.message);
      }
      assert.equal(q.recover(0), 0, 'nowMs defaults to Date.now()');
    });

    it('#3 postWithMargin with NaN, a negative, fractional or non-number margin throws QueueEventError and claims nothing', function () {
      const q = make({ name: 'margins', capacity: 4 });
      const i32 = words(q);
      const tail = i32[W_TAIL];
      for (const m of [NaN, -1, -0.5, 1.5, Infinity, '2', 1n, undefined, {}]) {
        const e = thrown(() => q.postWithMargin(m as number, 1));
        assert.ok(e instanceof QueueEventError, String(m));
        assert.ok(/'margins'/.test(e.message) && /margin/.test(e.message), e.message);
      }
      assert.equal(i32[W_TAIL], tail);
      let accepted = 0;
      for (let i = 0; i < 12; i++) if (q.postWithMargin(0, i)) accepted++;
      assert.deepEqual([accepted, q.length, q.refused], [4, 4, 8], 'capacity holds');
      assert.deepEqual(drain(q).map((r) => r[0]), [0, 1, 2, 3]);
    });

    it('#4 the urgent lane has its own bound: ringLength <= capacity on every handle; the lane adds up to urgentCapacity', function () {
      const q = make({ name: 'consumer', capacity: 4 });
      const p = track(SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: base }));
      assert.equal(q.postUrgent(10), true);
      assert.equal(q.postUrgent(11), true);
      for (let i = 0; i < 4; i++) assert.equal(p.post(i), true, 'a producer does not see the lane');
      assert.equal(p.post(9), false, 'capacity bounds the ring');
      assert.deepEqual([q.ringLength, q.urgentLength, q.length, q.free, q.urgentCapacity], [4, 2, 6, 0, 4]);
      assert.ok(q.length <= q.capacity + q.urgentCapacity);
      assert.deepEqual([p.ringLength, p.urgentLength, p.length, p.free], [4, 0, 4, 0]);
      assert.equal(q.postUrgent(12), false, 'the consumer counts its lane against capacity');
      assert.equal(q.post(13), false);
      assert.deepEqual(drain(q).map((r) => r[0]), [11, 10, 0, 1, 2, 3]);
    });
  });

  describe(`SharedEventQueue: corrupted memory (${v.label})`, function () {
    it('get()/peek(): a published signal outside 0..65535 is discarded, counted, QueueCorruptionError; the next record follows', function () {
      const q = loose({ name: 'victim', capacity: 4 });
      const i32 = words(q);
      for (const bad of [65536, 2116662162, -1, 0x1ffff]) {
        q.post(1, 10);
        q.post(2, 20);
        i32[REC0 + (i32[W_HEAD]! & 3) * 10 + 1] = bad;
        const e = thrown(() => (bad === -1 ? q.peek() : q.get()));
        assert.ok(e instanceof QueueCorruptionError, String(e));
        assert.equal(e.name, 'QueueCorruptionError');
        assert.ok(/'victim'/.test(e.message) && new RegExp(`signal ${bad}`).test(e.message) && /0\.\.65535/.test(e.message), e.message);
        assert.equal(q.get(), 2);
        assert.equal(q.p0, 20);
      }
      assert.deepEqual([q.corrupted, q.taken, q.length], [4, 4, 0]);
    });

    it('a take checks TAIL - HEAD: a planted HEAD (with a matching seq word) or TAIL is resynced, QueueCorruptionError; the queue works again', function () {
      const q = loose({ name: 'indices', capacity: 4 });
      const i32 = words(q);
      q.post(1);
      const x = (i32[W_HEAD]! + 1000) | 0;
      i32[W_HEAD] = x;
      i32[REC0 + (x & 3) * 10] = (x + 1) | 0; // looks published
      i32[REC0 + (x & 3) * 10 + 1] = 5;
      const e = thrown(() => q.get());
      assert.ok(e instanceof QueueCorruptionError && /TAIL - HEAD is -999/.test(e.message) && /moved to TAIL/.test(e.message), String(e));
      assert.equal(i32[W_HEAD], i32[W_TAIL], 'resynced');
      q.post(2, 22);
      i32[W_TAIL] = (i32[W_TAIL]! + 0x40000000) | 0; // TAIL far ahead of the published record at HEAD
      assert.ok(thrown(() => q.get()) instanceof QueueCorruptionError);
      assert.equal(q.post(3, 33), true);
      assert.deepEqual(drain(q), [[3, 33, 0, 0, 0]]);
      assert.equal(q.corrupted, 2);
    });

    it('a producer that sees a bad index posts nothing (QueueCorruptionError, counted); recover() or clear() resyncs without throwing', function () {
      const q = loose({ name: 'wedge', capacity: 4 });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: base });
      const i32 = words(q);
      for (const fix of ['recover', 'clear'] as const) {
        i32[W_HEAD] = (i32[W_TAIL]! + 7) | 0; // HEAD past TAIL: the queue would be wedged for good
        const tail = i32[W_TAIL];
        const e = thrown(() => p.post(1));
        assert.ok(e instanceof QueueCorruptionError && /post refused/.test(e.message) && /'producer'/.test(e.message), String(e));
        assert.equal(i32[W_TAIL], tail, 'nothing claimed');
        assert.equal(q.get(), NO_EVENT);
        const lengths = [q.ringLength, q.free, p.ringLength, p.free];
        assert.ok(lengths.every((n) => n >= 0 && n <= 4), String(lengths));
        if (fix === 'recover') assert.equal(q.recover(1000, 0), 0);
        else assert.equal(q.clear(), 0);
        assert.equal(p.post(2, 2), true);
        assert.equal(q.get(), 2);
      }
      assert.deepEqual([p.refused, p.corrupted, q.corrupted, p.posted, q.taken], [2, 2, 2, 2, 2]);
    });

    it('minFree, free and lengths stay in range with garbage in PEAK, HEAD and TAIL', function () {
      const q = loose({ name: 'getters', capacity: 5 });
      const i32 = words(q);
      for (const [w, x] of [[W_PEAK, -5], [W_PEAK, 1e9], [W_PEAK, -0x80000000], [W_HEAD, 123456], [W_TAIL, -77], [W_HEAD, 0x7fffffff]]) {
        i32[w!] = x!;
        for (const n of [q.minFree, q.free, q.ringLength, q.length]) assert.ok(n >= 0 && n <= 5, `word ${w} = ${x}: ${n}`);
      }
    });

    it(`a claim that keeps losing its compare-exchange is refused after MAX_CLAIM_TRIES (${MAX_CLAIM_TRIES}), counted, never thrown`, function () {
      let cas = 0;
      const at: AtomicsLike = {
        load: (a, i) => base.load(a, i),
        store: (a, i, x) => base.store(a, i, x),
        add: (a, i, x) => base.add(a, i, x),
        notify: (a, i, c) => base.notify(a, i, c),
        // A hostile writer moves TAIL back and forth between every load and compare-exchange.
        compareExchange: (a, i, e, r) => (i === W_TAIL ? (cas++, (e - 1) | 0) : base.compareExchange(a, i, e, r)),
      };
      const q = make({ name: 'contended', capacity: 4, overflow: 'throw' });
      const p = SharedEventQueue.attach(q.buffer, { name: 'producer', atomics: at });
      assert.equal(p.post(1), false);
      assert.ok(cas > 0 && cas <= MAX_CLAIM_TRIES, `${cas} compare-exchanges`);
      assert.deepEqual([p.refused, p.posted, q.refusedByAll, q.length], [1, 0, 1, 0]);
    });
  });
}

describe('SharedEventQueue: waitForEvent ends only at its timeout (issue 19 #5)', function () {
  it('#5 returns false only once the timeout has passed, across wake-ups with nothing published', function () {
    const at = earlyWakes();
    const q = track(new SharedEventQueue({ name: 'waiter', capacity: 1, atomics: at, mayBlock: true }));
    const t0 = Date.now();
    assert.equal(q.waitForEvent(40), false);
    const ms = Date.now() - t0;
    assert.ok(ms >= 40, `returned false after ${ms} ms (was: at the first wake-up)`);
    assert.ok(at.waits >= 2, `${at.waits} waits`);
    assert.equal(new Int32Array(q.buffer, 0, 64)[LAYOUT.W_WAITING], 0, 'WAITING is reset');
  });

  it('#5 returns true when a wake-up finds the event published; false at once for a timeout of 0', function () {
    const at = earlyWakes();
    const q = track(new SharedEventQueue({ name: 'waiter', capacity: 4, atomics: at, mayBlock: true }));
    at.onWait = (n) => {
      if (n === 3) q.post(9, 90);
    };
    assert.equal(q.waitForEvent(10000), true);
    assert.equal(at.waits, 3);
    assert.equal(q.get(), 9);
    at.onWait = () => {};
    at.waits = 0;
    assert.equal(q.waitForEvent(0), false);
    assert.equal(at.waits, 1);
  });

  it('refuses a timeout that is not a number >= 0 (QueueUsageError)', function () {
    const q = track(new SharedEventQueue({ name: 'waiter', capacity: 1, atomics: earlyWakes(), mayBlock: true }));
    for (const ms of [NaN, -1, '5', undefined]) {
      const e = thrown(() => q.waitForEvent(ms as number));
      assert.ok(e instanceof QueueUsageError && /'waiter'/.test(e.message) && /timeout/.test(e.message), String(e));
    }
  });
});

describe('SharedEventQueue: no allocation on XS (10,000 calls, the first included), each beside its positive control', function () {
  for (const v of variants) {
    for (const producers of ['single', 'multiple'] as const) {
      it(`${v.label}, ${producers}: post+get+params, postUrgent+get, peek, margin, reject, clear, recover, lengths`, function () {
        const q = track(new SharedEventQueue({ name: 'alloc', capacity: 8, producers, ...v.extra(8) }));
        let k = 0;
        let sum = 0;
        const postGet = (): void => {
          q.post(k & 255, k, 1.5, -2, 3);
          k++;
          q.get();
          sum += q.p0 + q.p1 + q.p2 + q.p3;
        };
        assertNoAllocation(postGet, 10000, 'SharedEventQueue post+get+params');
        assertCatchesAllocation(postGet, 100, 'SharedEventQueue post+get+params');
        const urgent = (): void => {
          q.postUrgent(1, k++);
          q.peek();
          q.get();
        };
        assertNoAllocation(urgent, 10000, 'SharedEventQueue postUrgent+peek+get');
        assertCatchesAllocation(urgent, 100, 'SharedEventQueue postUrgent+peek+get');
        const margin = (): void => {
          q.postWithMargin(2, 1, k++);
          q.post(2); // fills up, then rejected
          q.peek();
        };
        assertNoAllocation(margin, 10000, 'SharedEventQueue postWithMargin/post/peek');
        assertCatchesAllocation(margin, 100, 'SharedEventQueue postWithMargin/post/peek');
        const drainEmpty = (): number => q.get() + q.peek();
        assertNoAllocation(drainEmpty, 10000, 'SharedEventQueue get/peek (drains, then empty)');
        assertCatchesAllocation(drainEmpty, 100, 'SharedEventQueue get/peek on empty');
        let now = 0;
        const health = (): number => {
          q.post(3);
          now += 10;
          return q.recover(100, now) + q.clear() + q.length + q.free + q.ringLength + q.urgentLength + q.minFree;
        };
        assertNoAllocation(health, 10000, 'SharedEventQueue post+recover+clear+lengths');
        assertCatchesAllocation(health, 100, 'SharedEventQueue post+recover+clear+lengths');
        assert.ok(sum > 0);
        assert.ok(q.refused > 0);
        assert.ok(q.cleared > 0);
      });
    }
  }

  it('recover() skipping a hole, and a waitForEvent that finds an event ready', function () {
    const q = new SharedEventQueue({ name: 'alloc holes', capacity: 4, mayBlock: true });
    const i32 = words(q);
    let now = 0;
    const skip = (): number => {
      i32[W_TAIL] = (i32[W_TAIL]! + 1) | 0; // a dead producer's claim
      q.recover(0, now++);
      return q.recover(0, now++);
    };
    assertNoAllocation(skip, 10000, 'SharedEventQueue recover() skipping a hole');
    assertCatchesAllocation(skip, 100, 'SharedEventQueue recover() skipping a hole');
    assert.equal(q.skipped, onXs ? 10100 : 10000);
    const ready = (): boolean => {
      q.post(1);
      const r = q.waitForEvent(0);
      q.get();
      return r;
    };
    assertNoAllocation(ready, 10000, 'SharedEventQueue waitForEvent when ready');
    assertCatchesAllocation(ready, 100, 'SharedEventQueue waitForEvent when ready');
  });
});
