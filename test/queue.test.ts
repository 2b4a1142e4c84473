// EventQueue (src/queue.ts): order, counters, overflow policies, margin posts,
// re-entrant posting, wrap-around, misuse and zero allocation on XS.
import { strict as assert } from './support/assert.js';
import { assertNoAllocation } from './support/alloc.js';
import {
  EventQueue,
  MAX_SIGNAL,
  NO_EVENT,
  QueueConfigError,
  QueueEventError,
  QueueOverflowError,
  TIME_EVENT_TAG,
  type EventQueueOptions,
} from '../src/queue.js';

const made: EventQueue[] = [];
function make(options: EventQueueOptions): EventQueue {
  const q = new EventQueue(options);
  made.push(q);
  return q;
}

/** posted === taken + dropped + length, and free/length within bounds. */
function assertIdentity(q: EventQueue): void {
  assert.equal(q.posted, q.taken + q.dropped + q.length, `identity on '${q.name}': posted ${q.posted} taken ${q.taken} dropped ${q.dropped} length ${q.length}`);
  assert.ok(q.length >= 0 && q.length <= q.capacity, `length ${q.length} within 0..${q.capacity}`);
  assert.equal(q.free, q.capacity - q.length);
  assert.ok(q.minFree <= q.free, `minFree ${q.minFree} <= free ${q.free}`);
}

/** Takes everything: [sig, p0, p1, p2, p3] per record, in order. */
function drain(q: EventQueue): number[][] {
  const out: number[][] = [];
  for (let s = q.get(); s !== NO_EVENT; s = q.get()) out.push([s, q.p0, q.p1, q.p2, q.p3]);
  return out;
}

afterEach(function () {
  // Every queue a test made: the identity holds, and it is left empty.
  for (const q of made) {
    assertIdentity(q);
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.get(), NO_EVENT);
  }
  made.length = 0;
});

describe('EventQueue: order and counters', function () {
  it('posts FIFO and gets in order with parameters; omitted parameters are 0', function () {
    const q = make({ name: 'fifo', capacity: 4 });
    assert.equal(q.post(1, 10, 11, 12, 13), true);
    assert.equal(q.post(2, 20), true);
    assert.equal(q.post(3), true);
    assert.equal(q.length, 3);
    assert.deepEqual(drain(q), [
      [1, 10, 11, 12, 13],
      [2, 20, 0, 0, 0],
      [3, 0, 0, 0, 0],
    ]);
    assert.equal(q.get(), NO_EVENT);
    assert.deepEqual([q.posted, q.taken, q.dropped, q.refused, q.cleared], [3, 3, 0, 0, 0]);
  });

  it('keeps doubles exactly (fractions, negatives, large values, -0, NaN)', function () {
    const q = make({ name: 'doubles', capacity: 2 });
    q.post(7, 0.1, -1e300, 2 ** 53, -0);
    q.post(8, NaN, Infinity, -Infinity, 1.5);
    assert.deepEqual(drain(q), [
      [7, 0.1, -1e300, 2 ** 53, -0],
      [8, NaN, Infinity, -Infinity, 1.5],
    ]);
  });

  it('postUrgent puts records at the front, LIFO, mixed with FIFO posts', function () {
    const q = make({ name: 'lifo', capacity: 8 });
    q.post(1);
    q.post(2);
    q.postUrgent(3, 30);
    q.postUrgent(4, 40);
    q.post(5);
    assert.deepEqual(drain(q).map((r) => r[0]), [4, 3, 1, 2, 5]);
  });

  it('peek returns the front signal without taking it; p0..p3 keep the last get', function () {
    const q = make({ name: 'peek', capacity: 2 });
    assert.equal(q.peek(), NO_EVENT);
    q.post(1, 11);
    q.post(2, 22);
    assert.equal(q.get(), 1);
    assert.equal(q.peek(), 2);
    assert.equal(q.p0, 11, 'peek did not change p0');
    assert.equal(q.length, 1);
    assert.equal(q.get(), 2);
    assert.equal(q.p0, 22);
    assert.equal(q.peek(), NO_EVENT);
  });

  it('get on an empty queue returns NO_EVENT and leaves p0..p3 alone', function () {
    const q = make({ name: 'empty', capacity: 1 });
    q.post(9, 1, 2, 3, 4);
    q.get();
    assert.equal(q.get(), NO_EVENT);
    assert.deepEqual([q.p0, q.p1, q.p2, q.p3], [1, 2, 3, 4]);
    assert.equal(q.taken, 1);
  });

  it('clear counts the discarded records in dropped and cleared', function () {
    const q = make({ name: 'clear', capacity: 5 });
    q.post(1);
    q.post(2);
    q.post(3);
    q.get();
    assert.equal(q.clear(), 2);
    assert.deepEqual([q.posted, q.taken, q.dropped, q.cleared, q.length], [3, 1, 2, 2, 0]);
    assertIdentity(q);
    q.post(4);
    assert.deepEqual(drain(q), [[4, 0, 0, 0, 0]]);
  });

  it('minFree is the low-water mark of free', function () {
    const q = make({ name: 'minFree', capacity: 5 });
    assert.equal(q.minFree, 5);
    q.post(1);
    q.post(2);
    q.post(3);
    assert.equal(q.minFree, 2);
    drain(q);
    assert.equal(q.free, 5);
    assert.equal(q.minFree, 2);
    q.postUrgent(1);
    q.postUrgent(1);
    q.postUrgent(1);
    q.postUrgent(1);
    assert.equal(q.minFree, 1);
  });

  it('any capacity works, not only powers of two (capacity 3 holds exactly 3)', function () {
    const q = make({ name: 'three', capacity: 3 });
    for (let round = 0; round < 10; round++) {
      assert.equal(q.post(round), true);
      assert.equal(q.post(round + 1), true);
      assert.equal(q.post(round + 2), true);
      assert.equal(q.post(99), false);
      assert.deepEqual(drain(q).map((r) => r[0]), [round, round + 1, round + 2]);
    }
    assert.equal(q.refused, 10);
  });
});

describe('EventQueue: overflow policies', function () {
  it("'reject' returns false, counts the refusal and keeps the queue intact", function () {
    const q = make({ name: 'rej', capacity: 2, overflow: 'reject' });
    assert.equal(q.post(1), true);
    assert.equal(q.post(2), true);
    assert.equal(q.post(3), false);
    assert.equal(q.postUrgent(4), false);
    assert.deepEqual([q.posted, q.refused, q.dropped, q.length, q.minFree], [2, 2, 0, 2, 0]);
    assertIdentity(q);
    assert.deepEqual(drain(q).map((r) => r[0]), [1, 2]);
  });

  it("'drop-oldest' discards the front record, counts it, and inserts the new one", function () {
    const q = make({ name: 'drop', capacity: 3, overflow: 'drop-oldest' });
    q.post(1);
    q.post(2);
    q.post(3);
    assert.equal(q.post(4, 40), true);
    assert.equal(q.dropped, 1);
    assertIdentity(q);
    assert.deepEqual(drain(q).map((r) => r[0]), [2, 3, 4]);
    q.post(1);
    q.post(2);
    q.post(3);
    assert.equal(q.postUrgent(9, 90), true, 'urgent under drop-oldest: the front record makes room');
    assert.equal(q.dropped, 2);
    assert.deepEqual(drain(q), [
      [9, 90, 0, 0, 0],
      [2, 0, 0, 0, 0],
      [3, 0, 0, 0, 0],
    ]);
    assert.deepEqual([q.posted, q.taken, q.dropped, q.refused], [8, 6, 2, 0]);
  });

  it("'throw' raises QueueOverflowError naming the queue, its capacity and the options; nothing changes", function () {
    const q = make({ name: 'motor', capacity: 2, overflow: 'throw' });
    q.post(1, 1);
    q.post(2, 2);
    let caught: unknown;
    try {
      q.post(3, 3);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof QueueOverflowError);
    assert.equal(caught.name, 'QueueOverflowError');
    assert.ok(/'motor'/.test(caught.message) && /capacity 2/.test(caught.message), caught.message);
    assert.ok(/`capacity`/.test(caught.message) && /overflow/.test(caught.message), caught.message);
    assert.throws(() => q.postUrgent(4), QueueOverflowError);
    assert.deepEqual([q.posted, q.refused, q.dropped, q.length], [2, 2, 0, 2]);
    assertIdentity(q);
    assert.deepEqual(drain(q), [
      [1, 1, 0, 0, 0],
      [2, 2, 0, 0, 0],
    ]);
  });

  it('postWithMargin keeps `margin` slots free after the post; never drops or throws', function () {
    for (const overflow of ['reject', 'drop-oldest', 'throw'] as const) {
      const q = make({ name: 'margin-' + overflow, capacity: 5, overflow });
      assert.equal(q.postWithMargin(2, 1), true); // free 5 -> 4
      assert.equal(q.postWithMargin(2, 2), true); // 4 -> 3
      assert.equal(q.postWithMargin(2, 3), true); // 3 -> 2
      assert.equal(q.postWithMargin(2, 4), false, `${overflow}: would leave 1 free < margin 2`);
      assert.equal(q.postWithMargin(0, 5), true);
      assert.equal(q.postWithMargin(0, 6), true);
      assert.equal(q.postWithMargin(0, 7), false, `${overflow}: full, margin 0`);
      assert.deepEqual([q.posted, q.refused, q.dropped, q.length, q.minFree], [5, 2, 0, 5, 0]);
      assertIdentity(q);
      assert.deepEqual(drain(q).map((r) => r[0]), [1, 2, 3, 5, 6]);
    }
  });

  it('postWithMargin with a margin of capacity or more always refuses', function () {
    const q = make({ name: 'big-margin', capacity: 3 });
    assert.equal(q.postWithMargin(3, 1), false);
    assert.equal(q.postWithMargin(100, 1), false);
    assert.equal(q.refused, 2);
    assert.equal(q.length, 0);
  });
});

describe('EventQueue: re-entrant posting during run-to-completion', function () {
  it('a handler posting to the queue it consumes (post and postUrgent) keeps order and parameters', function () {
    const q = make({ name: 'reentrant', capacity: 4 });
    const trace: string[] = [];
    // Handler: signal 1 posts 2 (FIFO) and 3 (urgent), reading its own parameters after posting.
    const handle = (sig: number): void => {
      const a = q.p0;
      if (sig === 1) {
        q.post(2, a + 1, 0, 0, 0);
        q.postUrgent(3, a + 2, 0, 0, 0); // reuses the slot get() just freed
      }
      trace.push(`${sig}:${a}:${q.p0}`);
    };
    q.post(1, 100);
    q.post(4, 400);
    q.post(5, 500);
    for (let s = q.get(); s !== NO_EVENT; s = q.get()) handle(s);
    assert.deepEqual(trace, ['1:100:100', '3:102:102', '4:400:400', '5:500:500', '2:101:101']);
    assertIdentity(q);
  });

  it('a full queue refills from its own handler: each get frees exactly one slot', function () {
    const q = make({ name: 'refill', capacity: 3 });
    q.post(0, 0);
    q.post(0, 1);
    q.post(0, 2);
    const seen: number[] = [];
    let n = 3;
    for (let s = q.get(); s !== NO_EVENT; s = q.get()) {
      seen.push(q.p0);
      if (n < 10) {
        assert.equal(q.post(0, n++), true, 'the slot just taken is free');
        assert.equal(q.post(0, -1), false, 'but only that one');
      }
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(q.refused, 7);
  });
});

describe('EventQueue: 32-bit index wrap-around', function () {
  for (const start of [0x7ffffff0, 0xfffffff0, -5]) {
    it(`keeps order and counters across the wrap (initialIndex ${start})`, function () {
      const q = make({ name: 'wrap', capacity: 6, initialIndex: start });
      let next = 0;
      let expect = 0;
      for (let i = 0; i < 100; i++) {
        while (q.post(1, next)) next++;
        assert.equal(q.length, 6);
        for (let k = 0; k < 4; k++) {
          assert.equal(q.get(), 1);
          assert.equal(q.p0, expect++);
        }
        assertIdentity(q);
      }
      q.postUrgent(2, -1);
      assert.equal(q.get(), 2);
      assert.equal(q.p0, -1);
      assert.equal(q.length, 2);
    });
  }
});

describe('EventQueue: misuse raises named errors and corrupts nothing', function () {
  it('bad capacity, overflow or initialIndex: QueueConfigError naming the queue and the option', function () {
    for (const capacity of [0, -1, 1.5, NaN, 65537, '8' as unknown as number, undefined as unknown as number]) {
      let caught: unknown;
      try {
        new EventQueue({ name: 'cfg', capacity });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof QueueConfigError, `capacity ${String(capacity)}`);
      assert.equal(caught.name, 'QueueConfigError');
      assert.ok(/'cfg'/.test(caught.message) && /`capacity`/.test(caught.message), caught.message);
    }
    assert.throws(() => new EventQueue({ capacity: 2, overflow: 'drop-newest' as 'reject' }), QueueConfigError);
    assert.throws(() => new EventQueue({ capacity: 2, initialIndex: 0.5 }), QueueConfigError);
  });

  it('bad signals and parameters: QueueEventError (debug builds), queue and counters intact', function () {
    if (!DEBUG) this.skip();
    const q = make({ name: 'misuse', capacity: 3 });
    q.post(1, 1);
    const before = [q.posted, q.taken, q.dropped, q.refused, q.length];
    const badSignals = [-1, 1.5, MAX_SIGNAL + 1, NaN, Infinity, '1' as unknown as number, null as unknown as number];
    for (const sig of badSignals) {
      for (const op of [
        () => q.post(sig),
        () => q.postUrgent(sig),
        () => q.postWithMargin(0, sig),
        () => q.postWithMargin(5, sig), // a margin refusal still checks the event
      ]) {
        let caught: unknown;
        try {
          op();
        } catch (e) {
          caught = e;
        }
        assert.ok(caught instanceof QueueEventError, `signal ${String(sig)}`);
        assert.ok(/'?misuse'?/.test(caught.message) && /signal/.test(caught.message), caught.message);
      }
    }
    const obj = {} as unknown as number;
    let caught: unknown;
    try {
      q.post(2, 0, 0, obj);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof QueueEventError);
    assert.ok(/p2/.test(caught.message) && /object/.test(caught.message), caught.message);
    assert.throws(() => q.postUrgent(2, '1' as unknown as number), QueueEventError);
    assert.throws(() => q.post(2, 1n as unknown as number), QueueEventError);
    assert.throws(() => q.postWithMargin(-1, 2), QueueEventError);
    assert.throws(() => q.postWithMargin(0.5, 2), QueueEventError);
    assert.deepEqual([q.posted, q.taken, q.dropped, q.refused, q.length], before);
    // Still works: the boundary signals are accepted.
    assert.equal(q.post(0), true);
    assert.equal(q.post(MAX_SIGNAL), true);
    assert.deepEqual(drain(q).map((r) => r[0]), [1, 0, MAX_SIGNAL]);
  });

  it('types: misuse that must not compile', function () {
    const q = make({ name: 'types', capacity: 1 });
    // @ts-expect-error a parameter is a number, not an object
    assert.throws(() => q.post(1, { x: 1 }), QueueEventError);
    // @ts-expect-error p0..p3 are read-only
    const write = (): void => { q.p0 = 1; };
    assert.equal(typeof write, 'function');
    // @ts-expect-error no such policy
    assert.throws(() => new EventQueue({ capacity: 1, overflow: 'drop-newest' }), QueueConfigError);
    // @ts-expect-error capacity is required
    assert.throws(() => new EventQueue({ name: 'x' }), QueueConfigError);
  });
});

describe('EventQueue: no allocation on XS (10,000 calls, the first included)', function () {
  it('post + get + reading p0..p3', function () {
    const q = make({ name: 'alloc-fifo', capacity: 16 });
    let k = 0;
    let sum = 0;
    assertNoAllocation(() => {
      q.post(k & 255, k, 1.5, -2, 3);
      k++;
      q.get();
      sum += q.p0 + q.p1 + q.p2 + q.p3;
    }, 10000, 'EventQueue post+get+params');
    assert.ok(sum > 0);
  });

  it('post alone, until full (reject path included)', function () {
    const q = make({ name: 'alloc-post', capacity: 64 });
    assertNoAllocation(() => q.post(1, 2, 3, 4, 5), 10000, 'EventQueue post');
    assert.equal(q.refused, 10000 - 64);
  });

  it('postUrgent + get', function () {
    const q = make({ name: 'alloc-urgent', capacity: 8 });
    let k = 0;
    assertNoAllocation(() => {
      q.postUrgent(3, k++);
      q.get();
    }, 10000, 'EventQueue postUrgent');
  });

  it('postWithMargin, drop-oldest overflow, peek, get on empty', function () {
    const q = make({ name: 'alloc-mixed', capacity: 4, overflow: 'drop-oldest' });
    let k = 0;
    assertNoAllocation(() => {
      q.postWithMargin(1, 1, k);
      q.post(2, k++);
      q.peek();
    }, 10000, 'EventQueue postWithMargin/drop-oldest/peek');
    assert.ok(q.dropped > 0);
    q.clear();
    assertNoAllocation(() => q.get() + q.peek(), 10000, 'EventQueue get/peek when empty');
  });

  it('peek on a non-empty queue and clear', function () {
    const q = make({ name: 'alloc-peek', capacity: 4 });
    q.post(5);
    assertNoAllocation(() => q.peek(), 10000, 'EventQueue peek');
    assertNoAllocation(() => {
      q.post(1);
      q.clear();
    }, 10000, 'EventQueue clear');
  });
});

describe('EventQueue: tagged records (postTagged, for the kernel)', function () {
  it('stores sig + TIME_EVENT_TAG in FIFO order with the other posts; get and peek return it as is', function () {
    const q = make({ name: 'tagged', capacity: 4 });
    assert.equal(TIME_EVENT_TAG, 0x10000);
    assert.ok(TIME_EVENT_TAG > MAX_SIGNAL);
    q.post(1, 10);
    assert.equal(q.postTagged(7, 3, 100, 5, 0), true);
    q.postUrgent(2);
    assert.equal(q.peek(), 2);
    q.get();
    assert.equal(q.peek(), 1);
    q.get();
    assert.equal(q.peek(), 7 + TIME_EVENT_TAG);
    assert.deepEqual(drain(q), [[7 + TIME_EVENT_TAG, 3, 100, 5, 0]]);
    assert.equal(q.posted, 3);
    assert.equal(q.taken, 3);
  });

  it('follows the queue overflow policy and counters like post()', function () {
    const r = make({ name: 'tagged-reject', capacity: 1 });
    assert.equal(r.postTagged(1, 0, 0, 0, 0), true);
    assert.equal(r.postTagged(2, 0, 0, 0, 0), false);
    assert.equal(r.refused, 1);
    assert.equal(r.minFree, 0);
    const d = make({ name: 'tagged-drop', capacity: 1, overflow: 'drop-oldest' });
    d.post(1);
    assert.equal(d.postTagged(2, 9, 0, 0, 0), true);
    assert.equal(d.dropped, 1);
    assert.deepEqual(drain(d), [[2 + TIME_EVENT_TAG, 9, 0, 0, 0]]);
    const t = make({ name: 'tagged-throw', capacity: 1, overflow: 'throw' });
    t.post(1);
    assert.throws(() => t.postTagged(2, 0, 0, 0, 0), QueueOverflowError);
  });

  it('checks the untagged signal and the parameters like post() (debug builds); public posts cannot make a tagged value', function () {
    if (!DEBUG) this.skip();
    const q = make({ name: 'tagged-misuse', capacity: 4 });
    for (const sig of [-1, 1.5, MAX_SIGNAL + 1, TIME_EVENT_TAG + 1, NaN, '1' as unknown as number]) {
      assert.throws(() => q.postTagged(sig, 0, 0, 0, 0), QueueEventError, `postTagged(${String(sig)})`);
    }
    assert.throws(() => q.postTagged(1, '1' as unknown as number, 0, 0, 0), QueueEventError);
    for (const sig of [TIME_EVENT_TAG, TIME_EVENT_TAG + 5, 0x1ffff]) {
      assert.throws(() => q.post(sig, 1, 2, 3), (e) => e instanceof QueueEventError && /tagged-misuse/.test(e.message));
      assert.throws(() => q.postUrgent(sig), QueueEventError);
      assert.throws(() => q.postWithMargin(0, sig), QueueEventError);
    }
    assert.equal(q.posted + q.refused, 0, 'nothing changed');
    assert.equal(q.postTagged(MAX_SIGNAL, 0, 0, 0, 0), true);
    assert.equal(q.get(), MAX_SIGNAL + TIME_EVENT_TAG);
  });

  it('postTagged + get allocate nothing on XS (first call included)', function () {
    const q = make({ name: 'alloc-tagged', capacity: 8 });
    let k = 0;
    let sum = 0;
    assertNoAllocation(() => {
      q.postTagged(k & 255, k, 1, 2, 0);
      k++;
      sum += q.get() + q.p0;
    }, 10000, 'EventQueue postTagged+get');
    assert.ok(sum > 0);
  });
});
