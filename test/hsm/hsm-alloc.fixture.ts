// The machine of the hsm allocation tests (test/hsm/hsm-alloc.test.ts on the
// table walk, test/hsm/hsm-aot-alloc.test.ts compiled ahead of time): every
// dispatch path (leaf, bubbled, guarded, cross-hierarchy, defer and recall,
// posting from an action), with handlers that write to a typed array only.
import { defineHsm, defineSignals } from '../../src/hsm.js';

export const Sig = defineSignals(['LEAF', 'UP', 'GUARD', 'CROSS', 'WORK', 'DONE', 'PING', 'PONG']);

// Counters: [0] leaf action, [1] ancestor action, [2] guarded, [3] else-branch,
// [4] entries, [5] exits, [6] inits, [7] work handled, [8] pongs.
export function allocDefinition(counts: Int32Array) {
  return defineHsm({
    name: 'alloc',
    signals: Sig,
    context: () => ({ n: 0 }),
    initial: 'a',
    states: {
      a: {
        entry: () => { counts[4]!++; },
        exit: () => { counts[5]!++; },
        initial: 'a1',
        on: {
          UP: { action: (c, p0) => { c.n += p0; counts[1]!++; } },
          PING: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.post(Sig.PONG, 7); } },
          PONG: { action: (c, p0) => { c.n += p0; counts[8]!++; } },
        },
        states: {
          a1: {
            entry: () => { counts[4]!++; },
            exit: () => { counts[5]!++; },
            initial: { target: 'a11', action: () => { counts[6]!++; } },
            states: {
              a11: {
                entry: () => { counts[4]!++; },
                exit: () => { counts[5]!++; },
                on: {
                  LEAF: { action: (c) => { c.n++; counts[0]!++; } },
                  GUARD: [
                    { guard: (_c, p0) => p0 > 0, target: 'a11', action: () => { counts[2]!++; } },
                    { action: () => { counts[3]!++; } },
                  ],
                  CROSS: 'b11',
                  WORK: 'busy',
                },
              },
              busy: {
                entry: () => { counts[4]!++; },
                exit: () => { counts[5]!++; },
                defer: ['WORK'],
                on: { DONE: 'idle' },
              },
              idle: {
                entry: (_c, m) => { counts[4]!++; m.recall(); },
                exit: () => { counts[5]!++; },
                on: { WORK: { target: 'busy', action: () => { counts[7]!++; } } },
              },
            },
          },
        },
      },
      b: {
        entry: () => { counts[4]!++; },
        exit: () => { counts[5]!++; },
        initial: 'b1',
        states: {
          b1: {
            entry: () => { counts[4]!++; },
            exit: () => { counts[5]!++; },
            initial: 'b11',
            states: {
              b11: {
                entry: () => { counts[4]!++; },
                exit: () => { counts[5]!++; },
                initial: { target: 'b111', action: () => { counts[6]!++; } },
                states: {
                  b111: {
                    entry: () => { counts[4]!++; },
                    exit: () => { counts[5]!++; },
                    on: { CROSS: 'a1' },
                  },
                },
              },
            },
          },
        },
      },
    },
  });
}
