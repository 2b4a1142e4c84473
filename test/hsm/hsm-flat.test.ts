// Tree shape: flat (three top-level states, no nesting). Zephyr SMF style:
// the exact order of exits, actions and entries for every kind of transition.
import { strict as assert } from '../support/assert.js';
import { defineSignals, HSM_HANDLED, HSM_IGNORED, HSM_TRANSITION } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['NEXT', 'BACK', 'TICK', 'SELF', 'GO', 'NOPE']);

function flat() {
  return traced({
    name: 'flat',
    signals: S,
    context: () => ({ ticks: 0, armed: false }),
    initial: 'a',
    states: {
      a: {
        on: {
          NEXT: 'b',
          SELF: 'a',
          TICK: { action: (c) => { c.ticks++; } },
          GO: [
            { guard: (c) => c.armed, target: 'c' },
            { guard: (_c, p0) => p0 === 7, target: 'b' },
          ],
        },
      },
      b: { on: { NEXT: 'c', BACK: 'a', TICK: { action: (c) => { c.ticks += 10; } } } },
      c: { on: { NEXT: 'a', BACK: 'b' } },
    },
  });
}

describe('hsm shape: flat', function () {
  it('start: top:init, a:entry', function () {
    const t = flat();
    assert.deepEqual(t.take(), ['top:init', 'a:entry']);
    assert.equal(t.m.currentName, 'a');
  });

  it('a full cycle: action, exit, entry in that order for each step', function () {
    const t = flat();
    t.take();
    assert.equal(t.m.dispatch(S.NEXT), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['a:NEXT', 'a:exit', 'b:entry']);
    t.m.dispatch(S.NEXT);
    assert.deepEqual(t.take(), ['b:NEXT', 'b:exit', 'c:entry']);
    t.m.dispatch(S.NEXT);
    assert.deepEqual(t.take(), ['c:NEXT', 'c:exit', 'a:entry']);
    t.m.dispatch(S.NEXT);
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['a:NEXT', 'a:exit', 'b:entry', 'b:BACK', 'b:exit', 'a:entry']);
    assert.equal(t.m.currentName, 'a');
  });

  it('internal transition: action only, no exit or entry; the handler depends on the state', function () {
    const t = flat();
    t.take();
    assert.equal(t.m.dispatch(S.TICK), HSM_HANDLED);
    t.m.dispatch(S.NEXT);
    t.take();
    assert.equal(t.m.dispatch(S.TICK), HSM_HANDLED);
    assert.deepEqual(t.take(), ['b:TICK']);
    assert.equal(t.m.ctx.ticks, 11);
  });

  it('self-transition: exits and re-enters', function () {
    const t = flat();
    t.take();
    assert.equal(t.m.dispatch(S.SELF), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['a:SELF', 'a:exit', 'a:entry']);
  });

  it('guards are tried in declaration order; none true: ignored, no trace', function () {
    const t = flat();
    t.take();
    assert.equal(t.m.dispatch(S.GO, 0), HSM_IGNORED);
    assert.deepEqual(t.take(), []);
    assert.equal(t.m.dispatch(S.GO, 7), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['a:GO', 'a:exit', 'b:entry']);
    t.m.dispatch(S.BACK);
    t.m.ctx.armed = true;
    t.take();
    t.m.dispatch(S.GO, 7); // both guards true: the first declared wins
    assert.deepEqual(t.take(), ['a:GO', 'a:exit', 'c:entry']);
  });

  it('unhandled signals are ignored and counted', function () {
    const t = flat();
    t.take();
    assert.equal(t.m.dispatch(S.NOPE), HSM_IGNORED);
    assert.equal(t.m.dispatch(S.BACK), HSM_IGNORED);
    assert.equal(t.m.ignored, 2);
    assert.deepEqual(t.take(), []);
  });
});
