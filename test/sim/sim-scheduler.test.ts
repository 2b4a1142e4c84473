// Simulator core: the scheduler's (time, insertion) order against a
// reference model, its two overflow behaviours, the PRNG's determinism and
// the tick source's late-tick merging.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation, onXs } from '../support/alloc.js';
import { Scheduler } from '../../hosts/sim/scheduler.js';
import { Prng } from '../../hosts/sim/prng.js';
import { SimClock } from '../../hosts/sim/clock.js';
import { SimConfigError, SimSchedulerFullError } from '../../hosts/sim/errors.js';

function drain(s: Scheduler): number[][] {
  const out: number[][] = [];
  while (s.pop()) out.push([s.evTimeUs, s.evKind, s.evA]);
  return out;
}

describe('sim Scheduler', function () {
  it('pops by time, and equal times in insertion order', function () {
    const s = new Scheduler(16, 't');
    const times = [5, 1, 5, 3, 1, 5, 0, 3];
    for (let i = 0; i < times.length; i++) s.schedule(times[i]!, 1, i, 0, 0, 0);
    assert.equal(s.length, 8);
    assert.equal(s.peekTimeUs(), 0);
    assert.deepEqual(drain(s), [
      [0, 1, 6],
      [1, 1, 1],
      [1, 1, 4],
      [3, 1, 3],
      [3, 1, 7],
      [5, 1, 0],
      [5, 1, 2],
      [5, 1, 5],
    ]);
    assert.equal(s.peekTimeUs(), Infinity);
    assert.equal(s.pop(), false);
  });

  it('carries kind and all four parameters', function () {
    const s = new Scheduler(2);
    s.schedule(7, 200, -1.5, 2 ** 40, 3, 4);
    assert.ok(s.pop());
    assert.deepEqual([s.evTimeUs, s.evKind, s.evA, s.evB, s.evC, s.evD], [7, 200, -1.5, 2 ** 40, 3, 4]);
  });

  it('matches a stable-sort reference model under random schedule/pop sequences', function () {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 200 }),
        (ops) => {
          const cap = 32;
          const s = new Scheduler(cap);
          const model: { t: number; seq: number }[] = [];
          let seq = 0;
          let refused = 0;
          for (const op of ops) {
            if (op < 0) {
              model.sort((x, y) => x.t - y.t || x.seq - y.seq);
              const want = model.shift();
              const got = s.pop();
              assert.equal(got, want !== undefined);
              if (want) assert.deepEqual([s.evTimeUs, s.evA], [want.t, want.seq]);
            } else {
              const ok = s.trySchedule(op, 1, seq, 0, 0, 0);
              assert.equal(ok, model.length < cap);
              if (ok) model.push({ t: op, seq });
              else refused++;
              seq++;
            }
            assert.equal(s.length, model.length);
          }
          assert.equal(s.refused, refused);
        },
      ),
      { numRuns: onXs ? 40 : 300 },
    );
  });

  it('when full: trySchedule refuses and counts; schedule throws SimSchedulerFullError naming the table', function () {
    const s = new Scheduler(3, 'tiny');
    for (let i = 0; i < 3; i++) assert.ok(s.trySchedule(i, 1, 0, 0, 0, 0));
    assert.equal(s.trySchedule(9, 1, 0, 0, 0, 0), false);
    assert.equal(s.refused, 1);
    assert.throws(() => s.schedule(9, 1, 0, 0, 0, 0), SimSchedulerFullError);
    assert.throws(() => s.schedule(9, 1, 0, 0, 0, 0), /'tiny': all 3 entries are pending; raise the simulator's schedulerCapacity/);
    assert.equal(s.refused, 1, 'a throwing schedule() is not counted as a refusal');
    assert.equal(s.maxPending, 3);
    assert.equal(s.scheduled, 3);
    s.clear();
    assert.equal(s.length, 0);
    assert.ok(s.trySchedule(1, 1, 0, 0, 0, 0));
  });

  it('rejects a bad capacity with SimConfigError', function () {
    assert.throws(() => new Scheduler(0), SimConfigError);
    assert.throws(() => new Scheduler(1.5), SimConfigError);
  });

  it('trySchedule + pop allocate nothing (XS), first call included', function () {
    const s = new Scheduler(64);
    for (let i = 0; i < 32; i++) s.schedule(i * 7, 1, i, 0, 0, 0);
    let t = 1000;
    assertNoAllocation(() => {
      s.trySchedule(t, 1, t, 0, 0, 0);
      t += 3;
      s.pop();
    }, 10000, 'Scheduler trySchedule+pop');
    assert.equal(s.length, 32);
  });
});

describe('sim Prng (mulberry32)', function () {
  it('is deterministic per seed and differs between seeds', function () {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xa: number[] = [];
    const xb: number[] = [];
    const xc: number[] = [];
    for (let i = 0; i < 8; i++) {
      xa.push(a.nextU32());
      xb.push(b.nextU32());
      xc.push(c.nextU32());
    }
    assert.deepEqual(xa, xb);
    assert.notEqual(JSON.stringify(xa), JSON.stringify(xc));
    assert.equal(a.draws, 8);
    // Reference values of mulberry32 for seed 42 (same on every engine).
    assert.deepEqual(xa.slice(0, 3), [2581720956, 1925393290, 3661312704]);
  });

  it('below(n) stays in [0, n) and next() in [0, 1)', function () {
    const p = new Prng(7);
    for (let i = 0; i < 2000; i++) {
      const v = p.below(10);
      assert.ok(v >= 0 && v < 10 && Number.isInteger(v));
      const f = p.next();
      assert.ok(f >= 0 && f < 1);
    }
    assert.equal(p.below(1), 0);
    assert.equal(p.below(0), 0);
  });

  it('continues from its state', function () {
    const p = new Prng(99);
    p.nextU32();
    const q = new Prng(p.state);
    assert.equal(q.nextU32(), p.nextU32());
  });
});

describe('sim SimClock (tick source)', function () {
  it('fires on the grid, merges grid points a late tick passes, and returns to the grid', function () {
    const c = new SimClock(1);
    assert.equal(c.dueUs, 1000);
    c.us = 1000;
    c.fire();
    assert.equal(c.dueUs, 2000);
    c.delay(2500); // due 4500: passes grid points 3000 and 4000
    assert.equal(c.dueUs, 4500);
    c.us = 4500;
    c.fire();
    assert.equal(c.lastMerged, 2);
    assert.equal(c.merged, 2);
    assert.equal(c.dueUs, 5000);
    assert.equal(c.ticks, 2);
  });

  it('rejects a period below 1 us', function () {
    assert.throws(() => new SimClock(0), SimConfigError);
    assert.throws(() => new SimClock(NaN), SimConfigError);
  });
});
