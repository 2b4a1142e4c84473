// Machines for test/node/diagram.test.ts: `lamp` uses every feature a
// diagram shows (nesting, initial action, named guard and else branch,
// internal, local, external and self transitions, deferral, shallow and deep
// history, after and every timers with a ms and a named delay); `door` is a
// flat second machine; `answer` is not a machine. Built by the test into a
// module that `keel diagram` imports.
import { defineHsm } from '../../src/hsm.js';

export interface LampCtx {
  ready: number;
  n: number;
}

function isReady(c: LampCtx): boolean {
  return c.ready === 1;
}
function powerUp(c: LampCtx): void {
  c.n = 0;
}
function count(c: LampCtx): void {
  c.n++;
}

export const lamp = defineHsm({
  name: 'lamp',
  signals: { GO: 1, BACK: 2, TICK: 3, HOLD: 4, RESET: 5 },
  context: (): LampCtx => ({ ready: 0, n: 0 }),
  delays: { blink: 250 },
  initial: { target: 'off', action: powerUp },
  states: {
    off: {
      defer: ['HOLD'],
      on: { GO: [{ target: 'on', guard: isReady }, { target: 'fault' }] },
    },
    on: {
      initial: 'dim',
      history: 'deep',
      on: { BACK: 'off', RESET: { target: 'dim', kind: 'local' }, TICK: { action: count } },
      states: {
        dim: { after: { 500: 'bright' }, on: { GO: { target: 'on', kind: 'external' } } },
        bright: {
          initial: 'steady',
          history: 'shallow',
          every: { blink: { action: count } },
          on: { GO: 'bright', TICK: { guard: (c) => c.n > 3, target: 'dim' } },
          states: { steady: {}, flicker: { on: { HOLD: 'steady' } } },
        },
      },
    },
    fault: { on: { RESET: { target: 'on', history: true } } },
  },
});

export const door = defineHsm({
  name: 'door',
  signals: { OPEN: 1, CLOSE: 2 },
  context: () => ({ opened: 0 }),
  initial: 'closed',
  states: {
    closed: { on: { OPEN: 'open' } },
    open: { on: { CLOSE: 'closed' } },
  },
});

export const answer = 42;
