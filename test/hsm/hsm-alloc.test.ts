// No allocation on XS for every dispatch path, the first dispatch after start()
// included (no warm-up): handled at the leaf, bubbled to an ancestor, a guarded
// transition, a cross-hierarchy transition (3 exits, 3 entries, then the
// initial drill-down), a deferred event and its recall, and posting from an
// action drained run-to-completion. Handlers write to a typed array only.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm, HSM_DEFER_OVERFLOW, HSM_DEFERRED, HSM_HANDLED, HSM_TRANSITION } from '../../src/hsm.js';
import { psicc2, PS } from './hsm-psicc2.fixture.js';
import { Sig, allocDefinition } from './hsm-alloc.fixture.js';

function makeMachine(counts: Int32Array): Hsm<{ n: number }> {
  const def = allocDefinition(counts);
  const m = new Hsm(def);
  m.start();
  return m;
}

describe('hsm: no allocation on dispatch (XS counters; first dispatch after start included)', function () {
  let counts: Int32Array;
  let m: Hsm<{ n: number }>;
  beforeEach(function () {
    counts = new Int32Array(9);
    m = makeMachine(counts);
    assert.equal(m.currentName, 'a11');
    counts.fill(0);
  });
  afterEach(function () {
    // Nothing left queued or deferred; the machine is in a leaf.
    assert.equal(m.queued, 0);
    assert.equal(m.deferredCount, 0);
    assert.equal(m.deferDropped + m.recallFailed + m.postRejected, 0);
  });

  it('an event handled at the leaf (internal transition in a11)', function () {
    assertNoAllocation(() => m.dispatch(Sig.LEAF), 10000, 'leaf dispatch');
    assert.equal(counts[0], 10000);
    assert.equal(m.ctx.n, 10000);
    assert.equal(counts[4]! + counts[5]!, 0);
  });

  it('an event bubbled to an ancestor (a11 -> a1 -> a handles UP)', function () {
    assertNoAllocation(() => m.dispatch(Sig.UP, 2), 10000, 'bubbled dispatch');
    assert.equal(counts[1], 10000);
    assert.equal(m.ctx.n, 20000);
  });

  it('a guarded transition (guard true: self-transition; false: the next branch)', function () {
    let k = 0;
    assertNoAllocation(() => { k ^= 1; return m.dispatch(Sig.GUARD, k); }, 10000, 'guarded dispatch');
    assert.equal(counts[2], 5000);
    assert.equal(counts[3], 5000);
    assert.equal(counts[4], 5000);
    assert.equal(counts[5], 5000);
  });

  it('a cross-hierarchy transition: a11 -> b11 (3 exits, 3 entries, b11 initial drill-down) and back', function () {
    let r = 0;
    assertNoAllocation(() => { r = m.dispatch(Sig.CROSS); }, 10000, 'cross-hierarchy dispatch');
    assert.equal(r, HSM_TRANSITION);
    assert.equal(m.currentName, 'a11');
    // a11->b11: 3 exits, 4 entries (b, b1, b11, b111), 1 init; b111->a1: 4 exits, 3 entries (a, a1, a11), 1 init.
    assert.equal(counts[5], 5000 * 3 + 5000 * 4);
    assert.equal(counts[4], 5000 * 4 + 5000 * 3);
    assert.equal(counts[6], 10000);
  });

  it('a deferred event and its recall (busy defers WORK; idle entry recalls it; drain handles it)', function () {
    assert.equal(m.dispatch(Sig.WORK), HSM_TRANSITION); // a11 -> busy (setup, not measured)
    counts.fill(0);
    let r1 = 0;
    let r2 = 0;
    assertNoAllocation(() => {
      r1 = m.dispatch(Sig.WORK); // deferred in busy
      r2 = m.dispatch(Sig.DONE); // busy -> idle; idle entry recalls WORK to the front of the queue
      m.drain(); // WORK in idle: idle -> busy
    }, 10000, 'defer + recall + drain');
    assert.equal(r1, HSM_DEFERRED);
    assert.equal(r2, HSM_TRANSITION);
    assert.equal(counts[7], 10000);
    assert.equal(m.deferred, 10000);
    assert.equal(m.recalled, 10000);
    assert.equal(m.currentName, 'busy');
    assert.equal(m.deferHighWater, 1);
  });

  it('posting from an action and draining it (send)', function () {
    let r = 0;
    assertNoAllocation(() => { r = m.send(Sig.PING); }, 10000, 'send + post from action');
    assert.equal(r, HSM_HANDLED);
    assert.equal(counts[8], 10000);
    assert.equal(m.ctx.n, 70000);
  });

  it('introspection on the hot path: isIn(id) and current', function () {
    const a1 = m.definition.idOf('a1');
    const b = m.definition.idOf('b');
    let hits = 0;
    assertNoAllocation(() => { if (m.isIn(a1) && !m.isIn(b) && m.current >= 0) hits++; }, 10000, 'isIn(id)');
    assert.equal(hits, 10000);
  });

  it('the PSiCC2 machine: the book sequence, repeated, with counting marks', function () {
    const marks = new Int32Array(4);
    const ps = new Hsm(psicc2((kind) => { marks[kind]!++; }));
    ps.start();
    const seq = new Uint8Array([PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C]);
    let i = 0;
    assertNoAllocation(() => {
      ps.dispatch(seq[i]!);
      i = i + 1 === seq.length ? 0 : i + 1;
    }, seq.length * 400, 'PSiCC2 dispatch');
    assert.equal(i, 0);
    assert.equal(ps.ignored, 0);
  });
});

// The defer queue is an EventQueue: recallAll takes from its back (getBack),
// a full defer queue refuses ('reject') or drops its oldest ('drop-oldest'),
// and a recall the machine's own queue refuses puts the event back. None of
// these allocates, the first call included.
const RS = defineSignals(['WORK', 'DONE', 'GO', 'FILL']);
function recaller(overflow: 'reject' | 'drop-oldest', queueCapacity: number): Hsm<{ n: number }> {
  const def = defineHsm({
    name: 'recaller',
    signals: RS,
    context: () => ({ n: 0 }),
    initial: 'busy',
    states: {
      busy: { defer: ['WORK'], on: { DONE: 'idle' } },
      idle: {
        entry: (_c, m) => { m.recallAll(); },
        on: { WORK: { action: (c) => { c.n++; } }, GO: 'busy', FILL: { action: (c) => { c.n++; } } },
      },
    },
  });
  const m = new Hsm(def, { deferCapacity: 3, deferOverflow: overflow, queueCapacity });
  m.start();
  return m;
}

describe('hsm allocation: defer queue paths (recallAll, overflow, refused recall)', function () {
  it('positive control: the counter catches one array per call', function () {
    assertCatchesAllocation(() => [1], 100, 'an array literal');
  });
  it('three defers, recallAll on entry, drain: 0 slots, 0 chunks', function () {
    const m = recaller('reject', 8);
    assertNoAllocation(() => {
      m.dispatch(RS.WORK, 1, 2, 3, 4);
      m.dispatch(RS.WORK, 1, 2, 3, 4);
      m.dispatch(RS.WORK, 1, 2, 3, 4);
      m.dispatch(RS.DONE, 0, 0, 0, 0);
      m.drain();
      m.dispatch(RS.GO, 0, 0, 0, 0);
    }, 10000, 'defer x3 + recallAll + drain');
    assert.equal(m.ctx.n, 30000);
    assert.equal(m.recalled, 30000);
  });
  for (const overflow of ['reject', 'drop-oldest'] as const) {
    it(`a full defer queue (${overflow}): 0 slots, 0 chunks, counted`, function () {
      const m = recaller(overflow, 8);
      for (let i = 0; i < 3; i++) m.dispatch(RS.WORK, 0, 0, 0, 0);
      let r = 0;
      assertNoAllocation(() => { r = m.dispatch(RS.WORK, 1, 0, 0, 0); }, 10000, `overflow ${overflow}`);
      assert.equal(r, HSM_DEFER_OVERFLOW);
      assert.equal(m.deferredCount, 3);
      assert.ok(m.deferDropped >= 10000);
    });
  }
  it('recallAll refused by a full queue puts the event back: 0 slots, 0 chunks', function () {
    const m = recaller('reject', 1);
    assertNoAllocation(() => {
      m.dispatch(RS.WORK, 0, 0, 0, 0);
      m.dispatch(RS.WORK, 0, 0, 0, 0);
      m.dispatch(RS.DONE, 0, 0, 0, 0); // recallAll: one moves, one is refused and stays deferred
      m.drain();
      m.dispatch(RS.GO, 0, 0, 0, 0);
    }, 1000, 'recallAll refused');
    assert.ok(m.recallRefused > 0);
  });
});
