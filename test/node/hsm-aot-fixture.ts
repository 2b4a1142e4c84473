// Machines for test/node/hsm-aot-rollup.test.ts: bundled once as they are
// (the reference, table interpreter) and once through keel/rollup (compiled).
import { defineHsm, defineSignals } from '../../src/hsm.js';
import { PS } from '../hsm/hsm-psicc2.fixture.js';

export { psicc2 } from '../hsm/hsm-psicc2.fixture.js';
export { Hsm } from '../../src/hsm.js';

const F = defineSignals(['NEXT', 'TICK']);
export const FLAT_SIGNALS = F;

/** Statically known: compiled (switch form). Handlers close over `log`. */
export function flat(log: string[]) {
  const enter = (c: { ticks: number }): void => { log.push('enter ' + c.ticks); };
  return defineHsm({
    name: 'flat3',
    signals: F,
    context: () => ({ ticks: 0 }),
    initial: 'a',
    states: {
      a: { entry: enter, exit: () => { log.push('exit a'); }, on: { NEXT: 'b', TICK: { action: (c) => { c.ticks++; } } } },
      b: { entry: enter, on: { NEXT: 'c', TICK: { guard: (c, p0) => p0 > 0, action: (c, p0) => { c.ticks += p0; } } } },
      c: { entry: enter, on: { NEXT: 'a' }, defer: ['TICK'] },
    },
  });
}

/** Signals imported from another module: left to the interpreter, with a warning. */
export function importedSignals() {
  return defineHsm({ name: 'imported', signals: PS, context: () => ({ n: 0 }), initial: 'x', states: { x: { on: { A: 'y' } }, y: {} } });
}

/** The initial state comes from a parameter: left to the interpreter, with a warning. */
export function fromParameter(first: 'x' | 'y') {
  return defineHsm({ name: 'param', signals: F, context: () => ({ n: 0 }), initial: first, states: { x: { on: { NEXT: 'y' } }, y: {} } });
}
