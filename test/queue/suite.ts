// The cases EventQueue (src/queue.ts) and SharedEventQueue (src/shared-queue.ts)
// share: order, counters, 'reject' and 'throw' overflow, margin posts, the
// urgent front lane, re-entrant posting, 32-bit wrap-around, configuration and
// event misuse, and zero allocation on XS. `queueSuite(kind)` registers them
// for one kind of queue; test/queue/event-queue.test.ts and
// test/queue/shared-event-queue.test.ts call it and keep the cases that hold
// for their kind only (drop-oldest, tagged records; attach, producers, the
// issue 19 regressions, corrupted memory).
//
// The caller's `make` tracks each queue it makes; the caller's afterEach
// checks the identity and empties them.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';

export type SuiteOverflow = 'reject' | 'drop-oldest' | 'throw';

/** What the suite passes to a kind's factory. */
export interface SuiteQueueOptions {
  name?: string;
  capacity: number;
  overflow?: SuiteOverflow;
  initialIndex?: number;
  urgentCapacity?: number;
}

/** The members both queues have, as the suite uses them. */
export interface SuiteQueue {
  readonly name: string;
  readonly capacity: number;
  readonly length: number;
  readonly free: number;
  readonly minFree: number;
  readonly posted: number;
  readonly taken: number;
  readonly dropped: number;
  readonly refused: number;
  readonly cleared: number;
  readonly p0: number;
  readonly p1: number;
  readonly p2: number;
  readonly p3: number;
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  postUrgent(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  postWithMargin(margin: number, sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  get(): number;
  peek(): number;
  clear(): number;
}

type ErrorClass = new (...args: never[]) => Error;

/** One kind of queue under test, with its module's constants and error classes. */
export interface QueueKind {
  /** Prefix of every describe title, e.g. 'EventQueue' or 'SharedEventQueue (singleCoreAtomics + ArrayBuffer)'. */
  label: string;
  /** Makes a queue the caller tracks (its afterEach checks the identity and clears it). */
  make(options: SuiteQueueOptions): SuiteQueue;
  /** Constructs without tracking, for configuration errors (`options` may be anything). */
  construct(options: unknown): unknown;
  /** The overflow policies this kind accepts. */
  overflows: readonly SuiteOverflow[];
  /** True when bad signals and parameters throw QueueEventError in release builds too. */
  eventChecksInRelease: boolean;
  NO_EVENT: number;
  MAX_SIGNAL: number;
  QueueConfigError: ErrorClass;
  QueueEventError: ErrorClass;
  QueueOverflowError: ErrorClass;
}

/** posted === taken + dropped + length, and free/length within bounds (one handle, nothing skipped). */
export function assertIdentity(q: SuiteQueue): void {
  assert.equal(q.posted, q.taken + q.dropped + q.length, `identity on '${q.name}': posted ${q.posted} taken ${q.taken} dropped ${q.dropped} length ${q.length}`);
  assert.ok(q.length >= 0 && q.length <= q.capacity, `length ${q.length} within 0..${q.capacity}`);
  assert.equal(q.free, q.capacity - q.length);
  assert.ok(q.minFree <= q.free, `minFree ${q.minFree} <= free ${q.free}`);
}

/** Takes everything: [sig, p0, p1, p2, p3] per record, in order. */
export function drain(q: SuiteQueue, NO_EVENT: number): number[][] {
  const out: number[][] = [];
  for (let s = q.get(); s !== NO_EVENT; s = q.get()) out.push([s, q.p0, q.p1, q.p2, q.p3]);
  return out;
}

export function queueSuite(kind: QueueKind): void {
  const { label, make, NO_EVENT, MAX_SIGNAL, QueueConfigError, QueueEventError, QueueOverflowError } = kind;
  const drainAll = (q: SuiteQueue): number[][] => drain(q, NO_EVENT);

  describe(`${label}: order and counters`, function () {
    it('posts FIFO and gets in order with parameters; omitted parameters are 0', function () {
      const q = make({ name: 'fifo', capacity: 4 });
      assert.equal(q.post(1, 10, 11, 12, 13), true);
      assert.equal(q.post(2, 20), true);
      assert.equal(q.post(3), true);
      assert.equal(q.length, 3);
      assert.deepEqual(drainAll(q), [
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
      assert.deepEqual(drainAll(q), [
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
      assert.deepEqual(drainAll(q).map((r) => r[0]), [4, 3, 1, 2, 5]);
    });

    it('postUrgent goes to the front, LIFO, within capacity', function () {
      const q = make({ name: 'urgent', capacity: 4 });
      q.post(1);
      q.post(2);
      assert.equal(q.postUrgent(3, 30), true);
      assert.equal(q.postUrgent(4, 40), true);
      assert.equal(q.postUrgent(5), false, 'lane + ring = capacity');
      assert.equal(q.post(6), false, 'the lane counts for this handle too');
      assert.equal(q.peek(), 4);
      assert.deepEqual([q.length, q.minFree], [4, 0]);
      assert.deepEqual(drainAll(q).map((r) => r[0]), [4, 3, 1, 2]);
      assert.deepEqual([q.posted, q.taken, q.refused], [4, 4, 2]);
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
      assert.deepEqual(drainAll(q), [[4, 0, 0, 0, 0]]);
    });

    it('clear discards the urgent records and the FIFO records, counted', function () {
      const q = make({ name: 'clear-urgent', capacity: 4 });
      q.post(1);
      q.post(2);
      q.postUrgent(3);
      assert.equal(q.clear(), 3);
      assert.deepEqual([q.dropped, q.cleared, q.length, q.posted], [3, 3, 0, 3]);
      q.post(7, 70);
      assert.deepEqual(drainAll(q), [[7, 70, 0, 0, 0]]);
    });

    it('minFree is the low-water mark of free', function () {
      const q = make({ name: 'minFree', capacity: 5 });
      assert.equal(q.minFree, 5);
      q.post(1);
      q.post(2);
      q.post(3);
      assert.equal(q.minFree, 2);
      drainAll(q);
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
        assert.deepEqual(drainAll(q).map((r) => r[0]), [round, round + 1, round + 2]);
      }
      assert.equal(q.refused, 10);
    });
  });

  describe(`${label}: overflow policies`, function () {
    it("'reject' returns false, counts the refusal and keeps the queue intact", function () {
      const q = make({ name: 'rej', capacity: 2, overflow: 'reject' });
      assert.equal(q.post(1), true);
      assert.equal(q.post(2), true);
      assert.equal(q.post(3), false);
      assert.equal(q.postUrgent(4), false);
      assert.deepEqual([q.posted, q.refused, q.dropped, q.length, q.minFree], [2, 2, 0, 2, 0]);
      assertIdentity(q);
      assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 2]);
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
      assert.deepEqual(drainAll(q), [
        [1, 1, 0, 0, 0],
        [2, 2, 0, 0, 0],
      ]);
    });

    it('postWithMargin keeps `margin` slots free after the post; never drops or throws', function () {
      for (const overflow of kind.overflows) {
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
        assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 2, 3, 5, 6]);
      }
    });

    it('postWithMargin keeps `margin` slots free after the post (capacity 4, margins 2 and 1)', function () {
      const q = make({ name: 'margin', capacity: 4 });
      assert.equal(q.postWithMargin(2, 1), true);
      assert.equal(q.postWithMargin(2, 2), true);
      assert.equal(q.postWithMargin(2, 3), false);
      assert.equal(q.postWithMargin(1, 3), true);
      assert.equal(q.postWithMargin(1, 4), false);
      assert.equal(q.post(4), true);
      assert.deepEqual([q.posted, q.refused], [4, 2]);
      assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 2, 3, 4]);
    });

    it('postWithMargin with a margin of capacity or more always refuses', function () {
      const q = make({ name: 'big-margin', capacity: 3 });
      assert.equal(q.postWithMargin(3, 1), false);
      assert.equal(q.postWithMargin(100, 1), false);
      assert.equal(q.refused, 2);
      assert.equal(q.length, 0);
    });
  });

  describe(`${label}: re-entrant posting during run-to-completion`, function () {
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

    it('a consumer handler may post to its own queue (FIFO and urgent) while consuming', function () {
      const q = make({ name: 'reentrant-2', capacity: 4 });
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

  describe(`${label}: 32-bit index wrap-around`, function () {
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

  describe(`${label}: misuse raises named errors and corrupts nothing`, function () {
    it('bad capacity, overflow or initialIndex: QueueConfigError naming the queue and the option', function () {
      for (const capacity of [0, -1, 1.5, NaN, 65537, '8' as unknown as number, undefined as unknown as number]) {
        let caught: unknown;
        try {
          kind.construct({ name: 'cfg', capacity });
        } catch (e) {
          caught = e;
        }
        assert.ok(caught instanceof QueueConfigError, `capacity ${String(capacity)}`);
        assert.equal(caught.name, 'QueueConfigError');
        assert.ok(/'cfg'/.test(caught.message) && /`capacity`/.test(caught.message), caught.message);
      }
      assert.throws(() => kind.construct({ capacity: 2, overflow: 'drop-newest' }), QueueConfigError);
      assert.throws(() => kind.construct({ capacity: 2, initialIndex: 0.5 }), QueueConfigError);
    });

    it(`bad signals and parameters: QueueEventError (${kind.eventChecksInRelease ? 'every build' : 'debug builds'}), queue and counters intact`, function () {
      if (!DEBUG && !kind.eventChecksInRelease) this.skip();
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
      assert.deepEqual(drainAll(q).map((r) => r[0]), [1, 0, MAX_SIGNAL]);
    });
  });

  describe(`${label}: no allocation on XS (10,000 calls, the first included)`, function () {
    it('post + get + reading p0..p3', function () {
      const q = make({ name: 'alloc-fifo', capacity: 16 });
      let k = 0;
      let sum = 0;
      assertNoAllocation(() => {
        q.post(k & 255, k, 1.5, -2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
      }, 10000, `${label} post+get+params`);
      assert.ok(sum > 0);
    });

    it('post alone, until full (reject path included)', function () {
      const q = make({ name: 'alloc-post', capacity: 64 });
      assertNoAllocation(() => q.post(1, 2, 3, 4, 5), 10000, `${label} post`);
      assert.equal(q.refused, 10000 - 64);
    });

    it('postUrgent + get', function () {
      const q = make({ name: 'alloc-urgent', capacity: 8 });
      let k = 0;
      assertNoAllocation(() => {
        q.postUrgent(3, k++);
        q.get();
      }, 10000, `${label} postUrgent`);
    });

    it('peek on a non-empty queue and clear', function () {
      const q = make({ name: 'alloc-peek', capacity: 4 });
      q.post(5);
      assertNoAllocation(() => q.peek(), 10000, `${label} peek`);
      assertNoAllocation(() => {
        q.post(1);
        q.clear();
      }, 10000, `${label} clear`);
    });
  });
}
