// Trace (src/trace.ts): the per-event cost of tracing on the two paths the
// issue names, kernel post + run and an hsm running PSiCC2's book sequence,
// in three settings each, in the same run: no trace (the baseline: the same
// code as bench/kernel.bench.ts and bench/hsm.bench.ts), a trace present but
// filtered out (every kind off), and a trace on (every kind; 'ring' mode, a
// ring of 256 that wraps; machines 'compact', the default: one record per
// event, and 'full' for comparison). Also a machine under the kernel
// (spawnMachine) and a pool claim + release, off / on. Targets (issue 18):
// filtered out <= 1.05x no trace; on <= 1.5x.
import { defineBench } from './harness.js';
import { Kernel, type Behaviour } from '../src/kernel.js';
import { defineHsm, defineSignals, Hsm } from '../src/hsm.js';
import { BlockPool } from '../src/pool.js';
import { Trace } from '../src/trace.js';
import { psicc2, PS } from '../test/hsm/hsm-psicc2.fixture.js';

class Work implements Behaviour {
  sum = 0;
  start(): void {}
  dispatch(sig: number, p0: number): void {
    this.sum += sig + p0;
  }
}

const BOOK = [PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C];

type Mode = 'none' | 'filtered' | 'on' | 'full' | 'stamped';

/** A trace for `mode` (null for 'none'); its clock is a counter (what a device's Time.ticks read costs is the host's). */
function traceFor(mode: Mode): Trace | undefined {
  if (mode === 'none') return undefined;
  const t = new Float64Array(1);
  // 'stamped': clock null, records carry trace.now (what Kernel.tick(now) sets).
  const clock = mode === 'stamped' ? null : () => (t[0]! += 1);
  const tr = new Trace({ clock, capacity: 256, machines: mode === 'full' ? 'full' : 'compact' });
  if (mode === 'filtered') tr.setKinds(0);
  return tr;
}

function kernelPostRun(mode: Mode): () => void {
  const k = new Kernel({ trace: traceFor(mode) });
  const aos = [1, 2, 3].map((p) => k.spawn({ create: () => new Work() }, p, 8));
  let i = 0;
  return () => {
    k.post(aos[i % 3]!, 1, i);
    i++;
    k.run();
  };
}

function hsmBook(mode: Mode): () => void {
  const marks = new Int32Array(4);
  const m = new Hsm(psicc2((kind) => { marks[kind]!++; }), { trace: traceFor(mode) });
  m.start();
  let i = 0;
  return () => {
    m.dispatch(BOOK[i]!, 0, 0, 0, 0);
    i = i === 20 ? 0 : i + 1;
  };
}

const T = defineSignals(['TOGGLE']);
function machinePostRun(mode: Mode): () => void {
  const k = new Kernel({ trace: traceFor(mode) });
  const m = k.spawnMachine(
    defineHsm({
      name: 'toggle',
      signals: T,
      context: () => ({ n: 0 }),
      initial: 'a',
      states: {
        a: { entry: (c) => { c.n++; }, on: { TOGGLE: 'b' } },
        b: { entry: (c) => { c.n++; }, on: { TOGGLE: 'a' } },
      },
    }),
    { priority: 1, queueCapacity: 8 },
  );
  return () => {
    k.post(m.ao, T.TOGGLE);
    k.run();
  };
}

function poolClaimRelease(mode: Mode): () => void {
  const p = new BlockPool({ name: 'bench', blockSize: 32, count: 4, trace: traceFor(mode) });
  return () => {
    p.release(p.claim());
  };
}

const K0 = 'kernel post + run (3 AOs), no trace (baseline)';
const H0 = 'hsm PSiCC2 book sequence, no trace (baseline)';
const M0 = 'spawnMachine post + run (2-state toggle), no trace (baseline)';
const P0 = 'BlockPool claim+release, no trace (baseline)';

export default defineBench('trace', [
  { name: K0, make: () => kernelPostRun('none') },
  { name: 'kernel post + run (3 AOs), trace filtered out', baseline: K0, make: () => kernelPostRun('filtered') },
  { name: 'kernel post + run (3 AOs), trace on (POST + DISPATCH)', baseline: K0, make: () => kernelPostRun('on') },
  { name: 'kernel post + run (3 AOs), trace on, clock: null (time from Kernel.tick)', baseline: K0, make: () => kernelPostRun('stamped') },
  { name: H0, make: () => hsmBook('none') },
  { name: 'hsm PSiCC2 book sequence, trace filtered out', baseline: H0, make: () => hsmBook('filtered') },
  { name: 'hsm PSiCC2 book sequence, trace on (DISPATCH, TRANSITION, EXIT, ENTRY, INIT)', baseline: H0, make: () => hsmBook('on') },
  { name: 'hsm PSiCC2 book sequence, trace on, clock: null (time from Kernel.tick)', baseline: H0, make: () => hsmBook('stamped') },
  { name: "hsm PSiCC2 book sequence, trace on, machines: 'full' (one record per step)", baseline: H0, make: () => hsmBook('full') },
  { name: M0, make: () => machinePostRun('none') },
  { name: 'spawnMachine post + run (2-state toggle), trace filtered out', baseline: M0, make: () => machinePostRun('filtered') },
  { name: 'spawnMachine post + run (2-state toggle), trace on', baseline: M0, make: () => machinePostRun('on') },
  { name: P0, make: () => poolClaimRelease('none') },
  { name: 'BlockPool claim+release, trace filtered out', baseline: P0, make: () => poolClaimRelease('filtered') },
  { name: 'BlockPool claim+release, trace on', baseline: P0, make: () => poolClaimRelease('on') },
]);
