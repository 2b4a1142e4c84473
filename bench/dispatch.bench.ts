// Foundation bench: the dispatch primitives Keel's modules are built from,
// against the idioms they replace. A function table made at start-up and an
// integer switch are the zero-allocation ways to route a signal; an object
// literal per event and a closure per event are what they replace.
import { defineBench } from './harness.js';

type Handler = (ctx: Int32Array, a: number) => void;

export default defineBench('dispatch', [
  {
    name: 'integer switch (baseline)',
    make() {
      const ctx = new Int32Array(4);
      let sig = 0;
      return () => {
        sig = (sig + 1) & 3;
        switch (sig) {
          case 0: ctx[0]!++; break;
          case 1: ctx[1]! += 2; break;
          case 2: ctx[2]! += 3; break;
          default: ctx[3]! += 4;
        }
      };
    },
  },
  {
    name: 'function table made at start-up',
    baseline: 'integer switch (baseline)',
    make() {
      const ctx = new Int32Array(4);
      const table: Handler[] = [
        (c, a) => { c[0]! += a; },
        (c, a) => { c[1]! += a * 2; },
        (c, a) => { c[2]! += a * 3; },
        (c, a) => { c[3]! += a * 4; },
      ];
      let sig = 0;
      return () => {
        sig = (sig + 1) & 3;
        table[sig]!(ctx, 1);
      };
    },
  },
  {
    name: 'event object literal per dispatch',
    baseline: 'integer switch (baseline)',
    make() {
      const ctx = new Int32Array(4);
      let sig = 0;
      const handle = (e: { sig: number; a: number }): void => { ctx[e.sig]! += e.a; };
      return () => {
        sig = (sig + 1) & 3;
        handle({ sig, a: 1 });
      };
    },
  },
  {
    name: 'closure per dispatch',
    baseline: 'integer switch (baseline)',
    make() {
      const ctx = new Int32Array(4);
      let sig = 0;
      const run = (f: () => void): void => f();
      return () => {
        sig = (sig + 1) & 3;
        const s = sig;
        run(() => { ctx[s]!++; });
      };
    },
  },
]);
