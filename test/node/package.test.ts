// Keel as a package (issue 14), without the Moddable SDK: `npm pack` of a
// fresh build, then what a user's app relies on is in the tarball. Every
// export target exists; every module the library manifest maps (keel,
// keel/*) and the host manifest maps (keel/host/*) exists with its
// declarations beside it; Node resolves `keel` and `keel/kernel` from an app
// that installed the tarball; the package has no dependencies (nothing a user
// installs compiles native code) and ships no sources, tests or Keel's own app
// manifest, and no C but the interrupt bridge's (its manifest and C files,
// listed one by one: a consumer app compiles them with mcconfig); the links in README.md and docs/ resolve inside the package; the
// starter templates are there. (With $MODDABLE, `npm run check:moddable`
// builds and runs the starters with the real SDK.)
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findRoot } from '../support/repo-root.js';

const repo = findRoot();

interface Manifest {
  include?: string[];
  modules?: Record<string, string>;
  preload?: string[];
  platforms?: Record<string, Manifest>;
}

/**
 * The interrupt bridge (hosts/moddable/interrupt, docs/moddable.md "Interrupt
 * bridge") is the package's only C: its manifest, as a user's app includes
 * it, and exactly these C files (not its test app manifest_bridge.json,
 * bridge-app, nor the XS-host test C of hosts/native/test).
 */
const INTERRUPT_C = [
  'hosts/moddable/interrupt/esp32/keel_interrupt_esp32.c',
  'hosts/moddable/interrupt/keel_interrupt.c',
  'hosts/moddable/interrupt/keel_interrupt.h',
  'hosts/moddable/interrupt/lin/keel_interrupt_lin.c',
  'hosts/moddable/interrupt/pico/keel_interrupt_pico.c',
  'hosts/native/keel_isr.c',
  'hosts/native/keel_isr.h',
];
const INTERRUPT_MANIFEST = 'hosts/moddable/interrupt/manifest.json';
const INTERRUPT_SHIPPED = [INTERRUPT_MANIFEST, ...INTERRUPT_C];

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the npm package (npm pack)', function () {
  this.timeout(180000);
  let work = '';
  let pkg = ''; // the unpacked tarball
  let files = new Set<string>();

  before(function () {
    run(process.execPath, [join(repo, 'scripts', 'build.mjs')], repo);
    work = mkdtempSync(join(tmpdir(), 'keel-pack-'));
    const out = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], repo);
    const tgz = /keel-[\d.]+\.tgz/.exec(out)![0];
    run('tar', ['xzf', join(work, tgz), '-C', work], work);
    pkg = join(work, 'package');
    const walk = (d: string, rel: string): void => {
      for (const n of readdirSync(d, { withFileTypes: true })) {
        const r = rel ? `${rel}/${n.name}` : n.name;
        if (n.isDirectory()) walk(join(d, n.name), r);
        else files.add(r);
      }
    };
    files = new Set();
    walk(pkg, '');
  });

  after(function () {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every export target is in the tarball (types, moddable, import), subpaths listed one by one', function () {
    const json = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
    assert.ok(!Object.keys(json.exports).some((k) => k.includes('*')), 'no "./*" pattern (mcpack cannot resolve it)');
    let n = 0;
    for (const [key, v] of Object.entries(json.exports)) {
      for (const target of typeof v === 'string' ? [v] : Object.values(v)) {
        assert.ok(files.has(posix.normalize(target)), `exports["${key}"] -> ${target} is in the package`);
        n++;
      }
    }
    const src = readdirSync(join(repo, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'index.ts');
    for (const f of src) assert.ok(`./${f.replace(/\.ts$/, '')}` in json.exports, `src/${f} is exported`);
    assert.ok(n > 40, `${n} targets checked`);
  });

  it('the library manifest maps keel and keel/* (and the private keel/hsm/*, keel/internal/*) to modules in the tarball, each with its declarations beside it', function () {
    const m = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual(Object.keys(m.modules!).sort(), ['keel', 'keel/*', 'keel/hsm/*', 'keel/internal/*']);
    // The private folders of src/ (issue 15): one mapping each, to the same folder of dist/xs.
    assert.equal(m.modules!['keel/*'], './dist/xs/*');
    assert.equal(m.modules!['keel/hsm/*'], './dist/xs/hsm/*');
    assert.equal(m.modules!['keel/internal/*'], './dist/xs/internal/*');
    for (const dir of ['hsm', 'internal']) {
      const nested = [...files].filter((f) => f.startsWith(`dist/xs/${dir}/`) && f.endsWith('.js'));
      assert.ok(nested.length >= 1, `dist/xs/${dir}/ has modules (${nested.length})`);
    }
    assert.deepEqual(m.include ?? [], [], 'the library needs no SDK module');
    assert.ok(files.has('dist/entry/keel.js') && files.has('dist/entry/keel.d.ts'));
    const xs = [...files].filter((f) => f.startsWith('dist/xs/') && f.endsWith('.js'));
    assert.ok(xs.length >= 11, `${xs.length} modules in dist/xs`);
    for (const f of xs) assert.ok(files.has(f.replace(/\.js$/, '.d.ts')), `${f} has ${f.replace(/\.js$/, '.d.ts')}`);
    for (const f of xs) assert.ok(!/\bif \(DEBUG\)/.test(readFileSync(join(pkg, f), 'utf8')), `${f} is the release build (DEBUG replaced)`);
  });

  it('the host manifest maps keel/host/* to modules in the tarball, with declarations, per platform', function () {
    const m = JSON.parse(readFileSync(join(pkg, 'manifest_host.json'), 'utf8')) as Manifest;
    assert.ok(m.include!.includes('$(MODDABLE)/modules/base/instrumentation/manifest.json'));
    const sections = [m, ...Object.values(m.platforms ?? {})];
    let n = 0;
    for (const s of sections) {
      for (const [name, target] of Object.entries(s.modules ?? {})) {
        assert.ok(name.startsWith('keel/host/'), name);
        const js = posix.normalize(target) + '.js';
        assert.ok(files.has(js), `${name} -> ${js}`);
        assert.ok(files.has(js.replace(/\.js$/, '.d.ts')) || js.includes('/desktop/'), `${name}: declarations beside ${js}`);
        n++;
      }
    }
    assert.ok(n >= 13, `${n} mappings`);
  });

  it('Node resolves keel and keel/kernel from an app that installed the package', function () {
    const app = join(work, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(app, 'node_modules', 'keel'), 'dir');
    const out = run(
      process.execPath,
      ['--input-type=module', '-e', "const k = await import('keel'); const m = await import('keel/kernel'); console.log(typeof k.Kernel, typeof m.Kernel, typeof k.defineHsm);"],
      app,
    );
    assert.equal(out.trim(), 'function function function');
  });

  it('has no dependencies (nothing a user installs compiles code) and ships no sources, tests or Keel app manifest', function () {
    const json = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies']) assert.equal(json[k], undefined, `no ${k}`);
    assert.ok((json.devDependencies as Record<string, string>)['@agoric/xsnap'], 'the XS engine sources are a development dependency');
    for (const f of files) {
      assert.ok(!/^(src|test|hosts|boards|bench|scripts|examples)\//.test(f) || INTERRUPT_SHIPPED.includes(f), `${f} is not shipped`);
    }
    // The only C: the interrupt bridge's, file by file (an unreviewed C file fails here).
    assert.deepEqual([...files].filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort(), INTERRUPT_C, 'the C files shipped are exactly the interrupt module\'s');
    assert.ok(!files.has('manifest_app.json'), "Keel's own app manifest is not the package's");
    for (const f of ['templates/app/manifest.json', 'templates/app/main.js', 'templates/app/package.json', 'templates/app-ts/main.ts', 'templates/app-ts/manifest.json']) {
      assert.ok(files.has(f), `${f} is shipped`);
    }
    const starter = JSON.parse(readFileSync(join(pkg, 'templates/app/manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual(starter.include!.slice(1), ['./node_modules/keel/manifest.json', './node_modules/keel/manifest_host.json']);
  });

  it('ships the interrupt module: its manifest maps keel/host/interrupt/* and per-platform C to files in the tarball, not its test app', function () {
    const m = JSON.parse(readFileSync(join(pkg, INTERRUPT_MANIFEST), 'utf8')) as { modules: Record<string, string | string[]>; preload: string[]; platforms: Record<string, { modules?: Record<string, string | string[]>; error?: string }> };
    const base = posix.dirname(INTERRUPT_MANIFEST);
    const at = (t: string): string => posix.normalize(posix.join(base, t));
    assert.deepEqual(Object.keys(m.modules).sort(), ['*', 'keel/host/interrupt/native', 'keel/host/interrupt/source']);
    assert.deepEqual([...m.preload].sort(), ['keel/host/interrupt/native', 'keel/host/interrupt/source']);
    for (const name of ['keel/host/interrupt/source', 'keel/host/interrupt/native']) {
      const js = at(m.modules[name] as string) + '.js';
      assert.ok(files.has(js), `${name} -> ${js}`);
      assert.ok(files.has(js.replace(/\.js$/, '.d.ts')), `${name}: declarations beside ${js}`);
      assert.ok(!/\bif \(DEBUG\)/.test(readFileSync(join(pkg, js), 'utf8')), `${js}: no DEBUG left`);
    }
    // Every C module the manifest names (all platforms) is shipped, .c beside; together they are the C of the package.
    // The SDK's own C ($(MODULES)/..., e.g. the IO pin table of esp32 and pico) is named, not shipped.
    const platformC = (p: string): string[] => [m.platforms[p]!.modules!['*']!].flat();
    for (const p of ['esp32', 'pico']) assert.ok(platformC(p).includes('$(MODULES)/io/common/builtinCommon'), `${p}: links the IO pin table (builtinCommon)`);
    const cNames = [...(m.modules['*'] as string[]), ...['esp32', 'pico', 'lin'].flatMap(platformC).filter((t) => !t.startsWith('$('))];
    const named = cNames.map((t) => at(t) + '.c').sort();
    for (const c of named) assert.ok(files.has(c), `${c} is shipped`);
    assert.deepEqual(named, INTERRUPT_C.filter((f) => f.endsWith('.c')), 'each shipped .c is one the manifest names');
    assert.match(m.platforms['...']!.error!, /esp32, pico and lin/);
    for (const f of files) assert.ok(!/bridge-app|manifest_bridge|hosts\/native\/test/.test(f), `${f}: the bridge's test app and test C are not shipped`);
  });

  it('the bin `keel` (dist/cli/bin.js) is shipped and draws a machine with no dependency installed', function () {
    const json = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    assert.deepEqual(json.bin, { keel: 'dist/cli/bin.js' });
    assert.ok(files.has('dist/cli/bin.js') && files.has('dist/cli/keel.js') && files.has('dist/cli/diagram.js'));
    assert.ok(readFileSync(join(pkg, 'dist/cli/bin.js'), 'utf8').startsWith('#!/usr/bin/env node\n'));
    const app = join(work, 'cli-app');
    mkdirSync(app, { recursive: true });
    writeFileSync(
      join(app, 'm.mjs'),
      `import { defineHsm } from ${JSON.stringify(pathToFileURL(join(pkg, 'dist/node/index.js')).href)};\n` +
        "export const m = defineHsm({ name: 'm', signals: { GO: 1 }, context: () => ({}), initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });\n",
    );
    const out = run(process.execPath, [join(pkg, 'dist/cli/bin.js'), 'diagram', 'm.mjs', '--format', 'mermaid'], app);
    assert.equal(out, 'stateDiagram-v2\n  [*] --> a\n  a\n  b\n  a --> b : GO\n');
    // SVG needs @viz-js/viz, which the package does not depend on: a clear message, exit 2.
    const svg = spawnSync(process.execPath, [join(pkg, 'dist/cli/bin.js'), 'diagram', 'm.mjs', '--format', 'svg'], { cwd: app, encoding: 'utf8' });
    assert.equal(svg.status, 2, svg.stderr);
    assert.match(svg.stderr, /^keel diagram: --format svg needs the '@viz-js\/viz' package/);
  });

  it('the links in README.md and docs/ resolve inside the package', function () {
    const docs = ['README.md', ...[...files].filter((f) => f.startsWith('docs/') && f.endsWith('.md'))];
    assert.ok(docs.length >= 10, `${docs.length} documents`);
    let n = 0;
    for (const d of docs) {
      const text = readFileSync(join(pkg, d), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1]!;
        if (/^[a-z]+:/.test(href) || href.startsWith('#')) continue;
        const target = posix.normalize(posix.join(posix.dirname(d), href.split('#')[0]!));
        assert.ok(files.has(target), `${d} links to ${href}, which is not in the package`);
        n++;
      }
    }
    assert.ok(n >= 20, `${n} links checked`);
  });
});
