// `keel/rollup`: the hsm ahead-of-time compiler as a rollup plugin
// (tools/hsm-aot/rollup.ts, with what it imports from src/ and tools/), one
// ES module for Node at dist/rollup/index.js plus its declaration. A build
// tool: never bundled into an app; the code it writes imports keel/hsm-runtime.
//   node scripts/build-rollup-plugin.mjs [OUT_DIR]   (default dist/rollup; scripts/build.mjs calls buildRollupPlugin())
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import replace from '@rollup/plugin-replace';
import { root } from './bundle.mjs';

const DECLARATION = `import type { Plugin } from 'rollup';
export interface KeelHsmPluginOptions {
  /** Module specifier the generated code imports defineCompiledHsm, hsmTables, HsmDefinitionError and HsmUsageError from. Default 'keel/hsm-runtime' (without the compiler); 'keel/hsm' works too. */
  hsmModule?: string;
  /** 'auto' (default), 'switch', 'table', 'shared' or 'compact' (device builds: the least RAM at boot). See docs/hsm.md. */
  form?: 'auto' | 'switch' | 'table' | 'shared' | 'compact';
  /** Modules to look at (default: every module whose code contains \`defineHsm(\`, except keel's own hsm sources). */
  filter?: (id: string) => boolean;
  /** Called once per compiled machine. */
  onCompiled?: (info: { id: string; name: string; line: number; form: string; reactions: number }) => void;
  /** Called once per machine left to the table interpreter, with the reason (also a build warning). */
  onSkipped?: (info: { id: string; name: string; line: number; reason: string }) => void;
}
/** Compiles every statically written defineHsm({...}) ahead of time (docs/hsm.md, "Compiled ahead of time"). */
export default function keelHsm(options?: KeelHsmPluginOptions): Plugin;
`;

export async function buildRollupPlugin(outDir = join(root, 'dist', 'rollup')) {
  const bundle = await rollup({
    input: join(root, 'tools', 'hsm-aot', 'rollup.ts'),
    plugins: [
      replace({ preventAssignment: true, values: { DEBUG: 'true' } }),
      typescript({
        tsconfig: join(root, 'tsconfig.json'),
        include: ['src/**/*.ts', 'tools/**/*.ts'],
        compilerOptions: { noEmit: false, declaration: false, noCheck: true },
        outputToFilesystem: false,
      }),
    ],
    external: (id) => id.startsWith('node:') || id === 'rollup',
    onwarn(w, warn) {
      if (w.code === 'UNRESOLVED_IMPORT') throw new Error(`keel/rollup imports something it cannot bundle: ${w.message}`);
      warn(w);
    },
  });
  rmSync(outDir, { recursive: true, force: true });
  await bundle.write({ file: join(outDir, 'index.js'), format: 'es' });
  await bundle.close();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.d.ts'), DECLARATION);
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildRollupPlugin(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
  console.log(`keel build: ${out}`);
}
