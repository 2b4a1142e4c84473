// History: a state with `history: 'shallow'` remembers, when it is exited, its
// direct substate that was active; 'deep' remembers the active leaf. A
// transition with `history: true` enters the target through its history
// (falling back to the target's initial transition when nothing is recorded).
//
//   top > h (shallow, init h1) > h1 (init h11) > h11, h12;  h > h2
//       > d (deep, init d1)    > d1 (init d11) > d11, d12;  d > d2
//       > o
import { strict as assert } from '../support/assert.js';
import { defineSignals } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['NEXT', 'TO2', 'LEAVE', 'BACK', 'BACKD', 'PLAIN', 'TOD']);

function hist() {
  return traced({
    name: 'hist',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'h',
    states: {
      h: {
        history: 'shallow',
        initial: 'h1',
        on: { LEAVE: 'o', TO2: 'h2', TOD: 'd' },
        states: {
          h1: { initial: 'h11', states: { h11: { on: { NEXT: 'h12' } }, h12: {} } },
          h2: {},
        },
      },
      d: {
        history: 'deep',
        initial: 'd1',
        on: { LEAVE: 'o', TO2: 'd2' },
        states: {
          d1: { initial: 'd11', states: { d11: { on: { NEXT: 'd12' } }, d12: {} } },
          d2: {},
        },
      },
      o: {
        on: {
          BACK: { target: 'h', history: true },
          BACKD: { target: 'd', history: true },
          PLAIN: 'h',
        },
      },
    },
  });
}

describe('hsm: history', function () {
  it('nothing recorded yet: entering through history takes the initial transition', function () {
    const t = hist();
    t.m.dispatch(S.TOD);
    t.m.dispatch(S.LEAVE); // records d's history... of d, not h
    t.take();
    assert.equal(t.m.historyOf(t.m.definition.idOf('h')), t.m.definition.idOf('h1'), 'h was exited by TOD from h11');
    const fresh = hist();
    fresh.m.dispatch(S.LEAVE); // h exited from h11: shallow history of h = h1
    fresh.take();
    fresh.m.dispatch(S.BACKD); // d never exited: default
    assert.deepEqual(fresh.take(), ['o:BACKD', 'o:exit', 'd:entry', 'd:init', 'd1:entry', 'd1:init', 'd11:entry']);
  });

  it('shallow: restores the direct substate (h1), then h1 runs its own initial transition (h11, not h12)', function () {
    const t = hist();
    t.m.dispatch(S.NEXT); // h11 -> h12
    t.m.dispatch(S.LEAVE);
    t.take();
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['o:BACK', 'o:exit', 'h:entry', 'h1:entry', 'h1:init', 'h11:entry']);
  });

  it('shallow: a recorded leaf substate (h2) is restored as is', function () {
    const t = hist();
    t.m.dispatch(S.TO2);
    t.m.dispatch(S.LEAVE);
    t.take();
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['o:BACK', 'o:exit', 'h:entry', 'h2:entry']);
    assert.equal(t.m.currentName, 'h2');
  });

  it('deep: restores the exact leaf (d12), entering every state on the way, no initial transitions', function () {
    const t = hist();
    t.m.dispatch(S.TOD);
    t.m.dispatch(S.NEXT); // d11 -> d12
    t.m.dispatch(S.LEAVE);
    t.take();
    t.m.dispatch(S.BACKD);
    assert.deepEqual(t.take(), ['o:BACKD', 'o:exit', 'd:entry', 'd1:entry', 'd12:entry']);
    assert.equal(t.m.currentName, 'd12');
  });

  it('a transition without history: true ignores the record', function () {
    const t = hist();
    t.m.dispatch(S.TO2);
    t.m.dispatch(S.LEAVE);
    t.take();
    t.m.dispatch(S.PLAIN);
    assert.deepEqual(t.take(), ['o:PLAIN', 'o:exit', 'h:entry', 'h:init', 'h1:entry', 'h1:init', 'h11:entry']);
  });

  it('the record is updated on every exit of the state', function () {
    const t = hist();
    t.m.dispatch(S.TO2);
    t.m.dispatch(S.LEAVE);
    t.m.dispatch(S.PLAIN); // back in h11
    t.m.dispatch(S.LEAVE); // record h1
    t.take();
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['o:BACK', 'o:exit', 'h:entry', 'h1:entry', 'h1:init', 'h11:entry']);
  });
});
