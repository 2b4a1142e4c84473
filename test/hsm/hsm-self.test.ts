// Tree shape: self-transitions. A self-transition exits and re-enters its
// state (and re-runs the initial transition of a composite); an internal
// transition runs only its action.
//
//   top > a (init a1) > a1, a2;  b
import { strict as assert } from '../support/assert.js';
import { defineSignals, HSM_HANDLED, HSM_TRANSITION } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['LEAF_SELF', 'COMP_SELF', 'INTERNAL', 'TO_A2', 'MAYBE']);

function selfy() {
  return traced({
    name: 'selfy',
    signals: S,
    context: () => ({ ok: false }),
    initial: 'a',
    states: {
      a: {
        initial: 'a1',
        on: { COMP_SELF: 'a', INTERNAL: {}, MAYBE: 'a' },
        states: {
          a1: { on: { LEAF_SELF: 'a1', TO_A2: 'a2' } },
          a2: { on: { LEAF_SELF: 'a2', MAYBE: { guard: (c) => c.ok, target: 'a2' } } },
        },
      },
      b: {},
    },
  });
}

describe('hsm shape: self-transitions', function () {
  it('leaf self-transition: action, exit, entry', function () {
    const t = selfy();
    t.take();
    assert.equal(t.m.dispatch(S.LEAF_SELF), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['a1:LEAF_SELF', 'a1:exit', 'a1:entry']);
  });

  it('composite self-transition from a non-initial leaf: exits leaf and composite, re-enters, re-runs initial', function () {
    const t = selfy();
    t.m.dispatch(S.TO_A2);
    t.take();
    t.m.dispatch(S.COMP_SELF);
    assert.deepEqual(t.take(), ['a:COMP_SELF', 'a2:exit', 'a:exit', 'a:entry', 'a:init', 'a1:entry']);
    assert.equal(t.m.currentName, 'a1');
  });

  it('internal transition in the composite: action only, the leaf stays', function () {
    const t = selfy();
    t.m.dispatch(S.TO_A2);
    t.take();
    assert.equal(t.m.dispatch(S.INTERNAL), HSM_HANDLED);
    assert.deepEqual(t.take(), ['a:INTERNAL']);
    assert.equal(t.m.currentName, 'a2');
  });

  it('a guarded self-transition: true re-enters the leaf; false bubbles to the composite self-transition', function () {
    const t = selfy();
    t.m.dispatch(S.TO_A2);
    t.m.ctx.ok = true;
    t.take();
    t.m.dispatch(S.MAYBE);
    assert.deepEqual(t.take(), ['a2:MAYBE', 'a2:exit', 'a2:entry']);
    t.m.ctx.ok = false;
    t.m.dispatch(S.MAYBE);
    assert.deepEqual(t.take(), ['a:MAYBE', 'a2:exit', 'a:exit', 'a:entry', 'a:init', 'a1:entry']);
  });

  it('introspection reports self and internal kinds', function () {
    const t = selfy();
    const kinds = t.m.definition.transitions().map((x) => `${x.source}:${x.signal}:${x.kind}`);
    assert.deepEqual(kinds, [
      'a:COMP_SELF:self', 'a:INTERNAL:internal', 'a:MAYBE:self',
      'a1:LEAF_SELF:self', 'a1:TO_A2:external', 'a2:LEAF_SELF:self', 'a2:MAYBE:self',
    ]);
  });
});
