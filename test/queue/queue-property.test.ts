// Property tests: EventQueue and SharedEventQueue against an array model, for
// random mixes of FIFO, urgent (LIFO) and margin posts, gets, peeks and
// clears, under every overflow policy, with the 32-bit counters starting near
// the wrap point. After every command: return values, records and every
// counter equal the model's, and posted = taken + dropped + length.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { EventQueue, NO_EVENT, QueueOverflowError, type OverflowPolicy } from '../../src/queue.js';
import { SharedEventQueue, singleCoreAtomics } from '../../src/shared-queue.js';

type Cmd =
  | { k: 'post'; sig: number; p0: number; p3: number }
  | { k: 'urgent'; sig: number; p0: number; p3: number }
  | { k: 'margin'; m: number; sig: number; p0: number; p3: number }
  | { k: 'get' }
  | { k: 'peek' }
  | { k: 'clear' };

const sig = fc.integer({ min: 0, max: 0xffff });
const p0 = fc.double({ noDefaultInfinity: false });
const p3 = fc.integer({ min: -1000, max: 1000 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('post' as const), sig, p0, p3 }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('urgent' as const), sig, p0, p3 }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('margin' as const), m: fc.integer({ min: 0, max: 6 }), sig, p0, p3 }) },
  { weight: 4, arbitrary: fc.constant({ k: 'get' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'peek' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'clear' as const }) },
);
const start = fc.oneof(
  fc.constantFrom(0, 0x7fffffff, 0xffffffff, -1),
  fc.integer({ min: 0xffffff00, max: 0xffffffff }),
  fc.integer({ min: 0x7fffff00, max: 0x7fffffff }),
);
const runs = onXs ? 40 : 400;

/** The reference: an array of records and the counters, with the documented rules. */
class Model {
  items: [number, number, number][] = [];
  lane = 0;
  posted = 0;
  taken = 0;
  dropped = 0;
  cleared = 0;
  refused = 0;
  peak = 0;
  constructor(readonly capacity: number, readonly policy: OverflowPolicy, readonly laneCapacity = Infinity) {}

  /** 'ok' | 'refused' | 'throw' */
  put(urgent: boolean, margin: number, rec: [number, number, number]): 'ok' | 'refused' | 'throw' {
    const full = this.items.length >= this.capacity;
    if (margin >= 0) {
      if (this.capacity - this.items.length <= margin) {
        this.refused++;
        return 'refused';
      }
    } else if (urgent && this.lane >= this.laneCapacity) {
      this.refused++;
      return this.policy === 'throw' ? 'throw' : 'refused';
    } else if (full) {
      if (this.policy === 'drop-oldest') {
        this.items.shift();
        this.dropped++;
      } else {
        this.refused++;
        return this.policy === 'throw' ? 'throw' : 'refused';
      }
    }
    if (urgent) {
      this.items.unshift(rec);
      this.lane++;
    } else this.items.push(rec);
    this.posted++;
    if (this.items.length > this.peak) this.peak = this.items.length;
    return 'ok';
  }
}

interface Queue {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  postUrgent(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  postWithMargin(margin: number, sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  get(): number;
  peek(): number;
  clear(): number;
  readonly p0: number;
  readonly p3: number;
  readonly length: number;
  readonly free: number;
  readonly minFree: number;
  readonly posted: number;
  readonly taken: number;
  readonly dropped: number;
  readonly cleared: number;
  readonly refused: number;
}

function call(f: () => boolean): 'ok' | 'refused' | 'throw' {
  try {
    return f() ? 'ok' : 'refused';
  } catch (e) {
    if (e instanceof QueueOverflowError) return 'throw';
    throw e;
  }
}

function check(q: Queue, m: Model, cmds: Cmd[]): void {
  for (const c of cmds) {
    switch (c.k) {
      case 'post':
        assert.equal(call(() => q.post(c.sig, c.p0, 0, 0, c.p3)), m.put(false, -1, [c.sig, c.p0, c.p3]));
        break;
      case 'urgent':
        assert.equal(call(() => q.postUrgent(c.sig, c.p0, 0, 0, c.p3)), m.put(true, -1, [c.sig, c.p0, c.p3]));
        break;
      case 'margin':
        assert.equal(call(() => q.postWithMargin(c.m, c.sig, c.p0, 0, 0, c.p3)), m.put(false, c.m, [c.sig, c.p0, c.p3]));
        break;
      case 'get': {
        const r = m.items.shift();
        if (r !== undefined) {
          m.taken++;
          if (m.lane > 0) m.lane--;
        }
        const s = q.get();
        if (r === undefined) assert.equal(s, NO_EVENT);
        else assert.deepEqual([s, q.p0, q.p3], r);
        break;
      }
      case 'peek':
        assert.equal(q.peek(), m.items.length ? m.items[0]![0] : NO_EVENT);
        break;
      case 'clear':
        assert.equal(q.clear(), m.items.length);
        m.dropped += m.items.length;
        m.cleared += m.items.length;
        m.items.length = 0;
        m.lane = 0;
        break;
    }
    assert.deepEqual(
      [q.length, q.free, q.minFree, q.posted, q.taken, q.dropped, q.cleared, q.refused],
      [m.items.length, m.capacity - m.items.length, m.capacity - m.peak, m.posted, m.taken, m.dropped, m.cleared, m.refused],
    );
    assert.equal(q.posted, q.taken + q.dropped + q.length, 'posted = taken + dropped + length');
  }
}

describe('queue properties against an array model', function () {
  for (const overflow of ['reject', 'drop-oldest', 'throw'] as const) {
    it(`EventQueue, overflow '${overflow}': FIFO/LIFO/margin mixes, across the wrap`, function () {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 9 }), start, fc.array(cmd, { maxLength: 80 }), (capacity, initialIndex, cmds) => {
          const q = new EventQueue({ name: 'prop', capacity, overflow, initialIndex });
          check(q, new Model(capacity, overflow), cmds);
        }),
        { numRuns: runs },
      );
    });
  }

  for (const overflow of ['reject', 'throw'] as const) {
    for (const producers of ['single', 'multiple'] as const) {
      it(`SharedEventQueue ${producers}, overflow '${overflow}', urgent lane: same model, across the wrap`, function () {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 9 }),
            fc.integer({ min: 0, max: 9 }),
            start,
            fc.boolean(),
            fc.array(cmd, { maxLength: 80 }),
            (capacity, urgentCapacity, initialIndex, plain, cmds) => {
              const q = new SharedEventQueue({
                name: 'prop',
                capacity,
                producers,
                overflow,
                urgentCapacity,
                initialIndex,
                ...(plain ? { atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedEventQueue.byteLength(capacity)) } : {}),
              });
              check(q, new Model(capacity, overflow, urgentCapacity), cmds);
            },
          ),
          { numRuns: runs },
        );
      });
    }
  }
});
