// Tree shape: five levels, two chains l1 > l2 > l3 > l4 > l5 and
// m1 > m2 > m3 > m4 > m5. Exact order of 5 exits and 5 entries, drill-down
// through 3 initial transitions, and local transitions along a chain.
import { strict as assert } from '../support/assert.js';
import { defineSignals, HSM_HANDLED } from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';

const S = defineSignals(['CROSS', 'BACK', 'TOPH', 'UP', 'DOWN']);

function five() {
  return traced({
    name: 'five',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'l1',
    states: {
      l1: {
        initial: 'l2',
        on: { TOPH: { action: (c) => { c.n++; } }, DOWN: 'l5' },
        states: {
          l2: {
            initial: 'l3',
            states: {
              l3: {
                initial: 'l4',
                states: { l4: { initial: 'l5', states: { l5: { on: { CROSS: 'm5', UP: 'l1' } } } } },
              },
            },
          },
        },
      },
      m1: {
        initial: 'm2',
        states: {
          m2: {
            initial: 'm3',
            states: { m3: { initial: 'm4', states: { m4: { initial: 'm5', states: { m5: { on: { BACK: 'l3' } } } } } } },
          },
        },
      },
    },
  });
}

const L_UP = ['l5:exit', 'l4:exit', 'l3:exit', 'l2:exit'];

describe('hsm shape: 5 levels', function () {
  it('start drills through four initial transitions', function () {
    const t = five();
    assert.deepEqual(t.take(), [
      'top:init', 'l1:entry', 'l1:init', 'l2:entry', 'l2:init', 'l3:entry', 'l3:init', 'l4:entry', 'l4:init', 'l5:entry',
    ]);
    assert.equal(t.m.definition.maxDepth, 5);
  });

  it('l5 -> m5: 5 exits bottom-up, then 5 entries top-down', function () {
    const t = five();
    t.take();
    t.m.dispatch(S.CROSS);
    assert.deepEqual(t.take(), [
      'l5:CROSS', 'l5:exit', 'l4:exit', 'l3:exit', 'l2:exit', 'l1:exit', 'm1:entry', 'm2:entry', 'm3:entry', 'm4:entry', 'm5:entry',
    ]);
  });

  it('m5 -> l3 (a composite): 5 exits, 3 entries, then l3 and l4 initial transitions', function () {
    const t = five();
    t.m.dispatch(S.CROSS);
    t.take();
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), [
      'm5:BACK', 'm5:exit', 'm4:exit', 'm3:exit', 'm2:exit', 'm1:exit',
      'l1:entry', 'l2:entry', 'l3:entry', 'l3:init', 'l4:entry', 'l4:init', 'l5:entry',
    ]);
  });

  it('an event handled four levels up (l1), internal: no exits', function () {
    const t = five();
    t.take();
    assert.equal(t.m.dispatch(S.TOPH), HSM_HANDLED);
    assert.deepEqual(t.take(), ['l1:TOPH']);
  });

  it('l5 -> l1 (target contains source): l1 is not exited; l1 initial drills back down', function () {
    const t = five();
    t.take();
    t.m.dispatch(S.UP);
    assert.deepEqual(t.take(), [
      'l5:UP', ...L_UP, 'l1:init', 'l2:entry', 'l2:init', 'l3:entry', 'l3:init', 'l4:entry', 'l4:init', 'l5:entry',
    ]);
  });

  it('l1 -> l5 handled in l1 while in l5 (source contains target): exits up to l1, enters down to l5', function () {
    const t = five();
    t.take();
    t.m.dispatch(S.DOWN);
    assert.deepEqual(t.take(), ['l1:DOWN', ...L_UP, 'l2:entry', 'l3:entry', 'l4:entry', 'l5:entry']);
  });
});
