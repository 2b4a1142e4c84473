// Bundling helpers shared by the test and bench runners: one rollup pipeline
// makes the Node (ES modules) and XS (one ASCII script) builds of the same
// TypeScript files, so both engines run exactly the same code.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import replace from '@rollup/plugin-replace';
import { nodeResolve } from '@rollup/plugin-node-resolve';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Makes a script loadable by the XS file loader: it rejects non-ASCII text, and
 * a `//# sourceMappingURL=` comment makes it open the map file (a missing map
 * fails the whole load with "invalid script"). Escapes every non-ASCII UTF-16
 * code unit as \uXXXX and drops source-map comments.
 */
export function toAscii(text) {
  return text.replace(/^\/\/# sourceMappingURL=.*$/gm, '').replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Moddable specifiers in tests. The device host (`hosts/moddable/`) and the
 * boards import each other by the bare names the Moddable manifests map
 * (`keel/host/tick`, `keel/board`, `keel/kernel`, ...) and import Moddable-only
 * modules (`timer`, `time`, `embedded:io/digital`, ...). For the test bundles:
 *  - `keel/...` names resolve to the TypeScript source of the file that
 *    the manifests map them to (manifest.json: `keel/*` -> src/*.ts;
 *    manifest_host.json, its device ("...") section, manifest_app.json and
 *    boards/esp32/manifest.json: `dist/moddable/X` -> X.ts), so the generic hosts/moddable/*.ts
 *    IO modules are the ones tested; two exceptions, taken from the desktop
 *    manifest: `keel/board` -> hosts/moddable/desktop/board.ts and
 *    `keel/host/crosscore` -> hosts/moddable/local/crosscore.ts (the ESP32 link
 *    needs a Worker);
 *  - the Moddable modules resolve to the test stand-ins in test/support/moddable/.
 * Only imports made from hosts/moddable/, boards/ and test/support/moddable/
 * are aliased; every other import resolves exactly as before.
 */
const MODDABLE_STANDINS = {
  timer: 'test/support/moddable/timer.ts',
  time: 'test/support/moddable/time.ts',
  instrumentation: 'test/support/moddable/instrumentation.ts',
  'embedded:io/digital': 'test/support/moddable/digital.ts',
  'embedded:io/serial': 'test/support/moddable/serial.ts',
  // The interrupt bridge's native binding (XS `Native` classes): keel-xs's $xs.isr* stand-in.
  'keel/host/interrupt/native': 'test/support/moddable/interrupt-native.ts',
};
const MODDABLE_OVERRIDES = {
  'keel/board': 'hosts/moddable/desktop/manifest.json',
  'keel/host/crosscore': 'hosts/moddable/desktop/manifest.json',
};

/** Source file (relative to root) of a manifest target (relative to its manifest's directory). */
function manifestTargetSource(manifestDir, target) {
  const rel = relative(root, resolve(manifestDir, target)).split('\\').join('/');
  if (rel.startsWith('dist/moddable/')) return rel.slice('dist/moddable/'.length) + '.ts';
  if (rel.startsWith('dist/xs/')) return 'src/' + rel.slice('dist/xs/'.length) + '.ts';
  return null;
}

/** `keel/...` name -> source file (relative to root), exact names and `prefix*` patterns. */
function moddableModuleTable() {
  const exact = new Map();
  const wildcards = [];
  const add = (manifestRel, only, platform) => {
    const manifest = JSON.parse(readFileSync(join(root, manifestRel), 'utf8'));
    const dir = dirname(join(root, manifestRel));
    const modules = platform === undefined ? manifest.modules : manifest.platforms?.[platform]?.modules;
    for (const [name, target] of Object.entries(modules ?? {})) {
      if (!name.startsWith('keel/') || (only && !only(name))) continue;
      if (name.endsWith('*')) {
        const src = manifestTargetSource(dir, target.replace(/\*$/, 'STAR'));
        if (src) wildcards.push([name.slice(0, -1), src.replace('STAR', '*')]);
      } else {
        const src = manifestTargetSource(dir, target);
        if (src) exact.set(name, src);
      }
    }
  };
  add('manifest.json');
  add('manifest_host.json');
  add('manifest_host.json', undefined, '...');
  add('manifest_app.json');
  add('boards/esp32/manifest.json', (name) => !(name in MODDABLE_OVERRIDES));
  for (const [name, manifestRel] of Object.entries(MODDABLE_OVERRIDES)) add(manifestRel, (n) => n === name);
  return { exact, wildcards };
}

function moddableAliases() {
  let table = null;
  const scoped = ['hosts/moddable/', 'boards/', 'test/support/moddable/'].map((d) => join(root, d));
  return {
    name: 'keel-moddable-aliases',
    resolveId(source, importer) {
      if (importer === undefined || !scoped.some((d) => importer.startsWith(d))) return null;
      const standin = MODDABLE_STANDINS[source];
      if (standin !== undefined) return join(root, standin);
      if (!source.startsWith('keel/')) return null;
      table ??= moddableModuleTable();
      let src = table.exact.get(source);
      if (src === undefined) {
        const w = table.wildcards.find(([prefix]) => source.startsWith(prefix));
        if (w !== undefined) src = w[1].replace('*', source.slice(w[0].length));
      }
      if (src === undefined || !existsSync(join(root, src))) {
        this.error(`keel-moddable-aliases: no source for "${source}" (imported by ${relative(root, importer)}); map it in manifest.json, manifest_host.json, manifest_app.json or boards/esp32/manifest.json`);
      }
      return join(root, src);
    },
  };
}

function plugins({ debug, engine }) {
  return [
    moddableAliases(),
    replace({ preventAssignment: true, values: { DEBUG: JSON.stringify(debug) } }),
    typescript({
      tsconfig: join(root, 'tsconfig.json'),
      compilerOptions: { noCheck: true, noEmit: false, declaration: false, sourceMap: false, types: [] },
      include: ['src/**/*.ts', 'hosts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'cli/**/*.ts', 'tools/**/*.ts', 'scripts/docs-diagrams.ts', 'scripts/docs-tables.ts'],
      noEmitOnError: false,
      outputToFilesystem: false,
    }),
    nodeResolve({ exportConditions: engine === 'xs' ? ['moddable', 'import', 'default'] : ['node', 'import', 'default'], preferBuiltins: engine !== 'xs' }),
  ];
}

function onwarn(w, warn) {
  if (w.code === 'CIRCULAR_DEPENDENCY' && /node_modules/.test(w.message)) return;
  if (w.code === 'THIS_IS_UNDEFINED') return;
  warn(w);
}

/** Node build: one ES module per entry (shared code in chunks), externals left to Node. */
export async function bundleForNode(entries, outDir) {
  const input = Object.fromEntries(entries.map((f) => [relative(root, f).replace(/\.ts$/, ''), f]));
  const bundle = await rollup({
    input,
    plugins: plugins({ debug: true, engine: 'node' }),
    external: (id) => id.startsWith('node:') || /node_modules/.test(id) || /^(mocha|fast-check|xstate|robot3)$/.test(id),
    onwarn,
  });
  await bundle.write({ dir: outDir, format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' });
  await bundle.close();
  return entries.map((f) => join(outDir, relative(root, f).replace(/\.ts$/, '.mjs')));
}

/**
 * XS build: all entries (imported in order) in one IIFE script, dependencies
 * included, ASCII only. `prefix` and `suffix` are plain script text added around it.
 */
export async function bundleForXs(entries, outFile, { prefix = '', suffix = '', debug = true, entryCode } = {}) {
  const virtualId = '\0keel-xs-entry';
  const bundle = await rollup({
    input: virtualId,
    plugins: [
      {
        name: 'keel-xs-entry',
        resolveId: (id) => (id === virtualId ? id : null),
        load: (id) =>
          id === virtualId ? entryCode ?? entries.map((f) => `import ${JSON.stringify(f)};`).join('\n') + '\n' : null,
      },
      ...plugins({ debug, engine: 'xs' }),
    ],
    onwarn,
  });
  const { output } = await bundle.generate({ format: 'iife', name: '__keel', inlineDynamicImports: true });
  await bundle.close();
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, toAscii(prefix + '\n' + output[0].code + '\n' + suffix));
  return outFile;
}

export function readText(path) {
  return readFileSync(path, 'utf8');
}
