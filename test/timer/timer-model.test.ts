// Property test: TimerTable against a model that keeps no list. For random
// mixes of arm (one-shot and periodic, re-arms included), disarm, destroy +
// create and ticks (late ones included), from a start near the clock's wrap:
// every return value, every expiry posted (owner, signal, id, due time,
// generation, in order: earlier due time first, equal due times in arming
// order), and expired, missed, refused, armed, isArmed, remaining, nextDelay
// and isCurrent equal the model's.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { TimerTable, type TimerSink } from '../../src/timer.js';

const N = 5;

/** Posts [owner, sig, id, due, gen] per expiry; refuses every third post. */
class Sink implements TimerSink {
  readonly posts: number[] = [];
  calls = 0;
  postTimeEvent(owner: number, sig: number, id: number, due: number, gen: number): boolean {
    this.posts.push(owner, sig, id, due, gen);
    return ++this.calls % 3 !== 0;
  }
}

interface Ev {
  armed: boolean;
  due: number;
  period: number;
  /** Arming order: the list puts an event after every one due at or before it. */
  seq: number;
  gen: number;
}

class Model {
  readonly ev: Ev[] = [];
  readonly posts: number[] = [];
  calls = 0;
  seq = 0;
  expired = 0;
  missed = 0;
  refused = 0;
  constructor() {
    for (let i = 0; i < N; i++) this.ev.push({ armed: false, due: 0, period: 0, seq: 0, gen: 0 });
  }
  arm(id: number, now: number, delay: number, period: number): number {
    const e = this.ev[id]!;
    e.gen = (e.gen + 1) | 0;
    e.armed = true;
    e.due = (now + delay) | 0;
    e.period = period;
    e.seq = this.seq++;
    return e.due;
  }
  disarm(id: number): boolean {
    const e = this.ev[id]!;
    e.gen = (e.gen + 1) | 0;
    const was = e.armed;
    e.armed = false;
    return was;
  }
  /** destroy + create: the same id comes back (the free stack), disarmed, its generation advanced once. */
  recreate(id: number): void {
    const e = this.ev[id]!;
    e.gen = (e.gen + 1) | 0;
    e.armed = false;
    e.due = 0;
    e.period = 0;
  }
  /** The armed event that expires first at `now` (-1: none due). */
  first(now: number): number {
    let best = -1;
    for (let i = 0; i < N; i++) {
      const e = this.ev[i]!;
      if (!e.armed || ((e.due - now) | 0) > 0) continue;
      const b = best < 0 ? undefined : this.ev[best]!;
      if (b === undefined || ((e.due - now) | 0) < ((b.due - now) | 0) || (((e.due - now) | 0) === ((b.due - now) | 0) && e.seq < b.seq)) best = i;
    }
    return best;
  }
  tick(now: number): number {
    let posted = 0;
    for (let id = this.first(now); id >= 0; id = this.first(now)) {
      const e = this.ev[id]!;
      const due = e.due;
      if (e.period > 0) {
        let next = (due + e.period) | 0;
        const late = (now - next) | 0;
        if (late >= 0) {
          const skipped = Math.floor(late / e.period) + 1;
          this.missed += skipped;
          next = (next + skipped * e.period) | 0;
        }
        e.due = next;
        e.seq = this.seq++;
      } else e.armed = false;
      this.expired++;
      posted++;
      this.posts.push(id % 2, 10 + id, id, due, e.gen);
      if (++this.calls % 3 === 0) this.refused++;
    }
    return posted;
  }
  nextDelay(now: number): number {
    let best = -1;
    for (let i = 0; i < N; i++) {
      const e = this.ev[i]!;
      if (!e.armed) continue;
      const b = best < 0 ? undefined : this.ev[best]!;
      if (b === undefined || ((e.due - now) | 0) < ((b.due - now) | 0)) best = i;
    }
    if (best < 0) return -1;
    const r = (this.ev[best]!.due - now) | 0;
    return r > 0 ? r : 0;
  }
}

type Cmd =
  | { k: 'arm'; id: number; delay: number; period: number | undefined }
  | { k: 'disarm'; id: number }
  | { k: 'recreate'; id: number }
  | { k: 'tick'; dt: number };

const id = fc.integer({ min: 0, max: N - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('arm' as const),
      id,
      delay: fc.integer({ min: 0, max: 12 }),
      period: fc.oneof(fc.constant(undefined), fc.constant(0), fc.integer({ min: 1, max: 5 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('disarm' as const), id }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recreate' as const), id }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 14 }) }) },
);

describe('timer table: against a model (order, generations, counters)', function () {
  it('every result, expiry and counter equals the model, from a start near the wrap', function () {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.array(cmd, { minLength: 1, maxLength: 80 }), (start, cmds) => {
        const sink = new Sink();
        const t = new TimerTable({ name: 'model', capacity: N }, sink);
        const ids: number[] = [];
        for (let i = 0; i < N; i++) ids.push(t.create(i % 2, 10 + i));
        // create() hands out 0..N-1 in order: model index = id.
        assert.deepEqual(ids, [0, 1, 2, 3, 4]);
        const m = new Model();
        let now = start | 0;
        for (const c of cmds) {
          switch (c.k) {
            case 'arm': {
              const p = c.period === undefined ? 0 : c.period;
              assert.equal(c.period === undefined ? t.arm(c.id, now, c.delay) : t.arm(c.id, now, c.delay, c.period), m.arm(c.id, now, c.delay, p), 'arm: due time');
              break;
            }
            case 'disarm':
              assert.equal(t.disarm(c.id), m.disarm(c.id), 'disarm: was armed');
              break;
            case 'recreate':
              t.destroy(c.id);
              assert.equal(t.create(c.id % 2, 10 + c.id), c.id, 'the destroyed id comes back');
              m.recreate(c.id);
              break;
            case 'tick':
              now = (now + c.dt) | 0;
              assert.equal(t.tick(now), m.tick(now), 'tick: expiries');
              break;
          }
          assert.deepEqual(sink.posts, m.posts, `${c.k}: the expiries posted, in order`);
          assert.deepEqual([t.expired, t.missed, t.refused, t.nextDelay(now)], [m.expired, m.missed, m.refused, m.nextDelay(now)], `${c.k}: counters`);
          let armed = 0;
          for (let i = 0; i < N; i++) {
            const e = m.ev[i]!;
            if (e.armed) armed++;
            assert.equal(t.isArmed(i), e.armed, `isArmed(${i})`);
            assert.equal(t.remaining(i, now), e.armed ? Math.max(0, (e.due - now) | 0) : -1, `remaining(${i})`);
            assert.equal(t.isCurrent(i, e.gen), true, `isCurrent(${i}, model generation)`);
            assert.equal(t.isCurrent(i, (e.gen - 1) | 0), false, `isCurrent(${i}, an older generation)`);
          }
          assert.equal(t.armed, armed, 'armed');
        }
      }),
      { numRuns: 300 },
    );
  });
});
