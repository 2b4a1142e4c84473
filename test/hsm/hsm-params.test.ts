// Parameters reach handlers as numbers: omitted ones are 0 (never undefined),
// whether the event comes through dispatch() directly or through a queue.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm } from '../../src/hsm.js';

const S = defineSignals(['ADD']);

function machine(): Hsm<{ sum: number; calls: number }> {
  const def = defineHsm({
    name: 'params',
    signals: S,
    context: () => ({ sum: 0, calls: 0 }),
    initial: 'only',
    states: {
      only: {
        on: {
          ADD: {
            action: (c, p0, p1, p2, p3) => {
              c.sum += p0 + p1 * 10 + p2 * 100 + p3 * 1000;
              c.calls++;
            },
          },
        },
      },
    },
  });
  const m = new Hsm(def);
  m.start();
  return m;
}

describe('hsm: event parameters', function () {
  it('omitted parameters are 0 in handlers', function () {
    const m = machine();
    m.dispatch(S.ADD);
    m.dispatch(S.ADD, 1);
    m.dispatch(S.ADD, 1, 2);
    m.dispatch(S.ADD, 1, 2, 3);
    m.dispatch(S.ADD, 1, 2, 3, 4);
    assert.equal(m.ctx.calls, 5);
    assert.equal(m.ctx.sum, 0 + 1 + 21 + 321 + 4321);
  });

  it('dispatch with some parameters omitted allocates nothing on XS (first call included)', function () {
    const m = machine();
    assertNoAllocation(() => {
      m.dispatch(S.ADD, 1);
      m.dispatch(S.ADD, 1, 2, 3, 4);
    }, 10000, 'dispatch with omitted parameters');
    assert.equal(m.ctx.sum, 10000 * (1 + 4321));
  });
});
