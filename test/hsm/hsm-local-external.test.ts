// Tree shape: local versus external transitions. When source contains target
// or target contains source, the default ('local', QP's QHsm) neither exits
// nor re-enters the containing state; kind: 'external' (UML) does. Transitions
// between siblings and cousins always exit up to the LCA.
//
//   top > p (init c1) > c1 (init g1) > g1, g2;  p > c2
import { strict as assert } from '../support/assert.js';
import { defineSignals } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['IN', 'INX', 'OUT', 'OUTX', 'SIB', 'KID', 'KIDX', 'C2']);

function tree() {
  return traced({
    name: 'localext',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'p',
    states: {
      p: {
        initial: 'c1',
        on: { IN: 'g2', INX: { target: 'g2', kind: 'external' } },
        states: {
          c1: {
            initial: 'g1',
            on: { KID: 'g2', KIDX: { target: 'g2', kind: 'external' }, C2: 'c2' },
            states: {
              g1: { on: { OUT: 'p', OUTX: { target: 'p', kind: 'external' }, SIB: 'g2' } },
              g2: {},
            },
          },
          c2: {},
        },
      },
    },
  });
}

describe('hsm shape: local vs external transitions', function () {
  it('source contains target, local (default): p is not exited', function () {
    const t = tree();
    t.take();
    t.m.dispatch(S.IN);
    assert.deepEqual(t.take(), ['p:IN', 'g1:exit', 'c1:exit', 'c1:entry', 'g2:entry']);
  });

  it("source contains target, kind: 'external': p is exited and re-entered", function () {
    const t = tree();
    t.take();
    t.m.dispatch(S.INX);
    assert.deepEqual(t.take(), ['p:INX', 'g1:exit', 'c1:exit', 'p:exit', 'p:entry', 'c1:entry', 'g2:entry']);
  });

  it('target contains source, local (default, as PSiCC2 s11 -H-> s): p is not exited; p initial drills down', function () {
    const t = tree();
    t.take();
    t.m.dispatch(S.OUT);
    assert.deepEqual(t.take(), ['g1:OUT', 'g1:exit', 'c1:exit', 'p:init', 'c1:entry', 'c1:init', 'g1:entry']);
  });

  it("target contains source, kind: 'external': p is exited and re-entered, then drills down", function () {
    const t = tree();
    t.take();
    t.m.dispatch(S.OUTX);
    assert.deepEqual(t.take(), ['g1:OUTX', 'g1:exit', 'c1:exit', 'p:exit', 'p:entry', 'p:init', 'c1:entry', 'c1:init', 'g1:entry']);
  });

  it('from the containing state to its direct child while in a sibling: local keeps c1, external re-enters it', function () {
    const t = tree();
    t.m.dispatch(S.SIB);
    t.take();
    t.m.dispatch(S.KID);
    assert.deepEqual(t.take(), ['c1:KID', 'g2:exit', 'g2:entry']);
    t.m.dispatch(S.KIDX);
    assert.deepEqual(t.take(), ['c1:KIDX', 'g2:exit', 'c1:exit', 'c1:entry', 'g2:entry']);
  });

  it('siblings and cousins are always exited up to the LCA', function () {
    const t = tree();
    t.take();
    t.m.dispatch(S.SIB);
    assert.deepEqual(t.take(), ['g1:SIB', 'g1:exit', 'g2:entry']);
    t.m.dispatch(S.C2);
    assert.deepEqual(t.take(), ['c1:C2', 'g2:exit', 'c1:exit', 'c2:entry']);
  });

  it('introspection: kind and LCA of each transition', function () {
    const t = tree();
    const got = t.m.definition.transitions().map((x) => `${x.source}:${x.signal}:${x.kind}:${x.lca}`);
    assert.deepEqual(got, [
      'p:IN:local:p', 'p:INX:external:top',
      'c1:KID:local:c1', 'c1:KIDX:external:p', 'c1:C2:external:p',
      'g1:OUT:local:p', 'g1:OUTX:external:top', 'g1:SIB:external:c1',
    ]);
  });
});
