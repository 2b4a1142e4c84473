// Differential tests of the ahead-of-time compiled hsm (tools/hsm-aot) against
// the table interpreter (src/hsm/machine.ts, the reference): the PSiCC2
// machine (the book's run, then random sequences), the bench's flat and ring
// machines, and random machines (trees up to depth 5, guard lists, internal /
// self / local / external transitions, shallow and deep history, deferral
// with recall, actions that post) with random event sequences. Both machines
// get the same events; traces (every entry, exit, initial action, guard call
// and action, with parameters), dispatch results, final leaves, contexts,
// history records and every counter must be identical.
//
// The random machine count is a parameter: KEEL_AOT_RUNS in the environment
// (Node), default 1,000 (both engines).
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { defineHsm, defineSignals, Hsm, HsmDefinitionError, type HsmDefinition, type HsmStateSpec } from '../../src/hsm.js';
import { compileHsm, compiledModule, handlerArity } from '../../tools/hsm-aot/compile.js';
import { Trace } from '../../src/trace.js';
import type { HsmCompiledDispatch } from '../../src/hsm/define.js';
import { attachCompiled, compiledDefinition, compiledMachine, loadCompiled } from '../../tools/hsm-aot/load.js';
import { psicc2, PS, TraceLog, type PsCtx } from './hsm-psicc2.fixture.js';
import { Prng } from '../../hosts/sim/prng.js';

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
const RUNS = Number(env?.KEEL_AOT_RUNS ?? 1000);

const BOOK = [PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C];

function counters(m: Hsm<any>): number[] {
  return [m.ignored, m.deferred, m.deferDropped, m.recalled, m.recallRefused, m.refused, m.deferredCount, m.queued, m.current];
}

describe('hsm AOT: compiled machines against the table interpreter', function () {
  this.timeout(onXs ? 300000 : 120000);

  it('PSiCC2, every form: the book run and 500 random sequences give the same trace, results and leaves', function () {
    for (const form of ['table', 'switch', 'shared', 'compact'] as const) psicc2Against(form);
  });
});

function psicc2Against(form: 'table' | 'switch' | 'shared' | 'compact'): void {
  {
    const a = new TraceLog();
    const b = new TraceLog();
    const ref = new Hsm(psicc2(a.mark));
    const aot = compiledMachine<PsCtx>(psicc2(b.mark), {}, { form });
    ref.start();
    aot.start();
    assert.equal(b.take(), a.take());
    for (const s of BOOK) {
      assert.equal(aot.dispatch(s, 0, 0, 0, 0), ref.dispatch(s, 0, 0, 0, 0));
      assert.equal(b.take(), a.take());
      assert.equal(aot.currentName, ref.currentName);
    }
    const r = new Prng(7);
    for (let run = 0; run < 500; run++) {
      const x = new TraceLog();
      const y = new TraceLog();
      const m1 = new Hsm(psicc2(x.mark));
      const m2 = compiledMachine<PsCtx>(psicc2(y.mark), {}, { form });
      m1.start();
      m2.start();
      for (let k = 0; k < 30; k++) {
        const sig = Math.floor(r.next() * 11); // 0..10: one below and one above the declared signals
        assert.equal(m2.dispatch(sig, k, 0, 0, 0), m1.dispatch(sig, k, 0, 0, 0));
      }
      assert.equal(y.text, x.text);
      assert.equal(m2.ctx.foo, m1.ctx.foo);
      assert.deepEqual(counters(m2), counters(m1));
    }
  }
}

describe('hsm AOT: compiled machines against the table interpreter (checks)', function () {
  this.timeout(onXs ? 300000 : 120000);

  it('a compiled class refuses a definition of a different shape (BAD_OPTION), and the module text imports keel/hsm', function () {
    const D = loadCompiled<PsCtx>(compileHsm(psicc2(() => {})));
    const other = defineHsm({ name: 'other', signals: { A: 1 }, context: () => ({ n: 0 }), initial: 'x', states: { x: {} } });
    assert.throws(() => attachCompiled(D, other as unknown as HsmDefinition<PsCtx>), (e: unknown) => e instanceof HsmDefinitionError && e.code === 'BAD_OPTION');
    // Through defineHsm's second argument (what keel/rollup writes): a definition of another shape throws at new Hsm.
    assert.throws(() => new Hsm(defineHsm({ name: 'other', signals: { A: 1 }, context: () => ({ foo: 0 }), initial: 'x', states: { x: {} } }, D)), (e: unknown) => e instanceof HsmDefinitionError && e.code === 'BAD_OPTION');
    // A handler compiled to get fewer arguments than the run-time one declares: refused too.
    const spec = (entry: (c: { n: number }, m: Hsm<{ n: number }>) => void) =>
      defineHsm({ name: 'arity', signals: { A: 1 }, context: () => ({ n: 0 }), initial: 'x', states: { x: { entry, on: { A: 'y' } }, y: { on: { A: 'x' } } } });
    const A = loadCompiled<{ n: number }>(compileHsm(spec(() => {})));
    if (handlerArity(() => {}, 2) === 0) {
      // The compiler read the handler's source (Node, as at build time) and passes it no arguments.
      assert.throws(() => attachCompiled(A, spec((c) => { c.n++; })), (e: unknown) => e instanceof HsmDefinitionError && e.code === 'BAD_OPTION');
    } else {
      // No source to read (XS: toString gives none): every handler gets all its arguments, nothing to refuse.
      assert.equal(handlerArity((c: number) => c, 2), 2);
      assert.equal(attachCompiled(A, spec((c) => { c.n++; })).name, 'arity');
    }
    assert.equal(attachCompiled(A, spec(() => {})).name, 'arity');
    const mod = compiledModule(compileHsm(psicc2(() => {}), { exportName: 'psicc2Dispatch' }));
    assert.ok(mod.startsWith('import { HsmDefinitionError, HsmUsageError } from "keel/hsm";\n'));
    assert.ok(mod.includes('export const psicc2Dispatch = (function (HsmDefinitionError, HsmUsageError)'));
  });

  it('defineHsm(spec, compiled): every machine made from the definition runs the compiled dispatch; a traced one keeps the trace hook', function () {
    const S = defineSignals(['GO', 'BACK']);
    const make = (log: string[], compiled?: HsmCompiledDispatch<{ n: number }>) =>
      defineHsm(
        {
          name: 'viaDefine',
          signals: S,
          context: () => ({ n: 0 }),
          initial: 'a',
          states: {
            a: { entry: () => { log.push('a+'); }, exit: () => { log.push('a-'); }, on: { GO: { target: 'b', action: (c, p0) => { c.n += p0; log.push('go'); } } } },
            b: { entry: () => { log.push('b+'); }, on: { BACK: 'a', GO: { action: () => { log.push('again'); } } } },
          },
        },
        compiled,
      );
    const D = loadCompiled<{ n: number }>(compileHsm(make([])));
    const want: string[] = [];
    const got: string[] = [];
    const plain = new Hsm(make(want));
    const aot = new Hsm(make(got, D));
    assert.ok(Object.prototype.hasOwnProperty.call(aot, 'dispatch'), 'the compiled dispatch is installed');
    assert.ok(!Object.prototype.hasOwnProperty.call(plain, 'dispatch'));
    plain.start();
    aot.start();
    const seq = [S.GO, S.GO, S.BACK, S.BACK, S.GO, 7];
    for (let k = 0; k < seq.length; k++) assert.equal(aot.dispatch(seq[k]!, k, 0, 0, 0), plain.dispatch(seq[k]!, k, 0, 0, 0));
    assert.deepEqual(got, want);
    assert.deepEqual(counters(aot), counters(plain));
    assert.equal(aot.ctx.n, plain.ctx.n);
    // Frozen prototypes (a Moddable preload): Hsm.prototype.dispatch is read-only; the compiled one is still installed.
    class Frozen<C> extends Hsm<C> {}
    Object.defineProperty(Frozen.prototype, 'dispatch', { value: Hsm.prototype.dispatch, writable: false, configurable: false });
    Object.freeze(Frozen.prototype);
    const fz = new Frozen(make([], D));
    assert.ok(Object.prototype.hasOwnProperty.call(fz, 'dispatch'));
    fz.start();
    assert.equal(fz.dispatch(S.GO, 1, 0, 0, 0), 2);
    // Traced: the trace hook's dispatch (table forms) stays.
    const traced = new Hsm(make([], D), { trace: new Trace({ clock: () => 0 }) });
    assert.notEqual(traced.dispatch, aot.dispatch);
    traced.start();
    assert.equal(traced.dispatch(S.GO, 1, 0, 0, 0), 2);
  });

  it('omitted parameters arrive as 0, re-entrant dispatch and dispatch before start throw as in the interpreter', function () {
    const S = defineSignals(['GO', 'BACK']);
    const seen: number[] = [];
    const def = defineHsm({
      name: 'params',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'a',
      states: {
        a: { on: { GO: { target: 'b', action: (_c, p0, p1, p2, p3) => { seen.push(p0, p1, p2, p3); } } } },
        b: { on: { BACK: { target: 'a', action: (_c, _p0, _p1, _p2, _p3, m) => { m.dispatch(S.GO, 1, 1, 1, 1); } } } },
      },
    });
    const m = compiledMachine(def);
    assert.throws(() => m.dispatch(S.GO, 0, 0, 0, 0), (e: unknown) => (e as { code?: string }).code === 'NOT_STARTED');
    m.start();
    assert.equal(m.dispatch(S.GO, 5), 2);
    assert.deepEqual(seen, [5, 0, 0, 0]);
    assert.throws(() => m.dispatch(S.BACK, 0, 0, 0, 0), (e: unknown) => (e as { code?: string }).code === 'REENTRANT_DISPATCH');
  });

  it(`${RUNS} random machines with random event sequences, each compiled in every form (and through keel/rollup's tables): identical traces, results, leaves, contexts, history and counters (${onXs ? 'XS' : 'Node'})`, function () {
    let transitions = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.record({ sig: fc.integer({ min: 0, max: NSIG + 1 }), p0: fc.integer({ min: 0, max: 9 }), p1: fc.integer({ min: 0, max: 9 }) }), { maxLength: 25 }),
        (seed, events) => {
          const sts = randomMachine(seed);
          const results: number[] = [];
          // The reference first (results and leaves per event), then both generated forms, each with its own log.
          const want: string[] = [];
          const ref = build(sts, want, null);
          const leaves: number[] = [];
          ref.start();
          for (const e of events) {
            ref.ctx.budget = 3;
            results.push(ref.send(e.sig, e.p0, e.p1));
            leaves.push(ref.current);
          }
          for (const form of FORMS) {
            const got: string[] = [];
            const aot = build(sts, got, form);
            aot.start();
            for (let k = 0; k < events.length; k++) {
              const e = events[k]!;
              aot.ctx.budget = 3;
              assert.equal(aot.send(e.sig, e.p0, e.p1), results[k]);
              assert.equal(aot.current, leaves[k]);
              compared++;
            }
            assert.deepEqual(got, want);
            assert.equal(aot.ctx.v, ref.ctx.v);
            assert.deepEqual(counters(aot), counters(ref));
            for (let s = 0; s < sts.length; s++) assert.equal(aot.historyOf(s), ref.historyOf(s));
          }
          for (const line of want) if (line.endsWith(':exit')) transitions++;
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(transitions > RUNS, `the random machines must exercise transitions (saw ${transitions} exits)`);
    assert.ok(compared > RUNS, `events compared: ${compared}`);
  });
});

// ---- random machines (as test/hsm-diff.test.ts, with guard calls logged) --------------

const NSIG = 4;
const SIGNALS = { A: 1, B: 2, C: 3, D: 4 } as const;
const SIGNAMES = ['', 'A', 'B', 'C', 'D'];

interface Tr {
  target: number;
  guard: number;
  arg: number;
  post: number;
  external: boolean;
  history: boolean;
  withAction: boolean;
}
interface St {
  name: string;
  parent: number;
  kids: number[];
  init: number;
  initAction: boolean;
  history: 0 | 1 | 2;
  recall: 0 | 1 | 2;
  entry: boolean;
  exit: boolean;
  on: (Tr[] | undefined)[];
  defer: number[];
}

function depthOf(sts: St[], i: number): number {
  let d = 0;
  for (let x = i; x > 0; x = sts[x]!.parent) d++;
  return d;
}
function isAnc(sts: St[], a: number, d: number): boolean {
  for (let x = sts[d]!.parent; x >= 0; x = sts[x]!.parent) if (x === a) return true;
  return false;
}

function randomMachine(seed: number): St[] {
  const p = new Prng(seed);
  const int = (n: number): number => Math.floor(p.next() * n);
  const n = 1 + int(9);
  const sts: St[] = [{ name: 'top', parent: -1, kids: [], init: -1, initAction: true, history: 0, recall: 0, entry: false, exit: false, on: [], defer: [] }];
  for (let i = 1; i <= n; i++) {
    let q = int(i);
    while (q > 0 && depthOf(sts, q) >= 5) q = sts[q]!.parent;
    sts.push({ name: 's' + i, parent: q, kids: [], init: -1, initAction: int(2) === 0, history: 0, recall: 0, entry: int(4) !== 0, exit: int(4) !== 0, on: [], defer: [] });
    sts[q]!.kids.push(i);
  }
  for (let i = 0; i <= n; i++) {
    const st = sts[i]!;
    if (st.kids.length > 0) {
      const desc: number[] = [];
      for (let j = 1; j <= n; j++) if (isAnc(sts, i, j)) desc.push(j);
      st.init = desc[int(desc.length)]!;
      if (i > 0) st.history = int(3) as 0 | 1 | 2;
    }
  }
  for (let i = 1; i <= n; i++) {
    const st = sts[i]!;
    st.recall = int(4) === 0 ? ((1 + int(2)) as 1 | 2) : 0;
    if (st.recall !== 0) st.entry = true;
    for (let sig = 1; sig <= NSIG; sig++) {
      const roll = p.next();
      if (roll < 0.4) {
        const list: Tr[] = [];
        const k = 1 + int(3);
        for (let j = 0; j < k; j++) {
          const target = int(5) === 0 ? -1 : 1 + int(n);
          const g = int(3);
          const hist = target > 0 && sts[target]!.history !== 0 && int(2) === 0;
          list.push({ target, guard: g, arg: int(g === 2 ? 3 : 2), post: int(4) === 0 ? 1 + int(NSIG) : 0, external: target > 0 && int(3) === 0, history: hist, withAction: int(5) !== 0 });
        }
        st.on[sig] = list;
      } else if (roll < 0.5) st.defer.push(sig);
    }
  }
  return sts;
}

interface Ctx {
  v: number;
  budget: number;
}

/** The generated forms, and 'tables': keel/rollup's device path (tables + defineCompiledHsm over a second spec object, compact form). */
const FORMS = ['table', 'switch', 'shared', 'compact', 'tables'] as const;

/** The machine as the table interpreter (form null) or compiled in the given form. */
function build(sts: St[], log: string[], form: (typeof FORMS)[number] | null): Hsm<Ctx> {
  const spec = (i: number): HsmStateSpec<Ctx, typeof SIGNALS> => {
    const st = sts[i]!;
    const on: Record<string, unknown> = {};
    for (let sig = 1; sig <= NSIG; sig++) {
      const list = st.on[sig];
      if (list === undefined) continue;
      on[SIGNAMES[sig]!] = list.map((tr, j) => ({
        target: tr.target < 0 ? undefined : sts[tr.target]!.name,
        guard:
          tr.guard === 0
            ? undefined
            : (c: Ctx, p0: number, p1: number, p2: number, p3: number) => {
                log.push(`${st.name}:${SIGNAMES[sig]}#${j}?(${p0},${p1},${p2},${p3})`);
                return tr.guard === 1 ? p0 % 2 === tr.arg : c.v % 3 === tr.arg;
              },
        action: !tr.withAction
          ? undefined
          : (c: Ctx, p0: number, p1: number, p2: number, p3: number, m: Hsm<Ctx>) => {
              log.push(`${st.name}:${SIGNAMES[sig]}#${j}(${p0},${p1},${p2},${p3}) in ${m.currentName}`);
              c.v = (c.v * 5 + sig + p0) % 11;
              if (tr.post !== 0 && c.budget > 0) {
                c.budget--;
                m.post(tr.post, c.v, p0);
              }
            },
        kind: tr.target < 0 ? undefined : tr.external ? 'external' : 'local',
        history: tr.history ? true : undefined,
      }));
    }
    const kids: Record<string, HsmStateSpec<Ctx, typeof SIGNALS>> = {};
    for (const k of st.kids) kids[sts[k]!.name] = spec(k);
    return {
      entry: !st.entry
        ? undefined
        : (_c, m) => {
            log.push(st.name + ':entry');
            if (st.recall === 1) m.recall();
            else if (st.recall === 2) m.recallAll();
          },
      exit: !st.exit ? undefined : () => { log.push(st.name + ':exit'); },
      initial: st.init < 0 ? undefined : { target: sts[st.init]!.name, action: st.initAction ? () => { log.push(st.name + ':init'); } : undefined },
      history: st.history === 0 ? undefined : st.history === 1 ? 'shallow' : 'deep',
      on: on as never,
      defer: st.defer.length === 0 ? undefined : st.defer.map((s) => SIGNAMES[s]! as keyof typeof SIGNALS),
      states: st.kids.length === 0 ? undefined : kids,
    };
  };
  const specOf = () => {
    const topKids: Record<string, HsmStateSpec<Ctx, typeof SIGNALS>> = {};
    for (const k of sts[0]!.kids) topKids[sts[k]!.name] = spec(k);
    return {
      name: 'random',
      signals: SIGNALS,
      context: () => ({ v: 0, budget: 0 }),
      initial: { target: sts[sts[0]!.init]!.name, action: () => { log.push('top:init'); } },
      states: topKids,
    };
  };
  const opts = { deferCapacity: 3, queueCapacity: 4 };
  if (form === 'tables') return new Hsm(compiledDefinition<Ctx>(specOf(), specOf(), { form: 'compact' }), opts);
  const def = defineHsm(specOf() as never) as HsmDefinition<Ctx>;
  return form === null ? new Hsm(def, opts) : compiledMachine(def, opts, { form });
}
