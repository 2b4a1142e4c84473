// No allocation on XS for the timer paths of a state machine, the first call
// after start() included (no warm-up): arming a state's after/every timers on
// entry (fixed delays and delay functions) and disarming them on exit,
// arm/disarm of a named timer (from actions and directly), dispatching an
// expiry (periodic internal, one-shot with a target), and entering by history.
// Each measurement stands next to a positive control (the same operation plus
// an array literal must be caught). The timer host is a fake made of typed
// arrays (test/hsm/hsm-timers.fixture.ts), so it allocates nothing itself.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm, HSM_HANDLED, HSM_TRANSITION } from '../../src/hsm.js';
import { FakeTimers } from './hsm-timers.fixture.js';

const A = defineSignals(['FLIP', 'ARM', 'DISARM', 'BLINK', 'IN', 'OUT', 'NEXT']);

interface Ctx {
  n: number;
  k: number;
  blinks: number;
}

// Timer slots (= fake ids, in creation order):
//   0 a: after 500 -> b      1 a: after dyn (internal)   2 a: every half (internal)
//   3 b: after 0 -> a        4 c: after 1000 -> a        5 c1: every 50 (internal)
//   6 c2: after 20 -> c1     7 named BLINK
function makeMachine(ft: FakeTimers, counts: Int32Array): Hsm<Ctx> {
  const def = defineHsm({
    name: 'timers-alloc',
    signals: A,
    context: (): Ctx => ({ n: 0, k: 0, blinks: 0 }),
    initial: 'a',
    delays: { dyn: (c) => 100 + (c.k & 7), half: 250 },
    timers: ['BLINK'],
    states: {
      a: {
        entry: (c) => { c.k++; counts[0]!++; },
        exit: () => { counts[1]!++; },
        after: { 500: 'b', dyn: { action: (c) => { c.n++; } } },
        every: { half: { action: (c) => { c.n++; } } },
        on: {
          FLIP: 'b',
          IN: { target: 'c', history: true },
          ARM: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.arm(A.BLINK, 250, 250); } },
          DISARM: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.disarm(A.BLINK); } },
          BLINK: { action: (c) => { c.blinks++; } },
        },
      },
      b: { after: { 0: 'a' }, on: { FLIP: 'a' } },
      c: {
        history: 'deep',
        initial: 'c1',
        after: { 1000: 'a' },
        on: { OUT: 'a' },
        states: {
          c1: { every: { 50: { action: (c) => { c.n++; } } }, on: { NEXT: 'c2' } },
          c2: { after: { 20: 'c1' }, on: { NEXT: 'c1' } },
        },
      },
    },
  });
  const m = new Hsm(def, { timers: ft });
  m.start();
  return m;
}

describe('hsm timers: no allocation on XS (first call after start included; positive controls beside)', function () {
  let ft: FakeTimers;
  let counts: Int32Array;
  let m: Hsm<Ctx>;
  beforeEach(function () {
    ft = new FakeTimers(16);
    counts = new Int32Array(4);
    m = makeMachine(ft, counts);
    assert.equal(m.currentName, 'a');
    assert.equal(ft.arms, 3);
  });
  afterEach(function () {
    assert.equal(m.queued, 0);
    assert.equal(m.deferredCount, 0);
  });

  it('arm on entry and disarm on exit: a (after, after with a delay function, every) <-> b (after 0)', function () {
    let r = 0;
    assertNoAllocation(() => { r = m.dispatch(A.FLIP, 0, 0, 0, 0); }, 10000, 'transition arming/disarming state timers');
    assert.equal(r, HSM_TRANSITION);
    assert.equal(m.currentName, 'a');
    // 5000 entries of a (3 arms each) and of b (1 arm), plus the 3 of start.
    assert.equal(ft.arms, 3 + 5000 * 4);
    assert.equal(ft.disarms, 5000 * 4);
    assert.deepEqual(ft.armedIds(), [0, 1, 2]);
    assert.equal(ft.delay[1], 100 + ((5001) & 7), 'the delay function saw the entry action');
    assertCatchesAllocation(() => m.dispatch(A.FLIP, 0, 0, 0, 0), 100, 'transition arming/disarming state timers');
  });

  it('a named timer: hsm.arm / hsm.disarm from actions, and called directly', function () {
    let r = 0;
    assertNoAllocation(() => {
      r = m.dispatch(A.ARM, 0, 0, 0, 0);
      m.dispatch(A.DISARM, 0, 0, 0, 0);
    }, 10000, 'named arm/disarm from actions');
    assert.equal(r, HSM_HANDLED);
    let due = 0;
    let was = false;
    assertNoAllocation(() => {
      due = m.arm(A.BLINK, 10, 5);
      was = m.disarm(A.BLINK);
      if (m.timeEventOf(A.BLINK) !== 7) throw new Error('id');
    }, 10000, 'named arm/disarm/timeEventOf called directly');
    assert.equal(due, 10);
    assert.equal(was, true);
    assert.equal(ft.arms, 3 + 20000);
    assertCatchesAllocation(() => { m.dispatch(A.ARM, 0, 0, 0, 0); m.disarm(A.BLINK); }, 100, 'named arm/disarm');
  });

  it('an expiry dispatched: periodic internal (every), and one-shots with targets (a -> b -> a, re-armed)', function () {
    let r = 0;
    assertNoAllocation(() => { r = ft.fire(m, 2); }, 10000, 'every expiry (internal)');
    assert.equal(r, HSM_HANDLED);
    assert.equal(m.ctx.n, 10000);
    assertNoAllocation(() => {
      ft.fire(m, 0); // a: after 500 -> b
      r = ft.fire(m, 3); // b: after 0 -> a
    }, 10000, 'after expiries with targets');
    assert.equal(r, HSM_TRANSITION);
    assert.equal(m.currentName, 'a');
    assert.equal(ft.fired, 30000);
    assertCatchesAllocation(() => { ft.fire(m, 0); ft.fire(m, 3); }, 100, 'after expiries with targets');
    m.arm(A.BLINK, 1, 1);
    assertNoAllocation(() => { ft.fire(m, 7); }, 10000, 'named timer expiry');
    assert.equal(m.ctx.blinks, 10000);
  });

  it('entering by history arms the composite and the restored state; nested every/after expiries', function () {
    m.dispatch(A.IN, 0, 0, 0, 0); // setup: c has no history yet -> c1 (not measured)
    m.dispatch(A.NEXT, 0, 0, 0, 0); // c1 -> c2
    m.dispatch(A.OUT, 0, 0, 0, 0); // recorded: c2
    assert.equal(m.currentName, 'a');
    const before = ft.arms;
    assertNoAllocation(() => {
      m.dispatch(A.IN, 0, 0, 0, 0); // a -> c by history: arms c and c2
      ft.fire(m, 6); // c2's after 20 -> c1 (arms c1's every)
      ft.fire(m, 5); // c1's every (internal)
      m.dispatch(A.NEXT, 0, 0, 0, 0); // c1 -> c2
      m.dispatch(A.OUT, 0, 0, 0, 0); // c -> a (records c2)
    }, 5000, 'history entry with timers, nested expiries');
    assert.equal(m.currentName, 'a');
    assert.equal(ft.arms - before, 5000 * (2 + 1 + 1 + 3));
    assertCatchesAllocation(() => { m.dispatch(A.IN, 0, 0, 0, 0); m.dispatch(A.OUT, 0, 0, 0, 0); }, 100, 'history entry with timers');
  });
});
