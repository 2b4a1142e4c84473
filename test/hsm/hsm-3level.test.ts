// Tree shape: three levels (top-level composites p1, p2; composites q1..q3;
// leaves x1..x5). Exact order of exits, actions and entries, including
// bubbling, cousin transitions and drill-down through two initial transitions.
//
//   top
//   +-- p1 (init q1)
//   |   +-- q1 (init x1): x1, x2
//   |   +-- q2 (init x3): x3
//   +-- p2 (init q3)
//       +-- q3 (init x4): x4, x5
import { strict as assert } from '../support/assert.js';
import { defineSignals, HSM_HANDLED, HSM_TRANSITION } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['SIB', 'COUSIN', 'FAR', 'BUBBLE', 'HOP', 'UP', 'GUARDED']);

function three() {
  return traced({
    name: 'three',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'p1',
    states: {
      p1: {
        initial: 'q1',
        on: { UP: 'x3' },
        states: {
          q1: {
            initial: 'x1',
            on: { GUARDED: { action: (c) => { c.n = 2; } } },
            states: {
              x1: { on: { SIB: 'x2', GUARDED: { guard: () => false, target: 'x2' } } },
              x2: { on: { COUSIN: 'x3' } },
            },
          },
          q2: { initial: 'x3', states: { x3: { on: { FAR: 'x5' } } } },
        },
      },
      p2: {
        initial: 'q3',
        on: { BUBBLE: { action: (c) => { c.n++; } } },
        states: {
          q3: { initial: 'x4', on: { HOP: 'p1' }, states: { x4: {}, x5: {} } },
        },
      },
    },
  });
}

describe('hsm shape: 3 levels', function () {
  it('start drills down through two initial transitions', function () {
    const t = three();
    assert.deepEqual(t.take(), ['top:init', 'p1:entry', 'p1:init', 'q1:entry', 'q1:init', 'x1:entry']);
    assert.equal(t.m.definition.maxDepth, 3);
  });

  it('siblings, cousins (LCA p1), and across the top (LCA top)', function () {
    const t = three();
    t.take();
    assert.equal(t.m.dispatch(S.SIB), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['x1:SIB', 'x1:exit', 'x2:entry']);
    t.m.dispatch(S.COUSIN);
    assert.deepEqual(t.take(), ['x2:COUSIN', 'x2:exit', 'q1:exit', 'q2:entry', 'x3:entry']);
    t.m.dispatch(S.FAR);
    assert.deepEqual(t.take(), ['x3:FAR', 'x3:exit', 'q2:exit', 'p1:exit', 'p2:entry', 'q3:entry', 'x5:entry']);
    assert.equal(t.m.currentName, 'x5');
  });

  it('an event bubbles from the leaf to the first ancestor that handles it', function () {
    const t = three();
    t.m.dispatch(S.SIB);
    t.m.dispatch(S.COUSIN);
    t.m.dispatch(S.FAR);
    t.take();
    assert.equal(t.m.dispatch(S.BUBBLE), HSM_HANDLED);
    assert.deepEqual(t.take(), ['p2:BUBBLE']);
    assert.equal(t.m.ctx.n, 1);
  });

  it('a transition from a composite ancestor exits the leaf first, then drills into the target', function () {
    const t = three();
    t.m.dispatch(S.SIB);
    t.m.dispatch(S.COUSIN);
    t.m.dispatch(S.FAR);
    t.take();
    t.m.dispatch(S.HOP);
    assert.deepEqual(t.take(), ['q3:HOP', 'x5:exit', 'q3:exit', 'p2:exit', 'p1:entry', 'p1:init', 'q1:entry', 'q1:init', 'x1:entry']);
  });

  it('a transition declared in p1 (local to p1) from x1: exits x1, q1; enters q2, x3', function () {
    const t = three();
    t.take();
    t.m.dispatch(S.UP);
    assert.deepEqual(t.take(), ['p1:UP', 'x1:exit', 'q1:exit', 'q2:entry', 'x3:entry']);
  });

  it('a false guard in the leaf lets the parent handle the signal', function () {
    const t = three();
    t.take();
    assert.equal(t.m.dispatch(S.GUARDED), HSM_HANDLED);
    assert.deepEqual(t.take(), ['q1:GUARDED']);
    assert.equal(t.m.ctx.n, 2);
    assert.equal(t.m.currentName, 'x1');
  });
});
