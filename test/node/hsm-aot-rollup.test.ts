// keel/rollup (tools/hsm-aot/rollup.ts): bundles test/node/hsm-aot-fixture.ts
// and the examples through the plugin, then checks that the statically
// written machines were compiled (machines made from them run the generated
// dispatch, with the same traces as the table interpreter on the same
// events), and that the others were left to the interpreter with a warning
// naming the machine and why.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import replace from '@rollup/plugin-replace';
import { strict as assert } from '../support/assert.js';
import { findRoot } from '../support/repo-root.js';
import keelHsm from '../../tools/hsm-aot/rollup.js';
import * as ref from './hsm-aot-fixture.js';
import { TraceLog, PS } from '../hsm/hsm-psicc2.fixture.js';
import type { ExamplesRun } from './hsm-aot-examples-fixture.js';

interface Built {
  mod: typeof ref;
  compiled: { name: string; form: string }[];
  skipped: { name: string; reason: string }[];
  warnings: string[];
}

async function build(input: Record<string, string>, out: string, withPlugin = true): Promise<Built> {
  const root = findRoot();
  const compiled: Built['compiled'] = [];
  const skipped: Built['skipped'] = [];
  const warnings: string[] = [];
  const bundle = await rollup({
    input,
    plugins: [
      replace({ preventAssignment: true, values: { ['DEB' + 'UG']: 'true' } }),
      typescript({
        tsconfig: join(root, 'tsconfig.json'),
        compilerOptions: { noCheck: true, noEmit: false, declaration: false, sourceMap: false, types: [] },
        include: ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'hosts/**/*.ts'],
        outputToFilesystem: false,
      }),
      withPlugin && keelHsm({
        hsmModule: join(root, 'src', 'hsm.ts'),
        onCompiled: (i) => compiled.push({ name: i.name, form: i.form }),
        onSkipped: (i) => skipped.push({ name: i.name, reason: i.reason }),
      }),
    ],
    external: (id) => id.startsWith('node:'),
    onwarn: (w) => { warnings.push(w.message); },
  });
  const dir = join(root, 'build', 'test', out);
  await bundle.write({ dir, format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' });
  await bundle.close();
  const first = Object.keys(input)[0]!;
  const mod = (await import(pathToFileURL(join(dir, first + '.mjs')).href + '?' + Date.now())) as typeof ref;
  return { mod, compiled, skipped, warnings };
}

describe('keel/rollup: defineHsm compiled ahead of time at bundle time', function () {
  this.timeout(120000);
  let b: Built;
  before(async function () {
    b = await build({ fixture: join(findRoot(), 'test', 'node', 'hsm-aot-fixture.ts') }, 'hsm-aot-rollup');
  });

  it('compiles the static specs (flat, PSiCC2) and skips the others with a warning naming the machine and why', function () {
    assert.deepEqual(b.compiled.map((c) => c.name).sort(), ['flat3', 'psicc2'], b.warnings.join('\n'));
    assert.deepEqual(b.skipped.map((s) => s.name).sort(), ["'imported'", "'param'"]);
    const why = Object.fromEntries(b.skipped.map((s) => [s.name, s.reason]));
    assert.ok(/'signals' are not known at build time/.test(why["'imported'"]!), why["'imported'"]);
    assert.ok(/'initial' is not known at build time/.test(why["'param'"]!), why["'param'"]);
    assert.equal(b.warnings.filter((w) => w.includes('keel/rollup: defineHsm ')).length, 2, b.warnings.join('\n'));
  });

  it('machines made from compiled definitions run the generated dispatch, with the interpreter\'s traces', function () {
    // PSiCC2: the bundled (compiled) machine against the reference import.
    const x = new TraceLog();
    const y = new TraceLog();
    const m1 = new ref.Hsm(ref.psicc2(x.mark));
    const m2 = new b.mod.Hsm(b.mod.psicc2(y.mark));
    assert.ok(Object.prototype.hasOwnProperty.call(m2, 'dispatch'), 'compiled dispatch installed');
    assert.ok(!Object.prototype.hasOwnProperty.call(m1, 'dispatch'));
    m1.start();
    m2.start();
    for (let k = 0; k < 200; k++) {
      const sig = 1 + ((k * 7) % 9);
      assert.equal(m2.dispatch(sig, k, 0, 0, 0), m1.dispatch(sig, k, 0, 0, 0));
    }
    assert.equal(y.text, x.text);
    assert.equal(m2.currentName, m1.currentName);
    // Flat: closures over the log, a guard with a parameter, a deferral.
    const la: string[] = [];
    const lb: string[] = [];
    const f1 = new ref.Hsm(ref.flat(la));
    const f2 = new b.mod.Hsm(b.mod.flat(lb));
    assert.ok(Object.prototype.hasOwnProperty.call(f2, 'dispatch'));
    f1.start();
    f2.start();
    const F = ref.FLAT_SIGNALS;
    const seq = [F.TICK, F.NEXT, F.TICK, F.NEXT, F.TICK, F.TICK, F.NEXT, F.TICK, F.NEXT];
    for (let k = 0; k < seq.length; k++) assert.equal(f2.dispatch(seq[k]!, k % 2, 0, 0, 0), f1.dispatch(seq[k]!, k % 2, 0, 0, 0));
    assert.deepEqual(lb, la);
    assert.deepEqual([f2.ignored, f2.deferred, f2.ctx.ticks], [f1.ignored, f1.deferred, f1.ctx.ticks]);
    // Skipped ones still work, on the interpreter.
    const s = new b.mod.Hsm(b.mod.importedSignals());
    assert.ok(!Object.prototype.hasOwnProperty.call(s, 'dispatch'));
    s.start();
    assert.equal(s.dispatch(PS.A, 0, 0, 0, 0), 2);
  });

  it('the examples: every machine is compiled, and the simulated firmware behaves exactly as on the interpreter', async function () {
    const root = findRoot();
    const input = { 'examples-run': join(root, 'test', 'node', 'hsm-aot-examples-fixture.ts') };
    const aot = await build(input, 'hsm-aot-rollup-examples', true);
    const plain = await build(input, 'hsm-aot-rollup-examples-plain', false);
    assert.deepEqual(aot.skipped, []);
    assert.deepEqual(aot.compiled.map((c) => c.name + ' ' + c.form).sort(), ['blinker table', 'debouncer switch', 'parser table', 'port table']);
    assert.deepEqual(plain.compiled, []);
    type Run = (seed: number, faults: boolean, cycles: number) => ExamplesRun;
    const runA = (aot.mod as unknown as { runExamples: Run }).runExamples;
    const runB = (plain.mod as unknown as { runExamples: Run }).runExamples;
    for (const [seed, faults] of [[1, false], [7, true], [42, true]] as const) {
      const a = runA(seed, faults, 3);
      const b = runB(seed, faults, 3);
      assert.equal(a.compiledMachines, 4);
      assert.equal(b.compiledMachines, 0);
      assert.ok(b.dispatched > 100, `dispatched ${b.dispatched}`);
      assert.equal(a.trace, b.trace, `seed ${seed}: simulator traces differ`);
      assert.deepEqual({ ...a, compiledMachines: 0 }, { ...b, compiledMachines: 0 });
    }
  });
});
