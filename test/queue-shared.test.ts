// SharedEventQueue (src/shared-queue.ts), single-threaded on both engines:
// the same API as EventQueue over a (Shared)ArrayBuffer, attach() and its
// header validation, the consumer's urgent lane, wrap-around, misuse and zero
// allocation on XS. Real threads: test/node/queue-concurrency.test.ts.
import { strict as assert } from './support/assert.js';
import { assertNoAllocation, onXs } from './support/alloc.js';
import { NO_EVENT, MAX_SIGNAL, QueueConfigError, QueueEventError, QueueOverflowError } from '../src/queue.js';
import {
  LAYOUT,
  QueueBlockingError,
  QueueLayoutError,
  SharedEventQueue,
  singleCoreAtomics,
  type SharedEventQueueOptions,
} from '../src/shared-queue.js';

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
      gone += q.taken + q.dropped;
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

    it('postWithMargin keeps `margin` slots free after the post', function () {
      const q = make({ name: 'margin', capacity: 4 });
      assert.equal(q.postWithMargin(2, 1), true);
      assert.equal(q.postWithMargin(2, 2), true);
      assert.equal(q.postWithMargin(2, 3), false);
      assert.equal(q.postWithMargin(1, 3), true);
      assert.equal(q.postWithMargin(1, 4), false);
      assert.equal(q.post(4), true);
      assert.deepEqual([q.posted, q.refused], [4, 2]);
      assert.deepEqual(drain(q).map((r) => r[0]), [1, 2, 3, 4]);
    });

    it('postUrgent goes to the front through the consumer lane, LIFO, within capacity', function () {
      const q = make({ name: 'urgent', capacity: 4 });
      q.post(1);
      q.post(2);
      assert.equal(q.postUrgent(3, 30), true);
      assert.equal(q.postUrgent(4, 40), true);
      assert.equal(q.postUrgent(5), false, 'lane + ring = capacity');
      assert.equal(q.post(6), false, 'the lane counts for this handle too');
      assert.equal(q.peek(), 4);
      assert.deepEqual([q.length, q.minFree], [4, 0]);
      assert.deepEqual(drain(q).map((r) => r[0]), [4, 3, 1, 2]);
      assert.deepEqual([q.posted, q.taken, q.refused], [4, 4, 2]);
    });

    it('the urgent lane is bounded by urgentCapacity', function () {
      const q = make({ name: 'lane', capacity: 8, urgentCapacity: 1 });
      assert.equal(q.postUrgent(1), true);
      assert.equal(q.postUrgent(2), false);
      assert.equal(q.refused, 1);
      assert.equal(q.get(), 1);
    });

    it('clear discards the lane and the published ring records, counted', function () {
      const q = make({ name: 'clear', capacity: 4 });
      q.post(1);
      q.post(2);
      q.postUrgent(3);
      assert.equal(q.clear(), 3);
      assert.deepEqual([q.dropped, q.cleared, q.length, q.posted], [3, 3, 0, 3]);
      q.post(7, 70);
      assert.deepEqual(drain(q), [[7, 70, 0, 0, 0]]);
    });

    it('a consumer handler may post to its own queue (FIFO and urgent) while consuming', function () {
      const q = make({ name: 'reentrant', capacity: 4 });
      q.post(1, 100);
      q.post(4, 400);
      const trace: string[] = [];
      for (let s = q.get(); s !== NO_EVENT; s = q.get()) {
        const a = q.p0;
        if (s === 1) {
          q.post(2, a + 1);
          q.postUrgent(3, a + 2);
        }
        trace.push(`${s}:${a}:${q.p0}`);
      }
      assert.deepEqual(trace, ['1:100:100', '3:102:102', '4:400:400', '2:101:101']);
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

  it('bad signals and parameters raise QueueEventError (debug builds); nothing changes', function () {
    if (!DEBUG) this.skip();
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

describe('SharedEventQueue: no allocation on XS (10,000 calls, the first included)', function () {
  for (const v of variants) {
    for (const producers of ['single', 'multiple'] as const) {
      it(`${v.label}, ${producers}: post+get+params, postUrgent+get, peek, margin, reject`, function () {
        const q = track(new SharedEventQueue({ name: 'alloc', capacity: 8, producers, ...v.extra(8) }));
        let k = 0;
        let sum = 0;
        assertNoAllocation(() => {
          q.post(k & 255, k, 1.5, -2, 3);
          k++;
          q.get();
          sum += q.p0 + q.p1 + q.p2 + q.p3;
        }, 10000, 'SharedEventQueue post+get+params');
        assertNoAllocation(() => {
          q.postUrgent(1, k++);
          q.peek();
          q.get();
        }, 10000, 'SharedEventQueue postUrgent+peek+get');
        assertNoAllocation(() => {
          q.postWithMargin(2, 1, k++);
          q.post(2); // fills up, then rejected
          q.peek();
        }, 10000, 'SharedEventQueue postWithMargin/post/peek');
        assertNoAllocation(() => q.get() + q.peek(), 10000, 'SharedEventQueue get/peek (drains, then empty)');
        assert.ok(sum > 0);
        assert.ok(q.refused > 0);
      });
    }
  }
});
