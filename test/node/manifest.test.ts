/**
 * The Moddable manifests (manifest.json, boards/esp32/manifest.json,
 * boards/rp2040/manifest.json, hosts/moddable/desktop/manifest.json), the
 * board configs and the SDK check of scripts/moddable.mjs. Node only: reads
 * files and spawns the build script.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moddableInputs, OUT_DIR } from '../../scripts/moddable-inputs.mjs';
import ts from 'typescript';
import type { BoardConfig } from '../../hosts/moddable/types.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'keel') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (package.json "keel") not found');
    dir = up;
  }
}
const root = findRoot();

/**
 * Loads a board config the way the device does: its module on its own. Boards
 * have no runtime imports (only a type), so the transpiled module runs from a
 * data: URL; an import would fail here.
 */
async function loadBoard(rel: string): Promise<BoardConfig> {
  const js = ts.transpileModule(readFileSync(join(root, rel), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  return ((await import('data:text/javascript,' + encodeURIComponent(js))) as { default: BoardConfig }).default;
}
let esp32: BoardConfig;
let rp2040: BoardConfig;
let desktop: BoardConfig;
before(async () => {
  esp32 = await loadBoard('boards/esp32/board.ts');
  rp2040 = await loadBoard('boards/rp2040/board.ts');
  desktop = await loadBoard('hosts/moddable/desktop/board.ts');
});

// Keys documented in the Moddable SDK's documentation/tools/manifest.md
// ("Properties": build, include, creation, defines, config, strip, modules,
// preload, resources, data, platforms, bundle).
const TOP_LEVEL_KEYS = ['build', 'include', 'creation', 'defines', 'config', 'strip', 'modules', 'preload', 'resources', 'data', 'platforms', 'bundle'];
// manifest.md "platforms": include, modules, preload, resources, defines, recipes,
// plus "error"/"warning", "dependency" (esp32) and "build" (MAKE_FRAGMENT, "How manifests are processed").
const PLATFORM_KEYS = ['include', 'modules', 'preload', 'resources', 'defines', 'recipes', 'error', 'warning', 'dependency', 'build'];
// manifest.md "creation" (static, chunk, heap, stack, keys, main) and its "keys" subsection.
const CREATION_KEYS = ['static', 'chunk', 'heap', 'stack', 'keys', 'main'];
const GROWTH_KEYS = ['initial', 'incremental'];
const KEYS_KEYS = ['initial', 'incremental', 'name', 'symbol'];
// Platform identifiers used here: Moddable's esp32, pico and the desktop hosts,
// and "..." (the documented fallback).
const PLATFORMS = ['esp32', 'pico', 'lin', 'mac', 'win', '...'];

interface Manifest {
  [key: string]: unknown;
  include?: string | string[];
  modules?: Record<string, string | string[]>;
  preload?: string | string[];
  creation?: Record<string, unknown>;
  platforms?: Record<string, Manifest>;
}
interface Loaded {
  file: string;
  json: Manifest;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const readManifest = (file: string): Loaded => ({ file, json: JSON.parse(readFileSync(file, 'utf8')) as Manifest });

/** manifest_app.json (Keel's apps) and every local manifest it includes: the library manifest.json, manifest_host.json, the boards (SDK manifests, $(MODDABLE)/..., are not ours). */
function loadAll(): Loaded[] {
  const out: Loaded[] = [];
  const visit = (file: string): void => {
    if (out.some((m) => m.file === file)) return;
    const m = readManifest(file);
    out.push(m);
    const includes = [...list(m.json.include), ...Object.values(m.json.platforms ?? {}).flatMap((p) => list(p.include))];
    for (const inc of includes) if (!inc.startsWith('$(')) visit(resolve(dirname(file), inc));
  };
  visit(join(root, 'manifest_app.json'));
  return out;
}

/** Every (specifier, source path, manifest file) pair, platform sections included. */
function moduleEntries(all: Loaded[]): { name: string; path: string; file: string }[] {
  const out: { name: string; path: string; file: string }[] = [];
  for (const { file, json } of all) {
    for (const section of [json, ...Object.values(json.platforms ?? {})]) {
      for (const [name, v] of Object.entries(section.modules ?? {})) for (const path of list(v)) out.push({ name, path, file });
    }
  }
  return out;
}

function preloads(all: Loaded[]): string[] {
  return all.flatMap(({ json }) => [...list(json.preload), ...Object.values(json.platforms ?? {}).flatMap((p) => list(p.preload))]);
}

/** The TypeScript source a module path comes from, or undefined (SDK module). */
function sourceOf(path: string, file: string): string | undefined {
  if (path.startsWith('$(')) return undefined;
  const abs = resolve(dirname(file), path);
  const rel = relative(root, abs).split('\\').join('/');
  if (rel.startsWith(OUT_DIR + '/')) return join(root, rel.slice(OUT_DIR.length + 1) + '.ts');
  if (rel.startsWith('dist/xs/')) return join(root, 'src', rel.slice('dist/xs/'.length) + '.ts');
  return abs + '.js';
}

/**
 * Preload safety, statically: at the top level of a module (outside any
 * braces, brackets or parentheses), only import/export/const/function/class/
 * type/interface/declare statements (no expression statements: no load-time
 * effects), no `let`/`var`/`new`, and no const bound to a bare array literal
 * (Object.freeze it, or mark it `as const`: a readonly tuple TypeScript will
 * not let anyone write). A const object literal passes: the project rule forbids
 * objects *written later*, which a static check cannot see (freeze constants;
 * XS would copy a written preloaded object into RAM). Returns the offending
 * statements.
 */
export function topLevelViolations(source: string): string[] {
  const text = source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, '""')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""');
  let depth = 0;
  let top = '';
  for (const ch of text) {
    if ('{[('.includes(ch)) {
      if (depth === 0) top += ch;
      depth++;
    } else if ('}])'.includes(ch)) {
      depth--;
      if (depth === 0) top += ch;
    } else if (depth === 0) top += ch;
  }
  const statements: string[] = [];
  for (const raw of top.split(/;|\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (/^[.?:=)}\]|&+\-*/,]/.test(line) && statements.length) statements[statements.length - 1] += ' ' + line;
    else statements.push(line);
  }
  const bad: string[] = [];
  for (const s of statements) {
    const words = s.split(/\s+/);
    const first = words[0] === 'export' ? (words[1] === 'default' ? 'default' : words[1]) : words[0];
    const allowed = ['import', 'export', 'const', 'function', 'class', 'type', 'interface', 'declare', 'default', 'abstract', 'async', '{}', '*'];
    if (!allowed.includes(first)) bad.push(s);
    else if (first !== 'type' && first !== 'interface' && /\b(let|var|new)\b/.test(s)) bad.push(s); // a type's `new (...) => T` is no object
    else if (first === 'const' && /=\s*\[/.test(s) && !/\]\s*as\s+const\s*$/.test(s)) bad.push(s);
  }
  return bad;
}

describe('Moddable manifests', () => {
  const all = loadAll();
  const fileOf = (rel: string): Loaded => {
    const m = all.find((x) => x.file === join(root, rel));
    assert.ok(m, `${rel} is included by manifest_app.json`);
    return m!;
  };

  it('manifest_app.json includes the library and host manifests and one fragment per platform: esp32, pico and the desktop hosts', () => {
    assert.deepEqual(
      all.map((m) => relative(root, m.file)).sort(),
      ['boards/esp32/manifest.json', 'boards/rp2040/manifest.json', 'hosts/moddable/desktop/manifest.json', 'manifest.json', 'manifest_app.json', 'manifest_host.json'],
    );
    const app = readManifest(join(root, 'manifest_app.json')).json;
    assert.deepEqual(list(app.include).slice(1), ['./manifest.json', './manifest_host.json']);
    const platforms = app.platforms!;
    assert.deepEqual(list(platforms.esp32.include), ['./boards/esp32/manifest.json']);
    assert.deepEqual(list(platforms.pico.include), ['./boards/rp2040/manifest.json']);
    for (const p of ['lin', 'mac', 'win']) assert.deepEqual(list(platforms[p].include), ['./hosts/moddable/desktop/manifest.json']);
    assert.equal(typeof platforms['...'].error, 'string');
  });

  it('every SDK module the device host imports comes from an SDK manifest that Keel includes', () => {
    // Where each module lives in the Moddable SDK 8.2.3 (read from its sources;
    // `npm run check:moddable` links and runs the real thing). manifest_base.json
    // adds only the native half of instrumentation, not the `instrumentation`
    // JS module: that was a link failure ("module instrumentation not found").
    const PROVIDERS: Record<string, { manifest: string; in: string[] }> = {
      instrumentation: { manifest: '$(MODDABLE)/modules/base/instrumentation/manifest.json', in: ['manifest_host.json'] },
      timer: { manifest: '$(MODDABLE)/examples/manifest_base.json', in: ['manifest_app.json'] },
      time: { manifest: '$(MODDABLE)/examples/manifest_base.json', in: ['manifest_app.json'] },
      'embedded:io/digital': { manifest: '$(MODDABLE)/modules/io/manifest.json', in: ['boards/esp32/manifest.json', 'boards/rp2040/manifest.json'] },
      'embedded:io/serial': { manifest: '$(MODDABLE)/modules/io/manifest.json', in: ['boards/esp32/manifest.json', 'boards/rp2040/manifest.json'] },
      worker: { manifest: '$(MODDABLE)/modules/base/worker/manifest.json', in: ['boards/esp32/manifest.json'] },
      'mc/config': { manifest: '(made by mcconfig from "config")', in: [] },
    };
    const inputs = moddableInputs(root);
    const imported = new Set<string>();
    for (const file of Object.values(inputs)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (!spec.startsWith('.') && !spec.startsWith('keel/') && !spec.startsWith('keel-')) imported.add(spec);
      }
    }
    assert.ok(imported.has('instrumentation') && imported.has('timer'), `found the host's SDK imports (${[...imported].join(', ')})`);
    for (const spec of imported) {
      const p = PROVIDERS[spec];
      assert.ok(p, `hosts/moddable imports "${spec}": name the SDK manifest that provides it here, and include it`);
      for (const rel of p.in) assert.ok(list(fileOf(rel).json.include).includes(p.manifest), `${rel} must include ${p.manifest} (provides "${spec}")`);
    }
  });

  it('uses only keys that Moddable documents (manifest.md)', () => {
    for (const { file, json } of all) {
      const where = relative(root, file);
      for (const k of Object.keys(json)) assert.ok(TOP_LEVEL_KEYS.includes(k), `${where}: top-level key "${k}" is not documented`);
      for (const [p, section] of Object.entries(json.platforms ?? {})) {
        assert.ok(PLATFORMS.includes(p), `${where}: platform "${p}" is not one of ${PLATFORMS.join(', ')}`);
        for (const k of Object.keys(section)) assert.ok(PLATFORM_KEYS.includes(k), `${where}: platforms.${p}.${k} is not documented`);
      }
      const c = json.creation;
      if (c) {
        for (const k of Object.keys(c)) assert.ok(CREATION_KEYS.includes(k), `${where}: creation.${k} is not documented`);
        for (const g of ['chunk', 'heap']) for (const k of Object.keys((c[g] ?? {}) as object)) assert.ok(GROWTH_KEYS.includes(k), `${where}: creation.${g}.${k} is not documented`);
        for (const k of Object.keys((c.keys ?? {}) as object)) assert.ok(KEYS_KEYS.includes(k), `${where}: creation.keys.${k} is not documented`);
      }
    }
  });

  it('each board fixes the XS heap: static 0, incremental 0 for chunks, slots and keys', () => {
    for (const rel of ['boards/esp32/manifest.json', 'boards/rp2040/manifest.json']) {
      const c = fileOf(rel).json.creation as { static: number; chunk: Record<string, number>; heap: Record<string, number>; keys: Record<string, number>; stack: number; main: string };
      assert.ok(c, `${rel} has a creation object`);
      assert.equal(c.static, 0, `${rel}: static must be 0 (the documented way to fix the heap)`);
      assert.equal(c.chunk.incremental, 0, `${rel}: chunk.incremental`);
      assert.equal(c.heap.incremental, 0, `${rel}: heap.incremental`);
      assert.equal(c.keys.incremental, 0, `${rel}: keys.incremental`);
      assert.ok(c.chunk.initial > 0 && c.heap.initial > 0 && c.stack > 0, `${rel}: sizes > 0`);
      assert.equal(c.main, 'main');
    }
  });

  it('every module exists, or is produced by npm run build (rollup, src/*.ts; scripts/build.mjs: dist/entry, dist/moddable)', () => {
    const inputs = moddableInputs(root);
    const rollupConfig = readFileSync(join(root, 'rollup.config.mjs'), 'utf8');
    const entries = moduleEntries(all);
    assert.ok(entries.length >= 15, `found ${entries.length} module entries`);
    for (const { name, path, file } of entries) {
      const where = `${relative(root, file)}: "${name}": "${path}"`;
      if (path.startsWith('$(')) continue;
      const rel = relative(root, resolve(dirname(file), path)).split('\\').join('/');
      if (rel === 'dist/xs/*') {
        assert.ok(/readdirSync\('src'\)/.test(rollupConfig) && /target\('dist\/xs'/.test(rollupConfig), `${where}: rollup.config.mjs builds src/*.ts into dist/xs`);
        assert.ok(readdirSync(join(root, 'src')).some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), `${where}: src/ has modules`);
      } else if (/^dist\/xs\/(hsm|internal)\/\*$/.test(rel)) {
        // The private modules of src/hsm/ and src/internal/ (rollup's preserveModules puts them in dist/xs/<folder>/).
        const folder = rel.slice('dist/xs/'.length, -2);
        assert.ok(/preserveModules: true/.test(rollupConfig), `${where}: rollup.config.mjs preserves modules (src/${folder}/*.ts -> dist/xs/${folder}/*.js)`);
        assert.ok(readdirSync(join(root, 'src', folder)).some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), `${where}: src/${folder}/ has modules`);
      } else if (rel === 'dist/entry/keel') {
        assert.match(readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8'), /writeFileSync\(join\(entry, 'keel\.js'\)/, `${where}: scripts/build.mjs writes it`);
      } else if (rel.startsWith(OUT_DIR + '/')) {
        const key = rel.slice(OUT_DIR.length + 1);
        assert.ok(key in inputs, `${where}: ${key}.ts is not compiled by scripts/moddable.mjs`);
        assert.ok(existsSync(inputs[key]), `${where}: ${inputs[key]} exists`);
      } else {
        assert.ok(existsSync(resolve(dirname(file), path) + '.js'), `${where}: file exists`);
      }
    }
  });

  it('preloads only modules without mutable state at top level; main and keel-worker are not preloaded', () => {
    const entries = moduleEntries(all);
    const names = new Set(entries.map((e) => e.name));
    for (const f of readdirSync(join(root, 'src'))) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) names.add('keel/' + f.replace(/\.ts$/, ''));
    for (const folder of ['hsm', 'internal'])
      for (const f of readdirSync(join(root, 'src', folder))) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) names.add(`keel/${folder}/` + f.replace(/\.ts$/, ''));
    const patterns = preloads(all);
    assert.deepEqual([...new Set(patterns)].sort(), ['keel', 'keel/*', 'keel/host/*']);
    const matches = (n: string): boolean => patterns.some((p) => (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p));
    assert.ok(!matches('main') && !matches('keel-worker'), 'main and keel-worker have load-time effects');
    let checked = 0;
    for (const name of [...names].filter((n) => n.includes('/') || n === 'main').sort()) {
      const paths = entries.filter((e) => e.name === name && !e.path.includes('*')).map((e) => sourceOf(e.path, e.file));
      if (name.startsWith('keel/') && !entries.some((e) => e.name === name)) paths.push(join(root, 'src', name.slice(5) + '.ts'));
      for (const src of paths) {
        if (src === undefined) continue;
        const bad = topLevelViolations(readFileSync(src, 'utf8'));
        if (matches(name)) {
          assert.deepEqual(bad, [], `${name} (${relative(root, src)}) is preloaded but has top-level statements with state or effects`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 14, `checked ${checked} preloaded sources`);
    // The check is not vacuous: the two modules with load-time effects fail it.
    assert.ok(topLevelViolations(readFileSync(join(root, 'hosts/moddable/main.ts'), 'utf8')).length > 0);
    assert.ok(topLevelViolations(readFileSync(join(root, 'hosts/moddable/esp32/worker.ts'), 'utf8')).length > 0);
  });

  it('the static preload check flags let, var, new, bare literals and top-level effects', () => {
    assert.deepEqual(topLevelViolations('export const A = 1;\nexport const T = Object.freeze([1, 2]);\nexport class C { x = []; m() { let y = new Map(); } }\nfunction f() { var z; }'), []);
    assert.equal(topLevelViolations('let count = 0;').length, 1);
    assert.equal(topLevelViolations('var v = 1;').length, 1);
    assert.equal(topLevelViolations('export const buf = new ArrayBuffer(8);').length, 1);
    assert.equal(topLevelViolations('const list = [];').length, 1);
    assert.equal(topLevelViolations('export const o = [\n  1,\n];').length, 1);
    assert.deepEqual(topLevelViolations('const CLOCK: Host = { now: () => 0 };'), []);
    assert.deepEqual(topLevelViolations("const NAMES = ['a', 'b'] as const;"), []);
    assert.deepEqual(topLevelViolations('export type Make<C> = new (code: C) => Error;'), []);
    assert.equal(topLevelViolations('export const make = new Maker();').length, 1);
    assert.equal(topLevelViolations('self.onmessage = function () {};').length, 1);
    assert.equal(topLevelViolations('start();').length, 1);
    assert.deepEqual(topLevelViolations('// let x = 1\n/* new Y() */ const s = "let var new";'), []);
  });

  it('cross-core is chosen per platform in one place: ESP32 worker link, RP2040 and desktop local', () => {
    const mod = (rel: string, name: string): string => {
      const m = fileOf(rel).json.modules![name];
      assert.equal(typeof m, 'string', `${rel} maps ${name}`);
      return m as string;
    };
    assert.equal(esp32.crossCore, 1);
    assert.match(mod('boards/esp32/manifest.json', 'keel/host/crosscore'), /hosts\/moddable\/esp32\/crosscore$/);
    assert.ok(list(fileOf('boards/esp32/manifest.json').json.include).includes('$(MODDABLE)/modules/base/worker/manifest.json'));
    assert.equal(rp2040.crossCore, 0);
    assert.equal(rp2040.crossQueueCapacity, 0);
    assert.match(mod('boards/rp2040/manifest.json', 'keel/host/crosscore'), /hosts\/moddable\/local\/crosscore$/);
    assert.ok(!list(fileOf('boards/rp2040/manifest.json').json.include).some((i) => i.includes('worker')), 'the worker module errors on pico');
    assert.equal(desktop.crossCore, 0);
    assert.match(mod('hosts/moddable/desktop/manifest.json', 'keel/host/crosscore'), /hosts\/moddable\/local\/crosscore$/);
    for (const rel of ['boards/esp32/manifest.json', 'boards/rp2040/manifest.json', 'hosts/moddable/desktop/manifest.json']) {
      for (const name of ['keel/board', 'keel/host/crosscore']) mod(rel, name);
    }
    // The IO adapters are the host manifest's: desktop stand-ins on lin/mac/win, ECMA-419 elsewhere.
    const host = readManifest(join(root, 'manifest_host.json')).json.platforms!;
    for (const name of ['keel/host/digital-input', 'keel/host/digital-output', 'keel/host/serial']) {
      for (const p of ['lin', 'mac', 'win']) assert.match(String(host[p]!.modules![name]), /hosts\/moddable\/desktop\//, `${p} ${name}`);
      assert.match(String(host['...']!.modules![name]), /hosts\/moddable\/[a-z-]+$/, `... ${name}`);
    }
    assert.ok(list(host['...']!.include).includes('$(MODDABLE)/modules/io/manifest.json'));
  });

  it('keel/app is the example app table (bringup, blinky, port-reset, uart-lines); the examples are compiled for the device', () => {
    const top = readManifest(join(root, 'manifest_app.json')).json.modules!;
    assert.equal(top['keel/app'], './dist/moddable/hosts/moddable/examples');
    for (const e of ['io', 'blinky', 'port-reset', 'uart-lines']) {
      assert.equal(top[`keel/examples/${e}`], `./dist/moddable/examples/${e}`);
      assert.ok(`examples/${e}` in moddableInputs(root), `scripts/moddable.mjs compiles examples/${e}.ts`);
    }
    const table = readFileSync(join(root, 'hosts/moddable/examples.ts'), 'utf8');
    const names = [...table.matchAll(/^  name: '([a-z-]+)',$/gm)].map((m) => m[1]);
    assert.deepEqual(names, ['blinky', 'port-reset', 'uart-lines']);
    assert.match(table, /Object\.freeze\(\[bringup, blinkyApp, portResetApp, uartLinesApp\]\)/);

  });

  it('board configs are frozen objects of numbers with distinct pins', () => {
    const boards: [string, BoardConfig][] = [['esp32', esp32], ['rp2040', rp2040], ['desktop', desktop]];
    const keys = Object.keys(esp32).sort();
    for (const [name, b] of boards) {
      assert.ok(Object.isFrozen(b), `${name} is frozen`);
      assert.deepEqual(Object.keys(b).sort(), keys, `${name} has the same fields as esp32`);
      for (const [k, v] of Object.entries(b)) assert.ok(Number.isInteger(v), `${name}.${k} is an integer (got ${String(v)})`);
      const pins = [b.buttonPin, b.ledPin, b.uartTxPin, b.uartRxPin].filter((p) => p !== -1);
      assert.equal(new Set(pins).size, pins.length, `${name}: pins are distinct`);
      assert.ok(b.tickMs >= 1 && b.queueCapacity >= 1 && b.poolBlocks >= 1 && b.hsmMaxDepth >= 1, `${name}: bounds >= 1`);
    }
    assert.deepEqual([esp32.buttonPin, esp32.ledPin, esp32.uartTxPin, esp32.uartRxPin], [0, 2, 17, 16]);
    assert.deepEqual([rp2040.buttonPin, rp2040.ledPin, rp2040.uartTxPin, rp2040.uartRxPin], [14, 25, 0, 1]);
    assert.equal(esp32.slotBytes, 16);
    assert.equal(rp2040.slotBytes, 16);
    assert.ok(esp32.workerChunkBytes > 0 && esp32.workerHeapSlots > 0 && esp32.workerStackSlots > 0);
  });
});

describe('Moddable build scripts without the SDK', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('package.json has build:esp32, build:pico, sim:moddable and type-checks hosts/moddable', () => {
    assert.equal(pkg.scripts['build:esp32'], 'node scripts/moddable.mjs esp32');
    assert.equal(pkg.scripts['build:pico'], 'node scripts/moddable.mjs pico');
    assert.equal(pkg.scripts['sim:moddable'], 'node scripts/moddable.mjs sim');
    assert.match(pkg.scripts.typecheck, /tsc --noEmit -p hosts\/moddable\/tsconfig\.json/);
  });

  for (const [target, setup] of [
    ['esp32', 'npx xs-dev setup --device esp32'],
    ['pico', 'npx xs-dev setup --device pico'],
    ['sim', 'npx xs-dev setup'],
  ] as const) {
    it(`${target}: fails fast with install instructions (${setup}), before building anything`, () => {
      // PATH holds only node's directory: no mcconfig, no npm, no network tools.
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'moddable.mjs'), target], {
        cwd: root,
        env: { PATH: dirname(process.execPath) },
        encoding: 'utf8',
        timeout: 30000,
      });
      assert.equal(r.status, 1, `exit status (stderr: ${r.stderr})`);
      assert.ok(r.stderr.includes('the Moddable SDK is not installed'), r.stderr);
      assert.ok(r.stderr.includes('MODDABLE is not set') && r.stderr.includes('mcconfig is not on PATH'), r.stderr);
      assert.ok(r.stderr.includes(setup), r.stderr);
      assert.equal(r.stdout, '', 'nothing ran before the check');
    });
  }

  it('esp32 also names the missing ESP-IDF when only the Moddable SDK is there', () => {
    const fake = join(root, 'build', 'test', 'fake-moddable');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'moddable.mjs'), 'esp32'], {
      cwd: root,
      env: { PATH: dirname(process.execPath), MODDABLE: fake },
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(`MODDABLE=${fake} does not contain the Moddable SDK`), r.stderr);
    assert.ok(r.stderr.includes('IDF_PATH is not set (ESP-IDF)'), r.stderr);
  });
});
