// EventQueue (src/queue.ts): the shared queue suite (test/queue/suite.ts:
// order, counters, 'reject' and 'throw' overflow, margin posts, re-entrant
// posting, wrap-around, misuse, zero allocation on XS), then what only
// EventQueue has: the 'drop-oldest' policy, compile-time misuse, and tagged
// records (postTagged, for the kernel).
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import {
  EventQueue,
  MAX_SIGNAL,
  NO_EVENT,
  QueueConfigError,
  QueueEventError,
  QueueOverflowError,
  TIME_EVENT_TAG,
  type EventQueueOptions,
} from '../../src/queue.js';
import { assertIdentity, queueSuite } from './suite.js';

const made: EventQueue[] = [];
function make(options: EventQueueOptions): EventQueue {
  const q = new EventQueue(options);
  made.push(q);
  return q;
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

queueSuite({
  label: 'EventQueue',
  make,
  construct: (options) => new EventQueue(options as EventQueueOptions),
  overflows: ['reject', 'drop-oldest', 'throw'],
  eventChecksInRelease: false,
  NO_EVENT,
  MAX_SIGNAL,
  QueueConfigError,
  QueueEventError,
  QueueOverflowError,
});

describe('EventQueue: overflow policies', function () {
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
});

describe('EventQueue: misuse raises named errors and corrupts nothing', function () {
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
