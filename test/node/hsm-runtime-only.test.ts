// A machine compiled ahead of time ships without the hsm compiler (issue 16):
//  - the runtime modules (keel/hsm-runtime, the kernel, pool, queue, timer,
//    active-machine) never import src/hsm/define.ts, by their static import
//    closure over the sources;
//  - keel/rollup's output for a module whose defineHsm calls were all
//    compiled imports keel/hsm-runtime only (the defineHsm import is gone);
//    a call it leaves to the interpreter keeps the import;
//  - Keel's device app manifest (manifest_app.json) excludes the compiler's
//    modules from the build ("~"), so its archive has none of them
//    (`npm run check:moddable` links and runs it with the real SDK).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { rollup } from 'rollup';
import { strict as assert } from 'node:assert';
import { findRoot } from '../support/repo-root.js';
import keelHsm from '../../tools/hsm-aot/rollup.js';

const root = findRoot();

/** Relative modules `file` imports at run time (type-only imports and `import type` left out). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(?!type\b)([^'";]*?)\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    // `import { type A, type B } from` imports nothing at run time.
    const names = m[2]!.replace(/[{}]/g, '').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    out.push(resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

function closure(entries: string[]): string[] {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...runtimeImports(f));
  }
  return [...seen].map((f) => relative(root, f).split('\\').join('/')).sort();
}

describe('a machine compiled ahead of time ships without the hsm compiler', function () {
  this.timeout(60000);

  it('the runtime modules never reach src/hsm/define.ts; keel/hsm does', function () {
    const runtime = closure(['hsm-runtime', 'kernel', 'pool', 'queue', 'timer', 'active-machine'].map((m) => join(root, 'src', m + '.ts')));
    assert.ok(runtime.includes('src/hsm/machine.ts') && runtime.includes('src/hsm/definition.ts'), runtime.join(' '));
    assert.ok(!runtime.includes('src/hsm/define.ts'), `the runtime reaches the compiler: ${runtime.join(' ')}`);
    assert.ok(!runtime.includes('src/hsm.ts'));
    assert.ok(closure([join(root, 'src', 'hsm.ts')]).includes('src/hsm/define.ts'), 'the import scan sees the compiler when it is there');
  });

  it('keel/rollup drops the defineHsm import when every call was compiled, and imports keel/hsm-runtime', async function () {
    const bundle = async (code: string): Promise<string> => {
      const b = await rollup({
        input: 'entry',
        plugins: [
          { name: 'virtual', resolveId: (id) => (id === 'entry' ? id : null), load: (id) => (id === 'entry' ? code : null) },
          keelHsm({ onSkipped: () => {} }),
        ],
        external: (id) => id.startsWith('keel'),
        onwarn: () => {},
      });
      const out = await b.generate({ format: 'es' });
      await b.close();
      return out.output[0].code;
    };
    const spec = `{ name: 'm', signals: { A: 1 }, context: () => ({ n: 0 }), initial: 'x', states: { x: { on: { A: 'y' } }, y: { on: { A: 'x' } } } }`;
    const all = await bundle(`import { defineHsm, Hsm } from 'keel/hsm';\nexport const def = defineHsm(${spec});\nexport const m = new Hsm(def);\n`);
    assert.ok(!/defineHsm[ ,}]/.test(all.replace(/__keelDefineCompiledHsm|defineCompiledHsm/g, '')), all);
    assert.match(all, /from 'keel\/hsm-runtime'/);
    assert.match(all, /import \{ Hsm \} from 'keel\/hsm'/, 'other names of the import stay');
    const only = await bundle(`import { defineHsm } from 'keel/hsm';\nexport const def = defineHsm(${spec});\n`);
    assert.ok(!/from 'keel\/hsm'/.test(only), only);
    // A call left to the interpreter (its signals are a parameter) keeps the import.
    const mixed = await bundle(`import { defineHsm } from 'keel/hsm';\nexport const def = defineHsm(${spec});\nexport const f = (s) => defineHsm({ name: 'p', signals: s, context: () => ({}), initial: 'x', states: { x: {} } });\n`);
    assert.match(mixed, /import \{ defineHsm \} from 'keel\/hsm'/);
  });

  it("manifest_app.json excludes the compiler's modules from Keel's device builds", function () {
    const app = JSON.parse(readFileSync(join(root, 'manifest_app.json'), 'utf8')) as { modules: Record<string, string | string[]> };
    const excluded = app.modules['~'];
    assert.ok(Array.isArray(excluded), 'a "~" list in modules');
    for (const m of ['./dist/xs/hsm/define', './dist/xs/hsm', './dist/xs/index', './dist/entry/keel']) assert.ok(excluded.includes(m), `excludes ${m}`);
  });
});
