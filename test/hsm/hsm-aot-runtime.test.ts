// The runtime half of keel/rollup (src/hsm/definition.ts: hsmTables,
// defineCompiledHsm, specShape) and the device builds' generated forms
// ('compact', 'shared'): a definition made at boot from tables compiled at
// build time and the spec's handlers, without the compiler, against the
// table interpreter on a machine with timers (after with a fixed delay, a
// named delay given as a number and as a function of the context, every;
// user entries and exits on timed states, a timed composite), under the
// kernel, event by event and tick by tick; the checks of the spec at boot
// (another structure, a bad delay); and no allocation per dispatch on XS for
// the compact (switch, arrays captured), shared (one table for every
// machine) and tables forms, the first dispatch included, each next to a
// positive control. The generated module's shape: keel/rollup removes the
// defineHsm import when every call was compiled, and imports keel/hsm-runtime.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm, HsmDefinitionError, HSM_TRANSITION, type HsmDefinition } from '../../src/hsm.js';
import { defineCompiledHsm, specShape } from '../../src/hsm/definition.js';
import { Kernel } from '../../src/kernel.js';
import { compileHsm } from '../../tools/hsm-aot/compile.js';
import { compiledDefinition, compiledMachine, compiledTables, loadCompiled } from '../../tools/hsm-aot/load.js';

const S = defineSignals(['GO', 'BACK']);

interface TCtx {
  n: number;
  slow: number;
}

/** A machine with every kind of timer and handlers on timed states; `log` gets every handler call. */
function timedSpec(log: string[], period: number | ((c: TCtx) => number)) {
  return {
    name: 'timed',
    signals: S,
    context: (): TCtx => ({ n: 0, slow: 70 }),
    delays: { period, slow: (c: TCtx): number => c.slow, unused: 5 },
    initial: 'a',
    states: {
      a: {
        entry: () => { log.push('a+'); },
        exit: () => { log.push('a-'); },
        after: { 50: 'b' },
        on: { GO: 'c' },
      },
      b: {
        every: { period: { action: (c: TCtx) => { c.n++; log.push('tick ' + c.n); } } },
        after: { slow: 'c' },
        on: { BACK: 'a' },
      },
      c: {
        exit: () => { log.push('c-'); },
        initial: 'c1',
        after: { 200: 'a' },
        states: {
          c1: { after: { 30: 'c2' } },
          c2: { entry: () => { log.push('c2+'); }, on: { GO: 'c1', BACK: 'a' } },
        },
      },
    },
  } as const;
}

/** Runs `def` under a kernel for `ms` milliseconds with events at given times; returns the log, leaf names and counters. */
function runTimed(def: HsmDefinition<TCtx>, log: string[], ms: number, events: [number, number][]): string[] {
  let now = 0;
  const kernel = new Kernel({ maxObjects: 1, timers: 8, host: { now: () => now } });
  const ao = kernel.spawnMachine(def, { priority: 1, queueCapacity: 8 });
  const out: string[] = [];
  let e = 0;
  for (now = 0; now <= ms; now += 5) {
    while (e < events.length && events[e]![0] <= now) kernel.post(ao.ao, events[e++]![1]);
    kernel.tick(now);
    kernel.run();
    out.push(`${now} ${ao.hsm.currentName} ${log.splice(0).join(',')}`);
  }
  out.push(`counters ${ao.hsm.ignored} ${ao.hsm.ctx.n} ${kernel.staleExpiries}`);
  return out;
}

describe('hsm AOT runtime: definitions from keel/rollup tables (defineCompiledHsm), without the compiler', function () {
  it('a machine with after, every, named delays (a number, a function) and handlers on timed states: the same run as the table interpreter, tick by tick', function () {
    const events: [number, number][] = [[120, S.BACK], [180, S.GO], [260, S.GO], [300, S.BACK], [330, S.GO], [420, S.GO], [560, S.BACK]];
    for (const period of [20, (c: TCtx): number => 15 + c.n] as const) {
      const wantLog: string[] = [];
      const gotLog: string[] = [];
      const want = runTimed(defineHsm(timedSpec(wantLog, period)) as HsmDefinition<TCtx>, wantLog, 800, events);
      // Tables compiled from one spec object (build time), the definition made from another with the same structure (boot).
      const def = compiledDefinition<TCtx>(timedSpec([], period), timedSpec(gotLog, period), { form: 'compact' });
      assert.ok(def.compiled !== undefined, 'the definition carries the compiled dispatch');
      // The timed states' entries and exits are keel/rollup's (written in the module), the user's moved behind them.
      assert.ok(def.fns.length > 2 * def.stateCount, `fns holds the user entries of timed states (${def.fns.length})`);
      const got = runTimed(def, gotLog, 800, events);
      assert.deepEqual(got, want);
      assert.ok(want.some((l) => l.includes('tick 3')) && want.some((l) => l.includes('c2+')), 'the run went through every timer');
    }
  });

  it('checks the run-time spec against the tables: another structure or handler set is BAD_SPEC, a bad delay BAD_DELAY, a delay of the wrong type BAD_SPEC', function () {
    const log: string[] = [];
    const tables = compiledTables(timedSpec(log, 20));
    const compiled = loadCompiled<TCtx>(compileHsm(defineHsm(timedSpec(log, 20)) as HsmDefinition<TCtx>));
    // The same structure: fine (a named delay may be a number at build time and a function at boot).
    assert.equal(defineCompiledHsm(tables, timedSpec(log, () => 9), compiled).stateCount, 6);
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof HsmDefinitionError, String(e));
        return (e as HsmDefinitionError).code;
      }
      return 'none';
    };
    const retarget = { ...timedSpec(log, 20), initial: 'b' };
    assert.equal(code(() => defineCompiledHsm(tables, retarget, compiled)), 'BAD_SPEC');
    const spec = timedSpec(log, 20);
    const noExit = { ...spec, states: { ...spec.states, a: { ...spec.states.a, exit: undefined } } };
    assert.equal(code(() => defineCompiledHsm(tables, noExit, compiled)), 'BAD_SPEC');
    const extraEntry = { ...spec, states: { ...spec.states, b: { ...spec.states.b, entry: () => {} } } };
    assert.equal(code(() => defineCompiledHsm(tables, extraEntry, compiled)), 'BAD_SPEC');
    assert.equal(code(() => defineCompiledHsm(tables, timedSpec(log, 0), compiled)), 'BAD_DELAY', 'every: a period of 0 ms');
    assert.equal(code(() => defineCompiledHsm(tables, timedSpec(log, -1), compiled)), 'BAD_DELAY');
    assert.equal(code(() => defineCompiledHsm(tables, timedSpec(log, 'x' as unknown as number), compiled)), 'BAD_SPEC');
    const unusedBad = { ...spec, delays: { ...spec.delays, unused: -3 } };
    assert.equal(code(() => defineCompiledHsm(tables, unusedBad, compiled)), 'BAD_DELAY', 'every declared delay is checked, as defineHsm does');
    // Tables of another format: rebuild.
    assert.equal(code(() => defineCompiledHsm({ ...tables, specShape: -1 }, spec, compiled)), 'BAD_SPEC');
  });

  it('specShape hashes keys, names and list lengths, marks functions without their identity, and reads only the names of delays', function () {
    const f1: unknown[] = [];
    const f2: unknown[] = [];
    const h1 = specShape(timedSpec([], 20), f1);
    const h2 = specShape(timedSpec([], () => 3), f2);
    assert.equal(h1, h2, 'a delay value (number or function) is not structure');
    assert.equal(f1.length, f2.length);
    assert.ok(f1.every((f) => typeof f === 'function'));
    assert.notEqual(specShape({ ...timedSpec([], 20), initial: 'b' }, null), h1);
    assert.notEqual(specShape({ ...timedSpec([], 20), delays: { period: 20, slow: 1 } }, null), h1, 'delay names are structure');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    assert.equal(specShape(cyclic, null), -1);
  });
});

// ---- no allocation per dispatch (XS), device forms ----------------------------------

const A = defineSignals(['LEAF', 'CROSS', 'TICK']);

function allocSpec(counts: Int32Array) {
  return {
    name: 'alloc-forms',
    signals: A,
    context: () => ({ n: 0 }),
    initial: 'a',
    states: {
      a: {
        entry: () => { counts[0]!++; },
        exit: () => { counts[1]!++; },
        initial: 'a1',
        on: { TICK: { action: (c: { n: number }) => { c.n++; } } },
        states: {
          a1: { on: { LEAF: { action: (c: { n: number }, p0: number) => { c.n += p0; } }, CROSS: 'b1' } },
          a2: {},
          a3: {},
          a4: {},
          a5: {},
        },
      },
      b: { initial: 'b1', exit: () => { counts[2]!++; }, states: { b1: { on: { CROSS: 'a1', LEAF: { guard: (_c: unknown, p0: number) => p0 > 0, action: () => { counts[3]!++; } } } }, b2: {} } },
    },
  } as const;
}

describe('hsm AOT runtime: no allocation on dispatch in the device forms (XS counters; first dispatch after start included)', function () {
  for (const form of ['compact', 'shared', 'tables'] as const) {
    it(`${form}: leaf action, guarded action, cross-hierarchy transitions, then the positive control`, function () {
      const counts = new Int32Array(4);
      const m =
        form === 'tables'
          ? new Hsm(compiledDefinition<{ n: number }>(allocSpec(new Int32Array(4)), allocSpec(counts), { form: 'compact' }))
          : compiledMachine(defineHsm(allocSpec(counts)) as HsmDefinition<{ n: number }>, {}, { form });
      assert.ok(Object.prototype.hasOwnProperty.call(m, 'dispatch'), 'the generated dispatch is installed');
      m.start();
      const seq = new Uint8Array([A.LEAF, A.TICK, A.CROSS, A.LEAF, A.TICK, A.CROSS]);
      let i = 0;
      let r = 0;
      const step = (): void => {
        r = m.dispatch(seq[i]!, 1, 0, 0, 0);
        i = i === 5 ? 0 : i + 1;
      };
      assertNoAllocation(step, 6000, `AOT ${form} dispatch`);
      assert.equal(r, HSM_TRANSITION);
      assert.equal(m.currentName, 'a1');
      assert.deepEqual([counts[1], counts[2], counts[3]], [1000, 1000, 1000]);
      assert.equal(m.ctx.n, 2000);
      assertCatchesAllocation(step, 102, `AOT ${form} dispatch`);
    });
  }
});
