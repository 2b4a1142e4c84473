// The PSiCC2 test machine (Samek, Practical UML Statecharts in C/C++, 2nd ed.,
// section 2.3.15, QHsmTst): states s, s1, s11, s2, s21, s211; signals A..I;
// extended state variable foo. Shared by test/hsm/hsm-psicc2.test.ts,
// test/hsm/hsm-alloc.test.ts and bench/hsm.bench.ts.
//
// Handlers report what they do through `mark(kind, state, signal)` with
// numbers only, so the same machine serves trace tests (the mark builds a
// string) and allocation tests and benches (the mark bumps a typed array).
import { defineHsm, defineSignals, type HsmDefinition } from '../../src/hsm.js';

export const PS = defineSignals(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']);

export const ENTRY = 0;
export const EXIT = 1;
export const INIT = 2;
export const ACT = 3;

export const TOP = 0;
export const S = 1;
export const S1 = 2;
export const S11 = 3;
export const S2 = 4;
export const S21 = 5;
export const S211 = 6;
export const MARK_NAMES = Object.freeze(['top', 's', 's1', 's11', 's2', 's21', 's211']);
export const SIGNAL_NAMES = Object.freeze(['', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']);

export type Mark = (kind: number, state: number, sig: number) => void;

export interface PsCtx {
  foo: number;
}

export function psicc2(mark: Mark): HsmDefinition<PsCtx> {
  return defineHsm({
    name: 'psicc2',
    signals: PS,
    context: () => ({ foo: 0 }),
    initial: {
      target: 's2',
      action: (c) => {
        c.foo = 0;
        mark(INIT, TOP, 0);
      },
    },
    states: {
      s: {
        entry: () => mark(ENTRY, S, 0),
        exit: () => mark(EXIT, S, 0),
        initial: { target: 's11', action: () => mark(INIT, S, 0) },
        on: {
          E: { target: 's11', action: () => mark(ACT, S, PS.E) },
          I: {
            guard: (c) => c.foo !== 0,
            action: (c) => {
              c.foo = 0;
              mark(ACT, S, PS.I);
            },
          },
        },
        states: {
          s1: {
            entry: () => mark(ENTRY, S1, 0),
            exit: () => mark(EXIT, S1, 0),
            initial: { target: 's11', action: () => mark(INIT, S1, 0) },
            on: {
              A: { target: 's1', action: () => mark(ACT, S1, PS.A) },
              B: { target: 's11', action: () => mark(ACT, S1, PS.B) },
              C: { target: 's2', action: () => mark(ACT, S1, PS.C) },
              D: {
                target: 's',
                guard: (c) => c.foo === 0,
                action: (c) => {
                  c.foo = 1;
                  mark(ACT, S1, PS.D);
                },
              },
              F: { target: 's211', action: () => mark(ACT, S1, PS.F) },
              I: { action: () => mark(ACT, S1, PS.I) },
            },
            states: {
              s11: {
                entry: () => mark(ENTRY, S11, 0),
                exit: () => mark(EXIT, S11, 0),
                on: {
                  D: {
                    target: 's1',
                    guard: (c) => c.foo !== 0,
                    action: (c) => {
                      c.foo = 0;
                      mark(ACT, S11, PS.D);
                    },
                  },
                  G: { target: 's211', action: () => mark(ACT, S11, PS.G) },
                  H: { target: 's', action: () => mark(ACT, S11, PS.H) },
                },
              },
            },
          },
          s2: {
            entry: () => mark(ENTRY, S2, 0),
            exit: () => mark(EXIT, S2, 0),
            initial: { target: 's211', action: () => mark(INIT, S2, 0) },
            on: {
              C: { target: 's1', action: () => mark(ACT, S2, PS.C) },
              F: { target: 's11', action: () => mark(ACT, S2, PS.F) },
              I: {
                guard: (c) => c.foo === 0,
                action: (c) => {
                  c.foo = 1;
                  mark(ACT, S2, PS.I);
                },
              },
            },
            states: {
              s21: {
                entry: () => mark(ENTRY, S21, 0),
                exit: () => mark(EXIT, S21, 0),
                initial: { target: 's211', action: () => mark(INIT, S21, 0) },
                on: {
                  A: { target: 's21', action: () => mark(ACT, S21, PS.A) },
                  B: { target: 's211', action: () => mark(ACT, S21, PS.B) },
                  G: { target: 's1', action: () => mark(ACT, S21, PS.G) },
                },
                states: {
                  s211: {
                    entry: () => mark(ENTRY, S211, 0),
                    exit: () => mark(EXIT, S211, 0),
                    on: {
                      D: { target: 's21', action: () => mark(ACT, S211, PS.D) },
                      H: { target: 's', action: () => mark(ACT, S211, PS.H) },
                    },
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

/** A trace recorder in the book's format: `s1-ENTRY;`, `s1-A;`. Allocates (strings): for trace tests only. */
export class TraceLog {
  text = '';
  readonly mark: Mark = (kind, state, sig) => {
    const n = MARK_NAMES[state]!;
    this.text += kind === ENTRY ? n + '-ENTRY;' : kind === EXIT ? n + '-EXIT;' : kind === INIT ? n + '-INIT;' : n + '-' + SIGNAL_NAMES[sig] + ';';
  };
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }
}
