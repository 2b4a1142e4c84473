// `npm run size`: what Keel costs in flash, module by module, measured on the
// release build (dist/xs: DEBUG checks and long error messages compiled out).
//
//   npm run size                  (builds dist/, then measures)
//   node scripts/size.mjs         (measures the dist/xs already built)
//
// Per module of dist/xs (public modules and the private ones of hsm/ and
// internal/):
//   min    bytes of the module minified by terser (compress + mangle, ES module);
//          always measured, SDK or not
//   xsb    bytes of the XS bytecode the Moddable SDK's `xsc` makes of it for a
//          release build (as mcconfig runs it: `xsc FILE -e -o DIR -r NAME`,
//          without -d); only where $MODDABLE points at an SDK with built tools
// and per set of entry modules, the same sums over everything the entries
// import (their static import closure): what an app that imports them ships.
//
// Writes bench/results/size.json; `npm run docs` renders it into docs
// (docs/footprint.md: <!-- bench:table size-sets --> and size-modules). Never fails on a size: the
// targets are bench rows for the issue tracker, not tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { minify } from 'terser';
import { root } from './bundle.mjs';

const dist = join(root, 'dist', 'xs');
if (!existsSync(join(dist, 'index.js'))) {
  console.error('keel size: dist/xs is not built; run `npm run size` (it builds first) or `npm run build`');
  process.exit(1);
}

/** Sets of entry modules: what an app imports, measured with everything they import. */
const SETS = [
  { id: 'core', what: 'core runtime: pool, queue, hsm (compiler + runtime), kernel, timer', entries: ['pool', 'queue', 'hsm', 'kernel', 'timer'] },
  { id: 'runtime', what: 'what an app whose machines are compiled ahead of time ships: pool, queue, hsm runtime (keel/hsm-runtime, no compiler), kernel, timer', entries: ['pool', 'queue', 'hsm-runtime', 'kernel', 'timer'] },
  { id: 'all', what: 'the whole library (keel, every module)', entries: ['index'] },
  { id: 'pool', what: 'keel/pool alone', entries: ['pool'] },
  { id: 'queue', what: 'keel/queue alone', entries: ['queue'] },
  { id: 'hsm', what: 'keel/hsm (compiler + runtime)', entries: ['hsm'] },
  { id: 'kernel', what: 'keel/kernel', entries: ['kernel'] },
  { id: 'stream', what: 'keel/stream', entries: ['stream'] },
  { id: 'trace', what: 'keel/trace', entries: ['trace'] },
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

const files = walk(dist);
const nameOf = (f) => relative(dist, f).split('\\').join('/').replace(/\.js$/, '');

/** The SDK's xsc, if $MODDABLE has built tools. */
function findXsc() {
  const sdk = process.env.MODDABLE;
  if (!sdk) return { xsc: null, why: '$MODDABLE is not set' };
  for (const os of ['lin', 'mac', 'win']) {
    const p = join(sdk, 'build', 'bin', os, 'release', os === 'win' ? 'xsc.exe' : 'xsc');
    if (existsSync(p)) return { xsc: p, why: '' };
  }
  return { xsc: null, why: `no built xsc under ${sdk}/build/bin/*/release (build the SDK's tools)` };
}
const { xsc, why } = findXsc();
const work = join(root, 'build', 'size');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

let sdkVersion = null;
if (xsc) {
  try {
    sdkVersion = readFileSync(join(process.env.MODDABLE, 'tools', 'VERSION'), 'utf8').trim();
  } catch {
    sdkVersion = null;
  }
}

const modules = {};
for (const f of files) {
  const name = nameOf(f);
  const code = readFileSync(f, 'utf8');
  const min = await minify(code, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  let xsb = null;
  if (xsc) {
    const out = join(work, dirname(name));
    mkdirSync(out, { recursive: true });
    const base = name.split('/').pop();
    const r = spawnSync(xsc, [f, '-e', '-o', out, '-r', base], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`keel size: xsc failed on dist/xs/${name}.js:\n${r.stdout}${r.stderr}`);
      process.exit(1);
    }
    xsb = statSync(join(out, base + '.xsb')).size;
  }
  const imports = [];
  const re = /^\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) imports.push(nameOf(resolve(dirname(f), m[1])));
  modules[name] = { source: Buffer.byteLength(code), min: Buffer.byteLength(min.code ?? ''), xsb, imports };
}

function closure(entries) {
  const seen = new Set();
  const stack = [...entries];
  while (stack.length > 0) {
    const m = stack.pop();
    if (seen.has(m)) continue;
    if (!(m in modules)) throw new Error(`keel size: set entry or import '${m}' is not in dist/xs`);
    seen.add(m);
    stack.push(...modules[m].imports);
  }
  return [...seen].sort();
}

const sets = SETS.map((s) => {
  const mods = closure(s.entries);
  const sum = (k) => mods.reduce((a, m) => a + modules[m][k], 0);
  return { id: s.id, what: s.what, entries: s.entries, modules: mods, min: sum('min'), xsb: xsc ? sum('xsb') : null };
});

const result = {
  generated: new Date().toISOString(),
  build: 'dist/xs (release: DEBUG false)',
  minifier: 'terser (module, compress passes 2, mangle)',
  xsc: xsc ? { sdk: process.env.MODDABLE, version: sdkVersion, options: '-e -o DIR -r NAME (release, no -d)' } : { skipped: why },
  modules: Object.fromEntries(Object.entries(modules).map(([k, v]) => [k, { source: v.source, min: v.min, xsb: v.xsb }])),
  sets,
  // The same figures as rows for docs/bench-tables.json (a "runs" file: a row is "<run> <mode>").
  runs: [
    ...Object.entries(modules).map(([k, v]) => ({ run: 'module', mode: k, source: v.source, min: v.min, xsb: v.xsb })),
    ...sets.map((s) => ({ run: 'set', mode: s.id, min: s.min, xsb: s.xsb, modules: s.modules.length })),
  ],
};
const outFile = join(root, 'bench', 'results', 'size.json');
writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');

const pad = (s, n) => String(s).padStart(n);
console.log(`keel size (release build dist/xs; xsb: ${xsc ? `xsc of Moddable SDK ${sdkVersion ?? '?'}` : `not measured, ${why}`})`);
console.log(`${'module'.padEnd(24)} ${pad('source B', 9)} ${pad('min B', 8)} ${pad('xsb B', 8)}`);
for (const [k, v] of Object.entries(modules)) console.log(`${k.padEnd(24)} ${pad(v.source, 9)} ${pad(v.min, 8)} ${pad(v.xsb ?? '-', 8)}`);
console.log('');
console.log(`${'set (with its imports)'.padEnd(24)} ${pad('min B', 8)} ${pad('xsb B', 8)}  modules`);
for (const s of sets) console.log(`${s.id.padEnd(24)} ${pad(s.min, 8)} ${pad(s.xsb ?? '-', 8)}  ${s.modules.join(' ')}`);
console.log(`\nwrote ${relative(root, outFile)}`);
