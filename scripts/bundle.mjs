// Bundling helpers shared by the test and bench runners: one rollup pipeline
// makes the Node (ES modules) and XS (one ASCII script) builds of the same
// TypeScript files, so both engines run exactly the same code.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
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

function plugins({ debug, engine }) {
  return [
    replace({ preventAssignment: true, values: { DEBUG: JSON.stringify(debug) } }),
    typescript({
      tsconfig: join(root, 'tsconfig.json'),
      compilerOptions: { noCheck: true, noEmit: false, declaration: false, sourceMap: false, types: [] },
      include: ['src/**/*.ts', 'hosts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
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
