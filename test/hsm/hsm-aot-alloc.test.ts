// AOT-compiled machines (tools/hsm-aot): no allocation on XS for every dispatch path, the first dispatch after start()
// included (no warm-up): handled at the leaf, bubbled to an ancestor, a guarded
// transition, a cross-hierarchy transition (3 exits, 3 entries, then the
// initial drill-down), a deferred event and its recall, and posting from an
// action drained run-to-completion. Handlers write to a typed array only.
// of a compiled machine, in both generated forms (table: this machine and
// PSiCC2; switch: the flat 3-state machine), the first dispatch after start()
// included, each next to a positive control (the same path plus one array
// literal per call must be caught).
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm, HSM_DEFERRED, HSM_HANDLED, HSM_TRANSITION } from '../../src/hsm.js';
import { compileHsm } from '../../tools/hsm-aot/compile.js';
import { compiledMachine } from '../../tools/hsm-aot/load.js';
import { psicc2, PS } from './hsm-psicc2.fixture.js';
import { Sig, allocDefinition } from './hsm-alloc.fixture.js';


const makeDefinition = allocDefinition;

const F = defineSignals(['NEXT', 'TICK']);

function flatDefinition(counts: Int32Array) {
  const enter = (): void => { counts[0]!++; };
  const exit = (): void => { counts[1]!++; };
  const tick = (c: { ticks: number }): void => { c.ticks++; };
  return defineHsm({
    name: 'flat3',
    signals: F,
    context: () => ({ ticks: 0 }),
    initial: 'a',
    states: {
      a: { entry: enter, exit, on: { NEXT: 'b', TICK: { action: tick } } },
      b: { entry: enter, exit, on: { NEXT: 'c', TICK: { action: tick } } },
      c: { entry: enter, exit, on: { NEXT: 'a', TICK: { action: tick } } },
    },
  });
}

describe('hsm AOT: no allocation on dispatch of compiled machines (XS counters; first dispatch after start included)', function () {
  let counts: Int32Array;
  let m: Hsm<{ n: number }>;
  beforeEach(function () {
    counts = new Int32Array(9);
    const def = makeDefinition(counts);
    assert.equal(compileHsm(def).form, 'table');
    m = compiledMachine(def);
    m.start();
    assert.equal(m.currentName, 'a11');
    counts.fill(0);
  });
  afterEach(function () {
    assert.equal(m.queued, 0);
    assert.equal(m.deferredCount, 0);
    assert.equal(m.deferDropped + m.recallRefused + m.refused, 0);
  });

  it('an event handled at the leaf, then the positive control', function () {
    assertNoAllocation(() => m.dispatch(Sig.LEAF), 10000, 'AOT leaf dispatch');
    assert.equal(counts[0], 10000);
    assert.equal(m.ctx.n, 10000);
    assertCatchesAllocation(() => m.dispatch(Sig.LEAF), 100, 'AOT leaf dispatch');
  });

  it('an event bubbled to an ancestor (a11 -> a1 -> a handles UP)', function () {
    assertNoAllocation(() => m.dispatch(Sig.UP, 2, 0, 0, 0), 10000, 'AOT bubbled dispatch');
    assert.equal(counts[1], 10000);
    assert.equal(m.ctx.n, 20000);
  });

  it('a guarded transition (guard true: self-transition; false: the next branch)', function () {
    let k = 0;
    assertNoAllocation(() => { k ^= 1; return m.dispatch(Sig.GUARD, k, 0, 0, 0); }, 10000, 'AOT guarded dispatch');
    assert.deepEqual([counts[2], counts[3], counts[4], counts[5]], [5000, 5000, 5000, 5000]);
  });

  it('a cross-hierarchy transition a11 -> b11 and back, then the positive control', function () {
    let r = 0;
    assertNoAllocation(() => { r = m.dispatch(Sig.CROSS, 0, 0, 0, 0); }, 10000, 'AOT cross-hierarchy dispatch');
    assert.equal(r, HSM_TRANSITION);
    assert.equal(m.currentName, 'a11');
    assert.equal(counts[5], 5000 * 3 + 5000 * 4);
    assert.equal(counts[4], 5000 * 4 + 5000 * 3);
    assert.equal(counts[6], 10000);
    assertCatchesAllocation(() => m.dispatch(Sig.CROSS, 0, 0, 0, 0), 100, 'AOT cross-hierarchy dispatch');
  });

  it('a deferred event and its recall (busy defers WORK; idle entry recalls it; drain handles it)', function () {
    assert.equal(m.dispatch(Sig.WORK), HSM_TRANSITION);
    counts.fill(0);
    let r1 = 0;
    let r2 = 0;
    assertNoAllocation(() => {
      r1 = m.dispatch(Sig.WORK, 0, 0, 0, 0);
      r2 = m.dispatch(Sig.DONE, 0, 0, 0, 0);
      m.drain();
    }, 10000, 'AOT defer + recall + drain');
    assert.equal(r1, HSM_DEFERRED);
    assert.equal(r2, HSM_TRANSITION);
    assert.equal(counts[7], 10000);
    assert.deepEqual([m.deferred, m.recalled], [10000, 10000]);
    assert.equal(m.currentName, 'busy');
  });

  it('posting from an action and draining it (send)', function () {
    let r = 0;
    assertNoAllocation(() => { r = m.send(Sig.PING); }, 10000, 'AOT send + post from action');
    assert.equal(r, HSM_HANDLED);
    assert.equal(counts[8], 10000);
    assert.equal(m.ctx.n, 70000);
  });

  it('PSiCC2 (table form): the book sequence, repeated, then the positive control', function () {
    const marks = new Int32Array(4);
    const def = psicc2((kind) => { marks[kind]!++; });
    assert.equal(compileHsm(def).form, 'table');
    const ps = compiledMachine(def);
    ps.start();
    const seq = new Uint8Array([PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C]);
    let i = 0;
    const step = (): void => {
      ps.dispatch(seq[i]!, 0, 0, 0, 0);
      i = i + 1 === seq.length ? 0 : i + 1;
    };
    assertNoAllocation(step, seq.length * 400, 'AOT PSiCC2 dispatch');
    assert.equal(i, 0);
    assert.equal(ps.ignored, 0);
    // The same events through the table interpreter give the same marks.
    const refMarks = new Int32Array(4);
    const ref = new Hsm(psicc2((kind) => { refMarks[kind]!++; }));
    ref.start();
    for (let k = 0; k < seq.length * 400; k++) ref.dispatch(seq[k % seq.length]!, 0, 0, 0, 0);
    assert.deepEqual(Array.from(marks), Array.from(refMarks));
    assertCatchesAllocation(step, 105, 'AOT PSiCC2 dispatch');
  });

  it('the flat 3-state machine (switch form), then the positive control', function () {
    const c = new Int32Array(2);
    const def = flatDefinition(c);
    assert.equal(compileHsm(def).form, 'switch');
    const flat = compiledMachine(def);
    flat.start();
    const seq = new Uint8Array([F.NEXT, F.TICK, F.NEXT, F.TICK, F.TICK, F.NEXT]);
    let i = 0;
    const step = (): void => {
      flat.dispatch(seq[i]!, 0, 0, 0, 0);
      i = i === 5 ? 0 : i + 1;
    };
    assertNoAllocation(step, 6000, 'AOT flat dispatch');
    assert.deepEqual([c[0], c[1], flat.ctx.ticks], [1 + 3000, 3000, 3000]);
    assert.equal(flat.currentName, 'a');
    assertCatchesAllocation(step, 102, 'AOT flat dispatch');
  });
});
