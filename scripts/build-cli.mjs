// The `keel` command line (cli/*.ts, with what it imports from src/ and tools/)
// for Node: one ES module per command
// (dist/cli/bin.js, the package's "bin", starts with `#!/usr/bin/env node`;
// keel.js dispatches; diagram.js, trace.js, ... are imported on first use),
// shared code in dist/cli/chunks/. Node built-ins and @viz-js/viz (SVG, a
// development dependency the user installs to get SVG) stay imports.
//   node scripts/build-cli.mjs [OUT_DIR]   (default dist/cli; scripts/build.mjs calls buildCli())
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import replace from '@rollup/plugin-replace';
import { root } from './bundle.mjs';

export async function buildCli(outDir = join(root, 'dist', 'cli')) {
  const cli = join(root, 'cli');
  const input = Object.fromEntries(
    readdirSync(cli)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => [f.replace(/\.ts$/, ''), join(cli, f)]),
  );
  const bundle = await rollup({
    input,
    plugins: [
      replace({ preventAssignment: true, values: { DEBUG: 'true' } }),
      typescript({
        tsconfig: join(root, 'tsconfig.json'),
        include: ['cli/**/*.ts', 'src/**/*.ts', 'tools/**/*.ts'],
        compilerOptions: { noEmit: false, declaration: false, noCheck: true },
        outputToFilesystem: false,
      }),
    ],
    external: (id) => id.startsWith('node:') || id === '@viz-js/viz',
    onwarn(w, warn) {
      if (w.code === 'UNRESOLVED_IMPORT') throw new Error(`cli/ imports something it cannot bundle: ${w.message}`);
      warn(w);
    },
  });
  rmSync(outDir, { recursive: true, force: true });
  await bundle.write({
    dir: outDir,
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    banner: (chunk) => (chunk.isEntry && chunk.name === 'bin' ? '#!/usr/bin/env node' : ''),
  });
  await bundle.close();
  chmodSync(join(outDir, 'bin.js'), 0o755);
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildCli(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
  console.log(`keel build: ${out}`);
}
